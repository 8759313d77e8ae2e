"""Loss curves under any learning-rate schedule (Tissue, Wang, Wang 2024).

``L(s) = L0 + A S1(s)^-alpha - C S2(s)`` with the forward area ``S1(s) = sum_{i<=s} eta_i``
and the annealing area ``S2(s) = sum_{i<=s} m_i``, ``m_i = lambda m_{i-1} + (eta_{i-1} -
eta_i)``, ``m_1 = 0`` (LAWS.md section 8). :func:`lr_areas` turns a per-step schedule into
``(S1, S2)``; the law takes those two inputs, so a fit on one schedule predicts any other.

Points along one training curve are autocorrelated: fit block means of the curve with the
``ar1_normal_log`` likelihood (:data:`bayescale.likelihoods.ar1_normal_log`), which models
AR(1) log-residuals between consecutive (time-ordered, equally spaced) points. That
likelihood covers the noise along the fitted curve but not the law's own error on another
schedule: with one training schedule the posterior concentrates on the law's best fit to
it and the predictive band for a new schedule is over-confident (100M GPT, cosine ->
WSD: 27% coverage of a 90% band). ``ar1_drift_normal_log`` adds a slowly varying AR(1)
model-discrepancy component, fitted on the training run and redrawn for each predicted
curve (Kennedy and O'Hagan 2001 style); its amplitude is weakly identified by one run,
so the band's width then depends on its prior (see ``benchmarks/bench_literature_laws.py``).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.nn import softplus

from bayescale._errors import BayescaleError
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import DataStats, Prior

__all__ = ["lr_anneal", "lr_anneal_frame", "lr_areas"]

#: Floor of the mean as a fraction of L0 (see the law's description).
_FLOOR = 0.01


def lr_areas(lr: Any, lam: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """Forward and annealing areas of a learning-rate schedule, per step.

    Parameters
    ----------
    lr : array_like
        The learning rate at every optimisation step, in order (warm-up included if it
        is to count in the forward area).
    lam : float, default 0.999
        Decay factor of the annealing momentum, in [0, 1). ``lam = 0`` makes ``S2`` the
        total drop so far, ``eta_1 - eta_s``.

    Returns
    -------
    (S1, S2) : tuple of ndarray
        ``S1[s] = sum_{i<=s} lr[i]``; ``S2[s] = sum_{i<=s} m[i]`` with
        ``m[i] = lam m[i-1] + (lr[i-1] - lr[i])`` and ``m[0] = 0``.

    Examples
    --------
    >>> from bayescale.laws import lr_areas
    >>> s1, s2 = lr_areas([1, 1, 1, 0.5, 0.5])
    >>> s1.tolist(), s2.round(6).tolist()
    ([1.0, 2.0, 3.0, 3.5, 4.0], [0.0, 0.0, 0.0, 0.5, 0.9995])
    """
    eta = np.asarray(lr, dtype=float).ravel()
    if eta.size == 0 or not np.all(np.isfinite(eta)):
        raise BayescaleError("lr must be a non-empty sequence of finite learning rates")
    if not 0.0 <= float(lam) < 1.0:
        raise BayescaleError(f"lam must be in [0, 1), got {lam!r}")
    # scipy.signal loads on first use: importing it takes 0.3-3.5 s (it pulls in scipy.stats)
    from scipy.signal import lfilter

    drop = np.concatenate([[0.0], eta[:-1] - eta[1:]])
    momentum = lfilter([1.0], [1.0, -float(lam)], drop)
    return np.cumsum(eta), np.cumsum(momentum)


def lr_anneal_frame(lr: Any, loss: Any | None = None, *, block: int = 100, start: int = 0,
                    lam: float = 0.999) -> pd.DataFrame:
    """Block-averaged loss curve with the areas the ``lr_anneal`` law reads.

    The areas are computed over the whole schedule (from step 0), then the curve is cut
    into consecutive blocks of ``block`` steps; each row holds the block's first step, the
    areas at its middle step and the mean loss over the block (a smoothed curve whose
    residuals an AR(1) likelihood can model).

    Parameters
    ----------
    lr : array_like
        Learning rate at every step (step ``i`` at index ``i``).
    loss : array_like, optional
        Loss at every step; omitted for a schedule to predict.
    block : int, default 100
        Steps per block.
    start : int, default 0
        First step used (e.g. skip the first, fast-falling part of the curve). The areas
        still count every step before it.
    lam : float, default 0.999
        Annealing-momentum decay, see :func:`lr_areas`.

    Returns
    -------
    DataFrame
        ``step, S1, S2`` and, with ``loss``, ``loss``.
    """
    if isinstance(block, bool) or not isinstance(block, int | np.integer) or block < 1:
        raise BayescaleError(f"block must be an integer >= 1, got {block!r}")
    s1, s2 = lr_areas(lr, lam)
    n_blocks = (s1.size - int(start)) // int(block)
    if n_blocks < 1:
        raise BayescaleError(f"{s1.size} steps hold no block of {block} steps after "
                             f"step {start}")
    first = int(start) + block * np.arange(n_blocks)
    mid = first + block // 2
    out = pd.DataFrame({"step": first, "S1": s1[mid], "S2": s2[mid]})
    if loss is not None:
        y = np.asarray(loss, dtype=float).ravel()
        if y.size != s1.size:
            raise BayescaleError(f"loss has {y.size} steps, lr has {s1.size}")
        used = y[int(start):int(start) + n_blocks * block]
        out["loss"] = used.reshape(n_blocks, block).mean(axis=1)
    return out


def _linear(p, x):
    return p["L0"] + p["A"] * jnp.exp(-p["alpha"] * jnp.log(x["S1"])) - p["C"] * x["S2"]


def _la_log(p, x):
    # mean = f (1 + softplus(lin / f - 1)), f = L0 / 100: equal to the linear law to
    # double precision wherever it exceeds L0 / 2, and positive where the annealing term
    # would overshoot (S2 far beyond any real schedule's)
    f = _FLOOR * p["L0"]
    return jnp.log(f) + jnp.log1p(softplus(_linear(p, x) / f - 1.0))


def _la_guess(inputs, y):
    s1 = np.asarray(inputs["S1"], dtype=float)
    s2 = np.asarray(inputs["S2"], dtype=float)
    y = np.asarray(y, dtype=float)
    ymin, ymed = float(np.min(y)), float(np.median(y))
    s1m = float(np.exp(np.mean(np.log(s1))))
    s2max = max(float(np.max(s2)), 1e-12)
    starts = []
    for l0 in (0.8 * ymin, ymin):
        for alpha in (0.3, 0.6, 1.0):
            for c_frac in (0.0, 0.05):
                starts.append({"L0": l0, "A": max(ymed - 0.9 * l0, 1e-3) * s1m ** alpha,
                               "alpha": alpha, "C": max(c_frac * ymed / s2max, 1e-6)})
    return polish(lr_anneal, inputs, y, starts)


def _l0_prior(stats: DataStats) -> Prior:
    return Prior("LogNormal", jnp.log(stats.y_min), 1.0)


def _c_prior(stats: DataStats) -> Prior:
    return Prior("LogNormal", jnp.log(0.1 * stats.y_median), 4.0)


def _a_prior(stats: DataStats) -> Prior:
    return Prior("LogNormal", jnp.log(stats.y_median), 3.0, at_pivot=True)


lr_anneal = Law(
    name="lr_anneal",
    params=(
        Param("L0", "positive", _l0_prior, doc="loss as S1 -> infinity without annealing"),
        Param("A", "positive", _a_prior, amplitude_of=("S1", "alpha", -1.0),
              doc="amplitude of the forward-area power law"),
        Param("alpha", "positive", Prior("LogNormal", np.log(0.5), 1.0),
              doc="exponent of the forward area"),
        Param("C", "positive", _c_prior, doc="loss drop per unit of annealing area"),
    ),
    inputs=("S1", "S2"),
    fn=lambda p, x: jnp.exp(_la_log(p, x)),
    log_fn=_la_log,
    guess=_la_guess,
    formula="L = L0 + A * S1**(-alpha) - C * S2",
    positive_inputs=("S1",),
    description=("Tissue et al. (2024) learning-rate annealing law; S1 forward area (sum of "
                 "lr), S2 annealing area (momentum form, see bayescale.laws.lr_areas). The "
                 "mean is floored smoothly at L0/100 so that it stays positive (identical "
                 "to the formula wherever L > L0/2)."),
)
