"""Adversarial control through activations, a hierarchical linear law (issue 21, item 7)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bayescale as bs

REF = bs.laws.ADVERSARIAL
LAW = bs.laws.get("adversarial_control")
BITS_OUT = math.log2(50304)


def test_reference_numbers():
    # the module docstring's values [C]
    chi = bs.laws.attack_resistance()
    np.testing.assert_allclose(chi["median"].iloc[:3], [16.0, 25.0, 20.0], rtol=1e-12)
    kappa = LAW(REF, a=np.array([1.0, 10.0, 1.0]), bits_in=np.array([8192.0, 8192, 65536]),
                bits_out=BITS_OUT, model=np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(kappa, [32.78, 327.8, 167.85], rtol=2e-4)


def test_linear_in_a_and_the_hierarchy_enters_as_mu_plus_tau_z():
    a = np.geomspace(1.0, 100.0, 5)
    t = np.asarray(LAW(REF, a=a, bits_in=8192.0, bits_out=BITS_OUT, model=0.0))
    np.testing.assert_allclose(t / a, t[0] / a[0], rtol=1e-12)
    other = {"mu": REF["mu"] + 0.1, "tau": 2 * REF["tau"], "z0": (-REF["tau"] - 0.1)
             / (2 * REF["tau"]), "z1": 0.0}
    np.testing.assert_allclose(LAW(other, a=a, bits_in=8192.0, bits_out=BITS_OUT, model=0.0),
                               t, rtol=1e-12)
    # the index rounds and clips
    five = bs.laws.adversarial_control(5)
    p = {"mu": 3.0, "tau": 0.2} | {f"z{i}": float(i) for i in range(5)}
    got = five(p, a=1.0, bits_in=1.0, bits_out=1.0, model=np.array([-3.0, 1.4, 2.6, 9.0]))
    np.testing.assert_allclose(got, np.exp(-(3.0 + 0.2 * np.array([0, 1, 3, 4]))), rtol=1e-12)
    assert five is bs.laws.adversarial_control(5) and five.name == "adversarial_control5"


def test_attack_resistance_draws_and_errors():
    rng = np.random.default_rng(0)
    draws = {"mu": math.log(20) + 0.01 * rng.standard_normal(400),
             "tau": np.full(400, 0.2), "z0": np.zeros(400), "z1": np.ones(400)}
    out = bs.laws.attack_resistance(draws, ci_prob=0.9)
    assert list(out.index) == ["model 0", "model 1", "median across models", "new model"]
    assert out.loc["model 1", "median"] == pytest.approx(20 * math.exp(0.2), rel=0.01)
    new = out.loc["new model"]  # exp(mu + tau e): about 20 x exp(+-1.645 x 0.2)
    assert new["lower"] == pytest.approx(20 * math.exp(-0.329), rel=0.1)
    assert new["upper"] == pytest.approx(20 * math.exp(0.329), rel=0.1)
    with pytest.raises(bs.BayescaleError, match="'mu', 'tau', 'z0'"):
        bs.laws.attack_resistance({"mu": 1.0})
    with pytest.raises(bs.LawError, match="n_models must be an integer >= 2"):
        bs.laws.adversarial_control(1)
