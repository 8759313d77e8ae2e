"""Floating-point quantisation training law (Sun et al. 2025), LAWS.md section 10."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

CHAINS, WARMUP, DRAWS = 2, 500, 1000
P = bs.laws.FP_QUANT


@pytest.mark.parametrize(("n", "d", "e", "m", "b", "expected", "penalty"), [
    (679_477_248, 104_857_600_000, 4, 3, 128, 2.6087, 0.0005),
    (679_477_248, 104_857_600_000, 2, 1, 128, 2.6477, 0.0395),
    (40_894_464, 10_485_760_000, 1, 1, 32, 3.5463, 0.0856),
])
def test_reference_losses(n, d, e, m, b, expected, penalty):
    law = bs.laws.get("fp_quant")
    loss = float(law(P, N=n, D=d, E=e, M=m, B=b))
    assert loss == pytest.approx(expected, abs=5e-5)
    # B = 1 (one scale per element) switches the precision penalty off
    assert loss - float(law(P, N=n, D=d, E=e, M=m, B=1)) == pytest.approx(penalty, abs=1e-4)


@pytest.mark.parametrize(("n", "e", "m", "expected"), [
    (1e9, 4, 3, 2.73e13), (1e9, 2, 1, 3.93e11), (7e9, 4, 3, 4.27e13)])
def test_critical_data_size(n, e, m, expected):
    d_crit = float(bs.laws.fp_critical_data(n, e, m, 128))
    assert d_crit == pytest.approx(expected, rel=2e-3)
    # it is the minimum of the loss in D
    law = bs.laws.get("fp_quant")
    d = d_crit * np.array([0.9, 1.0, 1.1])
    loss = np.asarray(law(P, N=n, D=d, E=e, M=m, B=128))
    assert loss[1] < loss[0] and loss[1] < loss[2]


@pytest.mark.parametrize(("bits", "best"), [(4, "E2M1"), (8, "E4M3"), (16, "E8M7")])
def test_best_layout(bits, best):
    table = bs.laws.fp_best_layout(bits)
    assert table["name"].iloc[0] == best
    assert table["prob_best"].iloc[0] == 1.0 and table["prob_best"].sum() == 1.0
    assert table["penalty_factor"].iloc[0] == 1.0
    # brute force over the law itself at an arbitrary (N, D, B)
    law = bs.laws.get("fp_quant")
    loss = {f"E{e}M{bits - 1 - e}": float(law(P, N=1e9, D=1e11, E=e, M=bits - 1 - e, B=64))
            for e in range(1, bits)}
    assert min(loss, key=loss.get) == best


def test_best_8bit_layout_continuous_optimum():
    # (E + 0.5) = P delta / (delta + nu) at P = 8 bits: E ~ 3.66, between 3 and 4
    e_star = 8 * P["delta"] / (P["delta"] + P["nu"]) - 0.5
    assert e_star == pytest.approx(3.66, abs=0.01)
    table = bs.laws.fp_best_layout(8).set_index("name")
    assert table.loc["E3M4", "penalty_factor"] == pytest.approx(1.0617, abs=1e-4)
    assert table.loc["E5M2", "penalty_factor"] > table.loc["E3M4", "penalty_factor"]


def test_layout_and_critical_data_from_draws():
    rng = np.random.default_rng(0)
    draws = {k: v * np.exp(0.05 * rng.standard_normal(400)) for k, v in P.items()}
    table = bs.laws.fp_best_layout(8, draws)
    assert table["prob_best"].sum() == pytest.approx(1.0)
    assert table.set_index("name").loc["E4M3", "prob_best"] > 0.5
    dc = bs.laws.fp_critical_data([1e9, 7e9], 4, 3, 128, draws)
    assert dc.shape == (400, 2)


def test_bad_arguments():
    with pytest.raises(bs.BayescaleError, match="total_bits must be an integer"):
        bs.laws.fp_best_layout(8.0)
    with pytest.raises(bs.BayescaleError, match="no room"):
        bs.laws.fp_best_layout(1)


def _design(seed: int) -> pd.DataFrame:
    """A Sun et al.-like grid: 4 sizes x 3 token budgets x 8 formats x 2 block sizes."""
    rng = np.random.default_rng(seed)
    sizes = [40_894_464, 84_934_656, 154_140_672, 679_477_248]
    tokens = [1e10, 3e10, 1e11]
    formats = [(1, 1), (2, 1), (1, 2), (3, 2), (2, 3), (4, 3), (5, 2), (3, 4)]
    rows = [(n, d, e, m, b) for n, d, (e, m), b in itertools.product(sizes, tokens, formats,
                                                                     (32, 512))]
    frame = pd.DataFrame(rows, columns=["N", "D", "E", "M", "B"])
    mu = np.asarray(bs.laws.get("fp_quant")(P, **{k: frame[k].to_numpy(float)
                                                 for k in "NDEMB"}))
    frame["loss"] = mu * np.exp(0.003 * rng.standard_normal(mu.size))
    return frame


def test_recovery_of_the_eight_constants():
    # 192 simulated runs, 0.3% log-noise: all eight 90% intervals cover the published values
    data = _design(seed=1)
    fit = bs.fit(data, "fp_quant", x=["N", "D", "E", "M", "B"], y="loss",
                 likelihood="normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, discrepancy=False)
    s = fit.summary(ci_prob=0.9)
    for name, value in P.items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    layouts = bs.laws.fp_best_layout(8, fit.posterior).set_index("name")
    assert layouts.loc["E4M3", "prob_best"] > 0.5
    dc = bs.laws.fp_critical_data(1e9, 4, 3, 128, fit.posterior)
    lo, hi = np.quantile(dc, [0.05, 0.95])
    assert lo <= 2.73e13 <= hi
