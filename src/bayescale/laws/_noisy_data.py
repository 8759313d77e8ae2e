"""Clean and noisy data: the exchange rate of a noisy sample (Daras et al. 2024).

"How much is a noisy image worth? Data scaling laws for Ambient Diffusion" (Daras,
Cherapanamjeri, Daskalakis 2024, arXiv 2411.02780; LAWS.md section 14a) trains over 80
diffusion models on mixtures of clean images and images with Gaussian noise of standard
deviation ``sigma`` (pixels in [-1, 1]; ``sigma = 0.2`` is 14.15 dB SNR), 30k to 1.3M
images, FID as the metric. Its findings [P] (``giannisdaras/ambient-laws`` README, commit
``0d6c349b``): a small clean set (10% of the data) plus a large noisy set reaches the
performance of an all-clean set of similar size; at 14.15 dB on ImageNet one clean image
is worth between 1.5 and 1.75 noisy ones. The paper fits no parametric law.

The law prices a noisy sample by an effective data size (LAWS.md's exchange-rate form):

``D_eff = D_clean + w(sigma) D_noisy``, ``y = E + A D_eff^-alpha``,
``w(sigma) = 1 / (1 + (sigma / sigma_50)^k)``.

The utility ``w`` is a logistic in ``log sigma``: 1 for clean data, 1/2 at
``sigma_50`` (the noise at which a noisy sample is worth half a clean one), falling as
``sigma^-k`` beyond. The form is the information a noisy sample carries: for a signal of
scale ``s`` observed with Gaussian noise ``sigma``, the Fisher information about its
location is ``1 / (s^2 + sigma^2)`` against ``1 / s^2`` when clean, so ``w = 1 / (1 +
(sigma / s)^2)``, this law with ``k = 2`` and ``sigma_50 = s``. Learning higher-order
structure (a covariance: information falling as ``sigma^-4``) makes the utility fall
faster, ``k > 2``; ``k`` is fitted. ``1 / w = 1 + (sigma / sigma_50)^k`` is the exchange
rate, answered with intervals by :func:`noisy_worth`. Fit with
``target_accept_prob=0.95``: ``E``, ``A`` and ``alpha`` share a ridge, and at the default
0.8 a quarter of simulated studies gave divergent transitions (3 in 100, one each, at
0.95; ``benchmarks/bench_literature_laws.py --only noisy``).

Scope: the law needs some clean data (``D_clean > 0``; ``D_noisy`` and ``sigma`` may be
0). The paper finds that noisy data alone do much worse than any fixed exchange rate says
(its theory: the marginal utility of noisy samples becomes exponentially worse for large
sets without a clean anchor); such runs are outside this law.

Reference values (:data:`NOISY_DATA`), a design choice since the paper publishes no
constants: the Fisher form ``k = 2`` with ``sigma_50 = 0.25`` puts the price at 14.15 dB
inside the published band, and ``E = 1.5, A = 100, alpha = 0.5`` give CIFAR-10-like FIDs
(about 1.95 at 50k clean images). Then [C]: ``1 / w(0.2) = 1.64`` (published: 1.5-1.75);
``1 / w`` = 1.04, 1.16, 3.56 at ``sigma`` = 0.05, 0.1, 0.4; FID 1.9472 for 50k clean,
2.9142 for the 10% alone (5k clean) and 2.0552 for 5k clean plus 45k noisy at 0.2: the
mixture is within 5.5% of the all-clean set, the clean tenth alone 50% worse.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.nn import softplus

from bayescale._errors import BayescaleError
from bayescale._quantiles import quantile_frame
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish, saturating_start
from bayescale.laws._law import Law, Param
from bayescale.laws._query import input_grid, param_draws
from bayescale.laws._scale_prior import around_input
from bayescale.priors import Prior

__all__ = ["NOISY_DATA", "noisy_data", "noisy_worth"]

#: Reference values (a design choice, see the module docstring): FID against images.
NOISY_DATA = {"E": 1.5, "A": 100.0, "alpha": 0.5, "sigma_50": 0.25, "k": 2.0}


def _safe_log(v):
    return jnp.log(jnp.where(v > 0, v, 1.0))


def _log_utility(p, sigma):
    """``log w(sigma) = -softplus(k log(sigma / sigma_50))``; 0 at ``sigma = 0``."""
    z = p["k"] * (_safe_log(sigma) - jnp.log(p["sigma_50"]))
    return jnp.where(sigma > 0, -softplus(z), 0.0)


def _nd_log(p, x):
    noisy = _log_utility(p, x["sigma"]) + _safe_log(x["D_noisy"])
    log_eff = jnp.logaddexp(jnp.log(x["D_clean"]),
                            jnp.where(x["D_noisy"] > 0, noisy, -jnp.inf))
    return jnp.logaddexp(jnp.log(p["E"]), jnp.log(p["A"]) - p["alpha"] * log_eff)


def _nd_guess(inputs, y):
    dc, dn, sigma = (np.asarray(inputs[k], dtype=float) for k in ("D_clean", "D_noisy",
                                                                  "sigma"))
    y = np.asarray(y, dtype=float)
    clean = dn == 0
    if np.sum(clean) >= 3:
        e, a, alpha = saturating_start(dc[clean], y[clean])
    else:
        e, a, alpha = saturating_start(dc + 0.5 * dn, y)
    noisy = sigma[(sigma > 0) & (dn > 0)]
    scales = np.quantile(noisy, [0.25, 0.75]) if noisy.size else np.array([1.0])
    starts = [dict(NOISY_DATA)]
    for s50 in scales:
        for k in (1.0, 2.0, 4.0):
            starts.append({"E": max(e, 0.05 * float(np.min(y))), "A": a,
                           "alpha": alpha, "sigma_50": float(s50), "k": k})
    return polish(noisy_data, inputs, y, starts)


noisy_data = Law(
    name="noisy_data",
    params=(
        Param("E", "positive", P.irreducible, doc="irreducible metric (FID or loss)"),
        Param("A", "positive", P.amplitude, amplitude_of=("D_clean", "alpha", -1.0),
              doc="amplitude of the power law in the effective data size"),
        Param("alpha", "positive", P.exponent(0.3), doc="data exponent"),
        Param("sigma_50", "positive", around_input("sigma"), scale_of="sigma",
              doc="noise level at which a noisy sample is worth half a clean one"),
        Param("k", "positive", Prior("LogNormal", float(np.log(2.0)), 1.0),
              doc="steepness: the utility falls as sigma**-k (2: Fisher information "
                  "of a location)"),
    ),
    inputs=("D_clean", "D_noisy", "sigma"),
    fn=lambda p, x: jnp.exp(_nd_log(p, x)),
    log_fn=_nd_log,
    guess=_nd_guess,
    formula=("y = E + A * (D_clean + D_noisy / (1 + (sigma / sigma_50)**k))**-alpha"),
    positive_inputs=("D_clean",),
    description=("Daras et al. (2024) 'How much is a noisy image worth?': a metric "
                 "against an effective data size D_clean + w(sigma) D_noisy, the utility "
                 "w = 1 / (1 + (sigma / sigma_50)**k) of a sample with noise sigma "
                 "falling from 1 (clean); needs some clean data. "
                 "bayescale.laws.noisy_worth gives the exchange rate 1 / w, with "
                 "intervals."),
)


def noisy_worth(sigma: Any, params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """How many noisy samples at noise ``sigma`` one clean sample is worth: ``1 / w``.

    ``1 / w(sigma) = 1 + (sigma / sigma_50)^k``: a clean sample buys the same
    effective data as that many noisy ones.

    Parameters
    ----------
    sigma : array_like
        Noise levels (the unit the law was fitted in), >= 0.
    params : mapping or Fit, optional
        The reference values :data:`NOISY_DATA` by default; a ``noisy_data`` fit (or
        its posterior draws) for intervals.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``sigma``, then ``mean``, ``median``, ``lower``, ``upper`` of ``1 / w``.

    Examples
    --------
    >>> from bayescale.laws import noisy_worth
    >>> round(float(noisy_worth(0.2)["median"].iloc[0]), 2)
    1.64
    """
    p = param_draws(params, NOISY_DATA, ("sigma_50", "k"), "noisy_data")
    x = input_grid(sigma=sigma)
    if not np.all(np.isfinite(x["sigma"]) & (x["sigma"] >= 0)):
        raise BayescaleError(f"sigma must be finite and >= 0, got {x['sigma'].tolist()}")
    rate = 1.0 + (x["sigma"] / p["sigma_50"]) ** p["k"]
    return quantile_frame(x, rate, ci_prob)
