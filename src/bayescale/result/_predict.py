"""Posterior draws of a law's mean and of new observations at chosen inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.discrepancy import Discrepancy
from bayescale.engine._draws import mean_draws, predictive_draws
from bayescale.laws._law import Law

__all__ = ["mean_draws", "predictive_draws", "quantile_frame", "quantiles", "resolve_inputs",
           "with_drift"]


def quantiles(draws: np.ndarray, probs: Any, axis: int = 0) -> np.ndarray:
    """Quantiles of draws along ``axis`` (NumPy's linear rule), safe with infinities.

    Where the two order statistics a quantile falls between are equal, that value is the
    quantile: an infinite one stays infinite instead of turning NaN through ``inf - inf``
    (as in ``np.quantile``). NaN draws are left out; a quantile is NaN only where every
    draw is NaN.

    Returns
    -------
    ndarray
        Shape ``(len(probs),) + draws.shape`` less ``axis``.
    """
    a = np.moveaxis(np.asarray(draws, dtype=float), axis, 0)
    probs = np.asarray(probs, dtype=float)
    s = np.sort(a, axis=0)  # NaN sorts last
    n = np.sum(~np.isnan(a), axis=0)  # valid draws of each column
    pos = probs.reshape((-1,) + (1,) * (a.ndim - 1)) * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    t = pos - lo
    a_lo = np.take_along_axis(s, lo, axis=0)
    a_hi = np.take_along_axis(s, hi, axis=0)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = np.where(t >= 0.5, a_hi - (a_hi - a_lo) * (1 - t), a_lo + (a_hi - a_lo) * t)
    # an infinite end wins the interpolation (the nearer one when both are infinite)
    inf_end = np.where(np.isinf(a_lo) & np.isinf(a_hi), np.where(t < 0.5, a_lo, a_hi),
                       np.where(np.isinf(a_hi), a_hi, a_lo))
    mid = np.where(np.isinf(a_lo) | np.isinf(a_hi), inf_end, mid)
    out = np.where((a_lo == a_hi) | (t == 0), a_lo, mid)
    out = np.where(n == 0, np.nan, out)
    return out.reshape((len(probs),) + a.shape[1:]) if probs.ndim else out[0]


def resolve_inputs(law: Law, x_columns: tuple[str, ...], inputs: Mapping[str, Any]
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Map user keywords (data column or law input names) to broadcast float arrays.

    Returns
    -------
    (by_input, by_column) : tuple of dict
    """
    col_of = dict(zip(law.inputs, x_columns, strict=True))
    inp_of = {c: i for i, c in col_of.items()}
    by_input: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in inp_of:
            by_input[inp_of[key]] = value
        elif key in col_of:
            by_input[key] = value
        else:
            raise BayescaleError(
                f"unknown input {key!r}; this fit takes {list(x_columns)} (law inputs "
                f"{list(law.inputs)})")
    missing = [col_of[i] for i in law.inputs if i not in by_input]
    if missing:
        raise BayescaleError(f"give a value for every input; missing {missing}, e.g. "
                             f"predict({', '.join(f'{c}=1e10' for c in missing)})")
    arrays = [np.asarray(by_input[i], dtype=float) for i in law.inputs]
    arrays = np.broadcast_arrays(*[np.atleast_1d(a) for a in arrays])
    positive = set(law.positive_inputs or law.inputs)
    for i, a in zip(law.inputs, arrays, strict=True):
        good = np.isfinite(a) & ((a > 0) if i in positive else True)
        if not np.all(good):
            bad = a[~good].ravel()[0].item()
            need = "finite and > 0" if i in positive else "finite"
            raise BayescaleError(f"input {col_of[i]!r} = {bad!r} must be {need}")
    out = {i: a.ravel() for i, a in zip(law.inputs, arrays, strict=True)}
    return out, {col_of[i]: v for i, v in out.items()}


def quantile_frame(columns: Mapping[str, np.ndarray], draws: np.ndarray,
                   ci_prob: float) -> pd.DataFrame:
    """DataFrame of the input columns with ``mean``, ``median``, ``lower``, ``upper``."""
    if not 0 < ci_prob < 1:
        raise BayescaleError(f"ci_prob must be in (0, 1), got {ci_prob!r}")
    lo, med, hi = np.quantile(draws, [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2], axis=0)
    frame = pd.DataFrame(dict(columns))
    frame["mean"] = draws.mean(axis=0)
    frame["median"], frame["lower"], frame["upper"] = med, lo, hi
    return frame


def with_drift(draws: np.ndarray, disc: Discrepancy, x: Mapping[str, np.ndarray],
               seed: int) -> np.ndarray:
    """Draws with the discrepancy's drift added (on ``log y`` or ``y``)."""
    shift = disc.shift(x, draws.shape[0], seed)
    if not np.any(shift):
        return draws
    if disc.log_scale:
        with np.errstate(over="ignore", invalid="ignore"):
            return draws * np.exp(shift)
    return draws + shift
