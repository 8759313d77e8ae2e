"""Beyond power laws by data pruning (Sorscher et al. 2022; issue 21, item 5)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

REF = bs.laws.PRUNED_DATA
LAW = bs.laws.get("pruned_data")
SIZES = np.geomspace(1e3, 5e4, 12)


def test_reference_numbers_and_limits():
    # the module docstring's values [C]
    assert float(LAW(REF["power"], P=5e4)) == pytest.approx(0.10052, abs=5e-6)
    assert float(LAW(REF["exponential"], P=5e4)) == pytest.approx(0.02391, abs=5e-6)
    p = np.geomspace(10.0, 1e5, 9)
    # q -> 0: the exponential E + A exp(-P / P_0)
    tiny = {"E": 0.02, "A": 0.9, "P_0": 8e3, "q": 1e-9}
    np.testing.assert_allclose(LAW(tiny, P=p), 0.02 + 0.9 * np.exp(-p / 8e3), rtol=1e-7)
    # q P / P_0 >> 1: the power law of exponent 1 / q
    power = REF["power"]
    far = np.geomspace(1e8, 1e10, 3)
    slope = np.diff(np.log(np.asarray(LAW(power, P=far)) - power["E"])) / np.diff(np.log(far))
    np.testing.assert_allclose(slope, -1 / power["q"], rtol=1e-4)


def test_regime_elasticity():
    out = bs.laws.pruning_regime({"P_0": 1e3, "q": 0.5}, [1e2, 2e3, 2e4])
    np.testing.assert_allclose(out["elasticity"], [1 / 1.05, 0.5, 1 / 11.0])
    assert out["regime"].tolist() == ["exponential", "power law", "power law"]
    assert out["power_exponent"].iloc[0] == pytest.approx(2.0)
    with pytest.raises(bs.BayescaleError, match="'P_0' and 'q'"):
        bs.laws.pruning_regime({"q": 1.0}, 1e3)
    with pytest.raises(bs.BayescaleError, match="finite and > 0"):
        bs.laws.pruning_regime({"P_0": 1e3, "q": 1.0}, -1.0)


def _fit(regime: str, seed: int):
    rng = np.random.default_rng(seed)
    mu = np.asarray(LAW(REF[regime], P=SIZES))
    data = pd.DataFrame({"P": SIZES, "error": mu * np.exp(0.02 * rng.standard_normal(mu.size))})
    with warnings.catch_warnings():
        # 2 x 300 draws (CI time) can leave R-hat a little above 1.01; the test is coverage
        warnings.filterwarnings("ignore", ".*R-hat", bs.result.DiagnosticWarning)
        return bs.fit(data, "pruned_data", x="P", y="error", likelihood="normal_log",
                      num_chains=2, num_warmup=300, num_samples=300, progress=False,
                      discrepancy=False)


@pytest.fixture(scope="module")
def fits():
    """One unpruned (power-law) and one well-pruned (near-exponential) curve, 2% noise."""
    return {"power": _fit("power", 0), "exponential": _fit("exponential", 1)}


@pytest.mark.parametrize("regime", ["power", "exponential"])
def test_recovery_and_regime(fits, regime):
    fit = fits[regime]
    s = fit.summary(ci_prob=0.9)
    for name, value in REF[regime].items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    out = bs.laws.pruning_regime(fit, SIZES[-1]).iloc[0]
    assert out["regime"] == ("power law" if regime == "power" else "exponential")
    prob = out["prob_exponential"]
    assert (prob < 0.1) if regime == "power" else (prob > 0.9), prob
