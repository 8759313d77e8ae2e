"""Default priors shared by the built-in laws (weakly informative, some data-scaled)."""

from __future__ import annotations

import math

import jax.numpy as jnp

from bayescale.priors import DataStats, Prior

__all__ = ["amplitude", "exponent", "irreducible", "wide_positive"]


def exponent(center: float = 0.3, scale: float = 1.0) -> Prior:
    """Scaling exponent: LogNormal around ``center`` (0.3 by default), sd 1 in log space."""
    return Prior("LogNormal", math.log(center), scale)


def amplitude(stats: DataStats) -> Prior:
    """Amplitude at the geometric-mean input: LogNormal(log median(y), 3), at the pivot."""
    return Prior("LogNormal", jnp.log(stats.y_median), 3.0, at_pivot=True)


def irreducible(stats: DataStats) -> Prior:
    """Irreducible level: LogNormal centred at half the smallest observation, sd 1."""
    return Prior("LogNormal", jnp.log(0.5 * stats.y_min), 1.0)


def wide_positive(stats: DataStats) -> Prior:
    """A positive constant on the data's scale: LogNormal(log median(y), 3)."""
    return Prior("LogNormal", jnp.log(stats.y_median), 3.0)
