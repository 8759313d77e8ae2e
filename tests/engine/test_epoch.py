"""Epoch AI's Chinchilla replication (Besiroglu et al. 2024), reproduced with a posterior."""

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

EPOCH = {"E": (1.817, 0.026), "alpha": (0.348, 0.015), "beta": (0.366, 0.021)}


@pytest.fixture(scope="module")
def epoch_fit(shared_datasets):
    raw = pd.read_csv(shared_datasets / "chinchilla-epoch" / "svg_extracted_data.csv")
    # Epoch's protocol: D = C / (6 N), drop the 5 highest-loss points
    raw = raw.sort_values("loss").iloc[:-5]
    n = raw["Model Size"]
    data = pd.DataFrame({"N": n, "D": raw["Training FLOP"] / (6 * n), "loss": raw["loss"]})
    assert len(data) == 240
    return bs.fit(data, "chinchilla", x=["N", "D"], y="loss", likelihood="student_t_log",
                  num_chains=4, num_warmup=1000, num_samples=1000, seed=0, progress=False,
                  discrepancy=False)


@pytest.mark.slow
def test_epoch_medians_within_one_se(epoch_fit):
    s = epoch_fit.summary(ci_prob=0.95)
    for name, (value, se) in EPOCH.items():
        assert abs(s.loc[name, "median"] - value) <= se, (name, s.loc[name, "median"])


@pytest.mark.slow
def test_epoch_beta_excludes_hoffmann(epoch_fit):
    s = epoch_fit.summary(ci_prob=0.95)
    assert s.loc["beta", "lower"] > 0.28


@pytest.mark.slow
def test_epoch_compute_optimal_exponent(epoch_fit):
    co = epoch_fit.compute_optimal(C=5.76e23)
    a = co.set_index("quantity").loc["a", "median"]
    assert abs(a - 0.513) <= 0.02


@pytest.mark.slow
def test_epoch_diagnostics(epoch_fit):
    d = epoch_fit.diagnostics()
    assert d["divergences"] == 0
    assert d["max_r_hat"] <= 1.01
    assert d["min_ess_bulk"] >= 1000
    assert epoch_fit.ok
    # well conditioned: tens of leapfrog steps per draw, not hundreds
    assert d["mean_leapfrog_steps"] < 64
    assert np.all(np.isfinite(epoch_fit.log_likelihood()))
