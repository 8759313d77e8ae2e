"""Beyond power laws by data pruning (Sorscher et al. 2022), LAWS.md section 14b.

"Beyond neural scaling laws: beating power law scaling via data pruning" (Sorscher,
Geirhos, Shekhar, Ganguli, Morcos 2022, arXiv 2206.14486): with a good pruning metric,
test error against the number ``P`` of *kept* examples can fall faster than a power
law, in theory exponentially (teacher-student perceptron; keep hard examples when data
are plentiful, easy ones when scarce). Seen for ResNets on CIFAR-10, SVHN and ImageNet.

The law moves continuously between the two regimes through one shape parameter ``q``
(a q-exponential, Tsallis 1988):

``eps(P) = E + A (1 + q P / P_0)^(-1 / q)``.

``q -> 0`` gives exponential decay ``E + A exp(-P / P_0)`` (the form
``(1 + q x)^(-1/q)`` tends to ``exp(-x)``); for ``q P / P_0 >> 1`` it is the power law
``E + A (q P / P_0)^(-1/q)`` with exponent ``1 / q``. The local log-log slope of the
reducible error is ``-(P / P_0) / (1 + q P / P_0)``, and its elasticity
``d log|slope| / d log P = 1 / (1 + q P / P_0)`` reads the regime at a size ``P``: 1
for an exponential (the slope steepens in proportion to ``P``), 0 for a power law
(constant slope). :func:`pruning_regime` calls the data exponential at ``P`` when the
elasticity exceeds 1/2 (``q P / P_0 < 1``) and gives the posterior probability of it.
A second view compares the two limits by PSIS-LOO: ``bs.compare`` of fits of
``saturating_power`` (power law) and ``"error ~ E + A * exp(-P / P_0)"`` (exponential),
whose pseudo-BMA weights are probabilities of each regime
(``benchmarks/bench_literature_laws.py --only pruning``).

Fit one curve per keep fraction (or pruning metric): ``P`` is the kept examples, and
the keep fraction moves ``q``; the paper's claim is that pruning well drives ``q``
towards 0. The paper publishes no fitted constants (LAWS.md: qualitative only), so the
reference values :data:`PRUNED_DATA` are a design choice at CIFAR-10-like magnitudes:
an unpruned power law (exponent 0.4) and a well-pruned, nearly exponential curve. Then
[C] ``eps(5e4) = 0.10052`` (power) and ``0.02391`` (pruned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.laws._scale_prior import around_input
from bayescale.priors import Prior

__all__ = ["PRUNED_DATA", "pruned_data", "pruning_regime"]

#: Reference values (a design choice, see the module docstring): P in examples kept.
PRUNED_DATA = {"power": {"E": 0.02, "A": 0.9, "P_0": 300.0, "q": 2.5},
               "exponential": {"E": 0.02, "A": 0.9, "P_0": 8e3, "q": 0.05}}


def _pd_log(p, x):
    red = jnp.log(p["A"]) - jnp.log1p(p["q"] * x["P"] / p["P_0"]) / p["q"]
    return jnp.logaddexp(jnp.log(p["E"]), red)


def _pd_guess(inputs, y):
    pp = np.asarray(inputs["P"], dtype=float)
    y = np.asarray(y, dtype=float)
    ymin, ymax = float(np.min(y)), float(np.max(y))
    starts = [dict(v) for v in PRUNED_DATA.values()]
    for frac in (0.5, 0.9):
        for q in (0.05, 0.5, 3.0):
            for quant in (0.1, 0.5):
                starts.append({"E": frac * ymin, "A": 1.5 * ymax, "q": q,
                               "P_0": float(np.quantile(pp, quant))})
    return polish(pruned_data, inputs, y, starts)


pruned_data = Law(
    name="pruned_data",
    params=(
        Param("E", "positive", P.irreducible, doc="irreducible error"),
        Param("A", "positive", P.wide_positive, doc="reducible error at P = 0"),
        Param("P_0", "positive", around_input("P"), scale_of="P",
              doc="decay scale in kept examples"),
        Param("q", "positive", Prior("LogNormal", 0.0, 2.0),
              doc="regime: q -> 0 exponential decay, large q P/P_0 a power law of "
                  "exponent 1/q"),
    ),
    inputs=("P",),
    fn=lambda p, x: jnp.exp(_pd_log(p, x)),
    log_fn=_pd_log,
    guess=_pd_guess,
    formula="eps = E + A * (1 + q * P / P_0)**(-1 / q)",
    description=("Sorscher et al. (2022) data pruning: error against kept examples P, "
                 "moving continuously from a power law (exponent 1/q) to exponential "
                 "decay (q -> 0) as a q-exponential; fit one curve per keep fraction. "
                 "bayescale.laws.pruning_regime says which regime the data are in, "
                 "with a probability."),
)


def pruning_regime(params: Any, P: Any) -> pd.DataFrame:
    """Which regime (exponential or power law) a ``pruned_data`` curve is in at ``P``.

    The elasticity ``e(P) = 1 / (1 + q P / P_0)`` of the reducible error's log-log slope
    is 1 for an exponential and 0 for a power law; the curve is called exponential at
    ``P`` when ``e > 1/2``.

    Parameters
    ----------
    params : mapping or Fit
        ``P_0`` and ``q``: values, posterior draws, or a ``pruned_data`` fit.
    P : array_like
        Kept examples at which to read the regime (e.g. the largest in the data).

    Returns
    -------
    DataFrame
        ``P``, ``elasticity`` (posterior median), ``power_exponent`` (median of ``1 /
        q``, the exponent of the power-law tail), ``prob_exponential`` and ``regime``
        (``"exponential"`` when ``prob_exponential > 0.5``, else ``"power law"``).

    Examples
    --------
    >>> from bayescale.laws import PRUNED_DATA, pruning_regime
    >>> pruning_regime(PRUNED_DATA["exponential"], 5e4)["regime"].iloc[0]
    'exponential'
    >>> pruning_regime(PRUNED_DATA["power"], 5e4)["regime"].iloc[0]
    'power law'
    """
    src = getattr(params, "posterior", params)
    if not isinstance(src, Mapping) or any(k not in src for k in ("P_0", "q")):
        raise BayescaleError("params must hold 'P_0' and 'q' (values, draws or a "
                             "pruned_data fit)")
    p0, q = (np.asarray(src[k], dtype=float).reshape(-1, 1) for k in ("P_0", "q"))
    size = np.atleast_1d(np.asarray(P, dtype=float)).ravel()
    if not np.all(np.isfinite(size) & (size > 0)):
        raise BayescaleError(f"P must be finite and > 0, got {size.tolist()}")
    elasticity = 1.0 / (1.0 + q * size / p0)
    prob = np.mean(elasticity > 0.5, axis=0)
    return pd.DataFrame({"P": size, "elasticity": np.median(elasticity, axis=0),
                         "power_exponent": np.full(size.shape, float(np.median(1.0 / q))),
                         "prob_exponential": prob,
                         "regime": np.where(prob > 0.5, "exponential", "power law")})

