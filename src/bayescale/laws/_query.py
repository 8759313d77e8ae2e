"""Shared helpers of the laws' query functions: parameter draws and input grids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from bayescale._errors import BayescaleError

__all__ = ["input_grid", "param_draws"]


def param_draws(params: Any, defaults: Mapping[str, float], names: tuple[str, ...],
                law: str) -> dict[str, np.ndarray]:
    """Parameter values as ``(draws, 1)`` arrays, from constants, a mapping or a Fit.

    Parameters
    ----------
    params : None, mapping or Fit
        None for the law's published constants ``defaults``; a mapping of values or
        draws; or a fit of the law (its ``posterior``).
    defaults : mapping
        The published constants.
    names : tuple of str
        The parameters the query needs.
    law : str
        The law's name, for the error messages.
    """
    src = defaults if params is None else getattr(params, "posterior", params)
    if not isinstance(src, Mapping):
        raise BayescaleError("params must be a mapping of parameter values or draws, or a "
                             f"{law} fit; got {type(params).__name__}")
    missing = [k for k in names if k not in src]
    if missing:
        raise BayescaleError(f"{law} parameters missing: {missing}")
    return {k: np.asarray(src[k], dtype=float).reshape(-1, 1) for k in names}


def input_grid(**inputs: Any) -> dict[str, np.ndarray]:
    """Broadcast the inputs against each other and flatten them (one row per point)."""
    arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float))
                                   for v in inputs.values()))
    return {k: a.ravel() for k, a in zip(inputs, arrays, strict=True)}
