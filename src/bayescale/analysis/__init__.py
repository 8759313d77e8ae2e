"""Questions asked of posteriors: pure functions of Fit objects."""

from bayescale.analysis._compute_optimal import QUANTITIES, compute_optimal, optimal_draws

__all__ = ["QUANTITIES", "compute_optimal", "optimal_draws"]
