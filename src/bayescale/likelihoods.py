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

from bayescale import _ar1
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
        made = _from_factory_name(key)
        if made is None:
            raise BayescaleError(
                f"unknown likelihood {name!r}; accepted: {one_of(LIKELIHOODS)}, "
                "'binomial_<items>' or 'beta_binomial_<items>' (e.g. 'binomial_14042')")
        return made
    return LIKELIHOODS[key]


def _from_factory_name(key: str) -> Likelihood | None:
    """``binomial_<n>`` / ``beta_binomial_<n>``: the factory's likelihood, or None."""
    for prefix, factory in (("beta_binomial_", "beta_binomial"), ("binomial_", "binomial")):
        if key.startswith(prefix):
            try:
                n = float(key[len(prefix):])
            except ValueError:
                return None
            return spec_to_likelihood({"name": key, "factory": factory, "n_trials": n})
    return None


def likelihood_spec(lik: Likelihood) -> dict[str, Any]:
    """A JSON-able description of ``lik`` that :func:`spec_to_likelihood` rebuilds.

    Registered likelihoods are described by name; those made by :func:`binomial` and
    :func:`beta_binomial` by their factory and exact item count (the name rounds it).
    """
    for (factory, n), made in _FACTORIES.items():
        if made is lik:
            return {"name": lik.name, "factory": factory, "n_trials": n}
    return {"name": lik.name}


def spec_to_likelihood(spec: dict[str, Any]) -> Likelihood:
    """Rebuild a likelihood from :func:`likelihood_spec`'s description."""
    if not isinstance(spec, dict) or "name" not in spec:
        raise BayescaleError(f"not a likelihood description: {spec!r}")
    factory = spec.get("factory")
    if factory is None:
        return get(spec["name"])
    makers = {"binomial": binomial, "beta_binomial": beta_binomial}
    if factory not in makers:
        raise BayescaleError(f"unknown likelihood factory {factory!r} (likelihood "
                             f"{spec['name']!r}); accepted: {one_of(makers)}")
    if "n_trials" not in spec:
        raise BayescaleError(f"likelihood {spec['name']!r} is described without its item "
                             "count (n_trials)")
    return makers[factory](spec["n_trials"])


def default_for(positive_data: bool, positive_law: bool) -> Likelihood:
    """Student-t on log y for positive laws (losses), Gaussian on y otherwise.

    Non-positive observations under a positive law are an error, not a silent switch.
    """
    return student_t_log if (positive_data and positive_law) else normal


# ---- likelihoods for the literature laws (loss curves, accuracies) ---------------------------

ar1_normal_log = Likelihood(
    name="ar1_normal_log",
    noise=(Param("sigma", "positive", _sigma_log, doc="marginal sd of log-residuals"),
           Param("rho", "unit", Prior("Beta", 1.0, 1.0),
                 doc="lag-1 autocorrelation of consecutive log-residuals")),
    log_prob=_ar1.ar1_log_prob,
    sample=_ar1.ar1_sample,
    log_scale=True,
    doc=("Gaussian AR(1) on log y along the row order (time-ordered, equally spaced points "
         "of one curve, e.g. block means of a training-loss curve); the pointwise density "
         "of row t is conditional on row t-1."),
)
LIKELIHOODS[ar1_normal_log.name] = ar1_normal_log


ar1_drift_normal_log = Likelihood(
    name="ar1_drift_normal_log",
    noise=(Param("sigma", "positive", _sigma_log, doc="marginal sd of the fast log-residuals"),
           Param("rho", "unit", Prior("Beta", 1.0, 1.0),
                 doc="lag-1 autocorrelation of the fast log-residuals"),
           Param("tau", "positive", _sigma_log,
                 doc="marginal sd of the slow discrepancy between the law and the curve"),
           Param("w", "unit", Prior("Beta", 1.0, 1.0),
                 doc=("where the slow lag-1 autocorrelation lies between rho and 1: "
                      "rho_slow = rho + (1 - rho) w"))),
    log_prob=_ar1.ar1_drift_log_prob,
    sample=_ar1.ar1_drift_sample,
    log_scale=True,
    doc=("Gaussian on log y with two independent stationary AR(1) residual components along "
         "the row order: fast noise (sigma, rho) and a slowly varying model discrepancy "
         "(tau, rho_slow > rho); pointwise density of row t conditional on rows < t "
         "(Kalman filter). Predictions for a new curve draw a fresh discrepancy."),
)
LIKELIHOODS[ar1_drift_normal_log.name] = ar1_drift_normal_log


def _check_trials(n_trials: Any) -> float:
    if isinstance(n_trials, bool) or not isinstance(n_trials, int | float) or not (
            n_trials >= 1 and n_trials == n_trials and n_trials < float("inf")):
        raise BayescaleError(f"n_trials must be a finite number >= 1, got {n_trials!r}")
    return float(n_trials)


def _log_choose(n, k):
    return (jax.scipy.special.gammaln(n + 1.0) - jax.scipy.special.gammaln(k + 1.0)
            - jax.scipy.special.gammaln(n - k + 1.0))


_FACTORIES: dict[tuple[str, float], Likelihood] = {}


def binomial(n_trials: float) -> Likelihood:
    """Binomial likelihood for an accuracy measured on ``n_trials`` items.

    ``y`` is the fraction correct (in [0, 1]); ``k = n_trials * y`` correct items follow
    ``Binomial(n_trials, mu)`` with ``mu`` the law's mean (which must lie in (0, 1)). The
    log density is the binomial log pmf of ``k`` extended to real ``k`` through
    log-gamma functions (exact at integers, so reported accuracies that are not exact
    multiples of ``1/n_trials`` are accepted). No noise parameter: the spread is the
    items' sampling noise alone; use :func:`beta_binomial` when models scatter more than
    that (different families, data mixtures).

    Parameters
    ----------
    n_trials : float
        Number of items of the benchmark (e.g. 14042 for MMLU).

    Returns
    -------
    Likelihood
        Named ``"binomial_<n_trials>"``; the same object for the same ``n_trials``.
    """
    n = _check_trials(n_trials)
    key = ("binomial", n)
    if key in _FACTORIES:
        return _FACTORIES[key]

    def log_prob(y, lm, m, noise):
        k = jnp.clip(y, 0.0, 1.0) * n
        mu = jnp.clip(m, 1e-12, 1.0 - 1e-12)
        return _log_choose(n, k) + k * jnp.log(mu) + (n - k) * jnp.log1p(-mu)

    def sample(key, lm, m, noise):
        mu = jnp.clip(m, 0.0, 1.0)
        return jax.random.binomial(key, n, mu, shape=jnp.shape(m)) / n

    lik = Likelihood(name=f"binomial_{n:g}", noise=(), log_prob=log_prob, sample=sample,
                     log_scale=False,
                     doc=f"Binomial on {n:g} items (y = fraction correct).")
    _FACTORIES[key] = lik
    LIKELIHOODS[lik.name] = lik
    return lik


def beta_binomial(n_trials: float) -> Likelihood:
    """Beta-binomial likelihood for an accuracy on ``n_trials`` items, overdispersed.

    ``k = n_trials * y ~ BetaBinomial(n_trials, mu kappa, (1 - mu) kappa)``: each model's
    own success probability scatters around the law's mean ``mu`` as
    ``Beta(mu kappa, (1 - mu) kappa)`` (model-to-model differences the law does not
    explain), then the items add binomial noise. Large ``kappa`` recovers the binomial.
    Continuous extension in ``k`` as for :func:`binomial`.

    Parameters
    ----------
    n_trials : float
        Number of items of the benchmark.

    Returns
    -------
    Likelihood
        Named ``"beta_binomial_<n_trials>"``, with the noise parameter ``kappa``.
    """
    n = _check_trials(n_trials)
    key = ("beta_binomial", n)
    if key in _FACTORIES:
        return _FACTORIES[key]
    betaln = jax.scipy.special.betaln

    def log_prob(y, lm, m, noise):
        k = jnp.clip(y, 0.0, 1.0) * n
        mu = jnp.clip(m, 1e-12, 1.0 - 1e-12)
        a, b = mu * noise["kappa"], (1.0 - mu) * noise["kappa"]
        return _log_choose(n, k) + betaln(k + a, n - k + b) - betaln(a, b)

    def sample(key, lm, m, noise):
        k1, k2 = jax.random.split(key)
        mu = jnp.clip(m, 1e-12, 1.0 - 1e-12)
        p = jax.random.beta(k1, mu * noise["kappa"], (1.0 - mu) * noise["kappa"],
                            shape=jnp.shape(m))
        return jax.random.binomial(k2, n, p, shape=jnp.shape(m)) / n

    lik = Likelihood(
        name=f"beta_binomial_{n:g}",
        noise=(Param("kappa", "positive", Prior("LogNormal", 4.0, 2.0),
                     doc="concentration of model-level accuracies around the law"),),
        log_prob=log_prob, sample=sample, log_scale=False,
        doc=f"Beta-binomial on {n:g} items (y = fraction correct), overdispersed.")
    _FACTORIES[key] = lik
    LIKELIHOODS[lik.name] = lik
    return lik


__all__ += ["ar1_drift_normal_log", "ar1_normal_log", "beta_binomial", "binomial"]
