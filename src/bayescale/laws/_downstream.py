"""Downstream accuracy from compute (or loss): a sigmoid link with a chance floor.

``acc(x) = floor + (1 - floor) * ceiling * sigmoid(k * (log x - log x_50))``

``floor`` is the benchmark's chance accuracy (0.25 for four-choice questions, 0.5 for
two-choice, 0 for generation), fixed by the factory; ``ceiling`` in (0, 1) the fraction of
the headroom above chance that very large ``x`` reaches; ``x_50`` the input at the
midpoint and ``k`` the slope per e-fold of ``x``. With ``increasing=False`` the accuracy
falls with ``x`` (for ``x`` a loss). Fit with :func:`bayescale.likelihoods.binomial` (item
noise only) or :func:`bayescale.likelihoods.beta_binomial` (plus model-to-model scatter)
on the benchmark's number of items (LAWS.md section 12).
"""

from __future__ import annotations

from functools import cache

import jax.numpy as jnp
import numpy as np
from jax.nn import log_sigmoid

from bayescale._errors import LawError
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import DataStats, Prior

__all__ = ["sigmoid_accuracy"]


def sigmoid_accuracy(floor: float = 0.0, increasing: bool = True) -> Law:
    """Build the sigmoid accuracy law with a chance ``floor``.

    ``acc = floor + (1 - floor) * ceiling * sigmoid(s k (log x - log x_50))``, ``s = +1``
    (``increasing``) or ``-1``.

    Parameters
    ----------
    floor : float, default 0.0
        Chance accuracy in [0, 1).
    increasing : bool, default True
        Accuracy rises with ``x`` (compute, parameters); ``False`` for a loss.

    Returns
    -------
    Law
        The same object for the same options (one compiled sampler each).
    """
    if isinstance(floor, bool) or not isinstance(floor, int | float | np.floating) or not (
            0.0 <= float(floor) < 1.0):
        raise LawError(f"sigmoid_accuracy: floor must be a number in [0, 1), got {floor!r}")
    return _build(float(floor), bool(increasing))


def _midpoint(stats: DataStats) -> Prior:
    return Prior("LogNormal", stats.log_x0["x"], 2.0 * stats.log_x_halfspan["x"] + 2.0)


@cache
def _build(floor: float, increasing: bool) -> Law:
    sign = 1.0 if increasing else -1.0
    log_head = float(np.log1p(-floor))

    def log_fn(p, x):
        z = sign * p["k"] * (jnp.log(x["x"]) - jnp.log(p["x_50"]))
        upper = log_head + jnp.log(p["ceiling"]) + log_sigmoid(z)
        if floor == 0.0:
            return upper
        return jnp.logaddexp(jnp.log(floor), upper)

    def guess(inputs, y):
        lx = np.log(np.asarray(inputs["x"], dtype=float))
        y = np.asarray(y, dtype=float)
        starts = []
        for ceiling in (0.5, 0.8, 0.95):
            frac = np.clip((y - floor) / ((1 - floor) * ceiling), 0.02, 0.98)
            slope, icpt = np.polyfit(lx, np.log(frac / (1 - frac)), 1)
            k = max(abs(float(slope)), 0.05)
            x50 = float(np.exp(np.clip(-icpt / slope if slope != 0 else lx.mean(),
                                       lx.min() - 10, lx.max() + 10)))
            starts.append({"k": k, "x_50": x50, "ceiling": ceiling})
            starts.append({"k": 1.0, "x_50": float(np.exp(np.median(lx))), "ceiling": ceiling})
        return polish(law, inputs, y, starts)

    name = "sigmoid_accuracy"
    if floor != 0.0:
        name += f"_floor{floor:g}"
    if not increasing:
        name += "_decreasing"
    law = Law(
        name=name,
        params=(
            Param("k", "positive", Prior("LogNormal", 0.0, 1.5),
                  doc="slope per e-fold of x (logit scale)"),
            Param("x_50", "positive", _midpoint, scale_of="x",
                  doc="input at the midpoint of the rise above chance"),
            Param("ceiling", "unit", Prior("Beta", 2.0, 1.0),
                  doc="fraction of the headroom 1 - floor reached as x grows"),
        ),
        inputs=("x",),
        fn=lambda p, x: jnp.exp(log_fn(p, x)),
        log_fn=log_fn,
        guess=guess,
        formula=(f"acc = {floor:g} + (1 - {floor:g}) * ceiling * sigmoid("
                 f"{'' if increasing else '-'}k * (log x - log x_50))"),
        key=("law", "sigmoid_accuracy", floor, increasing),
        description=(f"Downstream accuracy with chance floor {floor:g}, a sigmoid in log x "
                     f"({'increasing' if increasing else 'decreasing'}); x is compute, "
                     "parameters or a loss (the sigmoid link of Ruan et al. 2024, "
                     "observational scaling laws). Pair with a binomial or beta-binomial "
                     "likelihood on the number of items."),
    )
    return law
