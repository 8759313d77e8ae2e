import numpy as np
import pytest
from scipy import stats

import bayescale.passuntil as pu


def test_simulate_matches_negative_binomial_and_censoring_probability():
    p = np.full((2, 100_000), [[1e-3], [2e-5]])
    recs = pu.simulate(p, N=[1e8, 2e8], r=2, K_max=100_000, seed=0)
    first = recs.N == 1e8
    assert recs.K[first].mean() == pytest.approx(2 / 1e-3, rel=0.01)
    assert not recs.censored[first].any()
    cens_rate = recs.censored[~first].mean()
    assert cens_rate == pytest.approx(stats.binom.cdf(1, 100_000, 2e-5), abs=0.005)
    assert np.all(recs.K[~first][recs.censored[~first]] == 100_000)


def test_simulate_is_seeded_and_handles_extremes():
    p = [[0.0, 1e-300, 1.0, 0.5]]
    a = pu.simulate(p, N=[1e8], r=[[1, 2, 3, 2]], K_max=1000, seed=4)
    b = pu.simulate(p, N=[1e8], r=[[1, 2, 3, 2]], K_max=1000, seed=4)
    assert a.K.tolist() == b.K.tolist()
    assert a.censored.tolist()[:3] == [True, True, False]
    assert a.K[2] == 3  # p = 1 passes every time


def test_simulate_errors():
    with pytest.raises(ValueError, match=r"expected \(len\(N\), instances\)"):
        pu.simulate([[0.1, 0.2]], N=[1e8, 1e9])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        pu.simulate([[1.5]], N=[1e8])
    with pytest.raises(ValueError, match=r"K_max\[0\]=0 is not accepted"):
        pu.simulate([[0.5]], N=[1e8], K_max=0)


def test_simulate_counts():
    counts = pu.simulate_counts(
        [[0.1] * 500, [0.5] * 500], n=100, model=["a", "b"], N=[1e8, 1e9], seed=1
    )
    df = counts.to_dataframe()
    assert df.groupby("model").c.mean().round(0).tolist() == [10.0, 50.0]
    assert counts.sizes.tolist() == [1e8, 1e9]


def test_verifier_toy_example_optimal_k():
    toy = {"r": [0.87, 0.13], "weights": [0.58, 0.42], "s": 0.75, "c": 1.0}
    assert [pu.optimal_k(V=v, **toy).k for v in (0.7, 1, 2)] == [3, 2, 1]
    # abstain when false positives are expensive enough
    assert pu.optimal_k(V=20, **toy).k == 0
    eu = pu.expected_utility([0, 1, 2, 3], V=1, **toy)
    assert eu[0] == 0 and np.argmax(eu) == 2


def test_verifier_ceiling_and_posterior_intervals():
    assert float(pu.verifier_ceiling(0.5, 0.75)) == pytest.approx(0.8)
    rng = np.random.default_rng(0)
    r = np.column_stack([rng.beta(87, 13, 4000), rng.beta(13, 87, 4000)])
    s = rng.beta(75, 25, 4000)
    table = pu.verifier_ceiling(r, s[:, None], ci_prob=0.9)
    assert list(table.columns) == ["median", "lower", "upper"]
    assert table.lower[1] < pu.verifier_ceiling(0.13, 0.75) < table.upper[1]
    res = pu.optimal_k(r=r, s=s, V=1, weights=[0.58, 0.42], K_max=200)
    assert res.k == 2 and res.k_lower <= 2 <= res.k_upper
    assert int(res) == 2
    assert list(res.utility.columns) == ["K", "mean", "median", "lower", "upper"]
    assert res.k_draws.shape == (4000,)


def test_verifier_errors():
    with pytest.raises(ValueError, match="s has shape"):
        pu.expected_utility(1, r=[[0.5, 0.5]], s=np.ones((1, 1, 3)), V=1)
    with pytest.raises(ValueError, match="V=-1 must be"):
        pu.optimal_k(r=[0.5], s=0.5, V=-1)
    with pytest.raises(ValueError, match="r must hold probabilities"):
        pu.verifier_ceiling(1.5, 0.5)
