"""Two-input loss laws in (N, D): ``chinchilla`` and ``kaplan_nd``."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax.nn import logsumexp

from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["chinchilla", "kaplan_nd"]


def _ch_log(p, x):
    terms = jnp.broadcast_arrays(
        jnp.log(p["E"]),
        jnp.log(p["A"]) - p["alpha"] * jnp.log(x["N"]),
        jnp.log(p["B"]) - p["beta"] * jnp.log(x["D"]),
    )
    return logsumexp(jnp.stack(terms), axis=0)


def _ch_guess(inputs, y):
    ymin = float(np.min(y))
    starts = []
    for e_frac in (0.5, 0.8, 0.9):
        for a0, b0 in ((0.34, 0.28), (0.5, 0.5), (0.3, 0.4)):
            n0 = float(np.exp(np.mean(np.log(inputs["N"]))))
            d0 = float(np.exp(np.mean(np.log(inputs["D"]))))
            red = max(float(np.median(y)) - e_frac * ymin, 1e-3 * ymin)
            starts.append({"E": e_frac * ymin, "A": 0.5 * red * n0 ** a0, "alpha": a0,
                           "B": 0.5 * red * d0 ** b0, "beta": b0})
    return polish(chinchilla, inputs, y, starts)


chinchilla = Law(
    name="chinchilla",
    params=(
        Param("E", "positive", P.irreducible, doc="irreducible loss (entropy of text)"),
        Param("A", "positive", P.amplitude, amplitude_of=("N", "alpha", -1.0),
              doc="model-size amplitude"),
        Param("alpha", "positive", P.exponent(), doc="model-size exponent"),
        Param("B", "positive", P.amplitude, amplitude_of=("D", "beta", -1.0),
              doc="data amplitude"),
        Param("beta", "positive", P.exponent(), doc="data exponent"),
    ),
    inputs=("N", "D"),
    fn=lambda p, x: jnp.exp(_ch_log(p, x)),
    log_fn=_ch_log,
    guess=_ch_guess,
    formula="L = E + A / N**alpha + B / D**beta",
    description=("Hoffmann et al. (2022) parametric loss, evaluated as "
                 "log L = LSE(log E, log A - alpha log N, log B - beta log D)."),
)


def _kp_log(p, x):
    ratio = p["alpha_N"] / p["alpha_D"]
    return p["alpha_D"] * jnp.logaddexp(
        ratio * (jnp.log(p["N_c"]) - jnp.log(x["N"])),
        jnp.log(p["D_c"]) - jnp.log(x["D"]),
    )


def _kp_guess(inputs, y):
    starts = [{"N_c": 6.4e13, "D_c": 1.8e13, "alpha_N": 0.076, "alpha_D": 0.103},
              {"N_c": 1e12, "D_c": 1e12, "alpha_N": 0.1, "alpha_D": 0.1},
              {"N_c": 1e15, "D_c": 1e14, "alpha_N": 0.05, "alpha_D": 0.08}]
    return polish(kaplan_nd, inputs, y, starts)


kaplan_nd = Law(
    name="kaplan_nd",
    params=(
        Param("N_c", "positive", Prior("LogNormal", math.log(1e13), 5.0), scale_of="N",
              doc="model-size scale constant"),
        Param("D_c", "positive", Prior("LogNormal", math.log(1e13), 5.0), scale_of="D",
              doc="data scale constant"),
        Param("alpha_N", "positive", P.exponent(0.08), doc="model-size exponent"),
        Param("alpha_D", "positive", P.exponent(0.1), doc="data exponent"),
    ),
    inputs=("N", "D"),
    fn=lambda p, x: jnp.exp(_kp_log(p, x)),
    log_fn=_kp_log,
    guess=_kp_guess,
    formula="L = ((N_c / N)**(alpha_N / alpha_D) + D_c / D)**alpha_D",
    description="Kaplan et al. (2020) Eq. 1.5, the joint L(N, D) overfitting law.",
)
