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
    data_distance,
    default_coordinates,
    fit_drift,
    split_weights,
)


def _split(rng, n=7, m=0.0, tau=0.0, beta=0.0):
    d = np.sort(rng.uniform(0.01, 1.5, n))
    v = rng.uniform(0.5, 2.0, n) * 1e-4
    k = tau**2 * np.minimum(d[:, None], d[None, :]) + beta**2 * np.outer(d, d) + np.diag(v)
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
        for beta in (1e-3, 0.04, 0.3):   # the random slope: a rank-one term beta^2 d d^T
            ref = multivariate_normal(m * sp.distance, cov + beta**2 * np.outer(
                sp.distance, sp.distance)).logpdf(sp.error)
            got = _split_loglik(np.array([m]), np.array([tau]), sp, np.array([beta]))[0]
            assert got == pytest.approx(ref, rel=1e-10)


def test_split_weights_count_each_held_out_point_once():
    rng = np.random.default_rng(4)
    sizes = [9, 6, 6, 2]
    splits = [SplitErrors(float(i), 10, np.sort(rng.uniform(0, 1, n)), np.zeros(n),
                          np.ones(n)) for i, n in enumerate(sizes)]
    w = split_weights(splits)
    # the i-th farthest point is held out by every split with >= i points
    mult = np.array([sum(n >= i for n in sizes) for i in range(1, 10)], dtype=float)
    np.testing.assert_allclose(w, [np.mean(1 / mult[:n]) for n in sizes])
    assert float(np.dot(w, sizes)) == pytest.approx(max(sizes))
    assert split_weights([]).size == 0


def test_distance_sees_combined_extrapolation():
    # N and D each inside the data's range, their product (compute) beyond it
    x = {"N": np.array([1e8, 1e9, 1e9]), "D": np.array([1e10, 1e11, 1e12])}
    coords = default_coordinates(("N", "D"))
    assert coords == ((("N", 1), ("D", 1)),)
    lo, hi = (8.0, 10.0), (9.0, 12.0)
    d = data_distance(x, ("N", "D"), lo, hi, coords, (18.0,), (19.5,))
    np.testing.assert_allclose(d, [0.0, 0.5, 1.5])
    assert np.all(box_distance(x, ("N", "D"), lo, hi) == 0)
    # epochs D / U of the data-constrained law
    assert (("D", 1), ("U", -1)) in default_coordinates(("N", "D"), "data_constrained")
    xu = {"N": np.array([1e9]), "D": np.array([1e11]), "U": np.array([1e9])}
    ep = default_coordinates(("N", "D"), "data_constrained")
    d = data_distance(xu, ("N", "D"), lo, hi, ep, (18.0, 0.0), (21.0, 0.6))
    np.testing.assert_allclose(d, [2.0 - 0.6])


def test_random_slope_paths_and_recovery(monkeypatch):
    disc = Discrepancy(("x",), (0.0,), (1.0,), 0.05, random_slope=True)
    n = 200_000
    monkeypatch.setattr(disc.__class__, "hyper_draws", lambda self, k, seed: (
        np.zeros(k), np.full(k, 0.1), np.full(k, 0.2)))
    d = np.array([0.5, 2.0])
    p = disc.paths(d, n, 5)
    np.testing.assert_allclose(p.var(0), 0.01 * d + 0.04 * d**2, rtol=0.03)
    monkeypatch.undo()
    rng = np.random.default_rng(6)
    splits = [_split(rng, n=12, tau=0.005, beta=0.06) for _ in range(60)]
    s = fit_drift(("x",), (0.0,), (1.0,), splits).summary()
    assert s["drift_slope"] == pytest.approx(0.06, abs=3 * s["drift_slope_sd"] + 5e-3)
    assert s["drift_mean"] == 0.0


def test_box_distance():
    x = {"N": np.array([1e8, 1e10, 1e11, 1e6]), "D": np.array([1e10, 1e10, 1e12, 1e10])}
    d = box_distance(x, ("N", "D"), (7.0, 9.0), (9.0, 11.0))
    np.testing.assert_allclose(d, [0.0, 1.0, np.hypot(2.0, 1.0), 1.0])


def test_paths_moments(monkeypatch):
    disc = Discrepancy(("x",), (0.0,), (1.0,), 0.05)
    n = 200_000
    monkeypatch.setattr(disc.__class__, "hyper_draws", lambda self, k, seed: (
        np.full(k, 0.1), np.full(k, 0.2), np.zeros(k)))
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
    assert back.random_slope
    # a file written before the random slope and the coordinates existed
    old = {k: v for k, v in disc.to_dict().items()
           if k not in ("random_slope", "coords", "coord_low", "coord_high")}
    assert not Discrepancy.from_dict(old).random_slope
    with_c = fit_drift(("N", "D"), (7.0, 9.0), (9.0, 11.0), [], coords=(
        (("N", 1), ("D", 1)),), coord_low=(16.0,), coord_high=(20.0,))
    assert Discrepancy.from_dict(with_c.to_dict()) == with_c
    bad = with_c.to_dict()
    bad["coord_low"] = [21.0]
    with pytest.raises(bs.BayescaleError, match="ordered range"):
        Discrepancy.from_dict(bad)
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
