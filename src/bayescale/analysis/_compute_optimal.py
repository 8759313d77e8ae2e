"""Compute-optimal allocation of a two-input law L(N, D) under C = k N D."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax import lax

from bayescale._errors import BayescaleError
from bayescale.laws._law import Law
from bayescale.result import _predict
from bayescale.result._posterior import check_ci_prob
from bayescale.result._predict import with_drift

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result import Fit

__all__ = ["QUANTITIES", "compute_optimal", "optimal_draws"]

#: Row labels of :func:`compute_optimal`'s ``quantity`` column.
QUANTITIES = ("N_opt", "D_opt", "D_over_N", "loss", "a")


def _golden_min(f, lo, hi, iters: int = 80):
    """Golden-section minimum of a unimodal f on [lo, hi] (vectorised, jit-safe)."""
    r = (np.sqrt(5.0) - 1) / 2

    def body(_, s):
        lo, hi = s
        m1, m2 = hi - r * (hi - lo), lo + r * (hi - lo)
        left = f(m1) < f(m2)
        return jnp.where(left, lo, m1), jnp.where(left, m2, hi)

    lo, hi = lax.fori_loop(0, iters, body, (lo, hi))
    return 0.5 * (lo + hi)


def _closed_form(p, log_c6):
    # Hoffmann et al. (2022) Eq. 4: N* = G (C/6)^a, G = (alpha A / (beta B))^(1/(alpha+beta))
    s = p["alpha"] + p["beta"]
    log_g = (jnp.log(p["alpha"]) + jnp.log(p["A"]) - jnp.log(p["beta"]) - jnp.log(p["B"])) / s
    return log_g + p["beta"] / s * log_c6, p["beta"] / s


_FALLBACK = ("the optimum overflows float64 at these budgets (an exponent near 0 in "
             "some draws, or budgets far beyond the data)")


def _causes(fit: Fit) -> list[str]:
    return _predict.causes(fit.posterior, fallback=_FALLBACK)


def optimal_draws(fit: Fit, C: Any, *, flops_per_token: float = 6.0,
                  discrepancy: bool = True, seed: int = 0) -> dict[str, np.ndarray]:
    """Draws of N*, D*, D*/N*, loss and the exponent a at each C, ``(num_draws, len(C))``.

    With ``discrepancy`` (default) the loss at each draw's optimum includes the fit's
    drift beyond the data (see :mod:`bayescale.discrepancy`); N* and D* are the law's.
    The draws are returned as computed; when some are not finite a
    :class:`~bayescale.result.DiagnosticWarning` says which, how many and why.
    """
    draws = _optimal_draws(fit, C, flops_per_token=flops_per_token,
                           discrepancy=discrepancy, seed=seed)
    problems = [f"{name}: {text}" for name in QUANTITIES
                for text in _predict.draw_problems(draws[name])]
    _predict.warn_non_finite("optimal_draws", problems, lambda: _causes(fit))
    return draws


def _optimal_draws(fit: Fit, C: Any, *, flops_per_token: float, discrepancy: bool,
                   seed: int = 0) -> dict[str, np.ndarray]:
    law = getattr(fit, "law", None)
    if not isinstance(law, Law) or not hasattr(fit, "posterior"):
        raise BayescaleError(f"compute_optimal needs a fit (from bs.fit) of a law of N and "
                             f"D, got {type(fit).__name__}")
    if not isinstance(discrepancy, bool | np.bool_):
        raise BayescaleError(f"discrepancy must be True or False, got {discrepancy!r}")
    if set(law.inputs) != {"N", "D"}:
        raise BayescaleError(f"compute_optimal needs a law of N and D; law {law.name!r} takes "
                             f"{list(law.inputs)}")
    try:  # no strings ("1e22"), booleans or None (silently 1.0 or NaN otherwise)
        c = np.atleast_1d(np.asarray(C))
        if c.dtype.kind not in "iuf":
            raise TypeError
        c = c.astype(float)
    except (TypeError, ValueError):
        raise BayescaleError(f"C must be numbers (a compute budget in FLOPs, or a list of "
                             f"them), got {C!r}") from None
    if c.ndim != 1 or c.size == 0:
        raise BayescaleError(f"C must be one budget or a flat, non-empty list of budgets, "
                             f"got {C!r}")
    if not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise BayescaleError(f"C must be finite and > 0, got {C!r}")
    if (isinstance(flops_per_token, bool) or not isinstance(flops_per_token, Real)
            or not 0 < flops_per_token < np.inf):
        raise BayescaleError(f"flops_per_token must be a finite number > 0, got "
                             f"{flops_per_token!r}")
    log_c = jnp.log(jnp.asarray(c / flops_per_token))  # log(N D)
    params = {k: jnp.asarray(np.asarray(fit.posterior[k]).reshape(-1)) for k in law.param_names}
    closed = law.key[:2] == ("law", "chinchilla") or law.name == "chinchilla"

    def loss_at(p, log_n, lc):
        return law.log_mean(p, {"N": jnp.exp(log_n), "D": jnp.exp(lc - log_n)})

    def one(p):
        def at(lc):
            if closed:
                log_n, a = _closed_form(p, lc)
                return log_n, a
            log_n = _golden_min(lambda ln: loss_at(p, ln, lc), jnp.zeros_like(lc), lc)
            return log_n, jnp.nan

        log_n, a = at(log_c)
        if not closed:
            h = 0.05
            a = (at(log_c + h)[0] - at(log_c - h)[0]) / (2 * h)
        return log_n, jnp.broadcast_to(a, log_n.shape), loss_at(p, log_n, log_c)

    log_n, a, log_l = jax.jit(jax.vmap(one))(params)
    log_n, a, log_l = np.asarray(log_n), np.asarray(a), np.asarray(log_l)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by the callers
        log_d = np.asarray(log_c)[None, :] - log_n
        n_opt, d_opt, loss = np.exp(log_n), np.exp(log_d), np.exp(log_l)
        ratio = np.exp(log_d - log_n)
    disc = getattr(fit, "discrepancy", None) if discrepancy else None
    if disc is not None and set(disc.axis) <= {"N", "D"}:
        loss = with_drift(loss, disc, {"N": n_opt, "D": d_opt}, seed)
    return {"N_opt": n_opt, "D_opt": d_opt, "D_over_N": ratio,
            "loss": loss, "a": a}


def compute_optimal(fit: Fit, C: Any, *, ci_prob: float = 0.9,
                    flops_per_token: float = 6.0, discrepancy: bool = True) -> pd.DataFrame:
    """Compute-optimal model size and data for a budget, with credible intervals.

    Minimises the fitted ``L(N, D)`` along ``C = flops_per_token * N * D`` for every
    posterior draw (closed form for ``chinchilla``: ``N* = G (C/6)^a``, ``a = beta /
    (alpha + beta)``, ``G = (alpha A / (beta B))^(1/(alpha+beta))``; golden-section search
    in ``log N`` otherwise).

    Parameters
    ----------
    fit : Fit
        A fit of a law of ``N`` and ``D``.
    C : float or array_like
        Compute budget(s) in FLOPs.
    ci_prob : float, default 0.9
        Mass of the equal-tailed intervals.
    flops_per_token : float, default 6.0
        FLOPs per parameter per token (``C = 6 N D``).
    discrepancy : bool, default True
        Include the fit's drift beyond the data in the loss at the optimum.

    Returns
    -------
    DataFrame
        Columns ``C``, ``quantity`` (``N_opt``, ``D_opt``, ``D_over_N``, ``loss``, ``a``:
        the exponent of ``N* ∝ C^a``), ``mean``, ``median``, ``lower``, ``upper``.
        Never NaN or infinite without a word: infinite quantiles stay infinite (not NaN),
        NaN draws are left out of the mean and quantiles, and any non-finite value (or
        NaN draws left out) comes with a :class:`~bayescale.result.DiagnosticWarning`
        naming the quantity and the cause.
    """
    ci_prob = check_ci_prob(ci_prob)
    draws = _optimal_draws(fit, C, flops_per_token=flops_per_token, discrepancy=discrepancy)
    c = np.atleast_1d(np.asarray(C, dtype=float))
    q = [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2]
    stats = {name: (_predict._mean(draws[name]), _predict.quantiles(draws[name], q))
             for name in QUANTITIES}
    rows = []
    for j, cj in enumerate(c):
        for name in QUANTITIES:
            mean, (lo, med, hi) = stats[name]
            rows.append({"C": cj, "quantity": name, "mean": float(mean[j]),
                         "median": med[j], "lower": lo[j], "upper": hi[j]})
    frame = pd.DataFrame(rows)
    problems = []
    for name in QUANTITIES:
        part = frame[frame["quantity"] == name]
        problems += [f"{name}: {text}" for text in
                     _predict.frame_problems(part, draws[name], ci_prob)]
    _predict.warn_non_finite("compute_optimal", problems, lambda: _causes(fit))
    return frame
