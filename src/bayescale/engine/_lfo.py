"""Leave-future-out refits inside the training data, the evidence for the drift.

Each split fits the law (posterior mode and Laplace approximation, the engine's own
initialiser) to the points up to a cut on the scale axis and forecasts the points above
it. The splits are padded to the full data's size, so they reuse the initialiser that the
fit has just compiled: no new program.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from bayescale.data import Dataset
from bayescale.discrepancy import (
    Discrepancy,
    SplitErrors,
    coordinate_ranges,
    data_distance,
    default_coordinates,
    fit_drift,
    scale_axis,
)
from bayescale.engine._data import pad
from bayescale.engine._draws import mean_draws, predictive_draws
from bayescale.engine._optimize import initialize
from bayescale.engine._space import Space

__all__ = ["FRACTIONS", "Plan", "calibrate", "default_axis", "split_cuts"]

#: Where the splits cut, as fractions of the data's range on the scale axis.
FRACTIONS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_DRAWS = 400
#: Likelihoods whose new observations are ``loc + sigma * eps`` on ``log y`` (or ``y``),
#: eps standard normal or Student-t with ``nu`` degrees of freedom.
_NUMPY_NOISE = {"student_t_log": ("sigma", "nu"), "normal_log": ("sigma",),
                "normal": ("sigma",)}
#: Inputs that are not scale (a repetition count, a pool index, bit widths).
_SCALE_INPUTS = {"data_constrained": ("N", "D"), "data_filtering": ("n",),
                 "fp_quant": ("N", "D")}


def default_axis(law: Any, x: dict[str, np.ndarray], along: Sequence[str] | None = None
                 ) -> tuple[str, ...] | None:
    """Inputs whose ``log10`` values sum to the scale axis (``None``: no usable axis)."""
    axis = tuple(along) if along else _SCALE_INPUTS.get(law.name, law.positive_inputs)
    axis = tuple(a for a in axis if a in x and np.all(np.asarray(x[a]) > 0))
    return axis or None


def split_cuts(s: np.ndarray, min_train: int, fractions: Sequence[float] = FRACTIONS
               ) -> list[float]:
    """Cut points: the training part holds the points with ``s <= cut``.

    The cuts sit at ``fractions`` of the data's range on the (log) scale axis, snapped
    down to a data value, so that the splits forecast over distances up to most of the
    range whatever the spacing of the points (a grid dense at large ``x``, such as
    ``k = 1 ... 100``, would otherwise give only short forecasts).
    """
    u = np.unique(s)
    lo, span = float(u[0]), float(u[-1] - u[0])
    cuts: list[float] = []
    for f in fractions:
        below = u[u <= lo + f * span + 1e-12 * max(span, 1.0)]
        if below.size == 0 or below[-1] >= u[-1]:
            continue
        cut = float(below[-1])
        if np.sum(s <= cut) >= min_train and cut not in cuts:
            cuts.append(cut)
    return cuts


def _subset(ds: Dataset, train: np.ndarray) -> Dataset:
    return Dataset({k: v[train] for k, v in ds.x.items()}, ds.y[train], ds.x_columns,
                   ds.y_column)


def _forecast(space: Space, ds: Dataset, train: np.ndarray, stats: Any, mode: np.ndarray,
              cov: np.ndarray, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray] | None:
    """Predictive median and variance (``log y`` or ``y``) of the points not in ``train``."""
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(space.dim))
    z = mode + (chol @ rng.standard_normal((space.dim, _DRAWS))).T
    nat = space.natural(z, stats)
    lik = space.likelihood
    # draws at every point of the dataset (one shape for all splits: one compilation),
    # then the held-out points; the noise of the three drift likelihoods is drawn with
    # NumPy (JAX's Student-t sampler costs ~10x NumPy's, and this runs once per split)
    with np.errstate(all="ignore"):
        if lik.name in _NUMPY_NOISE:
            loc = mean_draws(space.law, nat, ds.x, log=lik.log_scale)[:, ~train]
            sigma = np.asarray(nat["sigma"], dtype=float).reshape(-1, 1)
            eps = (rng.standard_t(np.asarray(nat["nu"], dtype=float).reshape(-1, 1),
                                  loc.shape) if "nu" in lik.noise_names
                   else rng.standard_normal(loc.shape))
            pred = loc + sigma * eps
        else:
            y = predictive_draws(space.law, lik, nat, ds.x,
                                 int(rng.integers(2**31)))[:, ~train]
            pred = np.log(y) if lik.log_scale else y
    ok = np.all(np.isfinite(pred), axis=1)
    if ok.sum() < _DRAWS // 2:
        return None
    pred = pred[ok]
    med = np.median(pred, axis=0)
    mad = 1.4826 * np.median(np.abs(pred - med), axis=0)
    floor = 1e-6 * (1.0 if lik.log_scale else max(float(np.std(ds.y)), 1e-12))
    return med, np.maximum(mad, floor) ** 2


class Plan:
    """The splits of one dataset: training masks, padded subsets and their starts."""

    def __init__(self, space: Space, ds: Dataset, size: int,
                 starts_fn: Callable[..., np.ndarray], along: Sequence[str] | None,
                 seed: int) -> None:
        self.space, self.ds = space, ds
        self.rng = np.random.default_rng([seed, 0x1F0])
        lik = space.likelihood
        self.axis = (default_axis(space.law, ds.x, along)
                     if lik.name in ("student_t_log", "normal_log", "normal") else None)
        self.trains: list[np.ndarray] = []
        self.data: list[dict[str, Any]] = []
        self.starts: list[np.ndarray] = []
        if self.axis is None:
            return
        s = scale_axis(ds.x, self.axis)
        for cut in split_cuts(s, min_train=space.dim + 2):
            train = s <= cut
            sub = _subset(ds, train)
            data = pad(sub, size=size)
            self.trains.append(train)
            self.data.append(data)
            self.starts.append(starts_fn(space, sub, data["stats"], self.rng))

    def finish(self, modes: Sequence[np.ndarray], funs: Sequence[float],
               covs: Sequence[np.ndarray]) -> Discrepancy | None:
        """The discrepancy from the splits' optima and Laplace covariances."""
        if self.axis is None:
            return None
        ds, axis, lik = self.ds, self.axis, self.space.likelihood
        coords = tuple(c for c in default_coordinates(axis, self.space.law.name)
                       if all(k in ds.x for k, _ in c))
        logs = {k: np.log10(ds.x[k]) for k in axis}
        splits = []
        for train, data, mode, fun, cov in zip(self.trains, self.data, modes, funs, covs,
                                               strict=True):
            if not np.isfinite(fun):
                continue
            out = _forecast(self.space, ds, train, data["stats"], mode, cov, self.rng)
            if out is None:
                continue
            med, var = out
            obs = np.log(ds.y[~train]) if lik.log_scale else ds.y[~train]
            seen = {k: v[train] for k, v in ds.x.items()}
            dist = data_distance({k: v[~train] for k, v in ds.x.items()}, axis,
                                 [float(logs[k][train].min()) for k in axis],
                                 [float(logs[k][train].max()) for k in axis],
                                 coords, *coordinate_ranges(seen, coords))
            cut = float(scale_axis(seen, axis).max())
            splits.append(SplitErrors(cut, int(train.sum()), dist, obs - med, var))
        c_low, c_high = coordinate_ranges(ds.x, coords)
        return fit_drift(axis, [float(v.min()) for v in logs.values()],
                         [float(v.max()) for v in logs.values()], splits,
                         log_scale=lik.log_scale, y_scale=float(np.std(ds.y)),
                         coords=coords, coord_low=c_low, coord_high=c_high)


def calibrate(space: Space, ds: Dataset, size: int, starts_fn: Callable[..., np.ndarray],
              *, along: Sequence[str] | None = None, seed: int = 0) -> Discrepancy | None:
    """Learn the drift of ``space``'s law on ``ds`` from leave-future-out splits.

    Parameters
    ----------
    space : Space
        The fit's sampling space.
    ds : Dataset
        The fit's data.
    size : int
        The padded size of the fit's data (the splits reuse its compiled initialiser).
    starts_fn : callable
        ``starts_fn(space, ds, stats, rng) -> starts`` of the multi-start optimiser.
    along : sequence of str, optional
        Law inputs of the scale axis (default: the law's scale inputs).
    seed : int
        Seed of the Laplace draws.

    Returns
    -------
    Discrepancy or None
        ``None`` when the likelihood or the inputs admit no drift (counts, no positive
        input); a prior-only discrepancy when the data allow no split.
    """
    plan = Plan(space, ds, size, starts_fn, along, seed)
    results = [initialize(space, data, starts) for data, starts in zip(plan.data, plan.starts,
                                                                       strict=True)]
    return plan.finish([r[0] for r in results], [r[1] for r in results],
                       [r[2] for r in results])


def calibrate_batch(space: Space, datasets: Sequence[Dataset], seeds: Sequence[int],
                    size: int, solve: Callable[..., Any], hess: Callable[..., Any],
                    shape: int, starts_fn: Callable[..., np.ndarray],
                    along: Sequence[str] | None = None) -> list[Discrepancy | None]:
    """:func:`calibrate` for many curves, the splits solved by ``fit_many``'s batched calls.

    ``solve(starts, data)`` and ``hess(modes, data)`` are the batch's compiled optimiser
    and Hessian over ``shape`` datasets: the splits of all curves are solved ``shape`` at
    a time (the last group padded), so no new program is compiled.
    """
    from bayescale.engine._batching import stack_trees
    from bayescale.engine._optimize import regularised_covariance

    plans = [Plan(space, ds, size, starts_fn, along, sd) for ds, sd in zip(datasets, seeds,
                                                                          strict=True)]
    jobs = [(p, j) for p in plans for j in range(len(p.data))]
    found: dict[tuple[int, int], tuple[np.ndarray, float, np.ndarray]] = {}
    for lo in range(0, len(jobs), shape):
        group = jobs[lo:lo + shape]
        group = group + [group[-1]] * (shape - len(group))
        data = stack_trees([p.data[j] for p, j in group])
        starts = np.stack([p.starts[j] for p, j in group])
        xs, fs = (np.asarray(a) for a in solve(jnp.asarray(starts), data))
        fs = np.where(np.isfinite(fs) & np.all(np.isfinite(xs), axis=2), fs, np.inf)
        best = np.argmin(fs, axis=1)
        rows = np.arange(len(group))
        modes, funs = xs[rows, best], fs[rows, best]
        modes[~np.isfinite(funs)] = starts[~np.isfinite(funs), 0]
        hs = np.asarray(hess(jnp.asarray(modes), data))
        for k, (p, j) in enumerate(group[:len(jobs) - lo]):
            found[(id(p), j)] = (modes[k], float(funs[k]),
                                 regularised_covariance(hs[k], space.dim))
    out = []
    for p in plans:
        res = [found[(id(p), j)] for j in range(len(p.data))]
        out.append(p.finish([r[0] for r in res], [r[1] for r in res], [r[2] for r in res]))
    return out
