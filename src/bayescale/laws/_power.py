"""One-input power laws: ``power_law`` and ``saturating_power``."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from bayescale.laws import _priors as P
from bayescale.laws._guess import polish, saturating_start
from bayescale.laws._law import Law, Param

__all__ = ["power_law", "saturating_power"]


def _pl_log(p, x):
    return jnp.log(p["A"]) - p["alpha"] * jnp.log(x["x"])


def _pl_guess(inputs, y):
    slope, icpt = np.polyfit(np.log(inputs["x"]), np.log(y), 1)
    start = {"A": float(np.exp(icpt)), "alpha": float(max(-slope, 1e-3))}
    return polish(power_law, inputs, y, [start])


power_law = Law(
    name="power_law",
    params=(
        Param("A", "positive", P.amplitude, amplitude_of=("x", "alpha", -1.0),
              doc="amplitude (value at x = 1)"),
        Param("alpha", "positive", P.exponent(), doc="decay exponent"),
    ),
    inputs=("x",),
    fn=lambda p, x: jnp.exp(_pl_log(p, x)),
    log_fn=_pl_log,
    guess=_pl_guess,
    formula="y = A * x**(-alpha)",
    description="Pure power law (Kaplan et al. 2020 single-variable form, L = (X_c/X)^a).",
)


def _sp_log(p, x):
    return jnp.logaddexp(jnp.log(p["E"]), jnp.log(p["A"]) - p["alpha"] * jnp.log(x["x"]))


def _sp_guess(inputs, y):
    e, a, alpha = saturating_start(np.asarray(inputs["x"]), np.asarray(y))
    starts = [{"E": max(e, 1e-3 * float(np.min(y))), "A": a, "alpha": alpha}]
    starts.append({"E": 0.5 * float(np.min(y)), "A": a, "alpha": alpha})
    return polish(saturating_power, inputs, y, starts)


saturating_power = Law(
    name="saturating_power",
    params=(
        Param("E", "positive", P.irreducible, doc="irreducible loss (x -> infinity)"),
        Param("A", "positive", P.amplitude, amplitude_of=("x", "alpha", -1.0),
              doc="amplitude of the reducible part"),
        Param("alpha", "positive", P.exponent(), doc="decay exponent of the reducible part"),
    ),
    inputs=("x",),
    fn=lambda p, x: jnp.exp(_sp_log(p, x)),
    log_fn=_sp_log,
    guess=_sp_guess,
    formula="y = E + A * x**(-alpha)",
    description="Power law with irreducible loss (Hestness et al. 2017; Henighan et al. 2020).",
)
