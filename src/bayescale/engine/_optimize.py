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

__all__ = ["build_solvers", "initialize", "laplace", "optimize", "prefetch_initializer",
           "regularised_covariance"]


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


def build_initializer(space: Space):
    """Pure ``init(starts, data) -> (mode, potential, hessian)``.

    BFGS from every start, the best finite optimum (``starts[0]`` if none) and the
    Hessian there: one program instead of two, so a fresh process loads one executable.
    """
    solve, hess = build_solvers(space)

    def init(starts, data):
        xs, fs = solve(starts, data)
        ok = jnp.isfinite(fs) & jnp.all(jnp.isfinite(xs), axis=1)
        i = jnp.argmin(jnp.where(ok, fs, jnp.inf))
        found = jnp.any(ok)
        mode = jnp.where(found, xs[i], starts[0])
        return mode, jnp.where(found, fs[i], jnp.inf), hess(mode, data)

    return init


def _get(space: Space):
    if space.key not in _CACHE:
        solve, hess = build_solvers(space)
        _CACHE[space.key] = (jax.jit(solve), jax.jit(hess), jax.jit(build_initializer(space)))
    return _CACHE[space.key]


def regularised_covariance(h: np.ndarray, dim: int) -> np.ndarray:
    """Covariance from a Hessian: eigenvalues floored (SPD), wide directions capped."""
    if not np.all(np.isfinite(h)):
        return np.eye(dim) * 0.01
    h = 0.5 * (h + h.T)
    w, v = np.linalg.eigh(h)
    floor = max(float(np.max(np.abs(w))) * 1e-8, 1e-8)
    w = np.maximum(w, floor)
    cov = (v / w) @ v.T
    # cap very wide directions (flat likelihood): prior-scale cap of 10 in log space
    w2, v2 = np.linalg.eigh(0.5 * (cov + cov.T))
    w2 = np.clip(w2, 1e-12, 100.0)
    return (v2 * w2) @ v2.T


def _starts_spec(space: Space, num_starts: int) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct((num_starts, space.dim), np.float64)


def prefetch_initializer(space: Space, data: dict[str, Any], num_starts: int) -> None:
    """Start loading the exported :func:`initialize` program in the background."""
    from bayescale.engine._export import prefetch, stable_space_key

    prefetch("init", stable_space_key(space), (_starts_spec(space, num_starts), data))


def initialize(space: Space, data: dict[str, Any], starts: np.ndarray
               ) -> tuple[np.ndarray, float, np.ndarray]:
    """Multi-start BFGS and the Laplace approximation at the best optimum, in one call.

    Parameters
    ----------
    space : Space
        The sampling space.
    data : dict
        The padded data pytree.
    starts : ndarray
        Starting coordinates, shape ``(num_starts, dim)``.

    Returns
    -------
    (mode, potential, covariance) : tuple
        The best finite optimum (``starts[0]`` if none is finite), its potential and the
        regularised inverse Hessian there (as :func:`optimize` then :func:`laplace`).
    """
    from bayescale.engine._export import aot, stable_space_key

    *_, init = _get(space)
    args = (jax.device_put(np.asarray(starts, dtype=np.float64)), data)
    mode, fun, h = jax.device_get(aot("init", stable_space_key(space), init, args)(*args))
    return np.asarray(mode), float(fun), regularised_covariance(np.asarray(h), space.dim)


def optimize(space: Space, data: dict[str, Any], starts: np.ndarray) -> tuple[np.ndarray, float]:
    """Run BFGS from each start; return the best finite optimum and its potential."""
    from bayescale.engine._export import aot, stable_space_key

    solve, *_ = _get(space)
    args = (jax.device_put(np.asarray(starts, dtype=np.float64)), data)
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

    _, hess, _ = _get(space)
    args = (jax.device_put(np.asarray(mode, dtype=np.float64)), data)
    h = np.asarray(aot("hess", stable_space_key(space), hess, args)(*args))
    return regularised_covariance(h, space.dim)
