"""Multi-start optimisation of the log posterior and the Laplace approximation.

The mode and the inverse Hessian there give the chains their starting points and the
NUTS its initial (dense) inverse mass matrix, so warm-up begins already whitened.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.optimize import minimize

from bayescale.engine._potential import potential_gen
from bayescale.engine._space import Space

__all__ = ["build_solvers", "laplace", "optimize"]


_CACHE: dict[tuple, Any] = {}


def build_solvers(space: Space):
    """Pure ``solve(starts, data)`` (vmapped over starts) and ``hess(theta, data)``."""
    gen = potential_gen(space)

    def solve(theta0, data):
        pot = gen(data)
        res = minimize(pot, theta0, method="BFGS", options={"maxiter": 500})
        return res.x, res.fun

    def hess(theta, data):
        return jax.hessian(gen(data))(theta)

    return jax.vmap(solve, in_axes=(0, None)), hess


def _get(space: Space):
    if space.key not in _CACHE:
        solve, hess = build_solvers(space)
        _CACHE[space.key] = (jax.jit(solve), jax.jit(hess))
    return _CACHE[space.key]


def optimize(space: Space, data: dict[str, Any], starts: np.ndarray) -> tuple[np.ndarray, float]:
    """Run BFGS from each start; return the best finite optimum and its potential."""
    from bayescale.engine._export import aot, stable_space_key

    solve, _ = _get(space)
    args = (jnp.asarray(starts), data)
    xs, fs = aot("solve", stable_space_key(space), solve, args)(*args)
    xs, fs = np.asarray(xs), np.asarray(fs)
    ok = np.isfinite(fs) & np.all(np.isfinite(xs), axis=1)
    if not ok.any():
        return starts[0], float("inf")
    i = int(np.argmin(np.where(ok, fs, np.inf)))
    return xs[i], float(fs[i])


def laplace(space: Space, data: dict[str, Any], mode: np.ndarray) -> np.ndarray:
    """Covariance of the Laplace approximation at ``mode`` (regularised to be SPD)."""
    from bayescale.engine._export import aot, stable_space_key

    _, hess = _get(space)
    args = (jnp.asarray(mode), data)
    h = np.asarray(aot("hess", stable_space_key(space), hess, args)(*args))
    if not np.all(np.isfinite(h)):
        return np.eye(space.dim) * 0.01
    h = 0.5 * (h + h.T)
    w, v = np.linalg.eigh(h)
    floor = max(float(np.max(np.abs(w))) * 1e-8, 1e-8)
    w = np.maximum(w, floor)
    cov = (v / w) @ v.T
    # cap very wide directions (flat likelihood): prior-scale cap of 10 in log space
    w2, v2 = np.linalg.eigh(0.5 * (cov + cov.T))
    w2 = np.clip(w2, 1e-12, 100.0)
    return (v2 * w2) @ v2.T
