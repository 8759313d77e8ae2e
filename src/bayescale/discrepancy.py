r"""The law's misfit beyond the data: a drift that grows with the distance from the data.

A scaling law is never exactly right. Inside the data its misfit is small (the fit sees
it); beyond the data it grows, and on real curves it is one-sided (losses flatten sooner
than a power law says). bayescale models a new observation at inputs ``x`` as

.. math::

    \\log y = \\log f(x; \\theta) + (m + b) \\, d(x) + \\tau \\, W(d(x)) + \\varepsilon,
    \\qquad b \\sim N(0, \\beta^2),

where ``d(x)`` is the distance, in decades, of ``x`` from the fitted data, ``W`` is a
standard Brownian motion along that distance and ``b`` a random slope (one path and one
slope per posterior draw, so a drawn curve stays continuous) and ``epsilon`` is the
likelihood's noise. For the Gaussian likelihood on ``y`` the drift is added to ``y``.

The distance (:func:`data_distance`) is zero inside the data and, outside, the larger of
the Euclidean distance (``log10`` units) from the box of the scale inputs' ranges (the
input of a one-input law; ``N`` and ``D`` for Chinchilla) and how far ``x`` lies beyond
the data's range of a few coordinates: the scale axis ``N D`` (compute), and for
``data_constrained`` the epochs ``D / U``. The box alone called a run with a seen ``N``
and a seen ``D`` but ten times the compute "inside the data" and gave it no drift (on
the public splits: Chinchilla fitted below C = 1e21, 90% coverage 0.83 at distance 0;
datablations' extrapolation in epochs, 0.48).

So beyond the data the law's error has mean ``m d`` and variance ``beta^2 d^2 + tau^2 d``:
the random walk lets the misfit change its shape as the distance grows, the random slope
is a wrong local exponent of unknown sign (to first order what a misspecified law's log
error beyond the data is), so bands grow like ``sqrt(d)`` near the data and like ``d``
far away. By default ``m = 0`` (``mean_drift=False``): the mean learnt from short early
splits proved biased on public data, so the default keeps the law's median; ``mean_drift
=True`` learns ``m`` as well. A stationary Gaussian process would instead revert to a
fixed width one length-scale away, and an integrated random walk (variance ``d^3``)
widened the bands far beyond what the held-out errors of real curves show.

The hyper-parameters ``(m, tau, beta)`` are learnt from the user's own data by
leave-future-out (LFO) refits: the law is fitted (posterior mode and Laplace
approximation) to the points below several cut points of the scale axis (the sum of the
scale inputs' ``log10``: decades of ``N D``, i.e. of compute, for Chinchilla) and
forecasts the points above. A split's forecast errors ``e`` at distances ``d`` (from the
split's training data) are modelled as ``e ~ N(m d, V + tau^2 min(d_i, d_j) + beta^2 d
d^T)``, ``V`` the split's own predictive variances (parameter uncertainty and noise). The
splits hold out nested sets of points, so each split's likelihood is weighted
(:func:`split_weights`) so that together they count every held-out point once. The
posterior of ``(m, tau, beta)`` on a grid, under weakly informative priors ``m ~ N(0,
s^2)``, ``tau, beta ~ HalfNormal(s)`` (``s`` = :data:`LOG_PRIOR_SCALE` on ``log y``), is
what predictions draw from. Data too short for any split get the prior alone, and the fit
says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bayescale._distance import (
    Coordinate,
    box_distance,
    coordinate,
    coordinate_ranges,
    data_distance,
    default_coordinates,
    scale_axis,
)
from bayescale._errors import BayescaleError

__all__ = [
    "LOG_PRIOR_SCALE",
    "Discrepancy",
    "SplitErrors",
    "box_distance",
    "coordinate",
    "coordinate_ranges",
    "data_distance",
    "default_coordinates",
    "fit_drift",
    "scale_axis",
    "split_weights",
]

#: Prior scale ``s`` of the drift (``log y`` per decade) for log-scale likelihoods.
LOG_PRIOR_SCALE = 0.05
_GRID_M, _GRID_TAU, _GRID_BETA = 81, 41, 25


@dataclass(frozen=True)
class SplitErrors:
    """Forecast errors of one leave-future-out split.

    Attributes
    ----------
    cut : float
        Largest scale-axis value of the training part.
    n_train : int
        Training points.
    distance, error, variance : ndarray
        Held-out points: decades beyond the training part, error of the predictive
        median (``log y`` or ``y``) and the split's predictive variance.
    """

    cut: float
    n_train: int
    distance: np.ndarray
    error: np.ndarray
    variance: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"cut": self.cut, "n_train": self.n_train,
                "distance": self.distance.tolist(), "error": self.error.tolist(),
                "variance": self.variance.tolist()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SplitErrors:
        """Inverse of :meth:`to_dict`."""
        arrays = [np.asarray(d[k], dtype=float) for k in ("distance", "error", "variance")]
        if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
            raise BayescaleError("a stored calibration split has arrays of unequal length")
        if not all(np.all(np.isfinite(a)) for a in arrays) or np.any(arrays[2] <= 0):
            raise BayescaleError("a stored calibration split holds non-finite errors or "
                                 "non-positive variances")
        return cls(float(d["cut"]), int(d["n_train"]), *arrays)


def _whiten(sp: SplitErrors) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Eigen-basis of ``V^-1/2 K V^-1/2`` (``K = min(d_i, d_j)``): errors, slopes, eigenvalues."""
    sd = np.sqrt(sp.variance)
    d = sp.distance
    k = np.minimum(d[:, None], d[None, :]) / np.outer(sd, sd)
    lam, q = np.linalg.eigh(k)
    return q.T @ (sp.error / sd), q.T @ (d / sd), np.maximum(lam, 0.0), float(
        np.sum(np.log(2 * np.pi * sp.variance)))


def _split_loglik(m: np.ndarray, tau: np.ndarray, sp: SplitErrors,
                  beta: np.ndarray | None = None) -> np.ndarray:
    """``log N(e; m d, V + tau^2 min(d_i, d_j) + beta^2 d d^T)`` on a grid.

    ``m``, ``tau`` and ``beta`` broadcast together (``beta=None``: no random slope). In the
    eigen-basis of ``V^-1/2 K V^-1/2`` the random-walk part is diagonal and the slope a
    rank-one update (Sherman-Morrison, matrix determinant lemma), so the grid costs
    ``O(n)`` per cell.
    """
    a, b, lam, logdet_v = _whiten(sp)
    t2 = (tau**2)[..., None]
    diag = 1.0 + t2 * lam                                       # (..., n)
    r = a - m[..., None] * b
    quad = np.sum(r * r / diag, axis=-1)
    logdet = logdet_v + np.sum(np.log(diag), axis=-1)
    if beta is not None:
        b2 = beta**2
        rb = np.sum(r * b / diag, axis=-1)
        c = 1.0 + b2 * np.sum(b * b / diag, axis=-1)
        quad = quad - b2 * rb**2 / c
        logdet = logdet + np.log(c)
    return -0.5 * (logdet + quad)


def split_weights(splits: Sequence[SplitErrors]) -> np.ndarray:
    """Weights of nested leave-future-out splits that count each held-out point once.

    The splits' held-out parts are nested (a later cut holds out a subset of an earlier
    cut's points), so the ``i``-th farthest point is held out by every split with at least
    ``i`` points. A split's weight is the mean of ``1 / multiplicity`` over its points;
    the weighted splits then carry the evidence of the distinct points, not of each
    point counted once per split that holds it out (which made the posterior of the
    drift's scale over-confident).
    """
    n = np.array([sp.distance.size for sp in splits], dtype=int)
    if n.size == 0:
        return np.ones(n.size)
    mult = np.array([np.sum(n >= i) for i in range(1, int(n.max()) + 1)], dtype=float)
    return np.array([float(np.mean(1.0 / mult[:k])) if k else 1.0 for k in n])


@dataclass(frozen=True)
class Discrepancy:
    """The drift model of a fit: where the data are and the posterior of ``(m, tau)``.

    Attributes
    ----------
    axis : tuple of str
        Law inputs whose ``log10`` values sum to the scale axis.
    low, high : tuple of float
        The data's range (``log10``) of each axis input: the distance is zero inside
        this box and Euclidean in decades outside it.
    prior_scale : float
        ``s`` of the priors ``m ~ N(0, s^2)``, ``tau ~ HalfNormal(s)``.
    log_scale : bool
        Whether the drift acts on ``log y`` (else on ``y``).
    splits : tuple of SplitErrors
        The leave-future-out errors it was learnt from (empty: prior only).
    mean_drift : bool
        Learn the mean drift ``m`` too (else ``m = 0``: a symmetric random walk, which
        keeps the law's median). Off by default: on the public benchmark splits the
        mean learnt from the short early splits was biased (e.g. coverage-vs-k curves,
        whose early forecasts over-predict), moving medians the wrong way.
    random_slope : bool
        Add a zero-mean random slope ``b d``, ``b ~ N(0, beta^2)`` per drawn curve,
        ``beta`` learnt with ``tau`` (a wrong local exponent of unknown sign: the band
        grows linearly with the distance, not only as ``sqrt(d)``). Files saved before it
        existed load without it.
    coords, coord_low, coord_high
        Coordinates checked besides the box (see :func:`data_distance`) and the data's
        range of each.
    """

    axis: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    prior_scale: float
    log_scale: bool = True
    splits: tuple[SplitErrors, ...] = ()
    mean_drift: bool = False
    random_slope: bool = False
    coords: tuple[Coordinate, ...] = ()
    coord_low: tuple[float, ...] = ()
    coord_high: tuple[float, ...] = ()
    _grid: tuple[np.ndarray, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lo, hi = np.asarray(self.low, dtype=float), np.asarray(self.high, dtype=float)
        if (lo.shape != (len(self.axis),) or hi.shape != lo.shape
                or not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)))
                or np.any(lo > hi)):
            raise BayescaleError(f"discrepancy range {self.low!r} .. {self.high!r} must be "
                                 f"finite, ordered and one value per input of {self.axis}")
        if not (len(self.coords) == len(self.coord_low) == len(self.coord_high)
                and np.all(np.isfinite(self.coord_low)) and np.all(np.isfinite(
                    self.coord_high))
                and all(lo <= hi for lo, hi in zip(self.coord_low, self.coord_high,
                                                   strict=True))):
            raise BayescaleError(f"discrepancy coordinates {self.coords!r} need one finite, "
                                 f"ordered range each, got {self.coord_low!r} .. "
                                 f"{self.coord_high!r}")
        if not (np.isfinite(self.prior_scale) and self.prior_scale > 0):
            raise BayescaleError(f"discrepancy prior_scale must be > 0, got "
                                 f"{self.prior_scale!r}")
        object.__setattr__(self, "_grid", self._posterior_grid())

    # ---- the posterior of (m, tau) ------------------------------------------------
    def _posterior_grid(self) -> tuple[np.ndarray, ...]:
        s = self.prior_scale
        far = [sp for sp in self.splits if np.any(sp.distance > 0.05)]
        spread = max([s] + [float(np.max(np.abs(sp.error) / np.sqrt(np.maximum(
            sp.distance, 0.05)))) for sp in far])
        slope = max([s] + [float(np.max(np.abs(sp.error) / np.maximum(sp.distance, 0.05)))
                           for sp in far])
        m = (np.linspace(-max(6 * s, 2 * spread), max(6 * s, 2 * spread), _GRID_M)
             if self.mean_drift else np.zeros(1))
        tau = np.geomspace(s / 100, max(6 * s, 3 * spread), _GRID_TAU)
        beta = (np.geomspace(s / 100, max(6 * s, 3 * slope), _GRID_BETA)
                if self.random_slope else np.zeros(1))
        mm, tt, bb = np.meshgrid(m, tau, beta, indexing="ij")
        # priors m ~ N(0, s^2), tau, beta ~ HalfNormal(s); log grids: Jacobians tau, beta
        logp = -0.5 * (mm / s) ** 2 - 0.5 * (tt / s) ** 2 + np.log(tt)
        if self.random_slope:
            logp = logp - 0.5 * (bb / s) ** 2 + np.log(bb)
        for sp, wt in zip(self.splits, split_weights(self.splits), strict=True):
            logp = logp + wt * _split_loglik(mm, tt, sp,
                                             bb if self.random_slope else None)
        w = np.exp(logp - np.max(logp))
        return mm.ravel(), tt.ravel(), bb.ravel(), (w / w.sum()).ravel()

    @property
    def calibrated(self) -> bool:
        """Whether leave-future-out splits informed the drift (else the prior alone)."""
        return bool(self.splits)

    def summary(self) -> dict[str, float]:
        """Posterior means and sds of ``m``, ``tau`` and ``beta`` (``log y`` per decade)."""
        out = {}
        for name, v in zip(("drift_mean", "drift_tau", "drift_slope"), self._grid[:3],
                           strict=True):
            w = self._grid[3]
            mean = float(np.sum(w * v))
            out[name] = mean
            out[name + "_sd"] = float(np.sqrt(max(np.sum(w * v * v) - mean**2, 0.0)))
        return out

    def log_forecast_density(self, split: SplitErrors) -> np.ndarray:
        """Log density of each of a split's forecast errors under the drift posterior.

        ``log sum_g w_g N(e_i; m_g d_i, V_i + tau_g^2 d_i + beta_g^2 d_i^2)`` over the
        grid posterior (stacks laws by their leave-future-out forecasts).
        """
        m, tau, beta, w = (a[self._grid[3] > 0] for a in self._grid)
        d, e, v = (a[:, None] for a in (split.distance, split.error, split.variance))
        var = v + tau**2 * d + beta**2 * d**2
        ll = np.log(w / w.sum()) - 0.5 * (np.log(2 * np.pi * var) + (e - m * d) ** 2 / var)
        mx = ll.max(axis=1)
        return mx + np.log(np.sum(np.exp(ll - mx[:, None]), axis=1))

    def hyper_draws(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` draws of ``(m, tau, beta)`` from their grid posterior."""
        rng = np.random.default_rng([seed, 0xD81F7])
        m, t, b, w = self._grid
        i = rng.choice(w.size, size=n, p=w)
        return m[i], t[i], b[i]

    def paths(self, d: np.ndarray, n: int, seed: int) -> np.ndarray:
        """``n`` draws of the drift at distances ``d``: ``(m + b) d + tau W(d)``, ``(n, points)``.

        ``W`` is one standard Brownian motion per draw along the distance, so a drawn
        curve's drift is continuous and its variance grows linearly with ``d``; ``b ~
        N(0, beta^2)`` is the draw's random slope (zero without ``random_slope``). ``d``
        is one row of distances shared by all draws, or one row per draw (``(n,
        points)``, e.g. the compute-optimal path of each draw).
        """
        d = np.asarray(d, dtype=float)
        m, tau, beta = self.hyper_draws(n, seed)
        rng = np.random.default_rng([seed, 0xB0])
        rows = np.broadcast_to(np.atleast_2d(d), (n, d.shape[-1]))
        order = np.argsort(rows, axis=1, kind="stable")
        srt = np.take_along_axis(rows, order, axis=1)
        steps = np.sqrt(np.diff(srt, axis=1, prepend=0.0)) * rng.standard_normal(srt.shape)
        w = np.empty_like(srt)
        np.put_along_axis(w, order, np.cumsum(steps, axis=1), axis=1)
        slope = m
        if self.random_slope:
            slope = m + beta * np.random.default_rng([seed, 0x51]).standard_normal(n)
        return slope[:, None] * rows + tau[:, None] * w

    # ---- where the drift acts -----------------------------------------------------
    def distance(self, x: Mapping[str, np.ndarray]) -> np.ndarray:
        """Decades between inputs ``x`` (by law input) and the data's range."""
        return data_distance(x, self.axis, self.low, self.high, self.coords,
                             self.coord_low, self.coord_high)

    def shift(self, x: Mapping[str, np.ndarray], n: int, seed: int) -> np.ndarray:
        """Drift of ``n`` curves at ``x`` (see :meth:`paths`), shape ``(n, points)``."""
        return self.paths(self.distance(x), n, seed)

    # ---- storage ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"axis": list(self.axis), "low": list(self.low), "high": list(self.high),
                "prior_scale": self.prior_scale, "log_scale": self.log_scale,
                "mean_drift": self.mean_drift, "random_slope": self.random_slope,
                "coords": [[[k, p] for k, p in c] for c in self.coords],
                "coord_low": list(self.coord_low), "coord_high": list(self.coord_high),
                "splits": [s.to_dict() for s in self.splits]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Discrepancy:
        """Inverse of :meth:`to_dict` (validated)."""
        try:
            axis = tuple(str(a) for a in d["axis"])
            splits = tuple(SplitErrors.from_dict(s) for s in d["splits"])
            if len(splits) > 64:
                raise BayescaleError(f"a stored calibration has {len(splits)} splits; at "
                                     "most 64 are accepted")
            return cls(axis, tuple(float(v) for v in d["low"]),
                       tuple(float(v) for v in d["high"]), float(d["prior_scale"]),
                       bool(d.get("log_scale", True)), splits,
                       bool(d.get("mean_drift", False)),
                       bool(d.get("random_slope", False)),
                       tuple(tuple((str(k), int(p)) for k, p in c) for c in d.get(
                           "coords", ())),
                       tuple(float(v) for v in d.get("coord_low", ())),
                       tuple(float(v) for v in d.get("coord_high", ())))
        except (KeyError, TypeError, ValueError) as exc:
            raise BayescaleError(f"malformed discrepancy metadata: {exc!r}") from None


def fit_drift(axis: Sequence[str], low: Sequence[float], high: Sequence[float],
              splits: Sequence[SplitErrors],
              *, log_scale: bool = True, y_scale: float = 1.0,
              mean_drift: bool = False, random_slope: bool = True,
              coords: Sequence[Coordinate] = (), coord_low: Sequence[float] = (),
              coord_high: Sequence[float] = ()) -> Discrepancy:
    """A :class:`Discrepancy` learnt from leave-future-out errors.

    Parameters
    ----------
    axis, low, high
        The scale axis and the data's range along it.
    splits : sequence of SplitErrors
        Forecast errors of the splits (splits without held-out points are ignored).
    log_scale : bool
        Whether errors are in ``log y`` (prior scale :data:`LOG_PRIOR_SCALE`) or in
        ``y`` (prior scale ``LOG_PRIOR_SCALE * y_scale``).
    y_scale : float
        Typical size of ``y`` (used when ``log_scale`` is false).
    mean_drift : bool
        Learn the mean drift ``m`` (default: ``m = 0``, see :class:`Discrepancy`).
    random_slope : bool
        Include the zero-mean random slope (see :class:`Discrepancy`).
    coords, coord_low, coord_high
        Coordinates checked besides the box, and the data's range of each.
    """
    s = LOG_PRIOR_SCALE if log_scale else LOG_PRIOR_SCALE * max(float(y_scale), 1e-12)
    kept = tuple(sp for sp in splits if sp.distance.size)
    return Discrepancy(tuple(axis), tuple(float(v) for v in low),
                       tuple(float(v) for v in high), s, log_scale, kept, mean_drift,
                       random_slope, tuple(coords), tuple(float(v) for v in coord_low),
                       tuple(float(v) for v in coord_high))
