"""Posterior draws of a law's mean and of new observations at chosen inputs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.discrepancy import Discrepancy
from bayescale.engine._draws import mean_draws, predictive_draws
from bayescale.laws._law import Law
from bayescale.likelihoods import Likelihood

__all__ = ["causes", "draw_problems", "frame_problems", "mean_draws", "predictive_draws",
           "quantile_frame", "quantiles", "resolve_inputs", "warn_non_finite", "with_drift"]


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
    frame["mean"] = _mean(draws)
    frame["median"], frame["lower"], frame["upper"] = med, lo, hi
    return frame


def _mean(draws: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean of the non-NaN draws (inf where a draw is inf; NaN only where all are NaN)."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", over="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: reported
        return np.nanmean(draws, axis=axis)


def _pct(p: float) -> str:
    return f"{100 * p:.4g}%"


def draw_problems(draws: np.ndarray) -> list[str]:
    """What is not finite in ``(num_draws, num_points)`` draws, in words (empty if all is)."""
    d = np.asarray(draws, dtype=float)
    bad = ~np.isfinite(d)
    if not bad.any():
        return []
    n_inf, n_nan = int(np.isinf(d).sum()), int(np.isnan(d).sum())
    kinds = ", ".join(t for t in (f"{n_inf} infinite" if n_inf else "",
                                  f"{n_nan} NaN" if n_nan else "") if t)
    cols = int(bad.any(axis=0).sum()) if d.ndim > 1 else 1
    points = d.shape[1] if d.ndim > 1 else 1
    return [f"{int(bad.sum())} of {d.size} draws are not finite ({kinds}) at {cols} of "
            f"{points} point(s)"]


def frame_problems(frame: pd.DataFrame, draws: np.ndarray, ci_prob: float,
                   columns: Sequence[str] = ("mean", "median", "lower", "upper")
                   ) -> list[str]:
    """What in a :func:`quantile_frame` is not finite, and the NaN draws left out."""
    d = np.asarray(draws, dtype=float)
    label = {"mean": "mean", "median": "median",
             "lower": f"lower ({_pct((1 - ci_prob) / 2)}) quantile",
             "upper": f"upper ({_pct((1 + ci_prob) / 2)}) quantile"}
    out = []
    for col in columns:
        v = np.asarray(frame[col], dtype=float)
        for what, mask in (("infinite", np.isinf(v)), ("NaN", np.isnan(v))):
            if mask.any():
                out.append(f"the {label[col]} is {what} at {int(mask.sum())} of {len(v)} "
                           "point(s)")
    nan = np.isnan(d)
    if nan.any():
        out.append(f"{int(nan.sum())} NaN draw(s) of {d.size} (at "
                   f"{int(nan.any(axis=0).sum()) if d.ndim > 1 else 1} point(s)) are left "
                   "out of the mean and quantiles")
    return out


def causes(posterior: Mapping[str, np.ndarray], likelihood: Likelihood | None = None,
           kind: str = "mean", fallback: str = "the values overflow float64 at these "
           "inputs (far beyond the data?)") -> list[str]:
    """Why draws computed from ``posterior`` can be non-finite, in words, with remedies."""
    out = []
    bad = {k: int(np.sum(~np.isfinite(np.asarray(v)))) for k, v in posterior.items()}
    bad = {k: n for k, n in bad.items() if n}
    if bad:
        total = next(iter(posterior.values())).size
        out.append("non-finite posterior draws of " + ", ".join(
            f"{k!r} ({_pct(n / total)})" for k, n in bad.items())
            + " (a stuck chain or an overflow: see fit.diagnostics(); refit)")
    if kind == "predictive" and likelihood is not None and "nu" in likelihood.noise_names:
        nu = np.asarray(posterior["nu"], dtype=float)
        frac = float(np.mean(nu < 1))
        if frac > 0:
            out.append(f"Student-t nu < 1 in {_pct(frac)} of draws: new observations have "
                       "tails so heavy that they overflow (the predictive distribution has "
                       "no finite mean and its upper quantiles run off to infinity); use "
                       "likelihood='normal_log', a prior on nu that keeps it above 1, or "
                       "kind='mean'")
    return out or [fallback]


def warn_non_finite(what: str, problems: list[str], why: Any, stacklevel: int = 3
                    ) -> None:
    """One DiagnosticWarning: ``what`` returned ``problems``, because of ``why()``."""
    if problems:
        from bayescale.result._diagnostics import DiagnosticWarning

        warnings.warn(f"bayescale {what}: " + "; ".join(problems) + ". Cause: "
                      + "; ".join(why()) + ".", DiagnosticWarning, stacklevel=stacklevel)


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
