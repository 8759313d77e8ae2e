"""Scoring and the two least-squares baselines of ``bench_calibration.py``.

* :func:`score_draws` — the one scoring function applied to every method: predictive
  draws of ``y`` at the held-out points and the observed ``y`` in, every column of the
  benchmark out (the same formulas as ``bayescale.analysis._backtest.score``).
* :class:`LeastSquares` — a law fitted by ``scipy.optimize.least_squares`` on ``log y``
  (unconstrained coordinates: ``log`` of positive, ``logit`` of unit parameters),
  multi-start, a plain least-squares pass and then ``soft_l1`` with ``f_scale`` set to the
  robust residual scale of the plain pass. Residuals and Jacobians are jitted JAX.
* :func:`ls_bootstrap_draws` — residual bootstrap: ``B`` refits on ``f(x_i) + r*_i``
  (residuals inflated by ``sqrt(n / (n - p))`` for the fitted parameters), predictive draws
  = refit mean at the held-out x + a resampled residual.
* :func:`conformal_draws` — split-conformal least squares ("Conformalized Scaling Laws"
  style): fit on the earlier part of the training data (by the extrapolation axis),
  scores ``|log residual|`` on the later part, intervals = the fit on all training data
  ± the finite-sample conformal quantile of the scores. The intervals are turned into an
  ensemble of draws (``f ± q(u)`` over a fine grid of levels ``u``) so that the same
  scoring code gives coverage, interval score and CRPS. Levels above ``n/(n+1)`` (where
  exact split conformal gives an infinite interval) are capped at the largest score.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scoringrules as sr
from scipy.optimize import least_squares

REPORT_LEVELS = (0.5, 0.8, 0.9, 0.95)
CALIBRATION_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
_BIG = 1e3  # residual used where the law is not finite (keeps the optimiser away)


# ---------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------
def score_draws(draws: np.ndarray, y: np.ndarray, *, log: bool = True) -> dict[str, float]:
    """All benchmark columns from predictive draws of ``y`` ``(draws, points)`` and ``y``.

    RMSLE of the predictive median on ``log(1 + y)``; coverage of the central intervals
    (``np.quantile`` of the draws) at :data:`REPORT_LEVELS` and :data:`CALIBRATION_LEVELS`;
    miscalibration = mean squared (coverage - level) over :data:`CALIBRATION_LEVELS`;
    interval (Winkler) score at 90% and CRPS (``scoringrules``) on ``log y`` when ``log``.
    """
    draws = np.asarray(draws, dtype=float)
    y = np.asarray(y, dtype=float)
    med = np.median(draws, axis=0)
    with np.errstate(invalid="ignore"):
        rmsle = float(np.sqrt(np.mean((np.log1p(med) - np.log1p(y)) ** 2)))
    out: dict[str, float] = {"rmsle": rmsle}
    cover = {}
    for lv in sorted(set(REPORT_LEVELS) | set(CALIBRATION_LEVELS)):
        lo, hi = np.quantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
        cover[lv] = float(np.mean((y >= lo) & (y <= hi)))
    out |= {f"cov{round(lv * 100)}": cover[lv] for lv in sorted(set(REPORT_LEVELS)
                                                                  | set(CALIBRATION_LEVELS))}
    out["miscal"] = float(np.mean([(cover[lv] - lv) ** 2 for lv in CALIBRATION_LEVELS]))
    out["miscal_floor"] = miscal_floor(draws)
    out["_pit"] = pit(draws, y)  # per point; the bench pools these (not a table column)
    with np.errstate(divide="ignore", invalid="ignore"):
        f, obs = (np.log(draws), np.log(y)) if log else (draws, y)
    f = np.where(np.isfinite(f), f, np.nan)
    lo, hi = np.nanquantile(f, [0.05, 0.95], axis=0)
    out["is90"] = float(np.mean(sr.interval_score(obs, lo, hi, 0.1, backend="numpy")))
    out["crps"] = float(np.mean(sr.crps_ensemble(obs, f.T, m_axis=-1, nan_policy="omit",
                                                 backend="numpy")))
    return out


def miscal_floor(draws: np.ndarray, n_truths: int = 200, seed: int = 0) -> float:
    """Miscalibration a forecaster would show if its own predictive were the truth.

    Each of ``n_truths`` draw rows (a whole predictive curve, so the points' correlation
    is kept) plays the held-out truth and is scored against the bands of the draws; the
    mean of its miscalibration is what a perfectly calibrated forecaster with these
    points' dependence would score on one split. Held-out points along one curve are far
    from independent, so a split of 30 points can have a floor of several hundredths.
    """
    draws = np.asarray(draws, dtype=float)
    rows = np.random.default_rng(seed).choice(draws.shape[0], size=min(n_truths,
                                                                        draws.shape[0]),
                                              replace=False)
    bands = {lv: np.quantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
             for lv in CALIBRATION_LEVELS}
    mis = []
    for r in rows:
        t = draws[r]
        mis.append(np.mean([(np.mean((t >= lo) & (t <= hi)) - lv) ** 2
                            for lv, (lo, hi) in bands.items()]))
    return float(np.mean(mis))


def pit(draws: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Share of each point's predictive draws below the observation."""
    return np.mean(np.asarray(draws, dtype=float) < np.asarray(y, dtype=float), axis=0)


# ---------------------------------------------------------------------------------------
# least squares of a bayescale law on log y
# ---------------------------------------------------------------------------------------
_JIT: dict[Any, tuple[Any, Any]] = {}


def _compiled(law: Any) -> tuple[Any, Any]:
    """Jitted ``log f(theta, x)`` and its Jacobian in unconstrained coordinates."""
    key = law.key
    if key not in _JIT:
        names = law.param_names
        cons = tuple(p.constraint for p in law.params)

        def natural(theta):
            out = {}
            for i, (n, c) in enumerate(zip(names, cons, strict=True)):
                t = theta[i]
                out[n] = jnp.exp(t) if c == "positive" else (
                    jax.nn.sigmoid(t) if c == "unit" else t)
            return out

        def log_mean(theta, x):
            return law.log_mean(natural(theta), x)

        _JIT[key] = (jax.jit(log_mean), jax.jit(jax.jacfwd(log_mean)))
    return _JIT[key]


class LeastSquares:
    """Least-squares fits of ``law`` on ``log y`` (see the module docstring)."""

    def __init__(self, law: Any) -> None:
        self.law = law
        self.names = law.param_names
        self.cons = tuple(p.constraint for p in law.params)
        self._f, self._j = _compiled(law)

    # coordinates ---------------------------------------------------------------------
    def pack(self, params: Mapping[str, float]) -> np.ndarray:
        """Unconstrained vector of natural parameter values."""
        out = []
        for n, c in zip(self.names, self.cons, strict=True):
            v = float(params[n])
            if c == "positive":
                out.append(np.log(max(v, 1e-300)))
            elif c == "unit":
                v = min(max(v, 1e-9), 1 - 1e-9)
                out.append(np.log(v / (1 - v)))
            else:
                out.append(v)
        return np.asarray(out, dtype=float)

    def unpack(self, theta: np.ndarray) -> dict[str, float]:
        """Natural parameter values of an unconstrained vector."""
        out = {}
        for n, c, t in zip(self.names, self.cons, theta, strict=True):
            out[n] = float(np.exp(t) if c == "positive" else (
                1 / (1 + np.exp(-t)) if c == "unit" else t))
        return out

    # evaluation ----------------------------------------------------------------------
    def log_mean(self, theta: np.ndarray, x: Mapping[str, np.ndarray]) -> np.ndarray:
        """``log f(x; theta)`` (``x`` keyed by law input)."""
        return np.asarray(self._f(jnp.asarray(theta), {k: jnp.asarray(v) for k, v in
                                                       x.items()}))

    def _problem(self, x: Mapping[str, np.ndarray], log_y: np.ndarray):
        xj = {k: jnp.asarray(v, dtype=float) for k, v in x.items()}
        ly = np.asarray(log_y, dtype=float)

        def fun(theta):
            r = np.asarray(self._f(jnp.asarray(theta), xj)) - ly
            return np.where(np.isfinite(r), r, _BIG)

        def jac(theta):
            j = np.asarray(self._j(jnp.asarray(theta), xj))
            return np.where(np.isfinite(j), j, 0.0)

        return fun, jac

    def fit(self, x: Mapping[str, np.ndarray], log_y: np.ndarray,
            starts: Sequence[np.ndarray], *, f_scale: float | None = None,
            max_nfev: int = 400) -> tuple[np.ndarray, float]:
        """Best of the starts: plain LS, then ``soft_l1`` (``f_scale`` from its residuals).

        Returns the unconstrained optimum and the ``f_scale`` used.
        """
        fun, jac = self._problem(x, log_y)
        best = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for s in starts:
                s = np.asarray(s, dtype=float)
                if not (np.all(np.isfinite(s)) and np.all(np.abs(fun(s)) < _BIG)):
                    continue
                try:
                    res = least_squares(fun, s, jac=jac, method="trf", x_scale="jac",
                                        max_nfev=max_nfev)
                except (ValueError, np.linalg.LinAlgError):
                    continue
                if best is None or res.cost < best.cost:
                    best = res
            if best is None:
                raise RuntimeError("least squares: no start gave a finite fit")
            if f_scale is None:
                r = best.fun
                f_scale = max(1.4826 * float(np.median(np.abs(r - np.median(r)))), 1e-4)
            res = least_squares(fun, best.x, jac=jac, method="trf", x_scale="jac",
                                loss="soft_l1", f_scale=f_scale, max_nfev=max_nfev)
        return (res.x if np.all(np.isfinite(res.x)) else best.x), float(f_scale)

    def refit(self, x: Mapping[str, np.ndarray], log_y: np.ndarray, start: np.ndarray,
              f_scale: float, max_nfev: int = 100) -> np.ndarray:
        """One ``soft_l1`` refit from ``start`` (bootstrap replicates)."""
        fun, jac = self._problem(x, log_y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = least_squares(fun, start, jac=jac, method="trf", x_scale="jac",
                                loss="soft_l1", f_scale=f_scale, max_nfev=max_nfev)
        return res.x


def starts_from(ls: LeastSquares, centres: Sequence[Mapping[str, float]],
                rng: np.random.Generator, n_perturb: int = 4, scale: float = 0.3
                ) -> list[np.ndarray]:
    """Unconstrained starts: each centre, then Gaussian perturbations of the first."""
    out = []
    for c in centres:
        try:
            out.append(ls.pack(c))
        except (KeyError, TypeError, ValueError):
            continue
    if out:
        base = out[0]
        out += [base + scale * rng.standard_normal(base.size) for _ in range(n_perturb)]
    return out


def ls_bootstrap_draws(ls: LeastSquares, x: Mapping[str, np.ndarray], log_y: np.ndarray,
                       x_test: Mapping[str, np.ndarray], theta_hat: np.ndarray,
                       f_scale: float, rng: np.random.Generator, n_boot: int = 200,
                       per_refit: int = 10) -> tuple[np.ndarray, int]:
    """Residual-bootstrap predictive draws of ``y`` at ``x_test``, ``(n_boot*per_refit, m)``.

    Returns the draws and the number of refits that failed (dropped).
    """
    fitted = ls.log_mean(theta_hat, x)
    n, p = fitted.size, theta_hat.size
    resid = np.asarray(log_y) - fitted
    if n > p:
        resid = resid * np.sqrt(n / (n - p))
    m = next(iter(x_test.values())).size
    out, failed = [], 0
    for _ in range(n_boot):
        y_star = fitted + resid[rng.integers(n, size=n)]
        try:
            th = ls.refit(x, y_star, theta_hat, f_scale)
            mu = ls.log_mean(th, x_test)
        except (ValueError, np.linalg.LinAlgError):
            failed += 1
            continue
        if not np.all(np.isfinite(mu)):
            failed += 1
            continue
        out.append(mu[None, :] + resid[rng.integers(n, size=(per_refit, m))])
    if not out:
        raise RuntimeError("residual bootstrap: every refit failed")
    return np.exp(np.concatenate(out, axis=0)), failed


def conformal_quantile(scores: np.ndarray, level: float) -> tuple[float, bool]:
    """Finite-sample split-conformal quantile of ``scores`` at ``level``.

    The ``ceil((n + 1) level)``-th smallest score; when that exceeds ``n`` (an infinite
    interval in exact split conformal) the largest score, flagged ``True``.
    """
    s = np.sort(np.asarray(scores, dtype=float))
    k = int(np.ceil((s.size + 1) * level))
    return (float(s[-1]), True) if k > s.size else (float(s[k - 1]), False)


def conformal_draws(centre_log: np.ndarray, scores: np.ndarray, n_cells: int = 2000
                    ) -> np.ndarray:
    """Ensemble of ``y`` whose central intervals are the conformal ones at every level.

    ``n_cells + 1`` draws ``exp(centre + G(i / n_cells))``, ``G`` the quantile function of
    ``±|error|`` under the conformal quantiles (``G(p) = q(2p - 1)`` above the median,
    ``-q(1 - 2p)`` below), computed in integers. With ``n_cells`` a multiple of 200, the
    linear-interpolation quantile of the ensemble at ``(1 ± l) / 2`` falls on a draw for
    every level ``l`` with two decimals, so its central ``l`` interval is exactly
    ``centre ± q(l)``.
    """
    s = np.sort(np.asarray(scores, dtype=float))
    n, cells = s.size, int(n_cells)
    z = np.empty(cells + 1)
    for i in range(cells + 1):
        num = abs(2 * i - cells)                     # level |2i/cells - 1| = num / cells
        k = -(-(n + 1) * num // cells)               # ceil((n + 1) * level), exact
        mag = 0.0 if k == 0 else float(s[min(k, n) - 1])
        z[i] = mag if 2 * i >= cells else -mag
    return np.exp(np.asarray(centre_log)[None, :] + z[:, None])


def conformal_direct_coverage(centre_log: np.ndarray, scores: np.ndarray, log_y: np.ndarray,
                              levels: Sequence[float]) -> dict[float, float]:
    """Coverage of the exact conformal intervals ``centre ± q(level)`` (a check)."""
    err = np.abs(np.asarray(log_y) - np.asarray(centre_log))
    return {lv: float(np.mean(err <= conformal_quantile(scores, lv)[0])) for lv in levels}
