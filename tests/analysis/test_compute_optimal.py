"""Compute-optimal allocation against LAWS.md's closed-form reference table."""

import numpy as np
import pytest

import bayescale as bs
from bayescale.data import Dataset
from bayescale.likelihoods import get as get_lik


def _point_fit(law, values, n_draws=4):
    posterior = {k: np.full((1, n_draws), v, dtype=float) for k, v in values.items()}
    posterior["sigma"] = np.full((1, n_draws), 0.01)
    posterior["nu"] = np.full((1, n_draws), 10.0)
    ds = Dataset({"N": np.array([1e9, 2e9]), "D": np.array([1e10, 2e10])}, np.array([3.0, 2.9]),
                 ("N", "D"), "loss")
    stats = {"diverging": np.zeros((1, n_draws), bool), "n_steps": np.ones((1, n_draws), int),
             "acceptance_rate": np.ones((1, n_draws)), "lp": np.zeros((1, n_draws)),
             "energy": np.zeros((1, n_draws)), "step_size": np.ones(1)}
    return bs.Fit(law=law, likelihood=get_lik("student_t_log"), priors={}, dataset=ds,
                  posterior=posterior, sample_stats=stats, settings={})


EPOCH = {"E": 1.817, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}
ROUNDED = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


@pytest.mark.parametrize(("params", "n_opt", "d_opt", "ratio", "loss"), [
    (EPOCH, 7.225e10, 1.329e12, 18.4, None),
    (ROUNDED, 3.219e10, 2.982e12, 92.7, None),
])
def test_reference_allocations(params, n_opt, d_opt, ratio, loss):
    fit = _point_fit(bs.laws.get("chinchilla"), params)
    co = fit.compute_optimal(C=5.76e23).set_index("quantity")
    assert co.loc["N_opt", "median"] == pytest.approx(n_opt, rel=2e-3)
    assert co.loc["D_opt", "median"] == pytest.approx(d_opt, rel=2e-3)
    assert co.loc["D_over_N", "median"] == pytest.approx(ratio, rel=3e-3)
    a = params["beta"] / (params["alpha"] + params["beta"])
    assert co.loc["a", "median"] == pytest.approx(a, rel=1e-9)


def test_numeric_path_agrees_with_closed_form():
    formula = bs.Law.from_formula("loss ~ E + A / N**alpha + B / D**beta")
    closed = _point_fit(bs.laws.get("chinchilla"), EPOCH).compute_optimal(C=[1e21, 1e24])
    numeric = _point_fit(formula, EPOCH).compute_optimal(C=[1e21, 1e24])
    np.testing.assert_allclose(numeric["median"], closed["median"], rtol=1e-4)


def test_compute_optimal_needs_n_and_d(saturating_fit):
    with pytest.raises(bs.BayescaleError, match="needs a law of N and D"):
        saturating_fit.compute_optimal(C=1e23)


@pytest.mark.parametrize(("budget", "match"), [
    ([-1.0], "C must be finite and > 0"),
    ([], r"flat, non-empty list of budgets, got \[\]"),
    ([[1e20, 1e21]], "flat, non-empty list"),
    ("abc", "C must be numbers .* got 'abc'"),
])
def test_bad_budget(chinchilla_fit, budget, match):
    with pytest.raises(bs.BayescaleError, match=match):
        chinchilla_fit.compute_optimal(C=budget)


def test_intervals_from_posterior(chinchilla_fit):
    co = chinchilla_fit.compute_optimal(C=[1e22, 1e24], ci_prob=0.9)
    assert list(co.columns) == ["C", "quantity", "mean", "median", "lower", "upper"]
    assert (co["lower"] <= co["median"]).all() and (co["median"] <= co["upper"]).all()
    n = co[co.quantity == "N_opt"]["median"].to_numpy()
    assert n[1] > n[0]
