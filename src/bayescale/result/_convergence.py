"""Batched R-hat and ESS: moved to :mod:`bayescale.engine._convergence`, re-exported here.

The engine decides on them (``fit_many``'s importance sampling hands a curve to NUTS by
its R-hat and bulk ESS); :class:`~bayescale.FitCollection` reports them.
"""

from bayescale.engine._convergence import ess_tail, rank_diagnostics

__all__ = ["ess_tail", "rank_diagnostics"]
