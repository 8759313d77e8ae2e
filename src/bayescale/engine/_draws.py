"""Draws of a law's mean and of new observations from parameter draws (jitted once per law).

Shared by the results' predictions and the engine's leave-future-out refits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale.laws._law import Law
from bayescale.likelihoods import Likelihood

__all__ = ["mean_draws", "predictive_draws"]


def _mean_fn(law: Law, log: bool):
    f = law.log_mean if log else law.fn
    return jax.jit(jax.vmap(lambda p, x: f(p, x), in_axes=(0, None)))


_CACHE: dict[tuple, Any] = {}


def mean_draws(law: Law, posterior: Mapping[str, np.ndarray], x: Mapping[str, np.ndarray],
               *, log: bool = False) -> np.ndarray:
    """Draws of the mean (or its log), shape ``(num_draws, num_points)``."""
    key = (law.key, log)
    if key not in _CACHE:
        _CACHE[key] = _mean_fn(law, log)
    params = {k: jnp.asarray(np.asarray(posterior[k]).reshape(-1)) for k in law.param_names}
    xs = {k: jnp.asarray(v) for k, v in x.items()}
    return np.asarray(_CACHE[key](params, xs))


def predictive_draws(law: Law, lik: Likelihood, posterior: Mapping[str, np.ndarray],
                     x: Mapping[str, np.ndarray], seed: int) -> np.ndarray:
    """Posterior-predictive draws of new observations, ``(num_draws, num_points)``."""
    log_mu = mean_draws(law, posterior, x, log=True) if lik.log_scale else None
    mu = None if lik.log_scale else mean_draws(law, posterior, x)
    ref = log_mu if lik.log_scale else mu
    noise = {k: jnp.asarray(np.asarray(posterior[k]).reshape(-1, 1)) for k in lik.noise_names}
    key = jax.random.PRNGKey(seed)
    return np.asarray(lik.sample(key, None if log_mu is None else jnp.asarray(log_mu),
                                 None if mu is None else jnp.asarray(mu),
                                 {k: jnp.broadcast_to(v, ref.shape) for k, v in noise.items()}))
