"""Posterior draws of a law's mean and of new observations at chosen inputs.

:func:`quantiles`, :func:`quantile_frame` (:mod:`bayescale._quantiles`) and
:func:`resolve_inputs` (:mod:`bayescale.laws._law`) live below the result layer, where
the laws' own posterior helpers use them too; they are re-exported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale._quantiles import nan_mean as _mean  # noqa: F401  (analysis uses it)
from bayescale._quantiles import quantile_frame, quantiles
from bayescale._values import flat_numbers
from bayescale._values import shown as _shown
from bayescale.discrepancy import Discrepancy
from bayescale.engine._draws import mean_draws, predictive_draws
from bayescale.laws._law import Law, resolve_inputs
from bayescale.likelihoods import Likelihood

__all__ = ["causes", "check_inputs", "check_options", "draw_problems", "frame_problems",
           "mean_draws", "predictive_draws", "quantile_frame", "quantiles", "resolve_inputs",
           "warn_non_finite", "with_drift"]


def _pct(p: float) -> str:
    return f"{100 * p:.4g}%"


def _input_array(name: str, value: Any) -> np.ndarray:
    """One input of ``predict`` as a flat float array, or a BayescaleError naming it."""
    return flat_numbers(value, f"input {name!r} must be a number or a flat, non-empty list "
                               f"of numbers (e.g. {name}=1e21 or {name}=[1e20, 1e21]), got "
                               f"{_shown(value)}")


def check_options(kind: Any, seed: Any, discrepancy: Any) -> None:
    """The options of ``predict``: ``kind``, ``seed`` and ``discrepancy``, or an error."""
    if not isinstance(kind, str) or kind not in ("predictive", "mean"):
        raise BayescaleError(f"kind must be 'predictive' or 'mean', got {_shown(kind)}")
    if (isinstance(seed, bool | np.bool_) or not isinstance(seed, Integral)
            or not 0 <= seed < 2**63):
        raise BayescaleError(f"seed must be a non-negative integer, got {_shown(seed)}")
    if not isinstance(discrepancy, bool | np.bool_):
        raise BayescaleError(f"discrepancy must be True or False, got {_shown(discrepancy)}")


def check_inputs(law: Law, x_columns: tuple[str, ...], inputs: Mapping[str, Any]
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """:func:`resolve_inputs` of checked values: every failure a :class:`BayescaleError`.

    Each value must be a number or a flat, non-empty sequence of numbers (no strings,
    booleans, ``None``, mappings or nested lists); sequences must have one length (or
    one value, which is repeated). The names, finiteness and signs are checked by
    :func:`resolve_inputs`.
    """
    known = set(law.inputs) | set(x_columns)
    arrays = {k: (_input_array(k, v) if k in known else v) for k, v in inputs.items()}
    sizes = {k: a.size for k, a in arrays.items() if k in known and a.size > 1}
    if len(set(sizes.values())) > 1:
        raise BayescaleError("the inputs have different lengths ("
                             + ", ".join(f"{k}: {n} values" for k, n in sizes.items())
                             + "); give lists of one length, or single values")
    return resolve_inputs(law, x_columns, arrays)


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
