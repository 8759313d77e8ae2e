"""PassUntil, pass@k and inference-time scaling: emergence you can predict.

* Records: :class:`PassUntilRecords` (sample until ``r`` passes, cap ``K_max``,
  right-censored when the cap is hit) and :class:`PassCounts` (``c`` of ``n``).
* Estimators: :func:`pu_estimate`, :func:`pu_variance`, :func:`pass_at_k`.
* Laws: :func:`task_law`, :func:`beta_coverage`, :func:`power_coverage`.
* Task law with partial pooling (NUTS): :func:`fit` -> :class:`PassUntilFit` with
  ``predict``, ``summary``, ``diagnostics``, ``emergence``, ``plot``, ``to_arviz``.
* Coverage laws from per-problem counts: :func:`fit_coverage` -> :class:`CoverageFit`.
* Imperfect verifiers: :func:`verifier_ceiling`, :func:`expected_utility`,
  :func:`optimal_k`.
* Planning: :func:`simulate`, :func:`simulate_counts`.
"""

from __future__ import annotations

from bayescale import _config  # noqa: F401  (enables float64 in JAX)
from bayescale.passuntil._counts import PassCounts
from bayescale.passuntil._coverage import fit_coverage
from bayescale.passuntil._coverage_result import CoverageFit
from bayescale.passuntil._emergence import Emergence
from bayescale.passuntil._estimators import pass_at_k, pu_estimate, pu_variance
from bayescale.passuntil._laws import beta_coverage, power_coverage, task_law
from bayescale.passuntil._records import PassUntilRecords
from bayescale.passuntil._result import PassUntilFit
from bayescale.passuntil._simulate import simulate, simulate_counts
from bayescale.passuntil._task_law import fit
from bayescale.passuntil._verifier import expected_utility, optimal_k, verifier_ceiling
from bayescale.result._diagnostics import DiagnosticWarning as ConvergenceWarning

__all__ = [
    "ConvergenceWarning",
    "CoverageFit",
    "Emergence",
    "PassCounts",
    "PassUntilFit",
    "PassUntilRecords",
    "beta_coverage",
    "expected_utility",
    "fit",
    "fit_coverage",
    "optimal_k",
    "pass_at_k",
    "power_coverage",
    "pu_estimate",
    "pu_variance",
    "simulate",
    "simulate_counts",
    "task_law",
    "verifier_ceiling",
]
