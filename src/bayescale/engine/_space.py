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

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.distributions import biject_to, constraints

from bayescale._errors import PriorError, one_of
from bayescale.laws._law import Law, Param
from bayescale.likelihoods import Likelihood
from bayescale.priors import DataStats, Prior, support, to_distribution

__all__ = ["PriorSpec", "Space", "make_space"]

#: A prior with concrete arguments: ``(family, args, at_pivot)``.
PriorSpec = tuple[str, tuple[float, ...], bool]

# per space key: (jitted stats -> prior arguments, the families and at_pivot flags)
_SPECS: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}


def _spec_fn(space: Space) -> tuple[Any, list[Any]]:
    """One compiled function evaluating every prior of ``space`` on the data summaries.

    Data-scaled default priors are JAX expressions of the summaries; evaluating them
    eagerly would compile a handful of tiny XLA programs per process.
    """
    if space.key not in _SPECS:
        meta: list[Any] = []

        def args_of(stats: DataStats) -> list[tuple[Any, ...]]:
            priors = [space.prior_for(p, stats) for p in space.params]
            meta[:] = [(pr.family, pr.at_pivot) for pr in priors]
            return [tuple(jnp.asarray(a, dtype=float) for a in pr.args) for pr in priors]

        _SPECS[space.key] = (jax.jit(args_of), meta)
    return _SPECS[space.key]


def _clamp_unit(y: np.ndarray) -> np.ndarray:
    finfo = np.finfo(np.float64)
    return np.clip(y, finfo.tiny, 1.0 - finfo.eps)


def _inverse(kind: str, low: float, high: float, value: float) -> float:
    """NumPy twin of ``biject_to(support).inv`` for the supports of prior families."""
    with np.errstate(all="ignore"):
        if kind == "positive":
            return float(np.log(value))
        if kind == "interval":  # a value on (or past) the boundary has no coordinate
            y = np.float64((value - low) / (high - low))
            return float(np.log(y) - np.log1p(-y)) if 0.0 < y < 1.0 else float("nan")
    return float(value)


def _forward(kind: str, low: float, high: float, t: np.ndarray) -> np.ndarray:
    """NumPy twin of ``biject_to(support)`` for the supports of prior families."""
    with np.errstate(all="ignore"):
        if kind == "positive":
            return np.exp(t)
        if kind == "interval":
            y = _clamp_unit(1.0 / (1.0 + np.exp(-t)))
            return y if (low, high) == (0.0, 1.0) else low + (high - low) * y
    return np.asarray(t, dtype=float)

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

    def prior_specs(self, stats: DataStats) -> list[PriorSpec]:
        """Every parameter's prior in force, with concrete float arguments.

        Parameters
        ----------
        stats : DataStats
            The data summaries that data-scaled default priors use.

        Returns
        -------
        list of (family, args, at_pivot)
            One entry per parameter, in :attr:`params` order.
        """
        fn, meta = _spec_fn(self)
        try:
            values = fn(stats)
        except Exception:  # a prior that cannot be traced: evaluate it eagerly
            priors = [self.prior_for(p, stats) for p in self.params]
            return [(pr.family, tuple(float(a) for a in pr.args), pr.at_pivot)
                    for pr in priors]
        values = jax.device_get(values)
        return [(fam, tuple(float(a) for a in args), at_pivot)
                for (fam, at_pivot), args in zip(meta, values, strict=True)]

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

    def pack(self, values: Mapping[str, float], stats: DataStats,
             specs: list[PriorSpec] | None = None) -> np.ndarray:
        """Inverse of :meth:`unpack` for concrete natural values (starting points).

        Parameters
        ----------
        values : mapping of str to float
            A value for every parameter.
        stats : DataStats
            The data summaries (re-centring and data-scaled priors).
        specs : list of PriorSpec, optional
            ``self.prior_specs(stats)``, when the caller has it already.

        Returns
        -------
        ndarray
            The coordinates, shape ``(dim,)`` (NumPy, no JAX dispatch).
        """
        specs = self.prior_specs(stats) if specs is None else specs
        theta = np.zeros(self.dim)
        for i in self._order():
            p = self.params[i]
            v = float(values[p.name])
            fam, args, _ = specs[i]
            kind, low, high = support(fam, args)
            if kind == "positive" and (p.amplitude_of is not None or p.scale_of is not None):
                if p.amplitude_of is not None:
                    inp, expo, sign = p.amplitude_of
                    shift = -sign * float(values[expo]) * float(stats.log_x0[inp])
                else:
                    shift = float(stats.log_x0[p.scale_of])
                theta[i] = np.log(max(v, 1e-300)) - shift
            else:
                theta[i] = _inverse(kind, low, high, v)
        return theta

    def natural(self, theta: np.ndarray, stats: DataStats) -> dict[str, np.ndarray]:
        """Natural parameter values of concrete coordinates (NumPy twin of :meth:`unpack`).

        Parameters
        ----------
        theta : ndarray
            Coordinates, shape ``(..., dim)``.
        stats : DataStats
            The data summaries (re-centring and data-scaled priors).

        Returns
        -------
        dict of str to ndarray
            One array of shape ``theta.shape[:-1]`` per parameter.
        """
        theta = np.asarray(theta, dtype=float)
        specs = self.prior_specs(stats)
        out: dict[str, np.ndarray] = {}
        with np.errstate(all="ignore"):
            for i in self._order():
                p, t = self.params[i], theta[..., i]
                fam, args, _ = specs[i]
                kind, low, high = support(fam, args)
                if kind == "positive" and (p.amplitude_of is not None
                                           or p.scale_of is not None):
                    if p.amplitude_of is not None:
                        inp, expo, sign = p.amplitude_of
                        shift = -sign * out[expo] * float(stats.log_x0[inp])
                    else:
                        shift = float(stats.log_x0[p.scale_of])
                    out[p.name] = np.exp(t + shift)
                else:
                    out[p.name] = _forward(kind, low, high, t)
        return {p.name: out[p.name] for p in self.params}


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
