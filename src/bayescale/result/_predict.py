"""Posterior draws of a law's mean and of new observations at chosen inputs.

:func:`quantiles`, :func:`quantile_frame` (:mod:`bayescale._quantiles`) and
:func:`resolve_inputs` (:mod:`bayescale.laws._law`) live below the result layer, where
the laws' own posterior helpers use them too; they are re-exported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayescale._quantiles import nan_mean as _mean  # noqa: F401  (analysis uses it)
from bayescale._quantiles import quantile_frame, quantiles
from bayescale.discrepancy import Discrepancy
from bayescale.engine._draws import mean_draws, predictive_draws
from bayescale.laws._law import resolve_inputs
from bayescale.likelihoods import Likelihood

__all__ = ["causes", "draw_problems", "frame_problems", "mean_draws", "predictive_draws",
           "quantile_frame", "quantiles", "resolve_inputs", "warn_non_finite", "with_drift"]


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
        from bayescale.engine._diagnostics import DiagnosticWarning

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
