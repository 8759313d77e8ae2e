"""The log density of a law + likelihood + priors, as a NumPyro potential function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from bayescale.engine._space import Space

__all__ = ["log_likelihood_points", "potential_gen", "trace_count"]

_TRACES = {"potential": 0}


def trace_count() -> int:
    """How many times a potential function has been traced (compiled) in this process."""
    return _TRACES["potential"]


def log_likelihood_points(space: Space, natural: dict[str, Any], data: dict[str, Any]) -> Any:
    """Pointwise log density of the observations (padded rows included, unmasked)."""
    law, lik = space.law, space.likelihood
    noise = {k: natural[k] for k in lik.noise_names}
    params = {k: natural[k] for k in law.param_names}
    if lik.log_scale:
        log_mu = law.log_mean(params, data["x"])
        mu = None
    else:
        mu = law.fn(params, data["x"])
        log_mu = None
    return lik.log_prob(data["y"], log_mu, mu, noise)


def potential_gen(space: Space) -> Callable[[dict[str, Any]], Callable[[Any], Any]]:
    """Return ``data -> (theta -> -log density)`` for NumPyro's functional NUTS."""

    def gen(data: dict[str, Any]) -> Callable[[Any], Any]:
        _TRACES["potential"] += 1  # runs once per trace, never at run time

        def potential(theta: Any) -> Any:
            natural, logp = space.unpack(theta, data["stats"])
            ll = log_likelihood_points(space, natural, data)
            total = logp + jnp.sum(jnp.where(data["mask"] > 0, ll, 0.0))
            return -jnp.where(jnp.isnan(total), -jnp.inf, total)

        return potential

    return gen
