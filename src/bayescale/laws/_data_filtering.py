"""Data-filtering utility with repetition (Goyal et al. 2024), LAWS.md section 7.

"Scaling Laws for Data Filtering -- Data Curation cannot be Compute Agnostic": a pool ``i``
of ``P`` samples seen ``n`` times in total (``n / P`` epochs) has error

``y = d + (a n_0 / 1e5)^(-b_i) * prod_{j >= 1, P j < n} (min(j + 1, n / P) / j)^(-b_ij)``,
``b_ij = b_i 0.5^(j / tau_i)``,

with ``n_0 = min(P, n)`` the samples of the first pass: a power law whose *utility*
``b_i`` (``-b`` in the paper's sign convention) decays by half every ``tau_i`` epochs of
repetition (the half-life), continuous across epoch boundaries. ``a`` (sample scale) and
``d`` (irreducible error) are shared by the pools. The irreducible error is added after the
epoch factors (the paper's form); :func:`data_filtering_error` also evaluates the
authors' code, which multiplies ``d`` by them too.

Mixing the ``m`` best pools (equal sizes): one pool of ``m P`` samples whose utility at
repetition ``j`` is the mean of the members' decayed utilities,
``b_eff,j = mean_i b_i 0.5^(j / tau_i)``; :func:`best_pool_mix` compares mixes at a
budget of samples seen with posterior probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from numbers import Integral
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError, LawError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["MAX_EPOCHS", "best_pool_mix", "data_filtering", "data_filtering_error"]

#: Epochs summed explicitly; later ones are dropped (their utility has decayed by
#: ``0.5^(256 / tau)``).
MAX_EPOCHS = 256
_SCALE = 1e5


def _repeat_sum(ratio, b_of_j):
    """sum_{j=1..MAX} b_j log(min(j + 1, ratio) / j) over the epochs with j < ratio."""
    j = jnp.arange(1.0, MAX_EPOCHS + 1.0)
    r = jnp.expand_dims(ratio, -1)
    term = jnp.log(jnp.clip(r, j, j + 1.0) / j)  # 0 when r <= j
    return jnp.sum(b_of_j(j) * term, axis=-1)


def _log_reducible(log_a, b0, b_of_j, n, pool):
    first = log_a + jnp.log(jnp.minimum(pool, n)) - jnp.log(_SCALE)
    return -(b0 * first + _repeat_sum(n / pool, b_of_j))


def data_filtering(n_pools: int = 1) -> Law:
    """Build the data-filtering law for ``n_pools`` pools with shared ``a`` and ``d``.

    Inputs ``n`` (samples seen), ``P`` (pool size, samples) and ``pool`` (index
    ``0 .. n_pools - 1`` of the pool each run trained on; rounded, clipped). Parameters
    ``a``, ``d`` and per pool ``b<i>`` (utility) and ``tau<i>`` (half-life in epochs).

    Parameters
    ----------
    n_pools : int, default 1
        Number of pools (quality buckets).

    Returns
    -------
    Law
    """
    if isinstance(n_pools, bool) or not isinstance(n_pools, Integral) or n_pools < 1:
        raise LawError(f"data_filtering: n_pools must be an integer >= 1, got {n_pools!r}")
    return _build(int(n_pools))


@cache
def _build(k: int) -> Law:
    def per_pool(p, x, name):
        values = jnp.stack(jnp.broadcast_arrays(*[p[f"{name}{i}"] for i in range(k)]), -1)
        idx = jnp.clip(jnp.round(x["pool"]), 0, k - 1).astype(jnp.int32)
        values, idx = jnp.broadcast_arrays(values, idx[..., None])
        return jnp.take_along_axis(values, idx[..., :1], axis=-1)[..., 0]

    def log_fn(p, x):
        b = per_pool(p, x, "b")
        tau = per_pool(p, x, "tau")
        red = _log_reducible(jnp.log(p["a"]), b, lambda j: jnp.expand_dims(b, -1) * 0.5 ** (
            j / jnp.expand_dims(tau, -1)), x["n"], x["P"])
        return jnp.logaddexp(jnp.log(p["d"]), red)

    def guess(inputs, y):
        ymin = float(np.min(y))
        starts = []
        for a in (1e-3, 1e-2, 1e-1):
            for b in (0.05, 0.15):
                for tau in (1.0, 4.0):
                    s = {"a": a, "d": 0.5 * ymin}
                    s |= {f"b{i}": b for i in range(k)} | {f"tau{i}": tau for i in range(k)}
                    starts.append(s)
        return polish(law, inputs, y, starts)

    params = [Param("a", "positive", Prior("LogNormal", np.log(0.01), 3.0),
                    doc="sample scale (shared by the pools)"),
              Param("d", "positive", P.irreducible, doc="irreducible error (shared)")]
    for i in range(k):
        params += [
            Param(f"b{i}", "positive", P.exponent(0.1), doc=f"utility of pool {i} (paper: -b)"),
            Param(f"tau{i}", "positive", Prior("LogNormal", np.log(3.0), 1.0),
                  doc=f"half-life of pool {i}'s utility, in epochs"),
        ]
    law = Law(
        name="data_filtering" if k == 1 else f"data_filtering{k}",
        params=tuple(params),
        inputs=("n", "P", "pool"),
        fn=lambda p, x: jnp.exp(log_fn(p, x)),
        log_fn=log_fn,
        guess=guess,
        formula=("y = d + (a min(P, n) / 1e5)**(-b) * prod_{j>=1, P j < n} "
                 "(min(j + 1, n / P) / j)**(-b * 0.5**(j / tau))"),
        positive_inputs=("n", "P"),
        key=("law", "data_filtering", k),
        description=(f"Goyal et al. (2024) data-filtering utility with repetition, {k} "
                     f"pool(s): utility b decays with half-life tau epochs; pool = index of "
                     f"the pool (0..{k - 1}). Epochs beyond {MAX_EPOCHS} are dropped."),
    )
    return law


def data_filtering_error(n: Any, P: Any, a: float, b: float, tau: float, d: float, *,
                         code_faithful: bool = False) -> np.ndarray:
    """Error of one pool after ``n`` samples seen from ``P`` (NumPy, paper's sign of b).

    Parameters
    ----------
    n, P : array_like
        Samples seen and pool size.
    a, b, tau, d : float
        Sample scale, utility (negative in the paper's convention, as here), half-life,
        irreducible error.
    code_faithful : bool, default False
        Multiply ``d`` by the repetition factors as the authors' ``func_effective_utility``
        does (LAWS.md section 7), instead of adding it at the end.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from bayescale.laws import data_filtering_error
    >>> [round(float(v), 4) for v in data_filtering_error(
    ...     [12.8e6, 25.6e6, 64e6, 128e6], 12.8e6, 0.01, -0.1, 2.0, 0.1, code_faithful=True)]
    [1.0756, 1.0242, 0.9879, 0.9805]
    """
    n = np.asarray(n, dtype=float)
    P = np.asarray(P, dtype=float)
    n, P = np.broadcast_arrays(n, P)
    out = np.empty(n.shape)
    for idx in np.ndindex(n.shape):
        ni, pi = float(n[idx]), float(P[idx])
        first = (a * min(pi, ni) / _SCALE) ** b
        factor, j = 1.0, 1
        while pi * j < ni:
            factor *= (min(pi * (j + 1), ni) / (pi * j)) ** (b * 0.5 ** (j / tau))
            j += 1
        out[idx] = (first + d) * factor if code_faithful else first * factor + d
    return out


def _mix_error(n, pool_size, a, b, tau, d):
    """Error of the mix of the pools in the last axis of ``b``, ``tau`` (shared a, d)."""
    b = jnp.asarray(b)
    tau = jnp.asarray(tau)
    m = b.shape[-1]
    size = m * pool_size
    b0 = jnp.mean(b, axis=-1)

    def b_of_j(j):  # (..., J): mean over pools of the decayed utilities
        return jnp.mean(b[..., None, :] * 0.5 ** (j[:, None] / tau[..., None, :]), axis=-1)

    red = _log_reducible(jnp.log(a), b0, b_of_j, n, size)
    return d + jnp.exp(red)


def best_pool_mix(params: Mapping[str, Any], budgets: Sequence[float], pool_size: float,
                  *, order: Sequence[int] | None = None) -> pd.DataFrame:
    """Which mix of the best pools gives the lowest error at each budget of samples seen.

    Candidates are the top-``m`` pools for ``m = 1 .. n_pools`` (by ``order``, default:
    decreasing posterior-median utility), each mixed as one pool of ``m * pool_size``
    samples with the mean decayed utility (LAWS.md section 7). With posterior draws the
    answer comes with the probability that each mix is best.

    Parameters
    ----------
    params : mapping
        ``a``, ``d``, ``b0, tau0, b1, tau1, ...`` as scalars or arrays of draws
        (``fit.posterior`` of a ``data_filtering(k)`` fit).
    budgets : sequence of float
        Samples seen (the compute budget).
    pool_size : float
        Samples per pool.
    order : sequence of int, optional
        Pool indices from best to worst.

    Returns
    -------
    DataFrame
        One row per (budget, mix): ``budget``, ``pools`` (e.g. ``"0+2"``), ``m``,
        ``error_median``, ``error_lower``, ``error_upper`` (90%), ``prob_best``.
    """
    k = 0
    while f"b{k}" in params and f"tau{k}" in params:
        k += 1
    if k == 0:
        raise BayescaleError("params need per-pool utilities b0, tau0, ... (a data_filtering "
                             "fit's posterior)")
    draws = {name: np.asarray(params[name], dtype=float).reshape(-1)
             for name in ["a", "d", *[f"{p}{i}" for i in range(k) for p in ("b", "tau")]]}
    ndraw = max(v.size for v in draws.values())
    draws = {name: np.broadcast_to(v, (ndraw,)) for name, v in draws.items()}
    if order is None:
        order = list(np.argsort([-np.median(draws[f"b{i}"]) for i in range(k)], kind="stable"))
    order = [int(i) for i in order]
    if sorted(order) != list(range(k)):
        raise BayescaleError(f"order must list the pools 0..{k - 1} once each, got {order}")
    rows = []
    for budget in np.atleast_1d(np.asarray(budgets, dtype=float)):
        errs = []
        for m in range(1, k + 1):
            members = order[:m]
            b = np.stack([draws[f"b{i}"] for i in members], axis=-1)
            tau = np.stack([draws[f"tau{i}"] for i in members], axis=-1)
            errs.append(np.asarray(_mix_error(jnp.asarray(budget), float(pool_size),
                                              jnp.asarray(draws["a"]), b, tau,
                                              jnp.asarray(draws["d"]))))
        errs = np.stack(errs, axis=-1)  # (draws, mixes)
        prob = np.bincount(np.argmin(errs, axis=-1), minlength=k) / ndraw
        for m in range(1, k + 1):
            lo, med, hi = np.quantile(errs[:, m - 1], [0.05, 0.5, 0.95])
            rows.append({"budget": budget, "pools": "+".join(map(str, order[:m])), "m": m,
                         "error_median": med, "error_lower": lo, "error_upper": hi,
                         "prob_best": prob[m - 1]})
    return pd.DataFrame(rows)
