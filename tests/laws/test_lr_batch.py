"""Best learning rate against batch size: linear, square root, the surge (issue 21, item 2)."""

from __future__ import annotations

import numpy as np
import pytest

import bayescale as bs

REF = bs.laws.LR_BATCH
LAW = bs.laws.get("lr_batch")


def test_reference_numbers():
    # the module docstring's values [C]
    adam = bs.laws.lr_for_batch([64, 512, 4096])["median"].to_numpy()
    np.testing.assert_allclose(adam, [6.2854e-4, 1e-3, 6.2854e-4], rtol=1e-4)
    sgd = bs.laws.lr_for_batch([64, 512, 4096], REF["sgd"])["median"].to_numpy()
    np.testing.assert_allclose(sgd, [0.011111, 0.05, 0.088889], rtol=1e-4)


def test_the_two_published_forms():
    b = np.geomspace(4.0, 1e6, 9)
    # McCandlish et al. (2018): eta_max / (1 + B_noise / B)
    np.testing.assert_allclose(LAW(REF["sgd"], B=b), 0.1 / (1 + 512 / b), rtol=1e-12)
    # Li et al. (2024) surge: eta_max / ((sqrt(B_noise / B) + sqrt(B / B_noise)) / 2)
    surge = 1e-3 / (0.5 * (np.sqrt(512 / b) + np.sqrt(b / 512)))
    np.testing.assert_allclose(LAW(REF["adam"], B=b), surge, rtol=1e-12)
    # the regimes' slopes: B**p well below B_noise, B**(p - 1) well above
    for p in (0.5, 1.0):
        ref = REF["adam"] | {"p": p}
        for lo, slope in ((1e-4, p), (1e7, p - 1)):
            ends = np.log(np.asarray(LAW(ref, B=np.array([lo, 2 * lo]))))
            assert (ends[1] - ends[0]) / np.log(2) == pytest.approx(slope, abs=1e-3)


def test_peak():
    peak = bs.laws.lr_batch_peak()
    assert peak.loc["B_peak", "median"] == pytest.approx(512.0)
    assert peak.loc["eta_peak", "median"] == pytest.approx(1e-3)
    p = REF["adam"] | {"p": 0.7}
    b_peak = 512 * 0.7 / 0.3
    top = float(LAW(p, B=b_peak))
    assert top > max(float(LAW(p, B=b_peak * 1.01)), float(LAW(p, B=b_peak / 1.01)))
    assert bs.laws.lr_batch_peak(p).loc["eta_peak", "median"] == pytest.approx(top)
    sgd = bs.laws.lr_batch_peak(REF["sgd"])
    assert np.isinf(sgd.loc["B_peak", "median"]) and sgd["prob_peak"].iloc[0] == 0.0
    with pytest.raises(bs.BayescaleError, match="missing"):
        bs.laws.lr_for_batch(64, {"p": 0.5})
