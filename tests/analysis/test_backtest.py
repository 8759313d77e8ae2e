"""Backtests: safe train rules, held-out scores (RMSLE, coverage, miscalibration, log
predictive density), many curves at once, and Epoch's Chinchilla points."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp

import bayescale as bs
from bayescale.analysis import backtest, backtest_many, parse_rule
from bayescale.analysis._backtest import CALIBRATION_LEVELS

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
FIT = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "progress": False}
FRAME = pd.DataFrame({"N": [1e8, 5e8, 1e9, 5e9], "D": [1e9, 1e10, 1e9, 1e11],
                      "loss": [3.0, 2.8, 2.7, 2.5]})


# ---- rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "expected"), [
    ("N < 1e9", [True, True, False, False]),
    ("N <= 1e9", [True, True, True, False]),
    ("1e9 > N", [True, True, False, False]),
    ("N < 1e9 and D >= 1e10", [False, True, False, False]),
    ("N < 2e8 or D > 5e10", [True, False, False, True]),
    ("(N < 2e8 or N > 2e9) and D > 1e9", [False, False, False, True]),
    ("1e8 < N < 5e9", [False, True, True, False]),
    ("loss != 2.7", [True, True, False, True]),
    ("N > -1", [True, True, True, True]),
])
def test_rules_select_rows(rule, expected):
    assert parse_rule(rule, FRAME).tolist() == expected


@pytest.mark.parametrize(("rule", "match"), [
    ("__import__('os').system('echo hi')", "Call is not accepted"),
    ("N.__class__ < 1", "is not a column or a number"),
    ("N < 1e9 + 1", "is not a column or a number"),
    ("M < 3", "unknown column 'M'"),
    ("N < 'big'", "is not a column or a number"),
    ("N in [1, 2]", "operator In is not accepted"),
    ("not N < 3", "UnaryOp is not accepted"),
    ("1 < 2", "needs a column"),
    ("N <", "cannot parse"),
    ("N < True", "is not a column or a number"),
])
def test_rules_reject_anything_else(rule, match):
    with pytest.raises(bs.BayescaleError, match=match):
        parse_rule(rule, FRAME)


def test_masks_and_levels_are_validated():
    df = bs.datasets.example("saturating")
    with pytest.raises(bs.BayescaleError, match="boolean mask of 14 rows"):
        backtest(df, "saturating_power", x="C", y="loss", train=np.ones(3, bool))
    with pytest.raises(bs.BayescaleError, match="selects 14 of 14 rows"):
        backtest(df, "saturating_power", x="C", y="loss", train="C > 0")
    with pytest.raises(bs.BayescaleError, match="ci_levels must be"):
        backtest(df, "saturating_power", x="C", y="loss", train="C < 1e20", ci_levels=[0.5, 1])


# ---- scores -----------------------------------------------------------------------------
def _curves(n_curves: int, seed: int) -> pd.DataFrame:
    """Saturating power laws on 20 log-spaced points in [1, 1e4], 1% log-normal noise."""
    rng = np.random.default_rng(seed)
    x = np.geomspace(1, 1e4, 20)
    return pd.concat([pd.DataFrame({"curve": f"c{c}", "C": x, "loss": (
        1 + 0.2 * c + 3 * x ** -(0.4 + 0.1 * c)) * np.exp(0.01 * rng.standard_normal(20))})
        for c in range(n_curves)], ignore_index=True)


@pytest.fixture(scope="module")
def synthetic_backtest():
    df = _curves(1, seed=0)
    return df, backtest(df, "saturating_power", x="C", y="loss", train="C < 1e3",
                        likelihood="normal_log", seed=2, **FIT)


def test_backtest_scores_match_their_definitions(synthetic_backtest):
    df, bt = synthetic_backtest
    held = df[df["C"] >= 1e3].reset_index(drop=True)
    assert bt.n_train == 15 and bt.n_test == len(held) == 5
    assert bt.train.tolist() == (df["C"] < 1e3).tolist()
    t = bt.table
    assert np.allclose(t["loss"], held["loss"])
    rmsle = np.sqrt(np.mean((np.log1p(t["median"]) - np.log1p(held["loss"])) ** 2))
    assert bt.rmsle == pytest.approx(rmsle)
    for lv in (0.5, 0.8, 0.9, 0.95):
        inside = (held["loss"] >= t[f"lower_{lv:g}"]) & (held["loss"] <= t[f"upper_{lv:g}"])
        assert bt.coverage[lv] == pytest.approx(inside.mean())
    assert list(bt.calibration["level"]) == list(CALIBRATION_LEVELS)
    mis = np.mean((bt.calibration["coverage"] - bt.calibration["level"]) ** 2)
    assert bt.miscalibration == pytest.approx(mis)
    # log predictive density: log-mean-exp over draws of the likelihood's density
    f, y = bt.fit, held["loss"].to_numpy()
    mu = f.predict_draws(kind="mean", seed=2, C=held["C"].to_numpy())
    noise = {k: jnp.asarray(np.asarray(f.posterior[k]).reshape(-1, 1))
             for k in f.likelihood.noise_names}
    ll = np.asarray(f.likelihood.log_prob(jnp.asarray(y), jnp.log(mu), mu, noise))
    assert np.allclose(t["lpd"], logsumexp(ll, axis=0) - np.log(ll.shape[0]))
    assert bt.mean_lpd == pytest.approx(float(np.mean(t["lpd"])))
    # interval (Winkler) score and CRPS on log y, from their definitions
    ly = np.log(y)
    draws = np.log(f.predict_draws(kind="predictive", seed=2, C=held["C"].to_numpy()))
    for lv in (0.5, 0.9):
        lo, hi = np.quantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
        a = 1 - lv
        winkler = (hi - lo) + 2 / a * ((lo - ly) * (ly < lo) + (ly - hi) * (ly > hi))
        assert bt.interval_score[lv] == pytest.approx(float(np.mean(winkler)), rel=1e-9)
    # PIT: the share of the predictive draws (on y) below each held-out value
    raw = f.predict_draws(kind="predictive", seed=2, C=held["C"].to_numpy())
    assert np.allclose(t["pit"], np.mean(raw < y, axis=0))
    n = draws.shape[0]
    srt = np.sort(draws, axis=0)
    spread = 2 * np.sum((2 * np.arange(1, n + 1)[:, None] - n - 1) * srt, axis=0) / n**2
    crps = np.mean(np.abs(draws - ly), axis=0) - 0.5 * spread    # E|X-y| - E|X-X'|/2
    assert bt.crps == pytest.approx(float(np.mean(crps)), rel=1e-6)
    s = bt.summary()
    assert {"rmsle", "coverage_0.9", "miscalibration", "mean_lpd", "interval_score_0.9",
            "crps"} <= set(s.index)
    print(f"synthetic saturating backtest: {bt!r}")
    assert bt.rmsle < 0.02 and bt.mean_lpd > 2      # 1% noise: density ~ 1 / (0.01 y)


def test_backtest_result_is_immutable_and_renders(synthetic_backtest):
    _, bt = synthetic_backtest
    with pytest.raises(AttributeError, match="immutable"):
        bt.rmsle = 0.0
    assert "Backtest of saturating_power" in bt._repr_html_()
    assert "RMSLE" in repr(bt)


def test_backtest_many_fits_all_curves_at_once():
    df = _curves(3, seed=1)
    bm = backtest_many(df, "saturating_power", by="curve", x="C", y="loss", train="C < 1e3",
                       likelihood="normal_log", **{**FIT, "num_warmup": 1000,
                                                   "num_samples": 1000})
    s = bm.summary()
    print("backtest_many:\n" + s.to_string())
    assert list(s.index) == ["c0", "c1", "c2"] and len(bm) == 3
    assert (s["n_train"] == 15).all() and (s["n_test"] == 5).all()
    assert (s["rmsle"] < 0.02).all()
    m = bm.mean()
    assert m["curves"] == 3 and 0 <= m["coverage_0.9"] <= 1
    assert bm["c1"].fit.dataset.n == 15
    with pytest.raises(bs.BayescaleError, match="curve 'c0': train selects 20 of 20"):
        backtest_many(df, "saturating_power", by="curve", x="C", y="loss",
                      train=(df["curve"] == "c0").to_numpy() | (df["C"] < 1e3).to_numpy())
    with pytest.raises(bs.BayescaleError, match="by column 'run'"):
        backtest_many(df, "saturating_power", by="run", x="C", y="loss", train="C < 1e3")


# ---- Epoch's Chinchilla points ------------------------------------------------------------
@pytest.mark.slow
def test_chinchilla_backtest_small_to_large_models():
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED}")
    d = bs.datasets.load("chinchilla-epoch", path=SHARED)
    d = d[~d["epoch_excluded"]].reset_index(drop=True)
    assert len(d) == 240
    bt = backtest(d, "chinchilla", x=["N", "D"], y="loss", train="N < 1e9", **FIT)
    print(f"Chinchilla (Epoch, 240 points), fit N < 1e9, predict N >= 1e9: {bt!r}")
    print(bt.calibration.to_string())
    assert bt.n_train + bt.n_test == 240 and bt.n_test > 100
    assert bt.rmsle < 0.02
    # extrapolating 1.5 decades in N is harder than the fit's noise says: the intervals
    # under-cover; the test pins that the metric reports it, not that it is good
    assert 0 < bt.miscalibration < 0.25
    assert np.isfinite(bt.mean_lpd)
