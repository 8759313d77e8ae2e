"""Training trajectories and the critical batch size (Kaplan et al. 2020; Su et al. 2024).

``L(N, S, B) = (N_c / N)^alpha_N + (S_c / S_min)^alpha_S`` with
``S_min = S / (1 + B_crit(L) / B)`` and ``B_crit(L) = B_* / L^(1 / alpha_B)``
(Kaplan et al. 2020, Eqs. 5.4-5.5 and 5.6; LAWS.md sections 1a and 11). ``N``
non-embedding parameters, ``S`` optimisation steps, ``B`` batch size in tokens.
"Unraveling the Mystery of Scaling Laws: Part I" (Su et al. 2024) re-estimates every
constant from 1M-60M models and predicts, before training, up to 33B: the minimum loss,
the steps and tokens needed to reach a loss, the critical batch size and the whole loss
curve at any batch size. The helpers below answer these four questions, with intervals
when given posterior draws.

The loss is on both sides (through ``B_crit(L)``). Writing ``a = (N_c / N)^alpha_N`` and
``v = log(L - a)``, the law is the root of

``phi(v) = v - alpha_S log(S_c / S) - alpha_S softplus(log(B_* / B) - log(L) / alpha_B)``,
``L = a + e^v``,

which is strictly increasing in ``v`` (``1 <= phi' < 1 + alpha_S / alpha_B``) and
bracketed by ``v_lo = alpha_S log(S_c / S)`` (``phi <= 0``: ``B_crit / B >= 0``) and
``v_hi = v_lo + alpha_S softplus(log(B_* / B) - log(max(a, e^v_lo)) / alpha_B)``
(``phi >= 0``: ``L`` is at least that large). A fixed 90 bisection steps on
stop-gradient values (jit and vmap safe, no Python branching) find the root to float
precision; one Newton step on the live parameters then carries the implicit-function
gradient ``dv/dtheta = -(dphi/dtheta) / phi'`` (as :mod:`bayescale.laws._m4` does).

Reference numbers (Kaplan's constants, [C]): ``B_crit(3) = 1.07e6`` and
``B_crit(2) = 7.37e6`` tokens; the converged loss ``L(N = 1e9) = 2.3756``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax import lax
from jax.nn import sigmoid, softplus

from bayescale._quantiles import quantile_frame
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.laws._query import input_grid, param_draws
from bayescale.priors import DataStats, Prior

__all__ = ["KAPLAN_TRAJECTORY", "kaplan_critical_batch", "kaplan_loss_curve",
           "kaplan_min_loss", "kaplan_steps_to_loss", "kaplan_trajectory"]

#: Kaplan et al. (2020) constants: L(N) and L(N, S_min) exponents and scales, B_crit(L).
KAPLAN_TRAJECTORY = {"N_c": 8.8e13, "alpha_N": 0.076, "S_c": 2.1e3, "alpha_S": 0.76,
                     "B_star": 2e8, "alpha_B": 0.21}

_BISECTIONS = 90


def _phi(v, log_a, log_c, log_k, a_s, q):
    return v - log_c - a_s * softplus(log_k - q * jnp.logaddexp(log_a, v))


def _tj_log(p, x):
    log_a = p["alpha_N"] * (jnp.log(p["N_c"]) - jnp.log(x["N"]))
    log_c = p["alpha_S"] * (jnp.log(p["S_c"]) - jnp.log(x["S"]))
    log_k = jnp.log(p["B_star"]) - jnp.log(x["B"])
    a_s, q = p["alpha_S"], 1.0 / p["alpha_B"]
    log_a, log_c, log_k, a_s, q = jnp.broadcast_arrays(log_a, log_c, log_k, a_s, q)
    s = [lax.stop_gradient(t) for t in (log_a, log_c, log_k, a_s, q)]
    lo = s[1]
    hi = lo + s[3] * softplus(s[2] - s[4] * jnp.maximum(s[0], lo))

    def body(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        above = _phi(mid, *s) > 0
        return jnp.where(above, lo, mid), jnp.where(above, mid, hi)

    lo, hi = lax.fori_loop(0, _BISECTIONS, body, (lo, hi))
    v0 = lax.stop_gradient(0.5 * (lo + hi))
    log_l0 = jnp.logaddexp(s[0], v0)
    slope = 1.0 + s[3] * s[4] * sigmoid(s[2] - s[4] * log_l0) * jnp.exp(v0 - log_l0)
    v = v0 - _phi(v0, log_a, log_c, log_k, a_s, q) / slope
    return jnp.logaddexp(log_a, v)


def _tj_guess(inputs, y):
    n, s, b = (np.asarray(inputs[k], dtype=float) for k in ("N", "S", "B"))
    y = np.asarray(y, dtype=float)
    ymin, ymed = float(np.min(y)), float(np.median(y))
    starts = [dict(KAPLAN_TRAJECTORY)]
    for a_n in (0.05, 0.08, 0.12):
        for frac in (0.6, 0.85):
            for a_s in (0.5, 0.8):
                floor = frac * ymin
                starts.append({
                    "N_c": float(np.max(n)) * floor ** (1 / a_n), "alpha_N": a_n,
                    "S_c": float(np.exp(np.median(np.log(s)))) * max(ymed - floor, 1e-3)
                    ** (1 / a_s), "alpha_S": a_s,
                    "B_star": float(np.exp(np.median(np.log(b)))) * ymed ** (1 / 0.21),
                    "alpha_B": 0.21})
    return polish(kaplan_trajectory, inputs, y, starts)


def _near(name: str, centre: float, sd: float = 5.0):
    def prior(stats: DataStats) -> Prior:
        return Prior("LogNormal", 0.5 * (math.log(centre) + stats.log_x0[name]), sd)

    return prior


kaplan_trajectory = Law(
    name="kaplan_trajectory",
    params=(
        Param("N_c", "positive", Prior("LogNormal", math.log(1e13), 5.0), scale_of="N",
              doc="parameter scale of the converged loss (Kaplan 8.8e13)"),
        Param("alpha_N", "positive", P.exponent(0.08), doc="model-size exponent (0.076)"),
        Param("S_c", "positive", _near("S", 2.1e3), scale_of="S",
              doc="step scale (Kaplan 2.1e3 steps)"),
        Param("alpha_S", "positive", P.exponent(0.76, 0.5), doc="step exponent (0.76)"),
        Param("B_star", "positive", _near("B", 2e8), scale_of="B",
              doc="critical-batch scale B_* in tokens (Kaplan 2e8)"),
        Param("alpha_B", "positive", P.exponent(0.21, 0.5),
              doc="critical-batch exponent: B_crit = B_* / L**(1/alpha_B) (0.21)"),
    ),
    inputs=("N", "S", "B"),
    fn=lambda p, x: jnp.exp(_tj_log(p, x)),
    log_fn=_tj_log,
    guess=_tj_guess,
    formula=("L = (N_c / N)**alpha_N + (S_c / S_min)**alpha_S, S_min = S / (1 + B_crit / B), "
             "B_crit = B_star / L**(1 / alpha_B)"),
    description=("Kaplan et al. (2020) training-trajectory law with the critical batch size, "
                 "as re-estimated by Su et al. (2024, 'Unraveling the Mystery of Scaling "
                 "Laws: Part I'): N non-embedding parameters, S steps, B batch in tokens. "
                 "Implicit in L, solved by bisection with an implicit-function gradient. "
                 "Queries: kaplan_min_loss, kaplan_steps_to_loss, kaplan_critical_batch, "
                 "kaplan_loss_curve."),
)


# ---- queries -----------------------------------------------------------------------------------

def _draws(params: Any, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Parameter draws as ``(draws, 1)`` arrays from constants, a mapping or a Fit."""
    return param_draws(params, KAPLAN_TRAJECTORY, names, "kaplan_trajectory")


def _b_crit(p: Mapping[str, np.ndarray], loss: np.ndarray) -> np.ndarray:
    return p["B_star"] * loss ** (-1.0 / p["alpha_B"])


def kaplan_min_loss(N: Any, params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """The minimum (converged, ``S -> infinity``) loss of a model of ``N`` parameters.

    ``L_min(N) = (N_c / N)^alpha_N``: the loss no number of steps at any batch size beats.

    Parameters
    ----------
    N : array_like
        Non-embedding parameters.
    params : mapping or Fit, optional
        ``N_c, alpha_N``: Kaplan's constants by default, posterior draws of a
        ``kaplan_trajectory`` fit (``fit`` or ``fit.posterior``) for intervals.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``N``, then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import kaplan_min_loss
    >>> round(float(kaplan_min_loss(1e9)["median"].iloc[0]), 4)
    2.3756
    """
    p = _draws(params, ("N_c", "alpha_N"))
    x = input_grid(N=N)
    return quantile_frame(x, (p["N_c"] / x["N"]) ** p["alpha_N"], ci_prob)


def kaplan_critical_batch(loss: Any, params: Any = None, *,
                          ci_prob: float = 0.9) -> pd.DataFrame:
    """The critical batch size (tokens) at a loss, ``B_crit(L) = B_* / L^(1/alpha_B)``.

    Training at ``B = B_crit`` takes twice the minimum steps and twice the minimum tokens:
    the best trade-off between time and compute.

    Parameters
    ----------
    loss : array_like
        Loss values (nats per token).
    params : mapping or Fit, optional
        ``B_star, alpha_B``: Kaplan's constants by default, or posterior draws.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``loss``, then ``mean``, ``median``, ``lower``, ``upper`` (tokens).

    Examples
    --------
    >>> from bayescale.laws import kaplan_critical_batch
    >>> [f"{v:.3g}" for v in kaplan_critical_batch([3.0, 2.0])["median"]]
    ['1.07e+06', '7.37e+06']
    """
    p = _draws(params, ("B_star", "alpha_B"))
    x = input_grid(loss=loss)
    return quantile_frame(x, _b_crit(p, x["loss"]), ci_prob)


def kaplan_steps_to_loss(loss: Any, N: Any, B: Any = None, params: Any = None, *,
                         tokens: bool = False, ci_prob: float = 0.9) -> pd.DataFrame:
    """Steps (or tokens) needed to reach ``loss`` with ``N`` parameters at batch ``B``.

    ``S_min(L) = S_c (L - (N_c/N)^alpha_N)^(-1/alpha_S)`` steps at a very large batch,
    ``S = S_min (1 + B_crit(L) / B)`` at batch ``B``; tokens ``E = B S =
    S_min (B + B_crit(L))``, at least ``E_min = S_min B_crit(L)`` (at a very small
    batch). A loss at or below the minimum loss is never reached: ``inf``.

    Parameters
    ----------
    loss : array_like
        Target losses.
    N : array_like
        Non-embedding parameters.
    B : array_like, optional
        Batch size in tokens; omitted: the minimum steps ``S_min`` (or tokens
        ``E_min``).
    params : mapping or Fit, optional
        All six constants: Kaplan's by default, or posterior draws.
    tokens : bool, default False
        Return tokens instead of steps.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``loss``, ``N`` (and ``B``), then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import kaplan_steps_to_loss
    >>> f"{float(kaplan_steps_to_loss(2.6, 1e9)['median'].iloc[0]):.4g}"
    '1.501e+04'
    """
    p = _draws(params, tuple(KAPLAN_TRAJECTORY))
    x = input_grid(loss=loss, N=N) if B is None else input_grid(loss=loss, N=N, B=B)
    gap = x["loss"] - (p["N_c"] / x["N"]) ** p["alpha_N"]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_min = np.where(gap > 0, p["S_c"] * np.abs(gap) ** (-1.0 / p["alpha_S"]), np.inf)
    b_crit = _b_crit(p, x["loss"])
    if B is None:
        out = s_min * b_crit if tokens else s_min
    else:
        out = s_min * (x["B"] + b_crit) if tokens else s_min * (1.0 + b_crit / x["B"])
    return quantile_frame(x, out, ci_prob)


_CURVE = jax.jit(kaplan_trajectory.fn)


def kaplan_loss_curve(S: Any, N: Any, B: Any, params: Any = None, *,
                      ci_prob: float = 0.9) -> pd.DataFrame:
    """The loss trajectory: loss after ``S`` steps at batch ``B`` with ``N`` parameters.

    The law itself (the implicit equation solved per draw), for any batch size.

    Parameters
    ----------
    S : array_like
        Steps.
    N : array_like
        Non-embedding parameters.
    B : array_like
        Batch size in tokens.
    params : mapping or Fit, optional
        All six constants: Kaplan's by default, or posterior draws.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval (of the mean curve; no observation noise).

    Returns
    -------
    DataFrame
        ``S``, ``N``, ``B``, then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import kaplan_loss_curve
    >>> curve = kaplan_loss_curve([1e3, 1e4, 1e5], 1e9, 1e6)
    >>> [round(v, 3) for v in curve["median"]]
    [4.367, 2.931, 2.513]
    """
    p = _draws(params, tuple(KAPLAN_TRAJECTORY))
    x = input_grid(S=S, N=N, B=B)
    draws = _CURVE({k: jnp.asarray(v) for k, v in p.items()},
                   {k: jnp.asarray(v[None, :]) for k, v in x.items()})
    return quantile_frame(x, np.asarray(draws), ci_prob)
