"""A fixed-cost damped Newton optimiser of the log posterior, for many curves at once.

``jax.scipy.optimize.minimize`` runs BFGS in a ``while`` loop with a line search; under
``vmap`` over thousands of (curve, start) pairs every problem waits for the slowest one.
Here each problem takes the same number of Levenberg-Marquardt steps: at each step the
Newton system ``(H + lam I) dx = -g`` is solved for a ladder of dampings ``lam`` (from
pure Newton to short gradient steps) and the best point of the ladder is kept if it
lowers the potential. The cost is fixed and the loop has no data-dependent control flow;
the dimension of scaling-law posteriors (3 to 10) keeps the Hessians cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["build_newton"]

_DAMPINGS = (0.0, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e3, 1e4)


def build_newton(potential_of: Callable[[Any], Callable[[Any], Any]], num_steps: int = 30):
    """Return ``solve(theta0, data) -> (theta, potential)`` for one start.

    Parameters
    ----------
    potential_of : callable
        ``data -> (theta -> potential energy)``.
    num_steps : int
        Damped Newton steps taken from the start.

    Returns
    -------
    callable
        Pure function; ``vmap`` it over starts and curves.
    """
    dampings = jnp.asarray(_DAMPINGS)

    def solve(theta0: Any, data: Any) -> tuple[Any, Any]:
        pot = potential_of(data)

        def safe(theta: Any) -> Any:
            v = pot(theta)
            return jnp.where(jnp.isfinite(v), v, jnp.inf)

        eye = jnp.eye(theta0.shape[0])

        def step(_: Any, carry: tuple[Any, Any]) -> tuple[Any, Any]:
            theta, value = carry
            g = jax.grad(pot)(theta)
            h = jax.hessian(pot)(theta)
            ok = jnp.all(jnp.isfinite(g)) & jnp.all(jnp.isfinite(h))
            g = jnp.where(ok, g, 0.0)
            h = jnp.where(ok, 0.5 * (h + h.T), eye)
            scale = jnp.maximum(jnp.max(jnp.abs(jnp.diag(h))), 1e-8)

            def candidate(lam: Any) -> Any:
                dx = jnp.linalg.solve(h + lam * scale * eye, -g)
                return theta + jnp.where(jnp.all(jnp.isfinite(dx)), dx, 0.0)

            trials = jax.vmap(candidate)(dampings)
            values = jax.vmap(safe)(trials)
            best = jnp.argmin(values)
            better = values[best] < value
            return (jnp.where(better, trials[best], theta),
                    jnp.where(better, values[best], value))

        return jax.lax.fori_loop(0, num_steps, step, (theta0, safe(theta0)))

    return solve
