"""Per-chain pieces of a NUTS trajectory: metric products, U-turn checks, checkpoints.

Functions of one chain's state (or a stack of momenta), used by the lanes sampler
(:mod:`bayescale.engine._lanes`); NumPyro's names are given where a piece mirrors one of
its private functions.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax
from numpyro.infer.hmc_util import euclidean_kinetic_energy

__all__ = [
    "ckpt_range",
    "is_turning",
    "kinetic",
    "momentum",
    "select",
    "sqrt_of_inverse",
    "velocity",
]


def select(flag: Any, new: Any, old: Any, fields: tuple[str, ...]) -> Any:
    """NamedTuple ``old`` with ``fields`` taken from ``new`` where ``flag`` holds."""
    return old._replace(**{f: jax.tree_util.tree_map(partial(jnp.where, flag),
                                                     getattr(new, f), getattr(old, f))
                           for f in fields})


def kinetic(inv_mass: Any, r: Any) -> Any:
    return euclidean_kinetic_energy(inv_mass, r)


def velocity(inv_mass: Any, r: Any) -> Any:
    """M^-1 r for one momentum (d,) or a stack of them (k, d); M^-1 is symmetric."""
    return r @ inv_mass if inv_mass.ndim == 2 else r * inv_mass


def is_turning(inv_mass: Any, r_left: Any, r_right: Any, r_sum: Any) -> Any:
    """Generalised U-turn criterion (NumPyro's ``_is_turning``), row-wise for stacks."""
    centred = r_sum - 0.5 * (r_left + r_right)
    return ((jnp.sum(velocity(inv_mass, r_left) * centred, -1) <= 0)
            | (jnp.sum(velocity(inv_mass, r_right) * centred, -1) <= 0))


def ckpt_range(n: Any) -> tuple[Any, Any]:
    """Checkpoints that leaf ``n`` of a subtree closes (NumPyro's ``_leaf_idx_to_ckpt_idxs``)."""
    idx_max = lax.population_count(n >> 1)
    num_subtrees = lax.population_count(n ^ (n + 1)) - 1  # trailing one bits of n
    return idx_max - num_subtrees + 1, idx_max


def sqrt_of_inverse(inv_mass: Any) -> Any:
    """``mass_matrix_sqrt`` L (L L^T = M) for momenta r ~ N(0, M), given M^-1."""
    if inv_mass.ndim == 1:
        return jnp.sqrt(jnp.reciprocal(inv_mass))
    return jnp.linalg.cholesky(jnp.linalg.inv(inv_mass))


def momentum(mass_sqrt: Any, eps: Any) -> Any:
    return mass_sqrt @ eps if mass_sqrt.ndim == 2 else mass_sqrt * eps
