"""The drift model beyond the data: likelihood, paths, distance, storage, recovery."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import bayescale as bs
from bayescale.discrepancy import (
    Discrepancy,
    SplitErrors,
    _split_loglik,
    box_distance,
    fit_drift,
)


def _split(rng, n=7, m=0.0, tau=0.0):
    d = np.sort(rng.uniform(0.01, 1.5, n))
    v = rng.uniform(0.5, 2.0, n) * 1e-4
    k = tau**2 * np.minimum(d[:, None], d[None, :]) + np.diag(v)
    e = rng.multivariate_normal(m * d, k)
    return SplitErrors(18.0, 20, d, e, v)


def test_split_loglik_is_the_gaussian_density():
    rng = np.random.default_rng(0)
    sp = _split(rng, m=0.02, tau=0.03)
    for m, tau in [(0.0, 1e-3), (0.02, 0.03), (-0.05, 0.2)]:
        cov = np.diag(sp.variance) + tau**2 * np.minimum(sp.distance[:, None],
                                                          sp.distance[None, :])
        ref = multivariate_normal(m * sp.distance, cov).logpdf(sp.error)
        got = _split_loglik(np.array([m]), np.array([tau]), sp)[0]
        assert got == pytest.approx(ref, rel=1e-10)


def test_box_distance():
    x = {"N": np.array([1e8, 1e10, 1e11, 1e6]), "D": np.array([1e10, 1e10, 1e12, 1e10])}
    d = box_distance(x, ("N", "D"), (7.0, 9.0), (9.0, 11.0))
    np.testing.assert_allclose(d, [0.0, 1.0, np.hypot(2.0, 1.0), 1.0])


def test_paths_moments(monkeypatch):
    disc = Discrepancy(("x",), (0.0,), (1.0,), 0.05)
    n = 200_000
    monkeypatch.setattr(disc.__class__, "hyper_draws",
                        lambda self, k, seed: (np.full(k, 0.1), np.full(k, 0.2)))
    d = np.array([0.0, 0.5, 2.0, 0.5])
    p = disc.paths(d, n, 3)
    np.testing.assert_allclose(p.mean(0), 0.1 * d, atol=3e-3)
    np.testing.assert_allclose(p.var(0), 0.04 * d, rtol=0.03, atol=1e-12)
    # one Brownian path per draw: Cov(W(0.5), W(2)) = 0.5, equal distances equal drift
    assert np.cov(p[:, 1], p[:, 2])[0, 1] == pytest.approx(0.04 * 0.5, rel=0.05)
    np.testing.assert_array_equal(p[:, 1], p[:, 3])
    assert np.all(p[:, 0] == 0)


def test_recovers_drift_from_many_splits():
    rng = np.random.default_rng(1)
    splits = [_split(rng, n=12, m=0.04, tau=0.02) for _ in range(40)]
    s = fit_drift(("x",), (0.0,), (1.0,), splits, mean_drift=True).summary()
    assert s["drift_mean"] == pytest.approx(0.04, abs=3 * s["drift_mean_sd"] + 2e-3)
    assert s["drift_tau"] == pytest.approx(0.02, abs=3 * s["drift_tau_sd"] + 2e-3)


def test_prior_only_without_splits():
    disc = fit_drift(("x",), (0.0,), (1.0,), [])
    assert not disc.calibrated
    s = disc.summary()
    assert abs(s["drift_mean"]) < 1e-3 and 0.02 < s["drift_tau"] < 0.06


def test_round_trip_and_rejects_malformed():
    rng = np.random.default_rng(2)
    disc = fit_drift(("N", "D"), (7.0, 9.0), (9.0, 11.0), [_split(rng) for _ in range(3)])
    back = Discrepancy.from_dict(disc.to_dict())
    assert back.to_dict() == disc.to_dict()
    np.testing.assert_array_equal(back.paths(np.array([0.3, 1.0]), 50, 0),
                                  disc.paths(np.array([0.3, 1.0]), 50, 0))
    bad = disc.to_dict()
    bad["splits"][0]["error"] = bad["splits"][0]["error"][:-1]
    with pytest.raises(bs.BayescaleError, match="unequal length"):
        Discrepancy.from_dict(bad)
    bad = disc.to_dict()
    bad["low"] = [7.0]
    with pytest.raises(bs.BayescaleError, match="one value per input"):
        Discrepancy.from_dict(bad)
    bad = disc.to_dict()
    bad["splits"][0]["variance"][0] = -1.0
    with pytest.raises(bs.BayescaleError, match="non-positive"):
        Discrepancy.from_dict(bad)
    with pytest.raises(bs.BayescaleError, match="malformed"):
        Discrepancy.from_dict({"axis": ["x"]})


def test_default_keeps_the_median():
    rng = np.random.default_rng(3)
    splits = [_split(rng, n=12, m=0.05, tau=0.02) for _ in range(10)]
    disc = fit_drift(("x",), (0.0,), (1.0,), splits)
    assert disc.summary()["drift_mean"] == 0.0 and not disc.mean_drift
    p = disc.paths(np.array([1.0, 2.0]), 20000, 0)
    np.testing.assert_allclose(np.median(p, axis=0), 0.0, atol=0.01)
    assert Discrepancy.from_dict(disc.to_dict()).to_dict() == disc.to_dict()
