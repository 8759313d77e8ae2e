"""Data-constrained scaling (Muennighoff et al. 2023): effective data and parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bayescale as bs

CHAINS, WARMUP, DRAWS = 2, 500, 1000
P = bs.laws.DATA_CONSTRAINED


def test_published_constants_match_the_paper():
    # rounded values quoted in the issue / SOURCE.md, from the authors' unrounded fit
    assert P["E"] == pytest.approx(1.87, abs=0.005)
    assert P["A"] == pytest.approx(521, abs=0.5)
    assert P["B"] == pytest.approx(1488, abs=0.5)
    assert P["alpha"] == P["beta"] == pytest.approx(0.353, abs=5e-4)
    assert P["R_D_star"] == pytest.approx(15.4, abs=0.05)
    assert P["R_N_star"] == pytest.approx(5.3, abs=0.05)


def test_effective_data():
    u = 1e9
    # one epoch: all data is unique
    assert float(bs.laws.effective_data(u, u)) == pytest.approx(u, rel=1e-12)
    # fewer tokens than available: the tokens seen
    assert float(bs.laws.effective_data(0.5 * u, u)) == pytest.approx(0.5 * u, rel=1e-12)
    # 4 epochs are worth ~3.73 fresh epochs; the value saturates at U (1 + R*_D)
    assert float(bs.laws.effective_data(4 * u, u)) / u == pytest.approx(3.7257, abs=1e-4)
    assert float(bs.laws.effective_data(1e6 * u, u)) / u == pytest.approx(1 + P["R_D_star"],
                                                                          rel=1e-9)
    # matches the closed form
    d = np.array([2.0, 7.0, 14.0, 44.0]) * u
    expected = u + u * P["R_D_star"] * (1 - np.exp(-(d / u - 1) / P["R_D_star"]))
    np.testing.assert_allclose(bs.laws.effective_data(d, u), expected, rtol=1e-12)


def test_effective_params():
    # U_N = N_opt(U) = G^2 U when alpha = beta, G = (A / B)^(1 / (2 alpha)) ~ 0.226
    g = (P["A"] / P["B"]) ** (1 / (2 * P["alpha"]))
    u = 1e10
    u_n = g * g * u
    assert float(bs.laws.effective_params(0.5 * u_n, u)) == pytest.approx(0.5 * u_n, rel=1e-9)
    n = 10 * u_n
    expected = u_n + u_n * P["R_N_star"] * (1 - np.exp(-(n / u_n - 1) / P["R_N_star"]))
    assert float(bs.laws.effective_params(n, u)) == pytest.approx(expected, rel=1e-9)


def test_single_epoch_is_chinchilla():
    n, d = np.geomspace(1e8, 1e10, 5), np.geomspace(2e9, 2e11, 5)
    dc = bs.laws.get("data_constrained")(P, N=n, D=d, U=d)
    ch = bs.laws.get("chinchilla")({k: P[k] for k in ("E", "A", "B", "alpha", "beta")},
                                   N=n, D=d)
    # U_N >= N here (N <= 0.051 U), so there are no excess parameters either
    np.testing.assert_allclose(dc, ch, rtol=1e-12)


def test_repetition_raises_the_loss_monotonically():
    law = bs.laws.get("data_constrained")
    epochs = np.array([1, 2, 4, 7, 14, 44, 1000])
    loss = np.asarray(law(P, N=2.8e9, D=55e9, U=55e9 / epochs))
    assert np.all(np.diff(loss) > 0)


def _design(seed: int) -> pd.DataFrame:
    """5 sizes x 4 token budgets x 7 epoch counts, 0.5% log-noise."""
    rows = [(n, d, d / ep) for n in (1e8, 3e8, 1e9, 3e9, 1e10)
            for d in (5 * n, 10 * n, 20 * n, 80 * n) for ep in (1, 2, 3, 4, 8, 16, 40)]
    frame = pd.DataFrame(rows, columns=["N", "D", "U"])
    mu = np.asarray(bs.laws.get("data_constrained")(P, **{k: frame[k] for k in "NDU"}))
    frame["loss"] = mu * np.exp(0.005 * np.random.default_rng(seed).standard_normal(mu.size))
    return frame


def test_recovery_and_extrapolation_in_epochs():
    # fit the 80 runs with <= 4 epochs (the data bucket of the real-data test below, so
    # the sampler is compiled once), predict 8, 16 and 40 epochs
    data = _design(seed=0)
    epochs = data["D"] / data["U"]
    train, test = data[epochs <= 4], data[epochs > 4].reset_index(drop=True)
    fit = bs.fit(train, "data_constrained", x=["N", "D", "U"], y="loss", num_chains=CHAINS,
                 num_warmup=WARMUP, num_samples=DRAWS, progress=False)
    assert len(train) == 80
    s = fit.summary(ci_prob=0.9)
    for name, value in P.items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    # calibrated extrapolation in epochs when the law is right (data seeds 0-3: 90% band
    # coverage 0.95, 0.90, 0.82, 0.98; every parameter interval covers its truth)
    pred = fit.predict(ci_prob=0.9, N=test["N"], D=test["D"], U=test["U"])
    cover = np.mean((pred["lower"] <= test["loss"]) & (test["loss"] <= pred["upper"]))
    assert cover >= 0.8
    mean = fit.predict(kind="mean", N=test["N"], D=test["D"], U=test["U"])
    assert np.mean(np.abs(mean["median"] - test["loss"]) / test["loss"]) < 0.02


def datablations_split(data_dir):
    """Contour grid (C4 final losses): train <= 4 epochs; the 2.8B/4.2B/8.7B final losses
    of the learning-curve file at 7, 14 and 44 epochs as the test set."""
    grid = bs.datasets.load("datablations", path=data_dir, file="contour")
    curves = bs.datasets.load("datablations", path=data_dir)
    finals = (curves[curves["data"] == "c4"].sort_values("D").groupby(["N", "epochs"])
              .tail(1).reset_index(drop=True))
    train = grid[grid["epochs"] <= 4].reset_index(drop=True)
    test = finals[finals["epochs"].isin([7, 14, 44])].reset_index(drop=True)
    return train, test


@pytest.mark.slow
def test_real_datablations_fit_le4_epochs_predict_7_14_44(shared_datasets):
    """66 C4 runs with <= 4 epochs (Student-t on log L: the grid holds outlying runs).

    Reproduced (2 chains x 1000 draws): 7 and 14 epochs, MAPE 0.41% and 0.62%, all six
    inside their 90% bands; 44 epochs, observed 3.43 / 3.27 / 3.12 against predicted
    3.02 / 2.87 / 2.65, all outside: at 44 epochs the final loss *rises* during training
    (overfitting; the minimum along the curve is 3.05 / 2.93 / 2.80) and the law only has
    diminishing returns, not degradation. The published constants do not describe this
    file's loss scale (log-RMS error 0.16 on the training rows; MAPE 7.3%, 8.4%, 21.5% at
    7, 14, 44 epochs); the posterior has E 1.98, alpha 0.40, beta 0.38 (all five
    Chinchilla-part intervals exclude the published values) and wide R*_D 10 [5, 85],
    R*_N 7.3 [3.6, 17] that contain 15.4 and 5.3.
    """
    train, test = datablations_split(shared_datasets)
    assert len(train) == 66 and len(test) == 9
    # four chains: with two, R-hat of the weakly identified R*_D / sigma sits at 1.01
    fit = bs.fit(train, "data_constrained", x=["N", "D", "U"], y="loss",
                 num_chains=4, num_warmup=WARMUP, num_samples=DRAWS, progress=False)
    assert fit.ok
    mean = fit.predict(kind="mean", N=test["N"], D=test["D"], U=test["U"])
    pred = fit.predict(ci_prob=0.9, N=test["N"], D=test["D"], U=test["U"])
    y = test["loss"].to_numpy()
    err = np.abs(mean["median"].to_numpy() - y) / y
    inside = (pred["lower"].to_numpy() <= y) & (y <= pred["upper"].to_numpy())
    mid = test["epochs"].isin([7, 14]).to_numpy()
    assert err[mid].mean() < 0.02
    assert inside[mid].sum() >= 5
    assert np.all(mean["median"].to_numpy()[~mid] < y[~mid])  # 44 epochs: degradation
    # the posterior keeps the published R*_D inside its (wide) 90% interval
    s = fit.summary(ci_prob=0.9)
    assert s.loc["R_D_star", "lower"] <= P["R_D_star"] <= s.loc["R_D_star", "upper"]
