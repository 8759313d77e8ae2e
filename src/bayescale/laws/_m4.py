"""The M4 learning-curve law of Alabdulmohsin et al. (2022)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.nn import log_sigmoid, softplus

from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["m4"]


def _g(u, alpha):
    # log t - alpha log(1 - t) with t = sigmoid(u); strictly increasing in u
    return -softplus(-u) + alpha * softplus(u)


def _solve_u(alpha, rhs):
    """Root of g(u) = rhs by bisection, differentiable through one implicit Newton step."""
    a_s, r_s = lax.stop_gradient(alpha), lax.stop_gradient(rhs)
    lo = jnp.minimum(r_s, r_s / a_s) - 10.0
    hi = jnp.maximum(r_s, r_s / a_s) + 10.0

    def body(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        above = _g(mid, a_s) > r_s
        return jnp.where(above, lo, mid), jnp.where(above, mid, hi)

    lo, hi = lax.fori_loop(0, 90, body, (lo, hi))
    u0 = lax.stop_gradient(0.5 * (lo + hi))
    slope = jax.nn.sigmoid(-u0) + alpha * jax.nn.sigmoid(u0)
    return u0 - (_g(u0, alpha) - rhs) / slope


def _m4_log(p, x):
    rhs = jnp.log(p["beta"]) - p["gamma"] * jnp.log(x["x"]) - (1 - p["alpha"]) * jnp.log(
        p["delta"])
    rhs, alpha = jnp.broadcast_arrays(rhs, p["alpha"])
    u = _solve_u(alpha, rhs)
    return jnp.logaddexp(jnp.log(p["eps_inf"]), jnp.log(p["delta"]) + log_sigmoid(u))


def _m4_guess(inputs, y):
    ymin, ymax = float(np.min(y)), float(np.max(y))
    starts = [{"eps_inf": f * ymin, "delta": 1.5 * ymax - f * ymin, "alpha": a,
               "beta": b, "gamma": g}
              for f in (0.5, 0.9) for a in (0.5, 1.0) for b in (1.0, 10.0) for g in (0.3, 0.7)]
    return polish(m4, inputs, y, starts)


m4 = Law(
    name="m4",
    params=(
        Param("eps_inf", "positive", P.irreducible, doc="irreducible error"),
        Param("delta", "positive", P.wide_positive, doc="eps_0 - eps_inf (eps_0: initial error)"),
        Param("alpha", "positive", Prior("LogNormal", 0.0, 0.5), doc="shape exponent"),
        Param("beta", "positive", P.amplitude, amplitude_of=("x", "gamma", -1.0),
              doc="amplitude"),
        Param("gamma", "positive", P.exponent(0.5), doc="data exponent (c = -gamma)"),
    ),
    inputs=("x",),
    fn=lambda p, x: jnp.exp(_m4_log(p, x)),
    log_fn=_m4_log,
    guess=_m4_guess,
    formula="(y - eps_inf) / (eps_0 - y)**alpha = beta * x**(-gamma), eps_0 = eps_inf + delta",
    description=("Alabdulmohsin et al. (2022) M4, solved for y in (eps_inf, eps_0) by "
                 "bisection with an implicit-function gradient."),
)
