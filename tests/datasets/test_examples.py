"""Built-in examples: determinism, shapes, units, the frontier closed form, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import least_squares

from bayescale.datasets import example, example_truth

NAMES = ["chinchilla", "saturating"]
TABLE_A9_N = 1e6 * np.array(
    [44, 57, 74, 90, 106, 117, 140, 163, 175, 196, 217, 251, 278, 306, 425, 489, 509, 552,
     587, 632, 664, 724, 816, 893, 1018, 1143, 1266, 1424, 1429, 1593, 1609, 1731, 1794,
     2007, 2283, 2298, 2639, 2980, 3530, 3802, 4084, 4516, 6796, 9293, 11452, 12295, 12569,
     13775, 14940, 16183]
)  # fmt: skip
BUDGETS = [6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21]


def chinchilla_loss(p: dict[str, float], n: np.ndarray, d: np.ndarray) -> np.ndarray:
    return p["E"] + p["A"] / n ** p["alpha"] + p["B"] / d ** p["beta"]


# --- determinism and errors -------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data(name: str) -> None:
    pd.testing.assert_frame_equal(example(name, seed=3), example(name, seed=3))
    pd.testing.assert_frame_equal(example(name), example(name, seed=0))


@pytest.mark.parametrize("name", NAMES)
def test_different_seed_different_noise(name: str) -> None:
    a, b = example(name, seed=1), example(name, seed=2)
    assert not np.allclose(a["loss"], b["loss"])
    pd.testing.assert_frame_equal(a.drop(columns="loss"), b.drop(columns="loss"))


@pytest.mark.parametrize("func", [example, example_truth])
def test_unknown_name_lists_valid_names(func) -> None:
    with pytest.raises(ValueError, match="unknown example 'chinchila'") as info:
        func("chinchila")
    for name in NAMES:
        assert repr(name) in str(info.value)


def test_truth_is_a_fresh_dict() -> None:
    truth = example_truth("chinchilla")
    truth["alpha"] = 99.0
    assert example_truth("chinchilla")["alpha"] == 0.3478


def test_truth_constants() -> None:
    assert example_truth("chinchilla") == {
        "E": 1.817, "A": 482.01, "alpha": 0.3478, "B": 2085.43, "beta": 0.3658,
        "noise_df": 5.0, "noise_scale": 0.008,
    }  # fmt: skip
    sat = example_truth("saturating")
    assert set(sat) == {"E", "A", "alpha", "noise_df", "noise_scale"}
    assert sat["alpha"] == pytest.approx(0.3478 * 0.3658 / (0.3478 + 0.3658), rel=1e-12)


# --- chinchilla ---------------------------------------------------------------------------


def test_chinchilla_grid_and_units() -> None:
    df = example("chinchilla")
    assert list(df.columns) == ["N", "D", "C", "loss"]
    assert all(df[c].dtype == np.float64 for c in df.columns)
    assert 150 <= len(df) <= 250
    np.testing.assert_allclose(df["D"], df["C"] / (6 * df["N"]), rtol=1e-12)
    assert set(df["C"]) == set(BUDGETS)
    assert np.isin(df["N"], TABLE_A9_N).all()
    assert df["N"].nunique() >= 40
    tokens_per_param = df["D"] / df["N"]
    assert tokens_per_param.between(1, 1000).all()
    assert df["N"].min() < 1e8 and df["N"].max() > 1e10
    assert df.sort_values(["C", "N"]).index.equals(df.index)
    assert np.isfinite(df["loss"]).all() and (df["loss"] > 1.817).all()


@pytest.mark.parametrize(("name", "cols"), [("chinchilla", ["N", "D"]), ("saturating", ["C"])])
def test_noise_is_student_t_on_log_loss(name: str, cols: list[str]) -> None:
    truth = example_truth(name)
    resid = []
    for seed in range(20):
        df = example(name, seed=seed)
        if name == "chinchilla":
            mean = chinchilla_loss(truth, df["N"].to_numpy(), df["D"].to_numpy())
        else:
            mean = truth["E"] + truth["A"] * df["C"].to_numpy() ** -truth["alpha"]
        resid.append(np.log(df["loss"].to_numpy()) - np.log(mean))
    r = np.concatenate(resid)
    df_, scale = truth["noise_df"], truth["noise_scale"]
    assert abs(np.median(r)) < 0.2 * scale
    expected_sd = scale * np.sqrt(df_ / (df_ - 2))
    assert np.std(r) == pytest.approx(expected_sd, rel=0.25)


def test_chinchilla_recovers_epoch_exponents() -> None:
    """A least-squares fit in log space lands near the generating constants."""
    df = example("chinchilla", seed=0)
    n, d, y = (df[c].to_numpy() for c in ("N", "D", "loss"))

    def resid(theta: np.ndarray) -> np.ndarray:
        e, a, alpha, b, beta = theta
        terms = np.stack([np.full_like(n, e), a - alpha * np.log(n), b - beta * np.log(d)])
        return np.logaddexp.reduce(terms, axis=0) - np.log(y)

    start = np.array([np.log(2.0), np.log(300.0), 0.3, np.log(1000.0), 0.3])
    fit = least_squares(resid, start, loss="soft_l1", f_scale=0.01)
    e, _, alpha, _, beta = fit.x
    assert np.exp(e) == pytest.approx(1.817, abs=0.08)
    assert alpha == pytest.approx(0.3478, abs=0.04)
    assert beta == pytest.approx(0.3658, abs=0.04)


# --- saturating -------------------------------------------------------------------------


def test_saturating_shape() -> None:
    df = example("saturating")
    assert list(df.columns) == ["C", "loss"]
    assert len(df) == 14
    np.testing.assert_allclose(df["C"], np.logspace(18, 23, 14), rtol=1e-12)
    assert (df["loss"] > 1.817).all()


def test_saturating_frontier_matches_brute_force_minimum() -> None:
    """E + K C**-gamma equals min over N of Epoch's L(N, C / 6N), found on a dense grid."""
    p = example_truth("chinchilla")
    sat = example_truth("saturating")
    log_n = np.linspace(np.log(1e5), np.log(1e15), 400_001)
    n = np.exp(log_n)
    for c in np.logspace(17, 26, 10):
        losses = chinchilla_loss(p, n, c / (6 * n))
        i = int(np.argmin(losses))
        assert 0 < i < n.size - 1  # interior minimum
        closed = sat["E"] + sat["A"] * c ** -sat["alpha"]
        assert losses[i] == pytest.approx(closed, rel=1e-9)
        # the minimiser is Hoffmann's N_opt = G (C/6)**(beta/(alpha+beta))
        a, b = p["alpha"], p["beta"]
        g = (a * p["A"] / (b * p["B"])) ** (1 / (a + b))
        n_opt = g * (c / 6) ** (b / (a + b))
        assert log_n[i] == pytest.approx(np.log(n_opt), abs=2 * (log_n[1] - log_n[0]))
