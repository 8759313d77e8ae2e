"""Clean and noisy data, the exchange rate of a noisy sample (issue 21, item 6)."""

from __future__ import annotations

import numpy as np
import pytest

import bayescale as bs

REF = bs.laws.NOISY_DATA
LAW = bs.laws.get("noisy_data")


def test_reference_numbers():
    # the module docstring's values [C]
    rate = bs.laws.noisy_worth([0.05, 0.1, 0.2, 0.4])["median"].to_numpy()
    np.testing.assert_allclose(rate, [1.04, 1.16, 1.64, 3.56], rtol=1e-12)
    assert 1.5 <= rate[2] <= 1.75  # the published price at 14.15 dB on ImageNet [P]
    clean = float(LAW(REF, D_clean=5e4, D_noisy=0.0, sigma=0.0))
    tenth = float(LAW(REF, D_clean=5e3, D_noisy=0.0, sigma=0.2))
    mix = float(LAW(REF, D_clean=5e3, D_noisy=4.5e4, sigma=0.2))
    assert (clean, tenth, mix) == pytest.approx((1.94721, 2.91421, 2.05522), abs=5e-6)
    assert mix / clean - 1 < 0.06 and tenth / clean - 1 > 0.45


def test_limits():
    # clean noise is clean data; no noisy data is the clean power law; huge noise is worthless
    d = np.geomspace(1e3, 1e6, 5)
    pure = REF["E"] + REF["A"] * d ** -REF["alpha"]
    np.testing.assert_allclose(LAW(REF, D_clean=d, D_noisy=0.0, sigma=0.3), pure, rtol=1e-12)
    np.testing.assert_allclose(LAW(REF, D_clean=d / 2, D_noisy=d / 2, sigma=0.0), pure,
                               rtol=1e-12)
    np.testing.assert_allclose(LAW(REF, D_clean=d, D_noisy=1e6, sigma=1e6), pure, rtol=1e-9)
    # at sigma_50 a noisy sample is worth half a clean one
    half = LAW(REF, D_clean=1e4, D_noisy=2e4, sigma=REF["sigma_50"])
    assert float(half) == pytest.approx(float(LAW(REF, D_clean=2e4, D_noisy=0.0, sigma=0.0)))


def test_noisy_worth_draws_and_errors():
    draws = {"sigma_50": np.array([0.2, 0.25, 0.3]), "k": np.array([2.0, 2.0, 2.0])}
    out = bs.laws.noisy_worth(0.2, draws, ci_prob=0.5)
    assert out["median"].iloc[0] == pytest.approx(1.64)
    assert out["lower"].iloc[0] < 1.64 < out["upper"].iloc[0]
    assert bs.laws.noisy_worth(0.0)["median"].iloc[0] == 1.0
    with pytest.raises(bs.BayescaleError, match=">= 0"):
        bs.laws.noisy_worth(-0.1)
    with pytest.raises(bs.BayescaleError, match="missing"):
        bs.laws.noisy_worth(0.2, {"k": 2.0})
