"""Point estimators: PassUntil ``r/K``, its unbiased variant and variance, unbiased pass@k."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

#: Above this many terms the log-ratio of binomials uses log-gamma differences.
_EXACT_TERMS = 4096


def pu_estimate(r: ArrayLike, K: ArrayLike, *, unbiased: bool = False) -> np.ndarray:
    """PassUntil estimate of the per-sample pass probability.

    ``K`` attempts were needed for ``r`` passes, so the failures ``K - r`` are negative
    binomial and ``r/K`` is the maximum-likelihood estimate. With ``unbiased=True``
    return ``(r - 1)/(K - 1)``, unbiased for ``r >= 2``.

    Parameters
    ----------
    r : array_like of int
        Passes required (>= 1; >= 2 when ``unbiased``).
    K : array_like of int
        Attempts used (>= r).
    unbiased : bool
        Return the unbiased ``(r - 1)/(K - 1)``.

    Returns
    -------
    numpy.ndarray
        The estimate, broadcast over ``r`` and ``K``.

    Examples
    --------
    >>> float(pu_estimate(2, 5000)), float(pu_estimate(2, 5000, unbiased=True))
    (0.0004, 0.00020004000800160032)
    """
    r_a, k_a = np.broadcast_arrays(np.asarray(r, dtype=float), np.asarray(K, dtype=float))
    _check_int("r", r_a, 2 if unbiased else 1)
    _check_int("K", k_a, 1)
    if np.any(k_a < r_a):
        i = int(np.flatnonzero((k_a < r_a).ravel())[0])
        raise ValueError(f"K={k_a.ravel()[i]:g} < r={r_a.ravel()[i]:g}: K counts all attempts.")
    if unbiased:
        return (r_a - 1.0) / (k_a - 1.0)
    return r_a / k_a


def pu_variance(p: ArrayLike, r: ArrayLike) -> np.ndarray:
    """Large-sample variance ``p**2 (1 - p) / r`` of the PassUntil estimate.

    It is the inverse Fisher information of the negative binomial with ``r`` passes.

    Parameters
    ----------
    p : array_like of float
        Pass probability (or its estimate), in [0, 1].
    r : array_like of int
        Passes required (>= 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> round(float(np.sqrt(pu_variance(4e-4, 2))), 6)
    0.000283
    """
    p_a = np.asarray(p, dtype=float)
    r_a = np.asarray(r, dtype=float)
    if np.any(~np.isfinite(p_a) | (p_a < 0) | (p_a > 1)):
        raise ValueError("p must lie in [0, 1].")
    _check_int("r", r_a, 1)
    return p_a**2 * (1.0 - p_a) / r_a


def pass_at_k(n: ArrayLike, c: ArrayLike, k: ArrayLike) -> np.ndarray:
    """Unbiased pass@k estimator ``1 - C(n - c, k) / C(n, k)`` (Chen et al. 2021).

    Computed in log space: ``log C(n-c, k) - log C(n, k) = sum_j log1p(-M / (n - j))``
    over the ``min(c, k)`` terms ``j = 0 .. min(c, k) - 1`` with ``M = max(c, k)``, which
    is exact to rounding; above 4096 terms log-gamma differences are used (the log-ratio
    is then below ``-1.6`` for ``n <= 1e7``, so their absolute error of ``~4e-8``
    changes the result by less than ``1e-8`` relatively). Returns 1 where ``n - c < k``.

    Parameters
    ----------
    n : array_like of int
        Samples drawn per problem (>= 1).
    c : array_like of int
        Correct samples (0 <= c <= n).
    k : array_like of int
        Attempts (1 <= k <= n).

    Returns
    -------
    numpy.ndarray
        pass@k broadcast over ``n``, ``c`` and ``k``.

    Examples
    --------
    >>> np.round(pass_at_k(200, 10, [1, 10, 100]), 6)
    array([0.05    , 0.408548, 0.999229])
    """
    n_a, c_a, k_a = np.broadcast_arrays(
        np.asarray(n, dtype=float), np.asarray(c, dtype=float), np.asarray(k, dtype=float)
    )
    _check_int("n", n_a, 1)
    _check_int("c", c_a, 0)
    _check_int("k", k_a, 1)
    if np.any(c_a > n_a):
        raise ValueError("c must not exceed n (correct samples out of n drawn).")
    if np.any(k_a > n_a):
        i = int(np.flatnonzero((k_a > n_a).ravel())[0])
        raise ValueError(
            f"k={k_a.ravel()[i]:g} > n={n_a.ravel()[i]:g}: the unbiased estimator needs "
            "k <= n; use a coverage law (fit_coverage) to extrapolate beyond n."
        )
    shape = n_a.shape
    n_f, c_f, k_f = n_a.ravel(), c_a.ravel(), k_a.ravel()
    log_ratio = np.zeros(n_f.size)
    active = (n_f - c_f >= k_f) & (c_f > 0)
    m = np.minimum(c_f, k_f)
    big = np.maximum(c_f, k_f)
    exact = active & (m <= _EXACT_TERMS)
    if exact.any():
        ne, me, be = n_f[exact], m[exact], big[exact]
        order = np.argsort(-me)  # longest sums first: the active set is a prefix
        ne, me, be = ne[order], me[order], be[order]
        acc = np.zeros(ne.size)
        for j in range(int(me[0])):
            n_use = int(np.searchsorted(-me, -j, side="left"))  # rows with me > j
            acc[:n_use] += np.log1p(-be[:n_use] / (ne[:n_use] - j))
        log_ratio[np.flatnonzero(exact)[order]] = acc
    approx = active & ~exact
    if approx.any():
        na, ca, ka = n_f[approx], c_f[approx], k_f[approx]
        log_ratio[approx] = (gammaln(na - ca + 1) - gammaln(na + 1)) + (
            gammaln(na - ka + 1) - gammaln(na - ca - ka + 1)
        )
    out = -np.expm1(log_ratio)
    out[n_f - c_f < k_f] = 1.0
    return out.reshape(shape)


def _check_int(name: str, arr: np.ndarray, lowest: int) -> None:
    bad = ~np.isfinite(arr) | (arr < lowest) | (arr != np.round(arr))
    if np.any(bad):
        value = arr.ravel()[int(np.flatnonzero(bad.ravel())[0])]
        raise ValueError(f"{name}={value:g} is not accepted; {name} takes integers >= {lowest}.")
