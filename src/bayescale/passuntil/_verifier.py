"""Resampling against an imperfect verifier (Stroebl et al. 2024): ceiling, utility, K*.

Per attempt on a task with correctness ``r``, a verifier of completeness ``c``
(P(accept | correct)) and soundness ``s`` (P(reject | incorrect)) accepts a correct
answer with probability ``c r``, a wrong one with ``(1 - s)(1 - r)``, and rejects with
``beta = (1 - c) r + s (1 - r)``. Resampling until acceptance is capped at ``K``
attempts; an accepted correct answer earns 1, an accepted wrong one costs ``V``, no
answer earns 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from bayescale.result._posterior import check_ci_prob


def _prob(name: str, x: ArrayLike) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(arr) | (arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1].")
    return arr


def _interval(draws: np.ndarray, ci_prob: float) -> pd.DataFrame:
    ci_prob = check_ci_prob(ci_prob)
    qs = np.quantile(draws, [0.5, (1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
    return pd.DataFrame(
        {"median": np.ravel(qs[0]), "lower": np.ravel(qs[1]), "upper": np.ravel(qs[2])}
    )


def verifier_ceiling(
    r: ArrayLike, s: ArrayLike, c: ArrayLike = 1.0, *, ci_prob: float | None = None
) -> np.ndarray | pd.DataFrame:
    """Accuracy ceiling of unlimited resampling: ``c r / (c r + (1 - s)(1 - r))``.

    Parameters
    ----------
    r : array_like of float
        Single-sample correctness (draws allowed: broadcast with ``s`` and ``c``).
    s : array_like of float
        Verifier soundness, P(reject | incorrect).
    c : array_like of float
        Verifier completeness, P(accept | correct).
    ci_prob : float, optional
        If given, summarise the draws along axis 0 into a DataFrame with ``median``,
        ``lower`` and ``upper`` (one row per remaining element).

    Returns
    -------
    numpy.ndarray or pandas.DataFrame

    Examples
    --------
    >>> float(verifier_ceiling(0.5, 0.75))
    0.8
    """
    r_a, s_a, c_a = _prob("r", r), _prob("s", s), _prob("c", c)
    acc = c_a * r_a
    fp = (1 - s_a) * (1 - r_a)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(acc + fp > 0, acc / (acc + fp), np.nan)
    return out if ci_prob is None else _interval(out, ci_prob)


def _per_draw(name: str, x: np.ndarray, r: np.ndarray) -> np.ndarray:
    if x.ndim == 0 or x.ndim == r.ndim:
        return x
    if x.ndim == r.ndim - 1:
        return x[..., None]
    raise ValueError(
        f"{name} has shape {x.shape}; use a scalar, r.shape[:-1] = {r.shape[:-1]} (per "
        f"draw) or r.shape = {r.shape} (per draw and task type)."
    )


def expected_utility(
    K: ArrayLike,
    *,
    r: ArrayLike,
    s: ArrayLike,
    V: float,
    c: ArrayLike = 1.0,
    weights: ArrayLike | None = None,
) -> np.ndarray:
    """Return the expected utility of allowing up to ``K`` attempts.

    ``EU(K) = sum_i w_i [c r_i - V (1 - s)(1 - r_i)] sum_{k=1..K} beta_i**(k - 1)``.

    Parameters
    ----------
    K : int or array_like of int
        Attempt caps (``K = 0`` abstains: utility 0).
    r : array_like of float, shape (..., types)
        Correctness per task type (last axis); leading axes are posterior draws.
    s, c : array_like of float
        Soundness and completeness: scalars, one per draw (``r.shape[:-1]``) or per
        draw and type (``r.shape``).
    V : float
        Cost of an accepted wrong answer relative to the gain of a correct one (>= 0).
    weights : array_like of float, optional
        Task-type probabilities (default uniform), normalised to sum to 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(*r.shape[:-1], len(K))``.
    """
    r_a = np.atleast_1d(_prob("r", r))
    s_a = _per_draw("s", _prob("s", s), r_a)
    c_a = _per_draw("c", _prob("c", c), r_a)
    if not (np.isfinite(V) and V >= 0):
        raise ValueError(f"V={V!r} must be a finite number >= 0 (false-positive cost).")
    n_types = r_a.shape[-1]
    w = np.full(n_types, 1.0 / n_types) if weights is None else np.asarray(weights, float)
    if w.shape[-1:] != (n_types,) or np.any(w < 0) or not np.all(w.sum(-1) > 0):
        raise ValueError(f"weights must be {n_types} non-negative numbers (one per type).")
    w = w / w.sum(axis=-1, keepdims=True)
    ks = np.atleast_1d(np.asarray(K))
    if np.any(ks < 0) or np.any(ks != np.round(ks)):
        raise ValueError("K must hold integers >= 0 (0 = abstain).")
    gain = c_a * r_a - V * (1 - s_a) * (1 - r_a)
    beta = (1 - c_a) * r_a + s_a * (1 - r_a)
    kk = ks.astype(float)
    b = beta[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        geo = np.where(b < 1, -np.expm1(kk * np.log(np.maximum(b, 1e-300))) / (1 - b), kk)
    geo = np.where(b <= 0, np.minimum(kk, 1.0), geo)
    return np.sum((w * gain)[..., None] * geo, axis=-2)


@dataclass(frozen=True)
class OptimalK:
    """Optimal attempt cap under an imperfect verifier.

    Attributes
    ----------
    k : int
        ``argmax_K`` of the posterior-mean expected utility (0 = abstain).
    k_lower, k_upper : int
        Equal-tailed interval of the per-draw optimum (equal to ``k`` without draws).
    k_draws : numpy.ndarray
        Per-draw optimum.
    utility : pandas.DataFrame
        ``K``, ``mean``, ``median``, ``lower``, ``upper`` of ``EU(K)``.
    """

    k: int
    k_lower: int
    k_upper: int
    k_draws: np.ndarray
    utility: pd.DataFrame

    def __int__(self) -> int:
        return self.k


def optimal_k(
    *,
    r: ArrayLike,
    s: ArrayLike,
    V: float,
    c: ArrayLike = 1.0,
    weights: ArrayLike | None = None,
    K_max: int = 1000,
    ci_prob: float = 0.9,
) -> OptimalK:
    """Optimal number of attempts ``K* = argmax_K EU(K)`` (``0``: abstain).

    With posterior draws of ``r``/``s``/``c`` (leading axes), ``k`` maximises the
    posterior expected utility and ``k_lower``/``k_upper`` bound the per-draw optimum.

    Parameters
    ----------
    r, s, V, c, weights
        As in :func:`expected_utility`.
    K_max : int
        Largest cap considered.
    ci_prob : float
        Interval probability.

    Returns
    -------
    OptimalK

    Examples
    --------
    >>> [optimal_k(r=[0.87, 0.13], weights=[0.58, 0.42], s=0.75, V=v).k for v in (0.7, 1, 2)]
    [3, 2, 1]
    """
    ci_prob = check_ci_prob(ci_prob)
    if not (isinstance(K_max, int | np.integer) and K_max >= 1):
        raise ValueError(f"K_max={K_max!r} must be an integer >= 1.")
    ks = np.arange(int(K_max) + 1)
    eu = expected_utility(ks, r=r, s=s, V=V, c=c, weights=weights)
    draws = eu.reshape(-1, ks.size)
    k_draws = ks[np.argmax(draws, axis=1)]
    best = int(ks[np.argmax(draws.mean(axis=0))])
    lo, hi = np.quantile(k_draws, [(1 - ci_prob) / 2, (1 + ci_prob) / 2], method="nearest")
    table = _interval(draws, ci_prob)
    table.insert(0, "mean", draws.mean(axis=0))
    table.insert(0, "K", ks)
    return OptimalK(best, int(lo), int(hi), k_draws, table)
