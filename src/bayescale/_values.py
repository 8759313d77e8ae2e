"""Checks of user-given numbers shared by every layer: flat, non-empty lists of numbers."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np

from bayescale._errors import BayescaleError

__all__ = ["flat_numbers", "shown"]


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def flat_numbers(value: Any, need: str) -> np.ndarray:
    """``value`` as a flat, non-empty 1-d float array, or a :class:`BayescaleError`.

    ``value`` must be a number or a flat, non-empty sequence (or array) of real numbers:
    strings (even ``"1e9"``), ``None``, booleans, complex numbers, mappings, sets and
    nested or ragged lists are refused. ``need`` says what is accepted and names the
    value; the error adds why this value is not.
    """
    if value is None or isinstance(value, str | bytes | Mapping | set | frozenset):
        raise BayescaleError(f"{need} (a {type(value).__name__})")
    try:
        a = np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged lists, odd sequences
        raise BayescaleError(need) from None
    if a.dtype.kind == "O":  # numbers mixed with None or other objects: each must be one
        bad = [v for v in a.ravel() if not isinstance(v, Real) or isinstance(v, bool)]
        if bad:
            raise BayescaleError(need + (f" (it holds {shown(bad[0], 40)})" if a.ndim else ""))
        a = a.astype(float)
    if a.dtype.kind not in "iuf":  # strings, booleans, complex, dates
        raise BayescaleError(f"{need} (values of dtype {a.dtype})")
    if a.ndim > 1:
        raise BayescaleError(f"{need} (nested: shape {a.shape})")
    if a.size == 0:
        raise BayescaleError(f"{need} (empty)")
    return np.atleast_1d(a.astype(float))
