"""The remaining classic loss laws: Kaplan's single-variable forms, Henighan, Hestness.

* ``kaplan_n``, ``kaplan_d``, ``kaplan_c``: Kaplan et al. (2020), ``L(X) = (X_c / X)^alpha_X``
  with no irreducible term (LAWS.md section 1a).
* ``henighan``: Henighan et al. (2020), ``L(x) = L_inf + (x_0 / x)^alpha``; the reducible
  loss ``L - L_inf`` is available from any fit through :func:`reducible_loss`.
* ``hestness``: a three-region learning curve (Hestness et al. 2017, section 13), flat at
  the best-guess error for small data, a power law in the middle, flat at the irreducible
  error for large data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.nn import softplus

from bayescale._errors import BayescaleError
from bayescale._quantiles import quantile_frame
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish, saturating_start
from bayescale.laws._law import Law, Param, resolve_inputs
from bayescale.laws._scale_prior import around_input
from bayescale.priors import DataStats, Prior

__all__ = [
    "henighan",
    "hestness",
    "hestness_regions",
    "kaplan_c",
    "kaplan_d",
    "kaplan_n",
    "reducible_loss",
]


# ---- Kaplan et al. (2020): L(X) = (X_c / X)^alpha_X -------------------------------------------

def _kaplan(input_name: str, scale: str, expo: str, c_prior: float, alpha0: float,
            unit: str, ref: str) -> Law:
    def log_fn(p, x):
        return p[expo] * (jnp.log(p[scale]) - jnp.log(x[input_name]))

    def guess(inputs, y):
        lx = np.log(np.asarray(inputs[input_name], dtype=float))
        slope, icpt = np.polyfit(lx, np.log(y), 1)
        alpha = float(max(-slope, 1e-4))
        start = {scale: float(np.exp(icpt / alpha)), expo: alpha}
        return polish(law, inputs, y, [start])

    law = Law(
        name=f"kaplan_{input_name.lower()}",
        params=(
            Param(scale, "positive", Prior("LogNormal", math.log(c_prior), 5.0),
                  scale_of=input_name, doc=f"scale constant: the {unit} at which L = 1"),
            Param(expo, "positive", P.exponent(alpha0), doc="power-law exponent"),
        ),
        inputs=(input_name,),
        fn=lambda p, x: jnp.exp(log_fn(p, x)),
        log_fn=log_fn,
        guess=guess,
        formula=f"L = ({scale} / {input_name})**{expo}",
        description=(f"Kaplan et al. (2020) {ref}: a pure power law without an irreducible "
                     f"term; {input_name} in {unit}."),
    )
    return law


kaplan_n = _kaplan("N", "N_c", "alpha_N", 1e13, 0.08, "non-embedding parameters",
                   "Eq. 1.1, model-limited L(N) (N_c ~ 8.8e13, alpha_N ~ 0.076)")
kaplan_d = _kaplan("D", "D_c", "alpha_D", 1e13, 0.1, "tokens",
                   "Eq. 1.2, data-limited L(D) (D_c ~ 5.4e13, alpha_D ~ 0.095)")
kaplan_c = _kaplan("C", "C_c", "alpha_C", 1e8, 0.05, "PF-days",
                   "Eq. 1.3, compute-limited L(C_min) (C_c ~ 3.1e8 PF-days, alpha_C ~ 0.050)")


# ---- Henighan et al. (2020): L = L_inf + (x_0 / x)^alpha -------------------------------------

def _below_min(stats: DataStats) -> Prior:
    """Flat on (0, min y): the irreducible loss lies below every observation."""
    return Prior("Uniform", 0.0, stats.y_min)


def _hen_log(p, x):
    return jnp.logaddexp(jnp.log(p["L_inf"]),
                         p["alpha"] * (jnp.log(p["x_0"]) - jnp.log(x["x"])))


def _hen_guess(inputs, y):
    xx = np.asarray(inputs["x"], dtype=float)
    e, a, alpha = saturating_start(xx, np.asarray(y))
    ymin = float(np.min(y))
    starts = []
    for e0 in (min(max(e, 1e-3 * ymin), 0.999 * ymin), 0.5 * ymin, 0.9 * ymin):
        starts.append({"L_inf": e0, "x_0": float(a ** (1 / alpha)), "alpha": alpha})
    return polish(henighan, inputs, y, starts)


henighan = Law(
    name="henighan",
    params=(
        Param("L_inf", "positive", _below_min,
              doc="irreducible loss (entropy of the data); prior flat below min(y)"),
        Param("x_0", "positive", Prior("LogNormal", math.log(1e4), 10.0), scale_of="x",
              doc="scale at which the reducible loss is 1"),
        Param("alpha", "positive", P.exponent(0.2), doc="exponent of the reducible loss"),
    ),
    inputs=("x",),
    fn=lambda p, x: jnp.exp(_hen_log(p, x)),
    log_fn=_hen_log,
    guess=_hen_guess,
    formula="L = L_inf + (x_0 / x)**alpha",
    description=("Henighan et al. (2020) power law plus constant. L_inf estimates the data "
                 "entropy and (x_0/x)^alpha the reducible loss, D_KL(true || model); "
                 "bayescale.laws.reducible_loss(fit, x=...) gives its posterior."),
)


# ---- Hestness et al. (2017): three regions ----------------------------------------------------

def _hes_log(p, x):
    # log(1 + x/m_0) = softplus(log x - log m_0), stable at both ends
    red = jnp.log(p["delta"]) - p["beta"] * softplus(jnp.log(x["x"]) - jnp.log(p["m_0"]))
    return jnp.logaddexp(jnp.log(p["gamma"]), red)


def _hes_guess(inputs, y):
    xx = np.asarray(inputs["x"], dtype=float)
    y = np.asarray(y, dtype=float)
    ymin, ymax = float(np.min(y)), float(np.max(y))
    starts = []
    for g in (0.5, 0.9):
        for q in (0.05, 0.2, 0.5):
            for b in (0.2, 0.5):
                starts.append({"gamma": g * ymin, "delta": 1.1 * ymax - g * ymin,
                               "m_0": float(np.quantile(xx, q)), "beta": b})
    return polish(hestness, inputs, y, starts)


hestness = Law(
    name="hestness",
    params=(
        Param("gamma", "positive", P.irreducible,
              doc="irreducible error (large-data plateau)"),
        Param("delta", "positive", P.wide_positive,
              doc="best-guess error minus gamma (small-data plateau is gamma + delta)"),
        Param("m_0", "positive", around_input("x"), scale_of="x",
              doc="end of the small-data region (training-set size)"),
        Param("beta", "positive", P.exponent(0.3),
              doc="power-law exponent of the middle region (beta_g = -beta)"),
    ),
    inputs=("x",),
    fn=lambda p, x: jnp.exp(_hes_log(p, x)),
    log_fn=_hes_log,
    guess=_hes_guess,
    formula="eps = gamma + delta * (1 + x / m_0)**(-beta)",
    description=("Hestness et al. (2017) learning curve with its three regions: small-data "
                 "plateau at gamma + delta (x << m_0), power law delta (x/m_0)^-beta, "
                 "irreducible plateau gamma. The smooth form is a design choice (LAWS.md "
                 "section 13); see bayescale.laws.hestness_regions for the boundaries."),
)


def hestness_regions(params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Boundaries of the three Hestness regions, for fixed values or posterior draws.

    ``small_data_end = m_0`` (the curve leaves the best-guess plateau) and
    ``irreducible_start`` = the size at which the power-law term has fallen to the
    irreducible error, ``delta (1 + x/m_0)^-beta = gamma``, i.e.
    ``m_0 ((delta / gamma)^(1/beta) - 1)`` (0 when ``delta <= gamma``).

    Parameters
    ----------
    params : mapping
        ``gamma``, ``delta``, ``m_0``, ``beta`` (scalars or arrays of draws, e.g.
        ``fit.posterior``).

    Returns
    -------
    dict of str to ndarray
        ``small_data_end`` and ``irreducible_start``.
    """
    g, d, m0, b = (np.asarray(params[k], dtype=float) for k in ("gamma", "delta", "m_0", "beta"))
    with np.errstate(over="ignore"):
        start = m0 * np.maximum(np.expm1(np.log(d / g) / b), 0.0)
    return {"small_data_end": m0, "irreducible_start": start}


# ---- the reducible loss of any fit ------------------------------------------------------------

#: Name of the irreducible-level parameter of the laws that have one.
FLOORS = {"henighan": "L_inf", "saturating_power": "E", "chinchilla": "E", "hestness": "gamma",
          "bnsl": "a", "m4": "eps_inf", "lr_anneal": "L0", "data_constrained": "E",
          "fp_quant": "eps"}


def reducible_loss(fit: Any, *, floor: str | None = None, ci_prob: float = 0.9,
                   **inputs: Any):
    """Posterior of the reducible loss ``L(x) - L_inf`` at new inputs.

    For ``henighan`` this is ``(x_0 / x)^alpha``, the KL divergence between the data and
    the model (Henighan et al. 2020), the quantity that should follow a pure power law.

    Parameters
    ----------
    fit : Fit
        A fit of a law with an irreducible-level parameter.
    floor : str, optional
        Name of that parameter; known for the built-in laws (``L_inf``, ``E``, ``gamma``,
        ...).
    ci_prob : float
        Mass of the equal-tailed interval.
    **inputs
        Values of every input (by data column or law input name), as for ``fit.predict``.

    Returns
    -------
    DataFrame
        Input columns, then ``mean``, ``median``, ``lower``, ``upper`` of ``L - L_inf``.

    Examples
    --------
    >>> import bayescale as bs
    >>> fit = bs.fit(df, "henighan", x="N", y="loss")  # doctest: +SKIP
    >>> bs.laws.reducible_loss(fit, N=[1e9, 1e10])  # doctest: +SKIP
    """
    name = floor or FLOORS.get(fit.law.name)
    if name is None or name not in fit.law.param_names:
        raise BayescaleError(
            f"law {fit.law.name!r} has no known irreducible-level parameter; name it with "
            f"floor=..., one of {list(fit.law.param_names)}")
    mean = fit.predict_draws(kind="mean", **inputs)
    level = np.asarray(fit.posterior[name]).reshape(-1, 1)
    _, by_col = resolve_inputs(fit.law, fit.x, inputs)
    return quantile_frame(by_col, mean - level, ci_prob)
