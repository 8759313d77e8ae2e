"""The best learning rate as a function of batch size: linear, square-root and the surge.

Two results on how the optimal learning rate ``eta`` moves with the batch size ``B``,
both around a gradient noise scale ``B_noise``:

* SGD, "An Empirical Model of Large-Batch Training" (McCandlish, Kaplan, Amodei et al.
  2018, arXiv 1812.06162): ``eta(B) = eta_max / (1 + B_noise / B)``, linear scaling for
  ``B << B_noise``, saturating at ``eta_max`` beyond.
* Adam-style (sign-like) updates, "Surge Phenomenon in Optimal Learning Rate and Batch
  Size Scaling" (Li et al. 2024, arXiv 2405.14578, NeurIPS 2024): ``eta(B) = eta_max /
  ((sqrt(B_noise / B) + sqrt(B / B_noise)) / 2)``, square-root scaling for small
  batches, a peak ``eta_max`` at ``B_peak = B_noise``, then a decline as ``B^-1/2``
  (the surge). The peak moves to larger batches as training lowers the loss
  (``B_noise`` grows), so fit one stage of training (e.g. the final loss) at a time.

(Both forms as the papers state them; not checked here against a primary artifact, and
neither paper's fitted ``B_noise`` and ``eta_max`` were obtained: **[U]**.) With
``u = B / B_noise`` both are one law with a regime parameter ``p``:

``eta(B) = eta_0 u^p / (1 + u)``.

``p = 1`` is McCandlish's SGD law (``eta_0 = eta_max``); ``p = 1/2`` is the surge law
(``eta_0 = 2 eta_max``). Small batches scale as ``B^p`` (linear or square root), large
ones as ``B^(p - 1)`` (flat, or the decline); for ``p < 1`` the peak is at ``B_peak =
B_noise p / (1 - p)`` with ``eta_peak = eta_0 p^p (1 - p)^(1 - p)``
(:func:`lr_batch_peak`). Fit the best learning rate found by a sweep at each batch size
(Gaussian on ``log eta``: the sweep's grid spacing sets the noise); the posterior of ``p``
says which regime an optimizer is in. :func:`lr_for_batch` answers the best learning rate
at any batch size, with intervals. Pass ``target_accept_prob=0.95``: the peak ties
``B_noise`` and ``p`` in a curved ridge, and at the default 0.8 a quarter of simulated
sweeps gave divergent transitions (3 in 100, with 1-3 each, at 0.95;
``benchmarks/bench_literature_laws.py --only lrbatch``).

Reference values (:data:`LR_BATCH`), a design choice at the magnitudes of a small
Transformer (batches in sequences, ``B_noise = 512``): Adam with peak ``1e-3``, SGD with
``eta_max = 0.1``. Then [C]: Adam ``eta(64) = eta(4096) = 6.2854e-4`` (symmetric in
``log B`` about the peak), ``eta(512) = 1e-3``; SGD ``eta(64) = 0.011111``,
``eta(512) = 0.05``, ``eta(4096) = 0.088889``.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.nn import softplus

from bayescale._quantiles import quantile_frame
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.laws._query import input_grid, param_draws
from bayescale.laws._scale_prior import around_input
from bayescale.priors import Prior

__all__ = ["LR_BATCH", "lr_batch", "lr_batch_peak", "lr_for_batch"]

#: Reference values (a design choice, see the module docstring): B in sequences.
LR_BATCH = {"adam": {"eta_0": 2e-3, "B_noise": 512.0, "p": 0.5},
            "sgd": {"eta_0": 0.1, "B_noise": 512.0, "p": 1.0}}


def _lb_log(p, x):
    log_u = jnp.log(x["B"]) - jnp.log(p["B_noise"])
    return jnp.log(p["eta_0"]) + p["p"] * log_u - softplus(log_u)


def _lb_guess(inputs, y):
    b = np.asarray(inputs["B"], dtype=float)
    y = np.asarray(y, dtype=float)
    starts = [dict(v) for v in LR_BATCH.values()]
    for quant in (0.1, 0.5, 0.9):
        for regime in (0.5, 0.9):
            starts.append({"eta_0": 2.0 * float(np.max(y)), "p": regime,
                           "B_noise": float(np.quantile(b, quant))})
    return polish(lr_batch, inputs, y, starts)


lr_batch = Law(
    name="lr_batch",
    params=(
        Param("eta_0", "positive", P.wide_positive,
              doc="scale: the SGD plateau (p = 1), twice the Adam peak (p = 1/2)"),
        Param("B_noise", "positive", around_input("B"), scale_of="B",
              doc="gradient noise scale, in the batch's units"),
        Param("p", "positive", Prior("LogNormal", float(np.log(0.7)), 0.5),
              doc="regime: small batches scale as B**p, large as B**(p - 1); 1 SGD "
                  "(linear, then flat), 1/2 Adam (square root, then the surge's decline)"),
    ),
    inputs=("B",),
    fn=lambda p, x: jnp.exp(_lb_log(p, x)),
    log_fn=_lb_log,
    guess=_lb_guess,
    formula="eta = eta_0 * (B / B_noise)**p / (1 + B / B_noise)",
    description=("Best learning rate against batch size B (McCandlish et al. 2018 for "
                 "SGD, p = 1; Li et al. 2024 'Surge phenomenon' for Adam, p = 1/2): "
                 "B**p below the noise scale B_noise, B**(p - 1) above it. "
                 "bayescale.laws.lr_for_batch and lr_batch_peak answer with intervals."),
)


def _draws(params: Any) -> dict[str, np.ndarray]:
    return param_draws(params, LR_BATCH["adam"], ("eta_0", "B_noise", "p"), "lr_batch")


def lr_for_batch(B: Any, params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """The best learning rate at batch sizes ``B``.

    Parameters
    ----------
    B : array_like
        Batch sizes (the unit the law was fitted in).
    params : mapping or Fit, optional
        The Adam reference values ``LR_BATCH["adam"]`` by default; a ``lr_batch`` fit
        (or its posterior draws) for intervals.
    ci_prob : float, default 0.9
        Mass of the equal-tailed interval.

    Returns
    -------
    DataFrame
        ``B``, then ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import LR_BATCH, lr_for_batch
    >>> lr_for_batch([64, 512])["median"].round(8).tolist()
    [0.00062854, 0.001]
    >>> round(float(lr_for_batch(4096, LR_BATCH["sgd"])["median"].iloc[0]), 6)
    0.088889
    """
    p, x = _draws(params), input_grid(B=B)
    u = x["B"] / p["B_noise"]
    return quantile_frame(x, p["eta_0"] * u ** p["p"] / (1.0 + u), ci_prob)


def lr_batch_peak(params: Any = None, *, ci_prob: float = 0.9) -> pd.DataFrame:
    """Where the best learning rate peaks: ``B_peak = B_noise p / (1 - p)`` and its value.

    For ``p >= 1`` (SGD-like) there is no peak: ``B_peak`` is infinite and the value is
    the plateau ``eta_0``; ``prob_peak`` is the posterior probability that ``p < 1``.

    Parameters
    ----------
    params : mapping or Fit, optional
        The Adam reference values by default, or posterior draws.
    ci_prob : float, default 0.9
        Mass of the equal-tailed intervals.

    Returns
    -------
    DataFrame
        Rows ``B_peak`` and ``eta_peak`` with ``mean``, ``median``, ``lower``, ``upper``,
        and ``prob_peak``.

    Examples
    --------
    >>> from bayescale.laws import lr_batch_peak
    >>> lr_batch_peak()["median"].round(6).tolist()
    [512.0, 0.001]
    """
    p = _draws(params)
    q = np.minimum(p["p"].ravel(), 1.0)
    with np.errstate(divide="ignore"):
        b_peak = np.where(q < 1.0, p["B_noise"].ravel() * q / (1.0 - q), np.inf)
    one_minus = 1.0 - q
    eta = p["eta_0"].ravel() * q ** q * np.where(one_minus > 0, one_minus, 1.0) ** one_minus
    out = quantile_frame({"quantity": np.array(["B_peak", "eta_peak"])},
                         np.stack([b_peak, eta], axis=1), ci_prob)
    out["prob_peak"] = float(np.mean(p["p"] < 1.0))
    return out.set_index("quantity")
