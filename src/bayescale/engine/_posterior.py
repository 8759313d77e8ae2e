"""What the engine hands up: the posterior of one fit, or of many curves, as sampled.

The engine validates, initialises and samples; it does not know the result classes. The
result layer builds on these records (:func:`bayescale.fit` makes a
:class:`~bayescale.Fit` of a :class:`Posterior`, :func:`bayescale.fit_many` a
:class:`~bayescale.FitCollection` of a :class:`BatchPosterior`), so that data flow
down the layers and imports only look down. A hierarchical NumPyro model
(:func:`bayescale.engine._model_runner.sample_model`: PassUntil's task law, coverage
laws) comes back as a :class:`ModelPosterior`, which ``bayescale.passuntil``'s fits read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from bayescale.data import Dataset
from bayescale.discrepancy import Discrepancy
from bayescale.laws._law import Law
from bayescale.likelihoods import Likelihood
from bayescale.priors import Prior

__all__ = ["BatchPosterior", "ModelPosterior", "Posterior"]


class _Record:
    def as_keywords(self) -> dict[str, Any]:
        """The fields by name: the keywords of the result class built on the record."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class Posterior(_Record):
    """One fit as sampled: draws of every parameter and what is needed to read them.

    Attributes
    ----------
    law, likelihood : Law, Likelihood
    priors : mapping of str to Prior
        The user's prior overrides.
    dataset : Dataset
    posterior : mapping of str to ndarray
        Draws in natural coordinates, ``(chain, draw)``.
    sample_stats : mapping of str to ndarray
        ``diverging``, ``n_steps``, ``acceptance_rate``, ``lp``, ``energy``,
        ``step_size``.
    settings : mapping
        Sampler settings, with ``restarted_chains`` / ``dropped_chains`` /
        ``num_chains_sampled`` where stuck chains were healed.
    mode, timing : mapping
        The posterior mode (the chains' starting centre) and timings (seconds).
    discrepancy : Discrepancy or None
        The law's misfit beyond the data, learnt by leave-future-out refits.
    """

    law: Law
    likelihood: Likelihood
    priors: Mapping[str, Prior]
    dataset: Dataset
    posterior: Mapping[str, np.ndarray]
    sample_stats: Mapping[str, np.ndarray]
    settings: Mapping[str, Any]
    mode: Mapping[str, float]
    timing: Mapping[str, float]
    discrepancy: Discrepancy | None


@dataclass(frozen=True, eq=False)
class BatchPosterior(_Record):
    """Many curves as sampled by one law: draws ``(curve, chain, draw)``.

    Attributes
    ----------
    keys : list
        Curve keys (values of the ``by`` column, list positions or dict keys).
    law, likelihood, priors, settings, timing
        Shared by all curves (as in :class:`Posterior`).
    datasets : sequence of Dataset
    posterior, sample_stats : mapping of str to ndarray
        With a leading curve axis.
    by : str or None
        The column that identified the curves.
    discrepancies : sequence of Discrepancy or None
    sampling : mapping of str to ndarray or None
        With ``strategy="laplace"``: per curve ``method``, ``pareto_k`` and ``ess_is``.
    """

    keys: Sequence[Any]
    law: Law
    likelihood: Likelihood
    priors: Mapping[str, Prior]
    datasets: Sequence[Dataset]
    posterior: Mapping[str, np.ndarray]
    sample_stats: Mapping[str, np.ndarray]
    settings: Mapping[str, Any]
    timing: Mapping[str, float]
    by: str | None
    discrepancies: Sequence[Discrepancy | None]
    sampling: Mapping[str, np.ndarray] | None


@dataclass(frozen=True, eq=False)
class ModelPosterior(_Record):
    """A NumPyro model as sampled: draws of its kept sites and the sampler's statistics.

    Attributes
    ----------
    samples : mapping of str to ndarray
        Draws per site, ``(chain, draw, *site_shape)``, in the sites' own (constrained)
        coordinates.
    sample_stats : mapping of str to ndarray
        ``diverging``, ``n_steps``, ``acceptance_rate``, ``lp``, ``energy``, ``(chain,
        draw)``; ``step_size``, ``(chain,)``: those of :class:`Posterior`.
    settings, timing : mapping
        Sampler settings; timings (seconds).
    """

    samples: Mapping[str, np.ndarray]
    sample_stats: Mapping[str, np.ndarray]
    settings: Mapping[str, Any]
    timing: Mapping[str, float]
