"""Starting values: cheap heuristics polished by least squares on log residuals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.laws._law import Law

__all__ = ["polish", "residuals", "saturating_start"]


def _to_unconstrained(law: Law, values: Mapping[str, float]) -> np.ndarray:
    out = []
    for p in law.params:
        v = float(values[p.name])
        if p.constraint == "unit":  # a guess on the boundary (e.g. ceiling 1) stays finite
            v = min(max(v, 1e-12), 1.0 - 1e-12)
            out.append(np.log(v / (1 - v)))
        else:
            out.append(np.log(max(v, 1e-300)) if p.constraint == "positive" else v)
    return np.asarray(out)


def _to_natural(law: Law, theta: np.ndarray) -> dict[str, float]:
    out = {}
    for p, t in zip(law.params, theta, strict=True):
        out[p.name] = (float(np.exp(t)) if p.constraint == "positive" else
                       float(1 / (1 + np.exp(-t))) if p.constraint == "unit" else float(t))
    return out


_JIT: dict[tuple, Any] = {}


def _compiled(law: Law, use_log: bool) -> Any:
    """Jitted ``theta -> (prediction, Jacobian)`` in unconstrained coordinates (cached).

    One program gives both, so a fresh process compiles once per law, not twice.
    """
    key = (law.key, use_log)
    if key not in _JIT:
        def pred(theta, x):
            params = {p.name: (jnp.exp(t) if p.constraint == "positive" else
                               jax.nn.sigmoid(t) if p.constraint == "unit" else t)
                      for p, t in zip(law.params, theta, strict=True)}
            return law.log_mean(params, x) if use_log else law.fn(params, x)

        def both(theta, x):
            return pred(theta, x), jax.jacfwd(pred)(theta, x)

        _JIT[key] = jax.jit(both)
    return _JIT[key]


def _padded(inputs: Mapping[str, np.ndarray], n: int) -> dict[str, Any]:
    """Inputs padded to the engine's size bucket, so data of similar size share programs."""
    from bayescale.data import bucket

    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    if n == 0 or any(a.shape != (n,) for a in arrays.values()):
        return arrays
    size = bucket(n)
    return {k: np.concatenate([a, np.full(size - n, a[0])]) for k, a in arrays.items()}


class _Evaluator:
    """Residuals ``prediction - target`` and their Jacobian, one compiled call per point."""

    def __init__(self, law: Law, inputs: Mapping[str, np.ndarray], target: np.ndarray,
                 use_log: bool) -> None:
        self.target = np.atleast_1d(np.asarray(target, dtype=float))
        self.n = self.target.shape[0]
        self.x = _padded(inputs, self.n)
        self.fn = _compiled(law, use_log)
        self.key: bytes | None = None
        self.pred = self.resid = self.jacobian = np.zeros(0)

    def _eval(self, theta: np.ndarray) -> None:
        key = np.asarray(theta, dtype=float).tobytes()
        if key == self.key:
            return
        # NumPy arguments: jnp.asarray would compile a tiny program per shape
        pred, jac = self.fn(np.asarray(theta, dtype=np.float64), self.x)
        pred, jac = np.asarray(pred), np.asarray(jac)
        if pred.ndim == 0:  # a law that does not vary with its inputs
            pred, jac = np.full(self.n, pred), np.broadcast_to(jac, (self.n, jac.shape[-1]))
        pred, jac = pred[:self.n], jac[:self.n]
        ok = np.isfinite(pred)
        self.pred = pred
        with np.errstate(all="ignore"):
            self.resid = np.where(ok, pred - self.target, 1e3)
        self.jacobian = np.where(ok[:, None], jac, 0.0)
        self.key = key

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """Residuals at ``theta`` (non-finite predictions count as 1e3)."""
        self._eval(theta)
        return self.resid

    def jac(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian of :meth:`residuals` at ``theta``."""
        self._eval(theta)
        return self.jacobian


def residuals(law: Law, inputs: Mapping[str, np.ndarray], y: np.ndarray,
              values: Mapping[str, float], *, log_scale: bool) -> np.ndarray | None:
    """Observed minus predicted (``log y - log mean`` when ``log_scale``) at ``values``.

    Uses the program :func:`polish` compiled for the law, so a fit that polished its
    starting values compiles nothing more here.

    Parameters
    ----------
    law : Law
        The law.
    inputs : mapping of str to ndarray
        The law's inputs.
    y : ndarray
        Observations (positive when ``log_scale``).
    values : mapping of str to float
        A value for every law parameter.
    log_scale : bool
        Residuals of ``log y`` against the log mean, else of ``y`` against the mean.

    Returns
    -------
    ndarray or None
        The residuals (non-finite where the law is), or None when ``values`` are outside
        the parameters' domains.
    """
    with np.errstate(all="ignore"):
        theta = _to_unconstrained(law, values)
        target = np.log(y) if log_scale else np.asarray(y, dtype=float)
    if not np.all(np.isfinite(theta)):
        return None
    ev = _Evaluator(law, inputs, target, log_scale)
    ev.residuals(theta)
    return target - ev.pred


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
    from scipy.optimize import least_squares  # loaded on first use, not at `import bayescale`

    use_log = law.positive and bool(np.all(y > 0))
    target = np.log(y) if use_log else np.asarray(y, dtype=float)
    ev = _Evaluator(law, inputs, target, use_log)

    best, best_cost = None, np.inf
    for start in starts:
        theta0 = _to_unconstrained(law, start)
        if not np.all(np.isfinite(theta0)):
            continue
        try:
            sol = least_squares(ev.residuals, theta0, jac=ev.jac, method="lm",
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
    lx, ly = np.log(x), np.log(y)
    floors = np.concatenate([[0.0], np.linspace(0.05, 0.995, 60)]) * float(np.min(y))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        r = np.log(y[None, :] - floors[:, None])            # (grid, points)
        # least-squares line of r on log x for every floor at once (np.polyfit, degree 1)
        dx = lx - lx.mean()
        slope = (r - r.mean(1, keepdims=True)) @ dx / np.sum(dx**2)
        icpt = r.mean(1) - slope * lx.mean()
        pred = np.log(floors[:, None] + np.exp(icpt[:, None] + slope[:, None] * lx))
        sse = np.sum((pred - ly) ** 2, axis=1)
    ok = np.isfinite(sse) & (slope < 0)
    if not ok.any():
        return (0.0, float(np.exp(np.mean(ly))), 0.1)
    k = int(np.argmin(np.where(ok, sse, np.inf)))  # first of equal minima, as the loop did
    return (float(floors[k]), float(np.exp(icpt[k])), float(-slope[k]))
