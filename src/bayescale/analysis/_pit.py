"""Probability integral transform (PIT) of held-out points, and its histogram.

If the predictive distribution of every held-out point is right, the fraction of its
draws that lie below the observed value (its PIT) is uniform on [0, 1]. A U-shaped
histogram says the bands are too narrow (over-confident), a hump that they are too wide,
a slope that the median is biased. Unlike coverage at a few levels, the histogram shows
all levels at once, and unlike an interval score it shows the direction of a miss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bayescale._errors import BayescaleError

__all__ = ["pit_values", "plot_pit", "uniformity"]


def pit_values(draws: np.ndarray, y: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """PIT of each observation: the share of its predictive draws below it.

    Ties (a draw equal to the observation, e.g. a discrete predictive) are split at
    random, so that a calibrated discrete predictive still gives uniform PITs.

    Parameters
    ----------
    draws : ndarray, shape (n_draws, n_points)
        Posterior-predictive draws per point; non-finite draws are ignored.
    y : ndarray, shape (n_points,)
        Observed values.
    seed : int
        Seed of the tie-breaking.

    Returns
    -------
    ndarray, shape (n_points,)
        Values in [0, 1]; NaN where a point has no finite draw.
    """
    draws, y = np.asarray(draws, float), np.asarray(y, float).ravel()
    if draws.ndim != 2 or draws.shape[1] != y.size:
        raise BayescaleError(f"draws must have shape (n_draws, {y.size}), got {draws.shape}")
    ok = np.isfinite(draws)
    n = ok.sum(axis=0)
    below = ((draws < y) & ok).sum(axis=0)
    ties = ((draws == y) & ok).sum(axis=0)
    u = np.random.default_rng(seed).uniform(size=y.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (below + u * ties) / n, np.nan)


def uniformity(pit: np.ndarray, bins: int = 10) -> dict[str, float]:
    """How far PIT values are from uniform.

    Returns
    -------
    dict
        ``n`` (finite values), ``ks`` (Kolmogorov-Smirnov distance to the uniform),
        ``below_5`` and ``above_95`` (shares in the outer 5% tails, each 0.05 when
        calibrated) and ``chi2_p`` (p-value of a chi-squared test of equal bin counts;
        it assumes independent points, which points along one curve are not).
    """
    from scipy import stats

    p = np.asarray(pit, float)
    p = p[np.isfinite(p)]
    if p.size == 0:
        raise BayescaleError("no finite PIT value to assess")
    counts, _ = np.histogram(p, bins=bins, range=(0.0, 1.0))
    return {"n": float(p.size), "ks": float(stats.kstest(p, "uniform").statistic),
            "below_5": float(np.mean(p < 0.05)), "above_95": float(np.mean(p > 0.95)),
            "chi2_p": float(stats.chisquare(counts).pvalue)}


def _collect(results: Any) -> dict[str, np.ndarray]:
    """Label -> pooled PIT values of a backtest, a collection, a list or a mapping."""
    if hasattr(results, "table") and "pit" in getattr(results, "table", {}):
        return {"backtest": results.table["pit"].to_numpy(float)}
    if hasattr(results, "results"):  # BacktestCollection
        return {"backtest": np.concatenate([r.table["pit"].to_numpy(float)
                                            for r in results.results.values()])}
    if isinstance(results, Mapping):
        return {str(k): np.concatenate(list(_collect(v).values()))
                for k, v in results.items()}
    if isinstance(results, Sequence) and not isinstance(results, str | bytes):
        return {f"{i}": np.concatenate(list(_collect(v).values()))
                for i, v in enumerate(results)}
    if isinstance(results, np.ndarray):
        return {"PIT": results.astype(float)}
    raise BayescaleError("plot_pit takes a BacktestResult, a BacktestCollection, an array "
                         f"of PIT values, or a list or dict of those; got "
                         f"{type(results).__name__}")


def plot_pit(results: Any, ax: Any = None, *, bins: int = 10, band: float = 0.9) -> Any:
    """Histogram of held-out PIT values against the uniform, with a sampling band.

    Parameters
    ----------
    results : BacktestResult, BacktestCollection, ndarray, or list/dict of those
        A dict's keys label the histograms (e.g. ``{"before": old, "after": new}``).
    ax : matplotlib Axes, optional
    bins : int
        Equal-width bins on [0, 1].
    band : float
        Central probability of the grey band of bin counts a uniform sample of the same
        size would give (binomial, independent points).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from scipy import stats

    if not (isinstance(bins, int) and bins >= 2):
        raise BayescaleError(f"bins must be an integer >= 2, got {bins!r}")
    pits = {k: v[np.isfinite(v)] for k, v in _collect(results).items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    edges = np.linspace(0.0, 1.0, bins + 1)
    n = max(v.size for v in pits.values())
    lo, hi = stats.binom.ppf([(1 - band) / 2, (1 + band) / 2], n, 1 / bins) / (n / bins)
    ax.axhspan(lo, hi, color="0.85", lw=0, label=f"{band:.0%} range if uniform (n={n})")
    ax.axhline(1.0, color="0.4", lw=1, ls="--")
    for i, (label, p) in enumerate(pits.items()):
        dens, _ = np.histogram(p, bins=edges, density=True)
        ks = uniformity(p, bins)["ks"]
        ax.stairs(dens, edges, color=f"C{i}", lw=1.8, label=f"{label} (KS {ks:.2f})")
    ax.set_xlim(0, 1)
    ax.set_xlabel("PIT of held-out points")
    ax.set_ylabel("density")
    ax.set_title("Calibration of the predictive: flat is right")
    ax.legend(frameon=False, fontsize=8)
    return ax
