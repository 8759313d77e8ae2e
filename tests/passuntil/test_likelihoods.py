import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import bayescale.passuntil  # noqa: F401  (float64)
from bayescale.passuntil._likelihoods import (
    beta_binomial_logpmf,
    binom_logcdf_below,
    log1m_exp,
    passuntil_loglik,
)


def test_negative_binomial_matches_scipy():
    p = np.array([1e-9, 1e-5, 0.3, 0.999])
    K = np.array([10, 1000, 7, 3])
    r = np.array([1, 2, 2, 2])
    ll = passuntil_loglik(K, r, 100_000, np.zeros(4, bool), jnp.log(p), 2)
    np.testing.assert_allclose(ll, stats.nbinom.logpmf(K - r, r, p), rtol=1e-10)


def test_censored_term_is_the_binomial_cdf_and_stays_finite():
    p = np.array([1e-7, 1e-5, 3e-4])
    r = np.array([1, 2, 2])
    ll = passuntil_loglik(100_000, r, 100_000, np.ones(3, bool), jnp.log(p), 2)
    np.testing.assert_allclose(ll, stats.binom.logcdf(r - 1, 100_000, p), rtol=1e-9)
    # where scipy underflows to -inf the log-sum of terms stays finite
    tail = binom_logcdf_below(np.array([2, 3]), 100_000, jnp.log(jnp.array([0.3, 0.9])), 3)
    assert np.all(np.isfinite(tail)) and np.all(tail < -1e4)
    assert stats.binom.logcdf(1, 100_000, 0.3) == -np.inf


def test_censored_likelihood_is_never_a_zero_pass_rate():
    # a run that never passed in 1e5 attempts favours p below ~1e-5, but p -> 0 is not
    # preferred over p = 1e-7: the likelihood flattens at log 1 = 0
    grid = jnp.log(jnp.array([1e-12, 1e-7, 1e-5, 1e-4]))
    ll = np.asarray(passuntil_loglik(100_000, 1, 100_000, True, grid, 1))
    assert ll[0] == pytest.approx(0.0, abs=1e-6)
    assert ll[1] > ll[2] > ll[3]
    grad = jax.grad(lambda lp: passuntil_loglik(100_000, 2, 100_000, True, lp, 2))
    assert np.isfinite(grad(jnp.log(0.5))) and np.isfinite(grad(-700.0))


def test_beta_binomial_matches_scipy():
    c = np.array([0, 3, 10_000, 17])
    n = np.array([10_000, 100, 10_000, 100])
    got = beta_binomial_logpmf(c, n, 0.05, 30.0)
    np.testing.assert_allclose(got, stats.betabinom.logpmf(c, n, 0.05, 30.0), rtol=1e-8)


def test_log1m_exp_accuracy():
    x = np.array([-1e-12, -0.5, -0.8, -50.0])
    expected = [
        np.log(-np.expm1(-1e-12)),
        np.log(-np.expm1(-0.5)),
        np.log1p(-np.exp(-0.8)),
        -np.exp(-50.0),
    ]
    np.testing.assert_allclose(log1m_exp(jnp.asarray(x)), expected, rtol=1e-12)


def test_r_max_bounds_only_the_censored_records():
    """Uncensored records need no tail terms: r_max from the censored ones is exact."""
    from bayescale.passuntil import PassUntilRecords
    from bayescale.passuntil._result import TaskDesign

    K = np.array([9_000, 10_000, 10_000, 400])
    r = np.array([5_000, 1, 3, 7])
    cens = np.array([False, True, True, False])
    log_p = jnp.log(jnp.array([0.55, 1e-5, 2e-4, 0.02]))
    wide = passuntil_loglik(K, r, 10_000, cens, log_p, int(r.max()))
    tight = passuntil_loglik(K, r, 10_000, cens, log_p, 3)
    np.testing.assert_allclose(tight, wide, rtol=1e-12)
    records = PassUntilRecords.from_dataframe(pd.DataFrame(
        {"N": [1e8, 1e8, 2e8, 2e8], "instance": [0, 1, 0, 1], "r": r, "K": K,
         "K_max": 10_000, "censored": cens}))
    assert TaskDesign.from_records(records, curvature=False, kappa_sd=1.0).r_max == 3
