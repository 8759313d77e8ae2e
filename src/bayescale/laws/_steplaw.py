"""Step Law (Li et al. 2025): optimal learning rate and batch size from N and D.

``eta_opt(N, D) = 1.79 N^-0.713 D^0.307`` and ``B_opt(D) = 0.58 D^0.571`` (batch size in
tokens), with ``N`` the non-vocabulary parameters and ``D`` the training tokens
(LAWS.md section 9). Two registered laws fit the same forms to optima measured by a
user (e.g. the best cell of a learning-rate / batch-size sweep per ``(N, D)``), and
:func:`step_law` evaluates the published constants.

Fitting your own optima (one row per ``(N, D)``, Gaussian noise on the log optimum)::

    fit = bs.fit(optima, "step_law_lr", x=["N", "D"], y="lr_opt", likelihood="normal_log")
    fit.summary(ci_prob=0.9)                       # a, p_N, p_D with 90% intervals
    fit.predict(kind="mean", N=1e9, D=1e11)        # the optimum at a new size, with interval
    bs.fit(optima, "step_law_batch", x="D", y="batch_opt", likelihood="normal_log")

(``tests/laws/test_steplaw.py`` checks that on simulated sweep optima the 90% intervals
cover the published constants and the published optimum at N = 1e9, D = 1e11.)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import DataStats, Prior

__all__ = ["STEP_LAW", "step_law", "step_law_batch", "step_law_lr"]

#: Published Step Law constants (Li et al. 2025, arXiv 2503.04715).
STEP_LAW = {"lr": {"a": 1.79, "p_N": 0.713, "p_D": 0.307},
            "batch": {"b": 0.58, "q_D": 0.571}}


def step_law(N: Any, D: Any) -> dict[str, np.ndarray]:
    """Published Step Law optima.

    Parameters
    ----------
    N : array_like
        Non-vocabulary (non-embedding) parameters.
    D : array_like
        Training tokens.

    Returns
    -------
    dict
        ``lr`` (peak learning rate) and ``batch_tokens`` (batch size in tokens), broadcast.

    Examples
    --------
    >>> from bayescale.laws import step_law
    >>> out = step_law(1e9, 1e11)
    >>> round(float(out["lr"]), 7), round(float(out["batch_tokens"]) / 1e6, 4)
    (0.0016325, 1.1077)
    """
    n, d = np.broadcast_arrays(np.asarray(N, dtype=float), np.asarray(D, dtype=float))
    lr, bt = STEP_LAW["lr"], STEP_LAW["batch"]
    return {"lr": lr["a"] * n ** (-lr["p_N"]) * d ** lr["p_D"],
            "batch_tokens": bt["b"] * d ** bt["q_D"]}


def _lr_amplitude(stats: DataStats) -> Prior:
    # prior on a N0^-p_N (the engine's pivot), i.e. roughly median(y) / D0^p_D
    return Prior("LogNormal", jnp.log(stats.y_median) - 0.3 * stats.log_x0["D"], 4.0,
                 at_pivot=True)


def _lr_log(p, x):
    return jnp.log(p["a"]) - p["p_N"] * jnp.log(x["N"]) + p["p_D"] * jnp.log(x["D"])


def _lr_guess(inputs, y):
    ln, ld = np.log(inputs["N"]), np.log(inputs["D"])
    design = np.column_stack([np.ones_like(ln), ln, ld])
    if np.linalg.matrix_rank(design) == 3:
        c0, cn, cd = np.linalg.lstsq(design, np.log(y), rcond=None)[0]
        start = {"a": float(np.exp(c0)), "p_N": float(-cn), "p_D": float(cd)}
    else:
        start = dict(STEP_LAW["lr"])
    return polish(step_law_lr, inputs, y, [start, dict(STEP_LAW["lr"])])


step_law_lr = Law(
    name="step_law_lr",
    params=(
        Param("a", "positive", _lr_amplitude, amplitude_of=("N", "p_N", -1.0),
              doc="amplitude (published 1.79)"),
        Param("p_N", "real", Prior("Normal", 0.7, 0.5),
              doc="exponent of N: lr falls as N^-p_N (published 0.713)"),
        Param("p_D", "real", Prior("Normal", 0.3, 0.5),
              doc="exponent of D: lr grows as D^p_D (published 0.307)"),
    ),
    inputs=("N", "D"),
    fn=lambda p, x: jnp.exp(_lr_log(p, x)),
    log_fn=_lr_log,
    guess=_lr_guess,
    formula="lr_opt = a * N**(-p_N) * D**p_D",
    description=("Step Law optimal peak learning rate (Li et al. 2025): N non-vocabulary "
                 "parameters, D tokens; published a = 1.79, p_N = 0.713, p_D = 0.307 "
                 "(AdamW, cosine decay to a fixed minimum LR)."),
)


def _b_log(p, x):
    return jnp.log(p["b"]) + p["q_D"] * jnp.log(x["D"])


def _b_guess(inputs, y):
    slope, icpt = np.polyfit(np.log(inputs["D"]), np.log(y), 1)
    start = {"b": float(np.exp(icpt)), "q_D": float(slope)}
    return polish(step_law_batch, inputs, y, [start, dict(STEP_LAW["batch"])])


step_law_batch = Law(
    name="step_law_batch",
    params=(
        Param("b", "positive", P.amplitude, amplitude_of=("D", "q_D", 1.0),
              doc="amplitude (published 0.58)"),
        Param("q_D", "real", Prior("Normal", 0.5, 0.5),
              doc="exponent of D (published 0.571)"),
    ),
    inputs=("D",),
    fn=lambda p, x: jnp.exp(_b_log(p, x)),
    log_fn=_b_log,
    guess=_b_guess,
    formula="B_opt = b * D**q_D",
    description=("Step Law optimal batch size in tokens (Li et al. 2025); depends on the "
                 "training tokens D only; published b = 0.58, q_D = 0.571."),
)
