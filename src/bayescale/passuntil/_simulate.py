"""Simulate PassUntil evaluations (and plain repeated sampling) for planning and tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bayescale.passuntil._checks import positive_array
from bayescale.passuntil._counts import PassCounts
from bayescale.passuntil._records import PassUntilRecords


def _grid(p: ArrayLike, N: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    sizes = positive_array("N", N)
    prob = np.asarray(p, dtype=float)
    if prob.ndim == 1 and sizes.size == 1:
        prob = prob[None, :]
    if prob.ndim != 2 or prob.shape[0] != sizes.size:
        raise ValueError(
            f"p has shape {prob.shape}; expected (len(N), instances) = ({sizes.size}, S)."
        )
    if np.any(~np.isfinite(prob) | (prob < 0) | (prob > 1)):
        raise ValueError("p holds pass probabilities and must lie in [0, 1].")
    return prob, sizes


def simulate(
    p: ArrayLike,
    *,
    N: ArrayLike,
    r: ArrayLike = 1,
    K_max: ArrayLike = 100_000,
    instance: Sequence[Any] | None = None,
    seed: int = 0,
) -> PassUntilRecords:
    """Simulate PassUntil runs: sample until ``r`` passes or ``K_max`` attempts.

    Each attempt passes independently with probability ``p[i, s]`` (size ``N[i]``,
    instance ``s``). The waiting time of each pass is drawn exactly as a geometric
    variable in floating point, so pass rates down to ``1e-300`` (or 0) are fine. A run
    that reaches ``K_max`` with fewer than ``r`` passes is returned censored.

    Parameters
    ----------
    p : array_like of float, shape (len(N), instances)
        Per-attempt pass probabilities in [0, 1].
    N : sequence of float
        Model sizes (rows of ``p``).
    r : int or array_like of int
        Passes to wait for, broadcast to ``p``'s shape.
    K_max : int or array_like of int
        Attempt cap, broadcast to ``p``'s shape.
    instance : sequence, optional
        Instance labels (default ``0 .. S-1``).
    seed : int
        Random seed.

    Returns
    -------
    PassUntilRecords
        One record per (size, instance).

    Examples
    --------
    >>> recs = simulate([[1e-3, 1e-7]], N=[1e8], r=2, K_max=10_000, seed=0)
    >>> recs.censored.tolist()
    [False, True]
    """
    prob, sizes = _grid(p, N)
    shape = prob.shape
    try:
        r_a = np.broadcast_to(np.asarray(r), shape)
        cap = np.broadcast_to(np.asarray(K_max), shape)
    except ValueError:
        raise ValueError(f"r and K_max must broadcast to p's shape {shape}.") from None
    r_a = positive_array("r", r_a.ravel(), integer=True).reshape(shape)
    cap = positive_array("K_max", cap.ravel(), integer=True).reshape(shape)
    labels = list(range(shape[1])) if instance is None else list(instance)
    if len(labels) != shape[1]:
        raise ValueError(f"instance has {len(labels)} labels; p has {shape[1]} instances.")
    rng = np.random.default_rng(seed)
    time = np.zeros(shape)
    passes = np.zeros(shape, dtype=np.int64)
    with np.errstate(divide="ignore"):
        log_q = np.log1p(-prob)  # -inf where p == 1, 0 where p == 0
    for _ in range(int(r_a.max())):
        u = rng.random(shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.where(prob >= 1, 1.0, np.ceil(np.log1p(-u) / log_q))
        wait = np.where(prob <= 0, np.inf, np.maximum(wait, 1.0))
        active = passes < r_a
        time = np.where(active, time + wait, time)
        passes = np.where(active & (time <= cap), passes + 1, passes)
    censored = passes < r_a
    K = np.where(censored, cap, time).astype(np.int64)
    return PassUntilRecords(
        N=np.repeat(sizes, shape[1]),
        instance=np.array(labels * shape[0], dtype=object),
        r=r_a.ravel(),
        K=K.ravel(),
        K_max=cap.ravel(),
        censored=censored.ravel(),
    )


def simulate_counts(
    p: ArrayLike,
    *,
    n: int,
    model: Sequence[Any] | None = None,
    N: ArrayLike | None = None,
    seed: int = 0,
) -> PassCounts:
    """Simulate repeated sampling: ``c ~ Binomial(n, p)`` per (model, problem).

    Parameters
    ----------
    p : array_like of float, shape (models, problems)
        Per-sample pass probabilities in [0, 1] (1-d for one model).
    n : int
        Samples per problem.
    model : sequence, optional
        Model labels (default ``0 .. M-1``).
    N : sequence of float, optional
        Model sizes, one per model.
    seed : int
        Random seed.

    Returns
    -------
    PassCounts
    """
    prob = np.atleast_2d(np.asarray(p, dtype=float))
    if prob.ndim != 2 or np.any(~np.isfinite(prob) | (prob < 0) | (prob > 1)):
        raise ValueError("p must be a (models, problems) array of probabilities in [0, 1].")
    n_int = int(positive_array("n", n, integer=True)[0])
    n_models, n_problems = prob.shape
    labels = list(range(n_models)) if model is None else list(model)
    if len(labels) != n_models:
        raise ValueError(f"model has {len(labels)} labels; p has {n_models} rows.")
    sizes = None
    if N is not None:
        sizes = np.repeat(positive_array("N", N), n_problems)
        if sizes.size != prob.size:
            raise ValueError(f"N needs one size per model ({n_models}).")
    c = np.random.default_rng(seed).binomial(n_int, prob)
    return PassCounts(
        model=np.repeat(np.array(labels, dtype=object), n_problems),
        problem=np.tile(np.arange(n_problems), n_models),
        n=np.full(prob.size, n_int),
        c=c.ravel(),
        N=sizes,
    )
