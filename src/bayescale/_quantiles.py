"""Quantiles and summary frames of posterior draws, safe with infinities and NaN.

Below the layers that use them: predictions (:mod:`bayescale.result._predict`), the
analysis functions and the laws' own posterior helpers
(:func:`bayescale.laws.reducible_loss`) summarise draws the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError

__all__ = ["nan_mean", "quantile_frame", "quantiles"]


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


def quantile_frame(columns: Mapping[str, np.ndarray], draws: np.ndarray,
                   ci_prob: float) -> pd.DataFrame:
    """DataFrame of the input columns with ``mean``, ``median``, ``lower``, ``upper``.

    Quantiles by :func:`quantiles` (an infinite quantile stays infinite, never NaN); NaN
    draws are left out of the mean and quantiles. :func:`frame_problems` says what in
    the frame is not finite.
    """
    if not 0 < ci_prob < 1:
        raise BayescaleError(f"ci_prob must be in (0, 1), got {ci_prob!r}")
    draws = np.asarray(draws, dtype=float)
    lo, med, hi = quantiles(draws, [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2])
    frame = pd.DataFrame(dict(columns))
    frame["mean"] = nan_mean(draws)
    frame["median"], frame["lower"], frame["upper"] = med, lo, hi
    return frame


def nan_mean(draws: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean of the non-NaN draws (inf where a draw is inf; NaN only where all are NaN)."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", over="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: reported
        return np.nanmean(draws, axis=axis)
