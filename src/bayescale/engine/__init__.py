"""The sampling engine: law + likelihood + priors + data -> NUTS posterior.

:func:`sample` (one fit) and :func:`sample_many` (many curves in vectorised runs)
validate, initialise and sample, and return a :class:`Posterior` /
:class:`BatchPosterior`: draws, sample stats and the settings, timings and discrepancy
that go with them. :func:`sample_model` samples a hierarchical NumPyro model
(PassUntil's task law, coverage laws) through the same NUTS chain, progress and caches
and returns a :class:`ModelPosterior`. The engine never builds a result; :func:`bayescale.fit` and
:func:`bayescale.fit_many` (the result layer) wrap these records. The convergence
thresholds and the stuck-chain test it decides on live here too
(:mod:`bayescale.engine._diagnostics`), and so does the misfit check every fit runs
(:func:`check_misfit`: a runs test of the residuals' signs, :class:`MisfitWarning`).
"""

from bayescale.engine._data import bucket
from bayescale.engine._fit import prepare, sample
from bayescale.engine._many import sample_many
from bayescale.engine._misfit import MisfitWarning, RunsTest, check_misfit, runs_test
from bayescale.engine._model_runner import sample_model
from bayescale.engine._posterior import BatchPosterior, ModelPosterior, Posterior
from bayescale.engine._potential import trace_count

__all__ = ["BatchPosterior", "MisfitWarning", "ModelPosterior", "Posterior", "RunsTest",
           "bucket", "check_misfit", "prepare", "runs_test", "sample", "sample_many",
           "sample_model", "trace_count"]
