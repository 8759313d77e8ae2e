"""Starting values: cheap heuristics polished by least squares on log residuals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import least_squares

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.laws._law import Law

__all__ = ["polish", "saturating_start"]


def _to_unconstrained(law: Law, values: Mapping[str, float]) -> np.ndarray:
    out = []
    for p in law.params:
        v = float(values[p.name])
        out.append(np.log(max(v, 1e-300)) if p.constraint == "positive" else
                   np.log(v / (1 - v)) if p.constraint == "unit" else v)
    return np.asarray(out)


def _to_natural(law: Law, theta: np.ndarray) -> dict[str, float]:
    out = {}
    for p, t in zip(law.params, theta, strict=True):
        out[p.name] = (float(np.exp(t)) if p.constraint == "positive" else
                       float(1 / (1 + np.exp(-t))) if p.constraint == "unit" else float(t))
    return out


_JIT: dict[tuple, tuple] = {}


def _residuals(law: Law, use_log: bool):
    """Jitted residuals and Jacobian of the law in its unconstrained coordinates (cached)."""
    key = (law.key, use_log)
    if key not in _JIT:
        def resid(theta, x, target):
            params = {p.name: (jnp.exp(t) if p.constraint == "positive" else
                               jax.nn.sigmoid(t) if p.constraint == "unit" else t)
                      for p, t in zip(law.params, theta, strict=True)}
            pred = law.log_mean(params, x) if use_log else law.fn(params, x)
            return jnp.where(jnp.isfinite(pred), pred - target, 1e3)

        _JIT[key] = (jax.jit(resid), jax.jit(jax.jacfwd(resid)))
    return _JIT[key]


def polish(law: Law, inputs: Mapping[str, np.ndarray], y: np.ndarray,
           starts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Refine starting values by least squares on ``log y`` (or ``y`` if not positive).

    Parameters
    ----------
    law : Law
        The law whose parameters are fitted.
    inputs : mapping of str to ndarray
        The law's inputs.
    y : ndarray
        Observations.
    starts : sequence of dict
        Candidate starting values; the best refined one is returned.

    Returns
    -------
    dict of str to float
    """
    x = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in inputs.items()}
    use_log = law.positive and bool(np.all(y > 0))
    target = jnp.asarray(np.log(y) if use_log else np.asarray(y, dtype=float))
    resid_fn, jac_fn = _residuals(law, use_log)

    def resid(theta):
        return resid_fn(jnp.asarray(theta), x, target)

    def jac(theta):
        return jac_fn(jnp.asarray(theta), x, target)

    best, best_cost = None, np.inf
    for start in starts:
        theta0 = _to_unconstrained(law, start)
        if not np.all(np.isfinite(theta0)):
            continue
        try:
            sol = least_squares(lambda t: np.asarray(resid(t)), theta0,
                                jac=lambda t: np.asarray(jac(t)), method="lm",
                                xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(sol.cost) and sol.cost < best_cost:
            best, best_cost = sol.x, sol.cost
    if best is None:
        return dict(starts[0])
    return _to_natural(law, best)


def saturating_start(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Grid over the floor ``E`` below ``min(y)``, log-log regression for ``A, alpha``.

    Returns
    -------
    (E, A, alpha) : tuple of float
    """
    lx = np.log(x)
    best = (0.0, float(np.exp(np.mean(np.log(y)))), 0.1)
    best_sse = np.inf
    for frac in np.concatenate([[0.0], np.linspace(0.05, 0.995, 60)]):
        e = frac * float(np.min(y))
        r = np.log(y - e)
        slope, icpt = np.polyfit(lx, r, 1)
        pred = np.log(e + np.exp(icpt + slope * lx))
        sse = float(np.sum((pred - np.log(y)) ** 2))
        if np.isfinite(sse) and sse < best_sse and slope < 0:
            best, best_sse = (e, float(np.exp(icpt)), float(-slope)), sse
    return best
