"""Retrieval datastore size as a third scaling axis (Shao et al. 2024, MassiveDS).

"Scaling Retrieval-Based Language Models with a Trillion-Token Datastore" (Shao, He,
Asai, Shi, Dettmers, Min, Zettlemoyer, Koh 2024, arXiv 2407.12854, NeurIPS 2024) builds a
1.4-trillion-token datastore and finds [P-abs] that a larger datastore improves language
modelling and downstream tasks monotonically, log-linearly and without obvious
saturation, so that a smaller model with a large datastore beats a larger LM-only model
on knowledge-intensive tasks, and that for the same training compute a larger datastore
gives a better model (the datastore costs an encoding pass, far less per token than
training). The paper fits no parametric law.

This law adds the datastore ``S`` (tokens; 0 for no retrieval) to the Chinchilla form as
a factor on the reducible loss:

``L(N, D, S) = E + (A / N^alpha + B / D^beta) (1 + S / S_0)^-gamma``.

``S = 0`` is Chinchilla's law; ``S_0`` is the datastore size at which retrieval starts to
matter and ``gamma`` the datastore exponent. Over a range well above ``S_0`` with small
``gamma`` the gain is log-linear (``(S / S_0)^-gamma ~ 1 - gamma log(S / S_0)``), as the
paper sees, and it never crosses the entropy floor ``E``. A factor (not a fourth
additive term) makes retrieval worth more to a model with more reducible loss, the
paper's "small model plus datastore beats a larger model". :func:`retrieval_optimal`
splits a compute budget ``C = 6 N D + 2 N_r S`` (training, plus one forward pass of a
retriever of ``N_r`` parameters over the datastore) between model, data and datastore,
with intervals.

Reference values (:data:`RETRIEVAL_DATASTORE`), a design choice since no constants are
published: Epoch's Chinchilla refit (LAWS.md section 1c: E 1.817, A 482.01, alpha 0.3478,
B 2085.43, beta 0.3658) with ``S_0 = 1e9`` tokens and ``gamma = 0.05``. Then [C] at
``D = 2e12``: a 7B model alone 2.0645, with the 1.4T-token datastore 1.9893; a 13B
model alone 2.0294: the smaller model with the datastore is better. At ``C = 1e23``
FLOPs with at most 1.4T datastore tokens (a 110M retriever) the optimum is about
``N = 2.9e10``, ``D = 5.8e11``, the whole datastore, loss 1.9666, against 2.0319 for the
best LM-only model.
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.laws import _priors as P
from bayescale.laws._chinchilla import chinchilla
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.laws._query import param_draws
from bayescale.priors import Prior

__all__ = ["RETRIEVAL_DATASTORE", "retrieval_datastore", "retrieval_optimal"]

#: Reference values (a design choice, see the module docstring): tokens and parameters.
RETRIEVAL_DATASTORE = {"E": 1.817, "A": 482.01, "alpha": 0.3478, "B": 2085.43,
                       "beta": 0.3658, "S_0": 1e9, "gamma": 0.05}
_NAMES = tuple(RETRIEVAL_DATASTORE)


def _rd_log(p, x):
    red = jnp.logaddexp(jnp.log(p["A"]) - p["alpha"] * jnp.log(x["N"]),
                        jnp.log(p["B"]) - p["beta"] * jnp.log(x["D"]))
    return jnp.logaddexp(jnp.log(p["E"]), red - p["gamma"] * jnp.log1p(x["S"] / p["S_0"]))


def _rd_guess(inputs, y):
    n, d, s = (np.asarray(inputs[k], dtype=float) for k in ("N", "D", "S"))
    y = np.asarray(y, dtype=float)
    alone = s == 0
    if np.sum(alone) >= 5:
        base = chinchilla.guess({"N": n[alone], "D": d[alone]}, y[alone])
    else:
        base = chinchilla.guess({"N": n, "D": d}, y)
    sizes = s[s > 0]
    scales = np.quantile(sizes, [0.05, 0.5]) if sizes.size else np.array([1e9])
    starts = [dict(RETRIEVAL_DATASTORE)]
    starts += [base | {"S_0": float(s0), "gamma": g} for s0 in scales for g in (0.02, 0.1, 0.3)]
    return polish(retrieval_datastore, inputs, y, starts)


retrieval_datastore = Law(
    name="retrieval_datastore",
    params=chinchilla.params + (  # E, A, alpha, B, beta as in Chinchilla's law
        Param("S_0", "positive", Prior("LogNormal", math.log(1e9), 4.0),
              doc="datastore size (tokens) at which retrieval starts to matter"),
        Param("gamma", "positive", P.exponent(0.05), doc="datastore exponent"),
    ),
    inputs=("N", "D", "S"),
    fn=lambda p, x: jnp.exp(_rd_log(p, x)),
    log_fn=_rd_log,
    guess=_rd_guess,
    formula="L = E + (A / N**alpha + B / D**beta) * (1 + S / S_0)**-gamma",
    positive_inputs=("N", "D"),
    description=("Retrieval-based LMs (Shao et al. 2024, MassiveDS): Chinchilla's loss in "
                 "model size N and pretraining tokens D with the reducible part shrunk by "
                 "a datastore of S tokens (0: no retrieval). "
                 "bayescale.laws.retrieval_optimal splits a compute budget between model, "
                 "data and datastore."),
)


def _loss(p: dict[str, np.ndarray], n: Any, d: Any, s: Any) -> np.ndarray:
    red = p["A"] * n ** (-p["alpha"]) + p["B"] * d ** (-p["beta"])
    return p["E"] + red * (1.0 + s / p["S_0"]) ** (-p["gamma"])


def retrieval_optimal(C: Any, params: Any = None, *, retriever: float = 1.1e8,
                      max_datastore: float | None = None, ci_prob: float = 0.9,
                      grid: int = 141) -> pd.DataFrame:
    """Compute-optimal model size, pretraining tokens and datastore for budgets ``C``.

    Minimises ``L(N, D, S)`` subject to ``6 N D + 2 retriever S = C`` for every posterior
    draw, over a grid of ``grid`` model sizes (``sqrt(C / 120)`` times ``e^-7 .. e^7``)
    and 61 datastore shares of the budget (0 and ``1e-8 .. 0.5``), and reports each
    optimum's posterior median and interval, with the best LM-only loss (``S = 0``) for
    comparison.

    Parameters
    ----------
    C : array_like
        FLOP budgets.
    params : mapping or Fit, optional
        The reference values :data:`RETRIEVAL_DATASTORE` by default; a
        ``retrieval_datastore`` fit (or its posterior draws) for intervals.
    retriever : float, default 1.1e8
        Parameters of the retriever that encodes the datastore (Contriever's 110M).
    max_datastore : float, optional
        Tokens available for the datastore (e.g. 1.4e12 for MassiveDS); unbounded by
        default.
    ci_prob : float, default 0.9
        Mass of the equal-tailed intervals.
    grid : int, default 141
        Model sizes on the grid (resolution ``14 / (grid - 1)`` in log N).

    Returns
    -------
    DataFrame
        ``C``; ``N``, ``D``, ``S``, ``loss`` and ``loss_lm_only`` as ``<name>_median``,
        ``<name>_lower``, ``<name>_upper``.

    Examples
    --------
    >>> from bayescale.laws import retrieval_optimal
    >>> r = retrieval_optimal(1e23, max_datastore=1.4e12)
    >>> bool(r["loss_median"].iloc[0] < r["loss_lm_only_median"].iloc[0])
    True
    """
    budgets = np.atleast_1d(np.asarray(C, dtype=float)).ravel()
    if not np.all(np.isfinite(budgets) & (budgets > 0)):
        raise BayescaleError(f"C must be finite and > 0, got {budgets.tolist()}")
    if not (isinstance(retriever, int | float) and retriever > 0):
        raise BayescaleError(f"retriever must be a number of parameters > 0, got "
                             f"{retriever!r}")
    p = param_draws(params, RETRIEVAL_DATASTORE, _NAMES, "retrieval_datastore")
    shares = np.concatenate([[0.0], np.geomspace(1e-8, 0.5, 60)])
    cap = np.inf if max_datastore is None else float(max_datastore)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("N", "D", "S", "loss",
                                                        "loss_lm_only")}
    for c in budgets:
        best = np.full((p["E"].shape[0], 1), np.inf)
        arg = {k: np.zeros_like(best) for k in ("N", "D", "S")}
        lm_only = np.full_like(best, np.inf)
        for n in math.sqrt(c / 120.0) * np.exp(np.linspace(-7.0, 7.0, grid)):
            s = np.minimum(shares * c / (2.0 * retriever), cap)
            d = (c - 2.0 * retriever * s) / (6.0 * n)
            loss = _loss(p, n, d[None, :], s[None, :])        # (draws, shares)
            k = np.argmin(loss, axis=1)[:, None]
            value = np.take_along_axis(loss, k, axis=1)
            better = value < best
            best = np.where(better, value, best)
            arg["N"] = np.where(better, n, arg["N"])
            arg["D"] = np.where(better, d[k], arg["D"])
            arg["S"] = np.where(better, s[k], arg["S"])
            lm_only = np.minimum(lm_only, loss[:, :1])
        for key, v in (("N", arg["N"]), ("D", arg["D"]), ("S", arg["S"]), ("loss", best),
                       ("loss_lm_only", lm_only)):
            cols[key].append(v.ravel())
    out = pd.DataFrame({"C": budgets})
    probs = [0.5, (1 - ci_prob) / 2, (1 + ci_prob) / 2]
    for key, draws in cols.items():
        q = np.quantile(np.stack(draws, axis=1), probs, axis=0)
        for name, row in zip(("median", "lower", "upper"), q, strict=True):
            out[f"{key}_{name}"] = row
    return out
