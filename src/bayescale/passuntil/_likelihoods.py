"""Pure-JAX log-likelihoods: censored negative binomial (PassUntil) and beta-binomial.

The pass probability enters as ``log p`` so that rates of ``1e-300`` or ``1 - 1e-12``
stay representable; ``log(1 - p)`` is ``log(-expm1(log p))``.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array
from jax.scipy.special import betaln, gammaln
from jax.typing import ArrayLike


def log1m_exp(log_p: ArrayLike) -> Array:
    """Return ``log(1 - exp(log_p))`` for ``log_p <= 0``, accurate at both ends.

    Parameters
    ----------
    log_p : array_like
        Log-probabilities.

    Returns
    -------
    jax.Array
    """
    log_p = jnp.asarray(log_p)
    return jnp.where(
        log_p > -0.6931471805599453,
        jnp.log(-jnp.expm1(log_p)),
        jnp.log1p(-jnp.exp(log_p)),
    )


def negbin_logpmf(failures: ArrayLike, r: ArrayLike, log_p: ArrayLike) -> Array:
    """Log-probability of ``failures`` failures before the ``r``-th pass.

    ``log C(f + r - 1, f) + r log p + f log(1 - p)``.

    Parameters
    ----------
    failures : array_like of int
        Failures ``K - r`` (>= 0).
    r : array_like of int
        Passes (>= 1).
    log_p : array_like
        Log pass probability.

    Returns
    -------
    jax.Array
    """
    f = jnp.asarray(failures, dtype=float)
    r = jnp.asarray(r, dtype=float)
    log_q = log1m_exp(log_p)
    comb = gammaln(f + r) - gammaln(r) - gammaln(f + 1.0)
    fail = jnp.where(f > 0, f * log_q, 0.0)
    return comb + r * log_p + fail


def binom_logcdf_below(r: ArrayLike, n: ArrayLike, log_p: ArrayLike, r_max: int) -> Array:
    """Return ``log P(X < r)`` for ``X ~ Binomial(n, p)``, as a log-sum of terms.

    The terms ``j = 0 .. r - 1`` are summed with log-sum-exp, so the result is accurate
    for any ``p`` (no cancellation, no underflow to ``-inf`` for tiny tails).

    Parameters
    ----------
    r : array_like of int
        Upper bound (exclusive), ``1 <= r <= r_max``.
    n : array_like of int
        Trials.
    log_p : array_like
        Log success probability.
    r_max : int
        Static bound on ``r`` (the number of terms evaluated).

    Returns
    -------
    jax.Array
    """
    r = jnp.asarray(r, dtype=float)[..., None]
    n = jnp.asarray(n, dtype=float)[..., None]
    log_p = jnp.asarray(log_p)[..., None]
    log_q = log1m_exp(log_p)
    j = jnp.arange(r_max, dtype=float)
    terms = (
        gammaln(n + 1.0)
        - gammaln(j + 1.0)
        - gammaln(n - j + 1.0)
        + jnp.where(j > 0, j * log_p, 0.0)
        + (n - j) * log_q
    )
    terms = jnp.where(j < r, terms, -jnp.inf)
    top = jnp.max(terms, axis=-1, keepdims=True)
    return (top + jnp.log(jnp.sum(jnp.exp(terms - top), axis=-1, keepdims=True)))[..., 0]


def passuntil_loglik(
    K: ArrayLike,
    r: ArrayLike,
    K_max: ArrayLike,
    censored: ArrayLike,
    log_p: ArrayLike,
    r_max: int,
) -> Array:
    """Per-record PassUntil log-likelihood with right-censoring.

    Uncensored: negative binomial on ``K - r`` failures. Censored (cap reached with fewer
    than ``r`` passes): ``log BinomCDF(r - 1; K_max, p) = log P(X < r | K_max, p)``.

    Parameters
    ----------
    K, r, K_max : array_like of int
        Attempts, passes and cap per record.
    censored : array_like of bool
        Censoring flag per record.
    log_p : array_like
        Log pass probability per record.
    r_max : int
        Static upper bound on ``r`` of the censored records (the binomial tail sums
        ``r_max`` terms; uncensored records do not use it, whatever their ``r``).

    Returns
    -------
    jax.Array
        Log-likelihood per record.
    """
    K = jnp.asarray(K, dtype=float)
    r = jnp.asarray(r, dtype=float)
    uncens = negbin_logpmf(jnp.where(censored, 0.0, K - r), r, log_p)
    cens = binom_logcdf_below(r, K_max, log_p, r_max)
    return jnp.where(censored, cens, uncens)


def beta_binomial_logpmf(c: ArrayLike, n: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> Array:
    """Beta-binomial log-probability of ``c`` correct out of ``n``.

    Parameters
    ----------
    c, n : array_like of int
        Correct and total samples.
    alpha, beta : array_like
        Positive Beta parameters of the per-problem pass probability.

    Returns
    -------
    jax.Array
    """
    c = jnp.asarray(c, dtype=float)
    n = jnp.asarray(n, dtype=float)
    comb = gammaln(n + 1.0) - gammaln(c + 1.0) - gammaln(n - c + 1.0)
    # B(c + a, n - c + b) / B(a, b) through log-gamma differences (4x faster than betaln)
    return (
        comb
        + gammaln(c + alpha)
        - gammaln(alpha)
        + gammaln(n - c + beta)
        - gammaln(beta)
        - gammaln(n + alpha + beta)
        + gammaln(alpha + beta)
    )


def log_beta_fail(k: ArrayLike, alpha: ArrayLike, beta: ArrayLike) -> Array:
    """Return ``log(1 - pass@k) = log B(alpha, beta + k) - log B(alpha, beta)``.

    Parameters
    ----------
    k : array_like
        Attempts.
    alpha, beta : array_like
        Positive Beta parameters.

    Returns
    -------
    jax.Array
    """
    return betaln(alpha, beta + k) - betaln(alpha, beta)
