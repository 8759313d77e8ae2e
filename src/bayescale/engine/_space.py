"""The sampling space: unconstrained, re-centred coordinates for a law and likelihood.

Each parameter is sampled on the real line through the bijection that matches the
support of its prior (log for positive priors, logit for bounded ones). Amplitudes that
multiply ``x ** (s * e)`` are sampled at the data's geometric-mean input ``x0`` (``theta
= log A + s e log x0``) and scale constants relative to ``x0``, so that amplitude and
exponent are not correlated in the posterior. Both maps have unit Jacobian with respect
to ``log A``, so priors stay priors on the natural parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np
from numpyro.distributions import biject_to, constraints

from bayescale._errors import PriorError, one_of
from bayescale.laws._law import Law, Param
from bayescale.likelihoods import Likelihood
from bayescale.priors import DataStats, Prior, to_distribution

__all__ = ["Space", "make_space"]

_POSITIVE = {"LogNormal", "HalfNormal", "HalfCauchy", "Exponential", "Gamma"}
_UNIT = {"Beta"}
_REAL = {"Normal", "StudentT"}


def _check_support(param: Param, prior: Prior) -> None:
    """Static check that a user prior lives inside the parameter's domain."""
    fam = prior.family
    if param.constraint == "real":
        return
    if fam in _REAL:
        ok = False
    elif fam in ("Uniform", "TruncatedNormal"):
        lo = float(prior.args[0] if fam == "Uniform" else prior.args[2])
        hi = float(prior.args[1] if fam == "Uniform" else prior.args[3])
        ok = lo >= 0 and (param.constraint == "positive" or hi <= 1)
    else:
        ok = fam in _POSITIVE if param.constraint == "positive" else fam in _UNIT
    if not ok:
        raise PriorError(f"prior {prior!r} for {param.name!r} puts mass outside the "
                         f"parameter's domain ({param.constraint}); use a prior on that "
                         "domain, e.g. LogNormal or Gamma for positive parameters, Beta for "
                         "(0, 1)")


@dataclass(frozen=True, eq=False)
class Space:
    """Static description of the sampling coordinates (hashable by ``key``)."""

    law: Law
    likelihood: Likelihood
    params: tuple[Param, ...]
    user_priors: tuple[tuple[str, Prior], ...]
    key: tuple[Any, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """All parameter names: the law's, then the noise parameters."""
        return tuple(p.name for p in self.params)

    @property
    def dim(self) -> int:
        """Number of sampled coordinates."""
        return len(self.params)

    def prior_for(self, param: Param, stats: DataStats) -> Prior:
        """The prior in force for ``param`` (user override or default)."""
        user = dict(self.user_priors)
        return user[param.name] if param.name in user else param.default_prior(stats)

    def _order(self) -> list[int]:
        # exponents before the amplitudes that pivot on them
        return sorted(range(self.dim), key=lambda i: self.params[i].amplitude_of is not None)

    def unpack(self, theta: Any, stats: DataStats) -> tuple[dict[str, Any], Any]:
        """Map coordinates to natural parameters; also return log prior + log Jacobian."""
        out: dict[str, Any] = {}
        logp = 0.0
        for i in self._order():
            p, t = self.params[i], theta[..., i]
            prior = self.prior_for(p, stats)
            d = to_distribution(prior)
            positive = d.support is constraints.positive or prior.family in _POSITIVE
            if positive and (p.amplitude_of is not None or p.scale_of is not None):
                if p.amplitude_of is not None:
                    inp, expo, sign = p.amplitude_of
                    shift = -sign * out[expo] * stats.log_x0[inp]
                else:
                    shift = stats.log_x0[p.scale_of]
                value = jnp.exp(t + shift)
                if prior.at_pivot:
                    logp = logp + d.log_prob(jnp.exp(t)) + t
                else:
                    logp = logp + d.log_prob(value) + t + shift
            else:
                tr = biject_to(d.support)
                value = tr(t)
                logp = logp + d.log_prob(value) + tr.log_abs_det_jacobian(t, value)
            out[p.name] = value
        return out, logp

    def pack(self, values: Mapping[str, float], stats: DataStats) -> np.ndarray:
        """Inverse of :meth:`unpack` for concrete natural values (starting points)."""
        theta = np.zeros(self.dim)
        for i in self._order():
            p = self.params[i]
            v = float(values[p.name])
            prior = self.prior_for(p, stats)
            d = to_distribution(prior)
            positive = d.support is constraints.positive or prior.family in _POSITIVE
            if positive and (p.amplitude_of is not None or p.scale_of is not None):
                if p.amplitude_of is not None:
                    inp, expo, sign = p.amplitude_of
                    shift = -sign * float(values[expo]) * float(stats.log_x0[inp])
                else:
                    shift = float(stats.log_x0[p.scale_of])
                theta[i] = np.log(max(v, 1e-300)) - shift
            else:
                theta[i] = float(biject_to(d.support).inv(jnp.asarray(v)))
        return theta


def make_space(law: Law, likelihood: Likelihood,
               priors: Mapping[str, Prior] | None) -> Space:
    """Build the sampling space, validating user priors by name and domain."""
    params = tuple(law.params) + tuple(likelihood.noise)
    valid = [p.name for p in params]
    priors = dict(priors or {})
    unknown = [k for k in priors if k not in valid]
    if unknown:
        raise PriorError(f"priors given for unknown parameter(s) {unknown}; valid names for "
                         f"law {law.name!r} with likelihood {likelihood.name!r}: "
                         f"{one_of(valid)}")
    by_name = {p.name: p for p in params}
    for k, v in priors.items():
        if not isinstance(v, Prior):
            raise PriorError(f"prior for {k!r} must be a bayescale.Prior, e.g. "
                             f"Prior('LogNormal', 0, 1); got {v!r}")
        _check_support(by_name[k], v)
    user = tuple(sorted(priors.items()))
    return Space(law, likelihood, params, user, (law.key, likelihood.name, user))
