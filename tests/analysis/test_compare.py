"""PSIS-LOO comparison, stacking weights and model averaging; the BNSL 4-digit-addition
case (a broken law against plain power laws)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.analysis import backtest, compare, model_average
from bayescale.engine import MisfitWarning
from bayescale.result import DiagnosticWarning

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
FIT = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "progress": False}


@pytest.fixture(scope="module")
def small_fits():
    rng = np.random.default_rng(0)
    x = np.geomspace(1, 1e4, 20)
    y = (1.5 + 2.0 * x**-0.4) * np.exp(0.01 * rng.standard_normal(20))
    df = pd.DataFrame({"C": x, "loss": y})
    fits = {"saturating_power": bs.fit(df, "saturating_power", x="C", y="loss", **FIT)}
    # the wrong law is flagged by the misfit check (its residuals run in streaks)
    with pytest.warns(MisfitWarning, match="'power_law' misses the data's shape"):
        fits["power_law"] = bs.fit(df, "power_law", x="C", y="loss", **FIT)
    return fits


def test_compare_ranks_the_true_law_first(small_fits):
    table = compare(small_fits)
    assert list(table.index) == ["saturating_power", "power_law"]
    assert list(table.columns) == ["rank", "elpd", "se", "p", "elpd_diff", "dse", "weight",
                                   "pareto_k_max", "n_bad_k"]
    assert table["elpd_diff"].iloc[0] == 0 and table["elpd_diff"].iloc[1] < 0
    assert table["dse"].iloc[1] > 0
    assert table["weight"].sum() == pytest.approx(1.0)
    assert table["weight"].iloc[0] > 0.9
    assert table.index.name == "model"


def test_compare_names_and_input_errors(small_fits):
    fits = list(small_fits.values())
    named = compare(fits, names=["sat", "pl"])
    assert set(named.index) == {"sat", "pl"}
    with pytest.raises(bs.BayescaleError, match="at least two fits"):
        compare(fits[:1])
    with pytest.raises(bs.BayescaleError, match="must be unique"):
        compare(fits, names=["m", "m"])
    with pytest.raises(bs.BayescaleError, match="not a Fit"):
        compare({"a": fits[0], "b": "fit"})
    with pytest.raises(bs.BayescaleError, match="method must be one of"):
        compare(fits, method="waic")


def test_compare_refuses_fits_of_different_data(small_fits):
    other = bs.fit(bs.datasets.example("saturating"), "saturating_power", x="C", y="loss",
                   **FIT)
    with pytest.raises(bs.BayescaleError, match="same observations"):
        compare([small_fits["saturating_power"], other])


def test_model_average_mixes_predictive_draws(small_fits):
    fits = list(small_fits.values())
    only_first = model_average(fits, [1.0, 0.0], C=[10.0, 1e5])
    direct = fits[0].predict(C=[10.0, 1e5])
    assert list(only_first.columns) == ["C", "mean", "median", "lower", "upper"]
    assert np.allclose(only_first["median"], direct["median"], rtol=2e-3)
    table = compare(small_fits)
    mixed = model_average(small_fits, table, C=1e5, ci_prob=0.5)
    assert mixed.shape == (1, 5)
    half = model_average(fits, {"saturating_power": 1, "power_law": 1}, C=1e6,
                         names=["saturating_power", "power_law"], num_draws=4000)
    sat, pl = fits[0].predict(C=1e6), fits[1].predict(C=1e6)
    assert min(sat["median"][0], pl["median"][0]) < half["median"][0] < max(
        sat["median"][0], pl["median"][0])
    assert half["upper"][0] - half["lower"][0] > sat["upper"][0] - sat["lower"][0]


@pytest.mark.parametrize(("weights", "match"), [
    ([1.0], "got 1 weight"),
    ([1.0, -1.0], ">= 0"),
    ([0.0, 0.0], "not all 0"),
    ({"saturating_power": 1.0}, "lack model"),
    (pd.DataFrame({"w": [1, 2]}), "'weight' column"),
])
def test_model_average_rejects_bad_weights(small_fits, weights, match):
    with pytest.raises(bs.BayescaleError, match=match):
        model_average(small_fits, weights, C=10.0)


# ---- BNSL 4-digit addition --------------------------------------------------------------
@pytest.fixture(scope="module")
def addition():
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED}")
    return bs.datasets.load("bnsl-4digit-addition", path=SHARED)


@pytest.mark.slow
def test_loo_prefers_the_broken_law(addition):
    fits = {}
    for name in ("bnsl", "power_law", "saturating_power"):
        with warnings.catch_warnings():
            # a smooth saturating power law is misspecified for this broken curve; its
            # few divergences are part of that misfit and do not change the ranking
            warnings.simplefilter("ignore", DiagnosticWarning)
            fits[name] = bs.fit(addition, name, x="x", y="y", num_chains=4,
                                num_warmup=1000, num_samples=1000, progress=False,
                                discrepancy=False)  # LOO does not read the drift
    with pytest.warns(DiagnosticWarning, match=r"Pareto k > 0.7 \('bnsl': \d+ of 17"):
        table = compare(fits)
    print("LOO on 4-digit addition (17 points):\n" + table.to_string())
    assert table.index[0] == "bnsl"
    for other in ("power_law", "saturating_power"):
        diff, dse = table.loc[other, ["elpd_diff", "dse"]]
        assert diff < -4 * dse
    assert table.loc["bnsl", "weight"] > 0.9


@pytest.mark.slow
def test_bnsl_extrapolates_the_last_three_points(addition):
    train = (addition["split"] == "fit").to_numpy()
    assert train.sum() == 14
    with warnings.catch_warnings():
        # the 1-break BNSL posterior is badly identified (d1 vs f1 vs c1, LAWS.md 3):
        # a few transitions may reach the tree-depth limit; the scores are checked below
        warnings.simplefilter("ignore", DiagnosticWarning)
        bt = backtest(addition, "bnsl", x="x", y="y", train=train, num_chains=4,
                      num_warmup=1000, num_samples=1000, progress=False)
    print(f"BNSL fit on 14, predict 3: {bt!r}")
    print(bt.table[["x", "y", "median", "lower_0.9", "upper_0.9"]].to_string())
    assert bt.n_train == 14 and bt.n_test == 3
    assert bt.rmsle <= 0.02          # reference point refit: 0.011
    assert bt.coverage[0.95] == 1.0


# ---- stacking by leave-future-out forecasts -----------------------------------------
def test_lfo_comparison_ranks_by_forecasts_beyond_cuts(small_fits):
    table = compare(small_fits, method="lfo")
    assert list(table.columns) == ["rank", "elpd", "elpd_diff", "weight", "n_points",
                                   "n_splits"]
    assert list(table.index) == ["saturating_power", "power_law"]
    assert table["elpd_diff"].iloc[0] == 0 and table["elpd_diff"].iloc[1] < 0
    assert table["weight"].sum() == pytest.approx(1.0) and table["weight"].iloc[0] > 0.5
    assert table["n_splits"].iloc[0] >= 2
    # elpd is the split-weighted sum of the drift-marginal forecast densities
    from bayescale.discrepancy import split_weights

    for name, f in small_fits.items():
        d = f.discrepancy
        shared = [sp for sp in d.splits if any(
            abs(sp.cut - o.cut) < 1e-9 for o in small_fits["power_law"].discrepancy.splits)
            and any(abs(sp.cut - o.cut) < 1e-9
                    for o in small_fits["saturating_power"].discrepancy.splits)]
        u = split_weights(shared)
        elpd = sum(wt * d.log_forecast_density(sp).sum() for sp, wt in zip(shared, u, strict=True))
        assert table.loc[name, "elpd"] == pytest.approx(elpd)
    mixed = model_average(small_fits, "lfo", C=1e5)
    by_table = model_average(small_fits, table, C=1e5)
    assert np.allclose(mixed["median"], by_table["median"])


def test_forecast_density_is_the_grid_mixture_of_normals():
    from scipy import stats

    from bayescale.discrepancy import SplitErrors, fit_drift

    sp = SplitErrors(1.0, 8, np.array([0.2, 0.5, 1.0]), np.array([0.01, -0.03, 0.08]),
                     np.array([1e-4, 2e-4, 4e-4]))
    disc = fit_drift(("x",), (0.0,), (1.0,), [sp])
    m, tau, beta, w = disc._grid
    d, e, v = sp.distance[:, None], sp.error[:, None], sp.variance[:, None]
    dens = stats.norm.pdf(e, m * d, np.sqrt(v + tau**2 * d + beta**2 * d**2)) @ w
    assert np.allclose(disc.log_forecast_density(sp), np.log(dens), rtol=1e-10)


def test_stacking_weights_maximise_the_mixture_score():
    from bayescale.analysis._lfo_stacking import _stack

    rng = np.random.default_rng(0)
    lpd = np.column_stack([rng.normal(-1, 1, 40), rng.normal(-1, 1, 40)])
    u = rng.uniform(0.5, 1, 40)
    w = _stack(lpd, u)
    grid = np.linspace(0, 1, 2001)
    score = [np.sum(u * np.log(g * np.exp(lpd[:, 0]) + (1 - g) * np.exp(lpd[:, 1])))
             for g in grid]
    assert w[0] == pytest.approx(grid[int(np.argmax(score))], abs=2e-3)
    dominated = np.column_stack([np.zeros(10), np.full(10, -5.0)])
    assert _stack(dominated, np.ones(10))[0] > 0.99


def test_lfo_needs_the_splits(small_fits):
    bare = bs.result.Fit(**{k: getattr(small_fits["power_law"], k) for k in (
        "law", "likelihood", "priors", "dataset", "posterior", "sample_stats", "settings")})
    with pytest.raises(bs.BayescaleError, match=r"no leave-future-out splits.*discrepancy=True"):
        compare({"a": small_fits["saturating_power"], "b": bare}, method="lfo")
