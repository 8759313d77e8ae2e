"""Matplotlib view of a fit: data, posterior median, nested bands, extrapolation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bayescale._format import format_level

__all__ = ["plot_fit"]


def plot_fit(fit: Any, ax: Any = None, *, ci_levels: Sequence[float] = (0.5, 0.8, 0.95),
             extend: float = 10.0, num_points: int = 200, kind: str = "predictive",
             color: str = "C0") -> Any:
    """Plot the data, the posterior median and nested credible bands.

    One-input laws are drawn against their input on log axes, reaching ``extend`` times
    past the largest observed input (shaded as extrapolation). Two-input laws of ``N``
    and ``D`` are drawn against compute ``C = 6 N D`` along the compute-optimal path.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    law, ds = fit.law, fit.dataset
    if len(law.inputs) == 1:
        col = fit.x[0]
        xv = ds.x[law.inputs[0]]
        lo, hi = np.log10(xv.min()), np.log10(xv.max() * extend)
        grid = np.logspace(lo, hi, num_points)
        draws = fit.predict_draws(kind=kind, **{col: grid})
        xlabel, x_obs, x_max = col, xv, xv.max()
        band = fit.band_label(kind)
    elif set(law.inputs) == {"N", "D"}:
        from bayescale.result._upward import optimal_draws

        c_obs = 6 * ds.x["N"] * ds.x["D"]
        grid = np.logspace(np.log10(c_obs.min()), np.log10(c_obs.max() * extend), num_points)
        draws = optimal_draws(fit, grid)["loss"]
        xlabel, x_obs, x_max = "C = 6ND (compute-optimal loss)", c_obs, c_obs.max()
        band = fit.band_label("mean")
    else:
        raise NotImplementedError(f"plot() handles one-input laws and laws of (N, D); "
                                  f"{law.name!r} takes {list(law.inputs)}")
    for level in sorted(ci_levels, reverse=True):
        q_lo, q_hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        ax.fill_between(grid, q_lo, q_hi, color=color, alpha=0.15 + 0.15 * (1 - level),
                        lw=0, label=f"{format_level(level)} {band}")
    # the legend's words are the widget's (fit.widget()): "95% new observation", ...
    ax.plot(grid, np.median(draws, axis=0), color=color, lw=1.8, label="median")
    ax.scatter(x_obs, ds.y, s=12, color="k", zorder=3, label="observed")
    ax.axvspan(x_max, grid.max(), color="0.5", alpha=0.08, lw=0, label="beyond the data")
    ax.set_xscale("log")
    ax.set_yscale("log" if np.all(ds.y > 0) else "linear")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(fit.y)
    ax.set_title(f"{law.name}: {law.formula}", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    return ax
