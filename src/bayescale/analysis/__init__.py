"""Questions asked of posteriors: pure functions of Fit objects.

The layer above the results: it imports :mod:`bayescale.result` and what lies below,
never the widgets, CLI or magics; ``fit.compute_optimal`` reaches
:func:`compute_optimal` by name, through :mod:`bayescale.result._upward`.

* :func:`compute_optimal`, :func:`optimal_draws`: N*, D* along ``C = 6 N D``.
* :func:`crossover`: probability that one curve beats another along an axis, and the
  posterior of where they cross; :func:`fit_joint` fits two curves with shared
  parameters.
* :func:`compare`, :func:`model_average`: PSIS-LOO, stacking weights, averaged
  predictions; :func:`tying_support`: whether a joint fit's shared parameters are
  supported (PSIS-LOO of the tied fit against two separate fits).
* :func:`backtest`, :func:`backtest_many`: fit small scales, score held-out large ones;
  :func:`plot_pit` draws the histogram of their held-out PIT values.
"""

from bayescale.analysis._backtest import (
    BacktestCollection,
    BacktestResult,
    backtest,
    backtest_many,
    parse_rule,
)
from bayescale.analysis._compare import compare, model_average
from bayescale.analysis._compute_optimal import QUANTITIES, compute_optimal, optimal_draws
from bayescale.analysis._crossover import (
    CrossingLocation,
    CrossoverResult,
    Winner,
    crossover,
)
from bayescale.analysis._curves import curve_draws
from bayescale.analysis._joint import JointFit, fit_joint
from bayescale.analysis._pit import pit_values, plot_pit, uniformity
from bayescale.analysis._tying import tying_support

__all__ = [
    "QUANTITIES",
    "BacktestCollection",
    "BacktestResult",
    "CrossingLocation",
    "CrossoverResult",
    "JointFit",
    "Winner",
    "backtest",
    "backtest_many",
    "compare",
    "compute_optimal",
    "crossover",
    "curve_draws",
    "fit_joint",
    "model_average",
    "optimal_draws",
    "parse_rule",
    "pit_values",
    "plot_pit",
    "tying_support",
    "uniformity",
]
