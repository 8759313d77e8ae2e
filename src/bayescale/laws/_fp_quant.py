"""Floating-point quantisation training law (Sun et al. 2025, the "Capybara" law).

``L(N, D, E, M, B) = n / N^alpha + d / D^beta + eps
+ (D^beta / N^alpha) * log2(B) / (gamma * (E + 0.5)^delta * (M + 0.5)^nu)``

with ``E`` exponent bits, ``M`` mantissa bits and ``B`` the block size of the scaling
factor (LAWS.md section 10). The first three terms are the BF16 Chinchilla-style law; the
last is the precision penalty, "knowledge intensity" ``D^beta / N^alpha`` times the
low-precision information loss. ``gamma`` divides the penalty (the reading under which
the published ``gamma ~ 1.1e4`` gives sensible losses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.nn import logsumexp

from bayescale._errors import BayescaleError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["FP_QUANT", "fp_best_layout", "fp_critical_data", "fp_quant"]

#: Published constants (Sun et al. 2025, Table 2).
FP_QUANT = {"n": 69.2343, "alpha": 0.2368, "d": 68973.0621, "beta": 0.5162, "eps": 1.9061,
            "gamma": 11334.5197, "delta": 3.1926, "nu": 2.9543}


def _bits(v):
    # E, M < 0 have no meaning; clamp so that (E + 0.5) stays positive
    return jnp.maximum(v, 0.0) + 0.5


def _log_penalty(p, x):
    # B < 2 (no blocking finer than one element) gives log2(B) <= 0: no penalty
    log2b = jnp.log2(jnp.maximum(x["B"], 1.0))
    return (p["beta"] * jnp.log(x["D"]) - p["alpha"] * jnp.log(x["N"]) + jnp.log(log2b)
            - jnp.log(p["gamma"]) - p["delta"] * jnp.log(_bits(x["E"]))
            - p["nu"] * jnp.log(_bits(x["M"])))


def _fp_log(p, x):
    terms = jnp.broadcast_arrays(
        jnp.log(p["n"]) - p["alpha"] * jnp.log(x["N"]),
        jnp.log(p["d"]) - p["beta"] * jnp.log(x["D"]),
        jnp.log(p["eps"]),
        _log_penalty(p, x),
    )
    return logsumexp(jnp.stack(terms), axis=0)


def _fp_guess(inputs, y):
    ymin = float(np.min(y))
    starts = [dict(FP_QUANT)]
    for frac in (0.5, 0.8):
        for a0, b0 in ((0.25, 0.5), (0.35, 0.35)):
            for g in (1e3, 1e4, 1e5):
                starts.append({"n": 69.0 * 10 ** (10 * (a0 - 0.2368)), "alpha": a0,
                               "d": 6.9e4 * 10 ** (10.5 * (b0 - 0.5162)), "beta": b0,
                               "eps": frac * ymin, "gamma": g, "delta": 3.0, "nu": 3.0})
    return polish(fp_quant, inputs, y, starts)


fp_quant = Law(
    name="fp_quant",
    params=(
        Param("n", "positive", P.amplitude, amplitude_of=("N", "alpha", -1.0),
              doc="model-size amplitude (published 69.23)"),
        Param("alpha", "positive", P.exponent(0.25), doc="model-size exponent (0.2368)"),
        Param("d", "positive", P.amplitude, amplitude_of=("D", "beta", -1.0),
              doc="data amplitude (published 68973)"),
        Param("beta", "positive", P.exponent(0.5), doc="data exponent (0.5162)"),
        Param("eps", "positive", P.irreducible, doc="irreducible loss (1.9061)"),
        Param("gamma", "positive", Prior("LogNormal", 9.0, 3.0),
              doc="precision-penalty divisor (11334.5)"),
        Param("delta", "positive", Prior("LogNormal", math.log(3.0), 1.0),
              doc="exponent-bit exponent (3.1926)"),
        Param("nu", "positive", Prior("LogNormal", math.log(3.0), 1.0),
              doc="mantissa-bit exponent (2.9543)"),
    ),
    inputs=("N", "D", "E", "M", "B"),
    fn=lambda p, x: jnp.exp(_fp_log(p, x)),
    log_fn=_fp_log,
    guess=_fp_guess,
    formula=("L = n / N**alpha + d / D**beta + eps + (D**beta / N**alpha) * log2(B) / "
             "(gamma * (E + 0.5)**delta * (M + 0.5)**nu)"),
    positive_inputs=("N", "D", "B"),
    description=("Sun et al. (2025) floating-point quantisation training law: N parameters, "
                 "D tokens, E exponent bits, M mantissa bits, B block size of the scaling "
                 "factor (B = 1 means no penalty; E, M below 0 are read as 0)."),
)


def _as_draws(params: Mapping[str, Any] | None, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    src = FP_QUANT if params is None else params
    missing = [k for k in names if k not in src]
    if missing:
        raise BayescaleError(f"fp_quant parameters missing: {missing}")
    return {k: np.asarray(src[k], dtype=float).reshape(-1) for k in names}


def fp_critical_data(N: Any, E: Any, M: Any, B: Any,
                     params: Mapping[str, Any] | None = None) -> np.ndarray:
    """Critical data size: the ``D`` that minimises the loss at fixed ``N, E, M, B``.

    Beyond it more tokens *raise* the loss at that precision:
    ``D_crit = [d N^alpha gamma (E + 0.5)^delta (M + 0.5)^nu / log2(B)]^(1 / (2 beta))``.

    Parameters
    ----------
    N, E, M, B : array_like
        Parameters, exponent bits, mantissa bits, block size (broadcast together).
    params : mapping, optional
        ``d, alpha, beta, gamma, delta, nu``: published constants by default, or arrays of
        posterior draws (``fit.posterior``), giving one row per draw.

    Returns
    -------
    ndarray
        Tokens; shape of the broadcast inputs, with a leading draws axis for draws.

    Examples
    --------
    >>> from bayescale.laws import fp_critical_data
    >>> f"{float(fp_critical_data(1e9, 4, 3, 128)):.3g}"
    '2.73e+13'
    """
    p = _as_draws(params, ("d", "alpha", "beta", "gamma", "delta", "nu"))
    n, e, m, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (N, E, M, B)))
    shape = n.shape
    n, e, m, b = (v.reshape(1, -1) for v in (n, e, m, b))
    pc = {k: v.reshape(-1, 1) for k, v in p.items()}
    with np.errstate(divide="ignore"):
        log_dc = (np.log(pc["d"]) + pc["alpha"] * np.log(n) + np.log(pc["gamma"])
                  + pc["delta"] * np.log(np.maximum(e, 0) + 0.5)
                  + pc["nu"] * np.log(np.maximum(m, 0) + 0.5)
                  - np.log(np.log2(np.maximum(b, 1.0)))) / (2 * pc["beta"])
    out = np.exp(log_dc)
    if params is None or all(np.ndim(params[k]) == 0 for k in p):
        return out.reshape(shape)
    return out.reshape((-1, *shape))


def fp_best_layout(total_bits: int, params: Mapping[str, Any] | None = None, *,
                   sign_bit: bool = True, min_exponent: int = 1) -> pd.DataFrame:
    """Rank the exponent/mantissa splits of a ``total_bits`` float format.

    The penalty's only dependence on the layout is ``(E + 0.5)^-delta (M + 0.5)^-nu``, so
    the best split is the same at every ``N, D, B``: it maximises
    ``delta log(E + 0.5) + nu log(M + 0.5)`` subject to ``E + M = total_bits - 1``
    (continuous optimum ``E + 0.5 = (E + M + 1) delta / (delta + nu)``).

    Parameters
    ----------
    total_bits : int
        Bits of the format (e.g. 4, 8, 16).
    params : mapping, optional
        ``delta`` and ``nu``: published values by default, or posterior draws.
    sign_bit : bool, default True
        Whether one bit is spent on the sign.
    min_exponent : int, default 1
        Smallest exponent width considered (1: floating point proper).

    Returns
    -------
    DataFrame
        One row per layout (``E``, ``M``, ``name`` like ``"E4M3"``), sorted by
        ``penalty_factor`` (the penalty relative to the best layout, at the published or
        posterior-median values), with ``prob_best``: the share of draws in which the
        layout is best (1 or 0 for fixed values).

    Examples
    --------
    >>> from bayescale.laws import fp_best_layout
    >>> fp_best_layout(8)["name"].iloc[0]
    'E4M3'
    """
    if isinstance(total_bits, bool) or not isinstance(total_bits, int | np.integer):
        raise BayescaleError(f"total_bits must be an integer, got {total_bits!r}")
    free = int(total_bits) - int(bool(sign_bit))
    if free < min_exponent:
        raise BayescaleError(f"{total_bits} bits leave no room for {min_exponent} exponent "
                             "bit(s)")
    p = _as_draws(params, ("delta", "nu"))
    layouts = [(e, free - e) for e in range(min_exponent, free + 1)]
    score = np.stack([p["delta"] * math.log(e + 0.5) + p["nu"] * math.log(m + 0.5)
                      for e, m in layouts], axis=1)  # (draws, layouts)
    best = np.argmax(score, axis=1)
    prob = np.bincount(best, minlength=len(layouts)) / score.shape[0]
    med = np.median(score, axis=0)
    frame = pd.DataFrame({"E": [e for e, _ in layouts], "M": [m for _, m in layouts],
                          "name": [f"E{e}M{m}" for e, m in layouts],
                          "penalty_factor": np.exp(med.max() - med), "prob_best": prob})
    return frame.sort_values("penalty_factor", kind="stable").reset_index(drop=True)

