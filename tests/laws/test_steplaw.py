"""Step Law (Li et al. 2025): published optima and a fit of the same form with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

CHAINS, WARMUP, DRAWS = 2, 500, 1000


@pytest.mark.parametrize(("n", "d", "lr", "batch"), [
    (1e9, 1e11, 1.6325e-3, 1.1077e6),   # LAWS.md section 9 [C]
    (1e8, 1e10, 4.1577e-3, 2.9746e5),
    (7e9, 2e12, 1.0226e-3, 6.1280e6),
])
def test_published_reference_values(n, d, lr, batch):
    out = bs.laws.step_law(n, d)
    assert float(out["lr"]) == pytest.approx(lr, rel=5e-5)
    assert float(out["batch_tokens"]) == pytest.approx(batch, rel=5e-5)
    # the registered laws at the published constants give the same numbers
    c = bs.laws.STEP_LAW
    assert float(bs.laws.get("step_law_lr")(c["lr"], N=n, D=d)) == pytest.approx(lr, rel=5e-5)
    assert float(bs.laws.get("step_law_batch")(c["batch"], D=d)) == pytest.approx(batch,
                                                                                  rel=5e-5)


def test_chinchilla_path_exponents():
    # along N, D proportional to C^0.5: lr ~ C^-0.203, batch ~ C^0.286 (LAWS.md section 9)
    c = np.array([1e20, 1e24])
    n, d = np.sqrt(c / 120.0), np.sqrt(c * 20.0 / 6.0)
    out = bs.laws.step_law(n, d)
    slope_lr = np.diff(np.log(out["lr"])) / np.diff(np.log(c))
    slope_b = np.diff(np.log(out["batch_tokens"])) / np.diff(np.log(c))
    assert float(slope_lr[0]) == pytest.approx(-0.203, abs=5e-4)
    assert float(slope_b[0]) == pytest.approx(0.2855, abs=5e-4)


def test_step_law_broadcasts():
    out = bs.laws.step_law(np.array([[1e8], [1e9]]), np.array([1e10, 1e11, 1e12]))
    assert out["lr"].shape == (2, 3) and out["batch_tokens"].shape == (2, 3)


def _sweep_optima(seed: int) -> pd.DataFrame:
    """Optima found by a simulated sweep: published law x lognormal scatter of 10%."""
    rng = np.random.default_rng(seed)
    rows = [(n, n * r) for n in np.geomspace(6e7, 1e9, 5) for r in (20.0, 60.0, 200.0)]
    n, d = np.array(rows).T
    ref = bs.laws.step_law(n, d)
    return pd.DataFrame({
        "N": n, "D": d,
        "lr_opt": ref["lr"] * np.exp(0.1 * rng.standard_normal(n.size)),
        "batch_opt": ref["batch_tokens"] * np.exp(0.1 * rng.standard_normal(n.size))})


def test_fit_to_user_optima_recovers_the_law_with_intervals():
    # Each 90% interval misses with probability ~0.1: over data seeds 0-5, 1 of 24
    # parameter intervals missed (a, seed 0). Seed 4 is a typical draw.
    data = _sweep_optima(seed=4)
    fit = bs.fit(data, "step_law_lr", x=["N", "D"], y="lr_opt", likelihood="normal_log",
                 num_chains=CHAINS, num_warmup=WARMUP, num_samples=DRAWS, progress=False,
                 discrepancy=False)
    s = fit.summary(ci_prob=0.9)
    for name, value in bs.laws.STEP_LAW["lr"].items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    # extrapolate to 1B / 100B tokens: the 90% band of the optimum covers the published value
    pred = fit.predict(kind="mean", N=1e9, D=1e11)
    assert float(pred["lower"].iloc[0]) <= 1.6325e-3 <= float(pred["upper"].iloc[0])

    fit_b = bs.fit(data, "step_law_batch", x="D", y="batch_opt", likelihood="normal_log",
                   num_chains=CHAINS, num_warmup=WARMUP, num_samples=DRAWS, progress=False,
                   discrepancy=False)
    s = fit_b.summary(ci_prob=0.9)
    for name, value in bs.laws.STEP_LAW["batch"].items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    pred = fit_b.predict(kind="mean", D=1e11)
    assert float(pred["lower"].iloc[0]) <= 1.1077e6 <= float(pred["upper"].iloc[0])
