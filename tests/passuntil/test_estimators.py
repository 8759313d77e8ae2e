import math

import numpy as np
import pytest

import bayescale.passuntil as pu


def _exact_pass_at_k(n, c, k):
    if n - c < k:
        return 1.0
    return 1.0 - math.prod((n - c - j) / (n - j) for j in range(k))


def test_pass_at_k_reference_values():
    np.testing.assert_allclose(
        pu.pass_at_k(200, 10, [1, 10, 100]), [0.05, 0.408548, 0.999229], atol=5e-7
    )


def test_pass_at_k_matches_chen_product_formula():
    rng = np.random.default_rng(0)
    n = rng.integers(1, 300, 500)
    c = rng.integers(0, n + 1)
    k = rng.integers(1, n + 1)
    expected = [_exact_pass_at_k(*t) for t in zip(n.tolist(), c.tolist(), k.tolist(), strict=True)]
    np.testing.assert_allclose(pu.pass_at_k(n, c, k), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("c", "k"), [(1, 1), (3, 700), (600, 600), (5000, 3000), (4097, 4097), (20000, 9000)]
)
def test_pass_at_k_is_stable_at_n_1e7(c, k):
    n = 10**7
    m, big = min(c, k), max(c, k)
    log_ratio = math.fsum(math.log1p(-big / (n - j)) for j in range(m))
    exact = -math.expm1(log_ratio)
    assert pu.pass_at_k(n, c, k) == pytest.approx(exact, rel=1e-9)


def test_pass_at_k_edge_cases_and_shapes():
    assert pu.pass_at_k(10, 0, 5) == 0.0
    assert pu.pass_at_k(10, 6, 5) == 1.0  # n - c < k
    assert pu.pass_at_k(10**7, 1, 1) == pytest.approx(1e-7, rel=1e-12)
    out = pu.pass_at_k(np.array([[100], [200]]), 10, np.array([1, 10, 50]))
    assert out.shape == (2, 3)
    assert np.all(np.diff(out, axis=1) > 0)


@pytest.mark.parametrize(
    ("args", "match"),
    [((10, 11, 1), "c must not exceed n"), ((10, 2, 11), "k <= n"), ((10, -1, 1), "c=-1 is not")],
)
def test_pass_at_k_errors(args, match):
    with pytest.raises(ValueError, match=match):
        pu.pass_at_k(*args)


def test_pu_estimates_and_variance():
    assert float(pu.pu_estimate(2, 5000)) == pytest.approx(4e-4)
    assert float(pu.pu_estimate(2, 5000, unbiased=True)) == pytest.approx(1 / 4999)
    assert float(np.sqrt(pu.pu_variance(4e-4, 2))) == pytest.approx(2.828e-4, rel=1e-3)
    with pytest.raises(ValueError, match="r=1 is not accepted"):
        pu.pu_estimate(1, 10, unbiased=True)
    with pytest.raises(ValueError, match="K=1 < r=2"):
        pu.pu_estimate(2, 1)


def test_unbiased_estimator_is_unbiased():
    rng = np.random.default_rng(1)
    p, r = 0.01, 2
    K = r + rng.negative_binomial(r, p, size=200_000)
    assert pu.pu_estimate(r, K, unbiased=True).mean() == pytest.approx(p, rel=0.01)
    assert pu.pu_estimate(r, K).mean() > 1.3 * p  # the MLE r/K is biased upwards


def test_beta_coverage_reference_values():
    np.testing.assert_allclose(
        pu.beta_coverage([1, 10, 100, 1000], 0.3, 3.0),
        [0.0909, 0.3734, 0.6656, 0.8312],
        atol=5e-5,
    )
    # the aggregate pass@k is the mean of per-problem 1 - (1 - p)^k
    rng = np.random.default_rng(2)
    p = rng.beta(0.3, 3.0, 400_000)
    mc = [np.mean(1 - (1 - p) ** k) for k in (1, 10, 100)]
    np.testing.assert_allclose(pu.beta_coverage([1, 10, 100], 0.3, 3.0), mc, atol=3e-3)


def test_power_and_task_laws():
    assert pu.power_coverage(100, -2.0, -0.3) == pytest.approx(np.exp(-2.0 * 100**-0.3))
    p = pu.task_law([1e8, 1e9], [100.0, 50.0], [0.3, 0.25])
    assert p.shape == (2, 2)
    f = np.log(-np.log(p[:, 0]))
    assert f[1] - f[0] == pytest.approx(-0.3 * np.log(10))
    with pytest.raises(ValueError, match="positive"):
        pu.task_law([1e8], [-1.0], [0.3])
