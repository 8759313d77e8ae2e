"""Per-chain pieces of a NUTS trajectory: metric products, U-turn checks, checkpoints.

Functions of one chain's state (or a stack of momenta), used by the lanes sampler
(:mod:`bayescale.engine._lanes`); NumPyro's names are given where a piece mirrors one of
its private functions.

The metric products are written as elementwise products and sums, not ``@``: vectorised
over lanes, a matrix product becomes a batched ``dot`` of thousands of 5 x 5 matrices,
which XLA's CPU backend hands to a matrix-multiply library call per turn (about 1 us per
lane, most of the lanes sampler's time in profiles); as elementwise code it fuses with
its neighbours.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

__all__ = [
    "ckpt_range",
    "energy",
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
    """Euclidean kinetic energy r^T M^-1 r / 2 (NumPyro's ``euclidean_kinetic_energy``)."""
    return energy(r, velocity(inv_mass, r))


def energy(r: Any, v: Any) -> Any:
    """Kinetic energy r^T v / 2 of a momentum whose velocity v = M^-1 r is known."""
    return 0.5 * jnp.sum(r * v, -1)


def velocity(inv_mass: Any, r: Any) -> Any:
    """M^-1 r for one momentum (d,) or a stack of them (k, d); M^-1 is symmetric."""
    if inv_mass.ndim == 1:
        return r * inv_mass
    return jnp.sum(r[..., :, None] * inv_mass, -2)


def is_turning(v_left: Any, v_right: Any, r_left: Any, r_right: Any, r_sum: Any) -> Any:
    """Generalised U-turn criterion (NumPyro's ``_is_turning``), row-wise for stacks.

    ``v_left`` and ``v_right`` are the velocities M^-1 r of the end momenta, which the
    sampler keeps beside the momenta so that no check multiplies by the metric again.
    """
    centred = r_sum - 0.5 * (r_left + r_right)
    return (jnp.sum(v_left * centred, -1) <= 0) | (jnp.sum(v_right * centred, -1) <= 0)


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
    """L eps: a momentum r ~ N(0, M) from standard normals ``eps``."""
    return jnp.sum(mass_sqrt * eps, -1) if mass_sqrt.ndim == 2 else mass_sqrt * eps
