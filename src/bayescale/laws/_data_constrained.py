"""Data-constrained scaling (Muennighoff et al. 2023): what repeated data is worth.

``L = E + A / N'^alpha + B / D'^beta`` with effective data and parameters

* ``D' = U + U R*_D (1 - exp(-R_D / R*_D))``, ``R_D = D / U - 1`` repetitions of the ``U``
  unique tokens (so ``D' -> U (1 + R*_D)``: repeated tokens are worth less and less;
  ``U`` larger than ``D`` counts as ``D``);
* ``N' = U_N + U_N R*_N (1 - exp(-R_N / R*_N))``, ``R_N = N / U_N - 1`` with
  ``U_N = min(N, N_opt(U))``, the compute-optimal size for ``U`` tokens under the law's own
  Chinchilla allocation, ``N_opt(U) = G (U G)^(beta / alpha)``,
  ``G = (alpha A / (beta B))^(1 / (alpha + beta))`` (parameters beyond ``U_N`` are
  "excess" and decay in value the same way).

Published fit (C4, paper Eq. 5 and the authors' repository): E = 1.87, A = 521, B = 1488,
alpha = beta = 0.353, R*_D = 15.4, R*_N = 5.3.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax.nn import logsumexp

from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["DATA_CONSTRAINED", "data_constrained", "effective_data", "effective_params"]

#: Published constants (Muennighoff et al. 2023; unrounded values of the authors' fit:
#: a = 6.255414, b = 7.3049974, e = 0.6254804, alpha = beta = 0.3526596,
#: R*_D = 15.387756, R*_N = 5.309743).
DATA_CONSTRAINED = {"E": math.exp(0.6254804), "A": math.exp(6.255414),
                    "B": math.exp(7.3049974), "alpha": 0.3526596, "beta": 0.3526596,
                    "R_D_star": 15.387756, "R_N_star": 5.309743}


def _log_effective(log_u, log_total, r_star):
    """log(U + U R* (1 - exp(-R / R*))), R = total / U - 1 (U <= total, so R >= 0)."""
    reps = jnp.expm1(jnp.maximum(log_total - log_u, 0.0))
    return log_u + jnp.log1p(-r_star * jnp.expm1(-reps / r_star))


def _log_unique_params(p, log_n, log_u):
    log_g = (jnp.log(p["alpha"] * p["A"]) - jnp.log(p["beta"] * p["B"])) / (
        p["alpha"] + p["beta"])
    log_nopt = log_g + p["beta"] / p["alpha"] * (log_u + log_g)
    return jnp.minimum(log_n, log_nopt)


def _dc_log(p, x):
    log_n, log_d = jnp.log(x["N"]), jnp.log(x["D"])
    log_u = jnp.minimum(jnp.log(x["U"]), log_d)  # fewer tokens seen than available: U = D
    log_un = _log_unique_params(p, log_n, log_u)
    log_np = _log_effective(log_un, log_n, p["R_N_star"])
    log_dp = _log_effective(log_u, log_d, p["R_D_star"])
    terms = jnp.broadcast_arrays(jnp.log(p["E"]), jnp.log(p["A"]) - p["alpha"] * log_np,
                                 jnp.log(p["B"]) - p["beta"] * log_dp)
    return logsumexp(jnp.stack(terms), axis=0)


def _dc_guess(inputs, y):
    ymin = float(np.min(y))
    starts = [dict(DATA_CONSTRAINED)]
    for e_frac in (0.6, 0.85):
        for ab in (0.3, 0.4):
            for rd, rn in ((15.0, 5.0), (5.0, 2.0), (40.0, 15.0)):
                starts.append({"E": e_frac * ymin, "A": 500.0 * 10 ** (8 * (ab - 0.35)),
                               "alpha": ab, "B": 1500.0 * 10 ** (9 * (ab - 0.35)),
                               "beta": ab, "R_D_star": rd, "R_N_star": rn})
    return polish(data_constrained, inputs, y, starts)


data_constrained = Law(
    name="data_constrained",
    params=(
        Param("E", "positive", P.irreducible, doc="irreducible loss"),
        Param("A", "positive", P.amplitude, amplitude_of=("N", "alpha", -1.0),
              doc="model-size amplitude"),
        Param("alpha", "positive", P.exponent(), doc="model-size exponent"),
        Param("B", "positive", P.amplitude, amplitude_of=("D", "beta", -1.0),
              doc="data amplitude"),
        Param("beta", "positive", P.exponent(), doc="data exponent"),
        Param("R_D_star", "positive", Prior("LogNormal", math.log(10.0), 1.5),
              doc="R*_D: repetitions after which repeated data has lost 1 - 1/e of its value"),
        Param("R_N_star", "positive", Prior("LogNormal", math.log(5.0), 1.5),
              doc="R*_N: the same for excess parameters"),
    ),
    inputs=("N", "D", "U"),
    fn=lambda p, x: jnp.exp(_dc_log(p, x)),
    log_fn=_dc_log,
    guess=_dc_guess,
    formula=("L = E + A / N'**alpha + B / D'**beta, "
             "D' = U + U R_D_star (1 - exp(-(D/U - 1) / R_D_star)), "
             "N' = U_N + U_N R_N_star (1 - exp(-(N/U_N - 1) / R_N_star)), "
             "U_N = min(N, N_opt(U))"),
    description=("Muennighoff et al. (2023) data-constrained law: N parameters, D tokens "
                 "seen, U unique tokens (D / U epochs); published E = 1.87, A = 521, "
                 "B = 1488, alpha = beta = 0.353, R*_D = 15.4, R*_N = 5.3."),
)


def effective_data(D, U, R_D_star: float = DATA_CONSTRAINED["R_D_star"]) -> np.ndarray:
    """Effective unique tokens ``D'`` of ``D`` tokens drawn from ``U`` unique ones.

    Parameters
    ----------
    D, U : array_like
        Tokens seen and unique tokens (broadcast).
    R_D_star : float or array
        ``R*_D`` (published 15.4 by default; pass posterior draws for a posterior).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from bayescale.laws import effective_data
    >>> round(float(effective_data(4e9, 1e9)) / 1e9, 3)  # 4 epochs ~ 3.7 epochs of fresh data
    3.726
    """
    log_d = jnp.log(jnp.asarray(D, dtype=float))
    out = _log_effective(jnp.minimum(jnp.log(jnp.asarray(U, dtype=float)), log_d), log_d,
                         jnp.asarray(R_D_star, dtype=float))
    return np.exp(np.asarray(out))


def effective_params(N, U, params=None) -> np.ndarray:
    """Effective parameters ``N'`` of an ``N``-parameter model trained on ``U`` unique tokens.

    Parameters
    ----------
    N, U : array_like
        Parameters and unique tokens.
    params : mapping, optional
        ``A, B, alpha, beta, R_N_star`` (published by default).

    Returns
    -------
    ndarray
    """
    p = {k: jnp.asarray(v, dtype=float) for k, v in (params or DATA_CONSTRAINED).items()}
    log_n, log_u = jnp.log(jnp.asarray(N, dtype=float)), jnp.log(jnp.asarray(U, dtype=float))
    log_un = _log_unique_params(p, log_n, log_u)
    return np.exp(np.asarray(_log_effective(log_un, log_n, p["R_N_star"])))
