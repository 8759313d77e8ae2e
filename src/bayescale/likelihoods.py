"""Observation models: how data scatter around a law's mean.

Each likelihood names its noise parameters (with default priors), gives the pointwise
log density of the observations (on the scale of ``y``, Jacobian included, so ELPDs
compare across likelihoods) and draws posterior-predictive observations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy import stats as jstats

from bayescale._errors import BayescaleError, one_of
from bayescale.laws._law import Param
from bayescale.priors import DataStats, Prior

__all__ = ["LIKELIHOODS", "Likelihood", "default_for", "get", "names"]


@dataclass(frozen=True, eq=False)
class Likelihood:
    """An observation model.

    Parameters
    ----------
    name : str
        Registry name.
    noise : tuple of Param
        Noise parameters (e.g. ``sigma``, ``nu``) with default priors.
    log_prob : callable
        ``log_prob(y, log_mu, mu, noise) -> per-point log density of y``.
    sample : callable
        ``sample(key, log_mu, mu, noise) -> draws of y``.
    log_scale : bool
        Whether the model is on ``log y`` (needs positive observations and means).
    doc : str
        One-line description.
    """

    name: str
    noise: tuple[Param, ...]
    log_prob: Callable[..., Any]
    sample: Callable[..., Any]
    log_scale: bool
    doc: str = ""

    @property
    def noise_names(self) -> tuple[str, ...]:
        """Names of the noise parameters."""
        return tuple(p.name for p in self.noise)

    def __repr__(self) -> str:
        return f"Likelihood({self.name!r})"


def _sigma_log(stats: DataStats) -> Prior:
    return Prior("HalfNormal", 0.5)


def _sigma_y(stats: DataStats) -> Prior:
    return Prior("HalfNormal", 2.0 * stats.y_scale)


_NU = Param("nu", "positive", Prior("Gamma", 2.0, 0.1),
            doc="Student-t degrees of freedom (Gamma(2, 0.1): Juarez & Steel 2010)")

student_t_log = Likelihood(
    name="student_t_log",
    noise=(Param("sigma", "positive", _sigma_log, doc="scale of log-residuals"), _NU),
    log_prob=lambda y, lm, m, n: jstats.t.logpdf(jnp.log(y), n["nu"], lm, n["sigma"])
    - jnp.log(y),
    sample=lambda key, lm, m, n: jnp.exp(lm + n["sigma"] * jax.random.t(key, n["nu"],
                                                                         jnp.shape(lm))),
    log_scale=True,
    doc="Student-t on log y: robust to outlying runs (the Bayesian analogue of Huber).",
)

normal_log = Likelihood(
    name="normal_log",
    noise=(Param("sigma", "positive", _sigma_log, doc="sd of log-residuals"),),
    log_prob=lambda y, lm, m, n: jstats.norm.logpdf(jnp.log(y), lm, n["sigma"]) - jnp.log(y),
    sample=lambda key, lm, m, n: jnp.exp(lm + n["sigma"] * jax.random.normal(key,
                                                                              jnp.shape(lm))),
    log_scale=True,
    doc="Gaussian on log y (multiplicative noise).",
)

normal = Likelihood(
    name="normal",
    noise=(Param("sigma", "positive", _sigma_y, doc="sd of residuals"),),
    log_prob=lambda y, lm, m, n: jstats.norm.logpdf(y, m, n["sigma"]),
    sample=lambda key, lm, m, n: m + n["sigma"] * jax.random.normal(key, jnp.shape(m)),
    log_scale=False,
    doc="Gaussian on y (additive noise).",
)

#: Registered likelihoods by name.
LIKELIHOODS: dict[str, Likelihood] = {
    lik.name: lik for lik in (student_t_log, normal_log, normal)
}
_ALIASES = {"student_t": "student_t_log", "studentt": "student_t_log", "lognormal": "normal_log",
            "gaussian_log": "normal_log", "gaussian": "normal"}


def names() -> list[str]:
    """Names of the available likelihoods."""
    return sorted(LIKELIHOODS)


def get(name: str | Likelihood) -> Likelihood:
    """Return the likelihood called ``name`` (or ``name`` itself if already one)."""
    if isinstance(name, Likelihood):
        return name
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in LIKELIHOODS:
        raise BayescaleError(f"unknown likelihood {name!r}; accepted: {one_of(LIKELIHOODS)}")
    return LIKELIHOODS[key]


def default_for(positive_data: bool, positive_law: bool) -> Likelihood:
    """Student-t on log y for positive laws (losses), Gaussian on y otherwise.

    Non-positive observations under a positive law are an error, not a silent switch.
    """
    return student_t_log if (positive_data and positive_law) else normal
