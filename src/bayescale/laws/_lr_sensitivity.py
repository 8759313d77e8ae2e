"""Learning-rate sensitivity across scales (after Wortsman et al. 2023).

"Small-scale proxies for large-scale Transformer training instabilities" (Wortsman et
al. 2023, arXiv 2309.14322) sweeps the learning rate at each model size and reads the
final loss as a basin in ``log eta``: its bottom (the best loss), where the bottom is
(the optimal learning rate) and how steep the walls are (LR sensitivity). This law
models the basin as a parabola in ``log eta`` whose three features scale with ``N``:

``L(eta, N) = L*(N) + s(N) (log eta - log eta*(N))^2``,
``L*(N) = A N^-alpha``, ``eta*(N) = eta_c N^-beta``, ``s(N) = s_c N^gamma``.

``s`` is the loss added per squared e-fold of learning-rate error: a learning rate
``e`` (2.7) times too large or too small costs ``s`` nats. A quadratic in log LR is the
second-order expansion of any smooth basin around its optimum (the paper's curves are
close to parabolic in log LR near the optimum; far from it loss curves flatten or
diverge, so fit a window around the optimum). The paper's headline findings are
qualitative (without qk-layernorm and z-loss the sensitivity grows with ``N``; the
optimal learning rate falls with ``N``), so the reference values below are a design
choice, not published fits:

``L*`` is Kaplan's ``L(N) = (8.8e13 / N)^0.076`` (``A = 11.475``, ``alpha = 0.076``);
``eta*(1e8) = 3.0e-3`` falling as ``N^-0.3`` (``eta_c = 0.754``); ``s(1e8) = 0.05``
growing as ``N^0.1`` (``s_c = 0.00792``). Then [C]: ``eta*(1e9) = 1.504e-3``,
``s(1e9) = 0.0629``, ``L*(1e9) = 2.3756``, and ``eta = 3e-3`` at ``N = 1e9`` (twice the
optimum) loses ``0.0629 (log 2)^2 = 0.0302`` nats (1.27%).

Queries, with intervals from posterior draws: :func:`lr_optimum`,
:func:`lr_sensitivity_at`, :func:`lr_within_prob` (the probability that a learning
rate is within ``x`` of the best loss at a size) and :func:`lr_window`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale._quantiles import quantile_frame
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.laws._query import input_grid, param_draws
from bayescale.priors import DataStats, Prior

__all__ = ["LR_SENSITIVITY", "lr_optimum", "lr_sensitivity", "lr_sensitivity_at",
           "lr_window", "lr_within_prob"]

#: Reference values (a design choice, see the module docstring), N in parameters.
LR_SENSITIVITY = {"A": 8.8e13 ** 0.076, "alpha": 0.076, "eta_c": 3e-3 * 1e8 ** 0.3,
                  "beta": 0.3, "s_c": 0.05 / 1e8 ** 0.1, "gamma": 0.1}


def _parts(p, x):
    log_best = jnp.log(p["A"]) - p["alpha"] * jnp.log(x["N"])
    log_s = jnp.log(p["s_c"]) + p["gamma"] * jnp.log(x["N"])
    miss = jnp.log(x["eta"]) - jnp.log(p["eta_c"]) + p["beta"] * jnp.log(x["N"])
    return log_best, log_s, miss


def _ls_log(p, x):
    log_best, log_s, miss = _parts(p, x)
    return log_best + jnp.log1p(jnp.exp(log_s - log_best) * miss ** 2)


def _ls_guess(inputs, y):
    eta, n = (np.asarray(inputs[k], dtype=float) for k in ("eta", "N"))
    y = np.asarray(y, dtype=float)
    ymin, ymed = float(np.min(y)), float(np.median(y))
    n0 = float(np.exp(np.mean(np.log(n))))
    eta0 = float(eta[np.argmin(y)])
    spread = max(float(np.mean((np.log(eta) - math.log(eta0)) ** 2)), 1e-2)
    starts = [dict(LR_SENSITIVITY)]
    for alpha in (0.05, 0.15):
        for beta in (0.0, 0.3, 0.7):
            for gamma in (-0.1, 0.1):
                starts.append({"A": 0.95 * ymin * n0 ** alpha, "alpha": alpha,
                               "eta_c": eta0 * n0 ** beta, "beta": beta,
                               "s_c": max(ymed - ymin, 1e-3 * ymin) / spread / n0 ** gamma,
                               "gamma": gamma})
    return polish(lr_sensitivity, inputs, y, starts)


def _eta_prior(stats: DataStats) -> Prior:
    # the optimum at the data's geometric-mean size: near the swept learning rates
    return Prior("LogNormal", stats.log_x0["eta"], 2.0 * stats.log_x_halfspan["eta"] + 1.0,
                 at_pivot=True)


def _s_prior(stats: DataStats) -> Prior:
    # the walls rise by about the loss's spread over the swept log-LR half-span
    return Prior("LogNormal", jnp.log(stats.y_scale) - 2.0 * jnp.log(
        stats.log_x_halfspan["eta"]), 3.0, at_pivot=True)


lr_sensitivity = Law(
    name="lr_sensitivity",
    params=(
        Param("A", "positive", P.amplitude, amplitude_of=("N", "alpha", -1.0),
              doc="amplitude of the best loss L*(N) = A N**-alpha (reference 11.475)"),
        Param("alpha", "positive", P.exponent(0.1), doc="exponent of the best loss (0.076)"),
        Param("eta_c", "positive", _eta_prior, amplitude_of=("N", "beta", -1.0),
              doc="optimal-LR amplitude: eta*(N) = eta_c N**-beta (0.754)"),
        Param("beta", "real", Prior("Normal", 0.3, 0.5),
              doc="optimal-LR exponent: eta* falls as N**-beta (0.3)"),
        Param("s_c", "positive", _s_prior, amplitude_of=("N", "gamma", 1.0),
              doc="sensitivity amplitude: s(N) = s_c N**gamma, nats per squared e-fold"),
        Param("gamma", "real", Prior("Normal", 0.0, 0.5),
              doc="sensitivity exponent (> 0: larger models are more LR-sensitive; 0.1)"),
    ),
    inputs=("eta", "N"),
    fn=lambda p, x: jnp.exp(_ls_log(p, x)),
    log_fn=_ls_log,
    guess=_ls_guess,
    formula=("L = A N**-alpha + s_c N**gamma (log(eta) - log(eta_c N**-beta))**2"),
    description=("Learning-rate basin across model sizes (after Wortsman et al. 2023, "
                 "'Small-scale proxies for large-scale Transformer training "
                 "instabilities'): final loss against peak learning rate eta per size N, "
                 "a parabola in log eta with power laws in N for the best loss, the "
                 "optimal LR and the curvature (sensitivity). Queries: lr_optimum, "
                 "lr_sensitivity_at, lr_within_prob, lr_window."),
)


# ---- queries -----------------------------------------------------------------------------------

def _draws(params: Any) -> dict[str, np.ndarray]:
    return param_draws(params, LR_SENSITIVITY, tuple(LR_SENSITIVITY), "lr_sensitivity")


def lr_optimum(N: Any, params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """The optimal learning rate ``eta*(N) = eta_c N^-beta`` at model sizes ``N``.

    Parameters
    ----------
    N : array_like
        Model sizes (the unit the law was fitted in).
    params : mapping or Fit, optional
        Reference values by default; an ``lr_sensitivity`` fit (or its posterior) for
        intervals.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``N``, then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import lr_optimum
    >>> f"{float(lr_optimum(1e9)['median'].iloc[0]):.4g}"
    '0.001504'
    """
    p, x = _draws(params), input_grid(N=N)
    return quantile_frame(x, p["eta_c"] * x["N"] ** (-p["beta"]), ci_prob)


def lr_sensitivity_at(N: Any, params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """The sensitivity ``s(N) = s_c N^gamma``: loss added per squared e-fold of LR error.

    Parameters
    ----------
    N : array_like
        Model sizes.
    params : mapping or Fit, optional
        Reference values by default, or posterior draws.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``N``, then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import lr_sensitivity_at
    >>> round(float(lr_sensitivity_at(1e9)["median"].iloc[0]), 4)
    0.0629
    """
    p, x = _draws(params), input_grid(N=N)
    return quantile_frame(x, p["s_c"] * x["N"] ** p["gamma"], ci_prob)


def _excess(p: Mapping[str, np.ndarray], eta: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Relative excess loss ``L(eta, N) / L*(N) - 1`` per draw."""
    best = p["A"] * n ** (-p["alpha"])
    miss = np.log(eta) - np.log(p["eta_c"]) + p["beta"] * np.log(n)
    return p["s_c"] * n ** p["gamma"] * miss ** 2 / best


def lr_within_prob(eta: Any, N: Any, within: float = 0.01,
                   params: Any = None) -> pd.DataFrame:
    """Probability that learning rate ``eta`` at size ``N`` is within ``within`` of the best.

    ``P(L(eta, N) <= (1 + within) L*(N))`` over the posterior draws: the share of draws in
    which the loss at ``eta`` exceeds the best loss at that size by at most the fraction
    ``within`` (0.01: 1%).

    Parameters
    ----------
    eta : array_like
        Learning rates.
    N : array_like
        Model sizes (broadcast with ``eta``).
    within : float, default 0.01
        Tolerated relative excess loss, > 0.
    params : mapping or Fit, optional
        Reference values by default (probabilities 0 or 1), or posterior draws.

    Returns
    -------
    DataFrame
        ``eta``, ``N``, ``excess`` (posterior-median relative excess loss) and ``prob``.

    Examples
    --------
    >>> from bayescale.laws import lr_within_prob
    >>> lr_within_prob([1.5e-3, 3e-3], 1e9, within=0.01)["prob"].tolist()
    [1.0, 0.0]
    """
    if not (isinstance(within, int | float) and within > 0):
        raise BayescaleError(f"within must be a number > 0 (0.01 = 1%), got {within!r}")
    p, x = _draws(params), input_grid(eta=eta, N=N)
    excess = _excess(p, x["eta"], x["N"])
    out = pd.DataFrame(x)
    out["excess"] = np.median(excess, axis=0)
    out["prob"] = np.mean(excess <= within, axis=0)
    return out


def lr_window(N: Any, within: float = 0.01, params: Any = None, *,
              ci_prob: float = 0.9) -> pd.DataFrame:
    """The learning rates within ``within`` of the best loss: ``eta* exp(+-w)``.

    ``w = sqrt(within L*(N) / s(N))`` e-folds either side of the optimum.

    Parameters
    ----------
    N : array_like
        Model sizes.
    within : float, default 0.01
        Tolerated relative excess loss, > 0.
    params : mapping or Fit, optional
        Reference values by default, or posterior draws.
    ci_prob : float, default 0.9
        Mass of the equal-tailed intervals.

    Returns
    -------
    DataFrame
        ``N``, ``low_median``, ``low_lower``, ``low_upper``, ``high_median``,
        ``high_lower``, ``high_upper``: the window's ends with intervals.

    Examples
    --------
    >>> from bayescale.laws import lr_window
    >>> w = lr_window(1e9, within=0.01)
    >>> f"{w['low_median'].iloc[0]:.3g}", f"{w['high_median'].iloc[0]:.3g}"
    ('0.000813', '0.00278')
    """
    if not (isinstance(within, int | float) and within > 0):
        raise BayescaleError(f"within must be a number > 0 (0.01 = 1%), got {within!r}")
    p, x = _draws(params), input_grid(N=N)
    best = p["A"] * x["N"] ** (-p["alpha"])
    half = np.sqrt(within * best / (p["s_c"] * x["N"] ** p["gamma"]))
    centre = np.log(p["eta_c"]) - p["beta"] * np.log(x["N"])
    out = pd.DataFrame(x)
    for end, sign in (("low", -1.0), ("high", 1.0)):
        q = quantile_frame(x, np.exp(centre + sign * half), ci_prob)
        for col in ("median", "lower", "upper"):
            out[f"{end}_{col}"] = q[col].to_numpy()
    return out
