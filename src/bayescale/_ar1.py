"""Densities and simulators of autocorrelated log-residuals along one curve.

Pure JAX functions behind the ``ar1_normal_log`` and ``ar1_drift_normal_log``
likelihoods (:mod:`bayescale.likelihoods`): residuals ``r = log y - log mean`` along the
last axis (time-ordered, equally spaced rows) follow one stationary AR(1) process, or the
sum of a fast AR(1) noise and a slow AR(1) model discrepancy. ``log_prob`` functions
return the pointwise density of row t given rows < t on the scale of ``y``; ``sample``
functions draw ``y``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy import stats as jstats

__all__ = ["ar1_drift_log_prob", "ar1_drift_sample", "ar1_log_prob", "ar1_sample"]


def _ar1_parts(r, noise):
    """Conditional means and sds of AR(1) residuals along the last axis."""
    rho = jnp.broadcast_to(noise["rho"], jnp.shape(r))
    sigma = jnp.broadcast_to(noise["sigma"], jnp.shape(r))
    prev = jnp.concatenate([jnp.zeros_like(r[..., :1]), r[..., :-1]], axis=-1)
    first = jnp.arange(jnp.shape(r)[-1]) == 0
    mean = jnp.where(first, 0.0, rho * prev)
    sd = jnp.where(first, sigma, sigma * jnp.sqrt(1.0 - rho ** 2))
    return mean, sd


def ar1_log_prob(y, lm, m, n):
    """Pointwise log density of y, row t given row t - 1."""
    r = jnp.log(y) - lm
    mean, sd = _ar1_parts(r, n)
    return jstats.norm.logpdf(r, mean, sd) - jnp.log(y)


def ar1_sample(key, lm, m, n):
    """Draws of y whose log-residuals are one stationary AR(1) path per curve."""
    shape = jnp.shape(lm)
    sd, rho = (jnp.broadcast_to(n[k], shape) for k in ("sigma", "rho"))
    return jnp.exp(lm + _ar1_path(key, sd, rho))


def _slow_rho(noise):
    """Lag-1 autocorrelation of the slow component: ``rho + (1 - rho) w``, above ``rho``."""
    return noise["rho"] + (1.0 - noise["rho"]) * noise["w"]


def ar1_drift_log_prob(y, lm, m, n):
    """Pointwise log density of y under fast plus slow AR(1), row t given rows < t."""
    # Kalman filter for r_t = u_t + v_t, u and v independent stationary AR(1) processes
    # (fast: sigma, rho; slow: tau, rho_s): the density of row t given rows < t
    r = jnp.log(y) - lm
    shape = jnp.shape(r)
    rho, rs = (jnp.broadcast_to(v, shape) for v in (n["rho"], _slow_rho(n)))
    su2, sv2 = (jnp.broadcast_to(v, shape) ** 2 for v in (n["sigma"], n["tau"]))

    def step(state, inp):
        mu_, mv, puu, puv, pvv = state
        rt, a, b, qu, qv = inp
        f, s = mu_ + mv, puu + 2.0 * puv + pvv
        lp = jstats.norm.logpdf(rt, f, jnp.sqrt(s))
        ku, kv = (puu + puv) / s, (puv + pvv) / s
        mu_, mv = mu_ + ku * (rt - f), mv + kv * (rt - f)
        puu, puv, pvv = puu - ku * ku * s, puv - ku * kv * s, pvv - kv * kv * s
        state = (a * mu_, b * mv, a * a * puu + qu * (1.0 - a * a), a * b * puv,
                 b * b * pvv + qv * (1.0 - b * b))
        return state, lp

    moved = [jnp.moveaxis(v, -1, 0) for v in (r, rho, rs, su2, sv2)]
    zero = jnp.zeros(shape[:-1])
    init = (zero, zero, moved[3][0], zero, moved[4][0])
    _, lp = jax.lax.scan(step, init, tuple(moved))
    return jnp.moveaxis(lp, 0, -1) - jnp.log(y)


def _ar1_path(key, sd, rho):
    """Stationary AR(1) paths along the last axis with marginal sd ``sd``."""
    shape = jnp.shape(sd)
    z = jnp.moveaxis(jax.random.normal(key, shape), -1, 0)
    sd_m, rho_m = jnp.moveaxis(sd, -1, 0), jnp.moveaxis(rho, -1, 0)

    def step(prev, inp):
        zt, st, rt = inp
        cur = rt * prev + st * jnp.sqrt(1.0 - rt ** 2) * zt
        return cur, cur

    first = sd_m[0] * z[0]
    _, rest = jax.lax.scan(step, first, (z[1:], sd_m[1:], rho_m[1:]))
    return jnp.moveaxis(jnp.concatenate([first[None], rest], axis=0), 0, -1)


def ar1_drift_sample(key, lm, m, n):
    """Draws of y with a fresh fast and a fresh slow AR(1) path per curve."""
    shape = jnp.shape(lm)
    k1, k2 = jax.random.split(key)
    fast = _ar1_path(k1, jnp.broadcast_to(n["sigma"], shape), jnp.broadcast_to(n["rho"], shape))
    slow = _ar1_path(k2, jnp.broadcast_to(n["tau"], shape),
                     jnp.broadcast_to(_slow_rho(n), shape))
    return jnp.exp(lm + fast + slow)
