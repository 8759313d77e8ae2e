"""The closed-form laws: task law, beta-mixture coverage, exponentiated power coverage."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln


def task_law(N: ArrayLike, c: ArrayLike, alpha: ArrayLike) -> np.ndarray:
    """Task scaling law ``PU(N) = exp(-c N**(-alpha))`` (Hu et al. 2023).

    Parameters
    ----------
    N : array_like of float
        Model sizes; a 1-d ``N`` with 1-d ``c``/``alpha`` gives a (len(N), len(c)) grid.
    c, alpha : array_like of float
        Positive law parameters (per instance).

    Returns
    -------
    numpy.ndarray
        Pass probabilities; ``log(-log PU)`` is linear in ``log N`` with slope ``-alpha``.

    Examples
    --------
    >>> task_law([1e8, 1e9], [100.0], [0.3]).shape
    (2, 1)
    """
    n_a = np.asarray(N, dtype=float)
    c_a, a_a = np.asarray(c, dtype=float), np.asarray(alpha, dtype=float)
    if np.any(n_a <= 0) or np.any(c_a <= 0) or np.any(a_a <= 0):
        raise ValueError("N, c and alpha must be positive.")
    if n_a.ndim == 1 and (c_a.ndim == 1 or a_a.ndim == 1):
        n_a = n_a[:, None]
    return np.exp(-c_a * n_a ** (-a_a))


def beta_coverage(k: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> np.ndarray:
    """Beta-mixture coverage law ``pass@k = 1 - B(alpha, beta + k) / B(alpha, beta)``.

    The expected pass@k over problems whose pass probabilities follow
    ``Beta(alpha, beta)``; for large ``k`` the failure decays like ``k**(-alpha)``.

    Parameters
    ----------
    k : array_like of float
        Attempts (>= 0).
    alpha, beta : array_like of float
        Positive Beta parameters.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> np.round(beta_coverage([1, 10, 100, 1000], 0.3, 3.0), 4)
    array([0.0909, 0.3734, 0.6656, 0.8312])
    """
    k_a = np.asarray(k, dtype=float)
    a_a, b_a = np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float)
    if np.any(k_a < 0) or np.any(a_a <= 0) or np.any(b_a <= 0):
        raise ValueError("k must be >= 0 and alpha, beta positive.")
    return -np.expm1(betaln(a_a, b_a + k_a) - betaln(a_a, b_a))


def power_coverage(k: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Exponentiated power law ``c(k) = exp(a k**b)`` (Brown et al. 2024), ``a, b < 0``.

    Parameters
    ----------
    k : array_like of float
        Attempts (> 0).
    a, b : array_like of float
        Negative law parameters.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> round(float(power_coverage(100, -2.0, -0.3)), 4)
    0.6051
    """
    k_a = np.asarray(k, dtype=float)
    if np.any(k_a <= 0):
        raise ValueError("k must be positive.")
    return np.exp(np.asarray(a, dtype=float) * k_a ** np.asarray(b, dtype=float))
