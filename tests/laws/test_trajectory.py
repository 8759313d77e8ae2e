"""Kaplan / Su training trajectories and the critical batch size (issue 21, item 1)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

P = bs.laws.KAPLAN_TRAJECTORY
LAW = bs.laws.get("kaplan_trajectory")


def test_reference_numbers():
    # LAWS.md section 1a [C]: B_crit(3) = 1.07e6, B_crit(2) = 7.37e6 tokens; L(1e9) = 2.3756
    b = bs.laws.kaplan_critical_batch([3.0, 2.0])["median"].to_numpy()
    np.testing.assert_allclose(b, [1.07e6, 7.37e6], rtol=2e-3)
    assert float(bs.laws.kaplan_min_loss(1e9)["median"].iloc[0]) == pytest.approx(
        2.3756, abs=5e-5)
    # after very many steps the trajectory reaches the converged loss
    assert float(LAW(P, N=1e9, S=1e30, B=1e6)) == pytest.approx(2.37564, rel=1e-6)


def test_trajectory_solves_the_implicit_equation():
    s = np.geomspace(1e2, 1e7, 11)
    for n, b in ((1e7, 1e4), (1e9, 3e6), (1e11, 1e8)):
        loss = np.asarray(LAW(P, N=n, S=s, B=b))
        s_min = s / (1 + P["B_star"] / loss ** (1 / P["alpha_B"]) / b)
        rhs = (P["N_c"] / n) ** P["alpha_N"] + (P["S_c"] / s_min) ** P["alpha_S"]
        np.testing.assert_allclose(loss, rhs, rtol=1e-12)
        assert np.all(np.diff(loss) < 0)  # more steps, lower loss


def test_steps_to_loss_inverts_the_curve():
    target, n = np.array([3.0, 2.7, 2.5]), 1e9
    for b in (3e4, 1e6, 3e7):
        steps = bs.laws.kaplan_steps_to_loss(target, n, b)["median"].to_numpy()
        back = bs.laws.kaplan_loss_curve(steps, n, b)["median"].to_numpy()
        np.testing.assert_allclose(back, target, rtol=1e-10)
    # at B = B_crit(L) both steps and tokens are twice their minima (Kaplan section 5.1)
    b_crit = bs.laws.kaplan_critical_batch(target)["median"].to_numpy()
    s_min = bs.laws.kaplan_steps_to_loss(target, n)["median"].to_numpy()
    e_min = bs.laws.kaplan_steps_to_loss(target, n, tokens=True)["median"].to_numpy()
    s = bs.laws.kaplan_steps_to_loss(target, n, b_crit)["median"].to_numpy()
    e = bs.laws.kaplan_steps_to_loss(target, n, b_crit, tokens=True)["median"].to_numpy()
    np.testing.assert_allclose(s, 2 * s_min, rtol=1e-12)
    np.testing.assert_allclose(e, 2 * e_min, rtol=1e-12)
    np.testing.assert_allclose(e_min, s_min * b_crit, rtol=1e-12)


def test_unreachable_loss_and_bad_params():
    out = bs.laws.kaplan_steps_to_loss([2.0, 2.3756], 1e9, 1e6)
    assert np.all(np.isinf(out["median"]))  # at or below the converged loss
    with pytest.raises(bs.BayescaleError, match="missing"):
        bs.laws.kaplan_steps_to_loss(3.0, 1e9, params={"N_c": 1e13})
    with pytest.raises(bs.BayescaleError, match="mapping"):
        bs.laws.kaplan_critical_batch(3.0, params=[1.0, 2.0])


@pytest.fixture(scope="module")
def fit():
    """Curves of 3 sizes x 3 batch sizes x 6 steps, Kaplan's constants, 1% log-noise."""
    rng = np.random.default_rng(1)
    rows = itertools.product([1e7, 1e8, 1e9], [3e4, 3e5, 3e6], np.geomspace(3e2, 1e5, 6))
    data = pd.DataFrame(list(rows), columns=["N", "B", "S"])
    mu = np.asarray(LAW(P, N=data["N"].to_numpy(), S=data["S"].to_numpy(),
                        B=data["B"].to_numpy()))
    data["loss"] = mu * np.exp(0.01 * rng.standard_normal(mu.size))
    with warnings.catch_warnings():
        # 2 x 300 draws (CI time) can leave R-hat a little above 1.01; the test is coverage
        warnings.filterwarnings("ignore", ".*R-hat", bs.result.DiagnosticWarning)
        return bs.fit(data, "kaplan_trajectory", x=["N", "S", "B"], y="loss",
                      likelihood="normal_log", num_chains=2, num_warmup=300,
                      num_samples=300, progress=False, seed=1, discrepancy=False)


def test_recovery_of_kaplans_constants(fit):
    s = fit.summary(ci_prob=0.9)
    for name, value in P.items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])


def test_queries_with_intervals(fit):
    b = bs.laws.kaplan_critical_batch([3.0, 2.0], fit)
    assert np.all(b["lower"] <= [1.069e6, 7.371e6]) and np.all(b["upper"] >= [1.07e6, 7.37e6])
    assert np.all(b["lower"] < b["upper"])
    # extrapolation to 1e10 parameters: steps to L = 2.6 at B = 1e6 tokens
    truth = float(bs.laws.kaplan_steps_to_loss(2.6, 1e10, 1e6)["median"].iloc[0])
    est = bs.laws.kaplan_steps_to_loss(2.6, 1e10, 1e6, fit)
    assert float(est["lower"].iloc[0]) <= truth <= float(est["upper"].iloc[0])
    low = bs.laws.kaplan_min_loss(1e10, fit)
    assert float(low["lower"].iloc[0]) <= (8.8e13 / 1e10) ** 0.076 <= float(low["upper"].iloc[0])
    curve = bs.laws.kaplan_loss_curve(np.geomspace(1e3, 1e5, 4), 1e10, 1e6, fit)
    true_curve = np.asarray(LAW(P, N=1e10, S=curve["S"].to_numpy(), B=1e6))
    assert np.all((curve["lower"] <= true_curve) & (true_curve <= curve["upper"]))
