"""compute_optimal / optimal_draws never return NaN or inf without a word (issue 17, item 3)."""

import numpy as np
import pytest

import bayescale as bs
from bayescale.data import Dataset
from bayescale.likelihoods import get as get_lik
from bayescale.result import DiagnosticWarning

EPOCH = {"E": 1.817, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}


def _fit(law, chains):
    """A fit whose chain ``c`` holds the point ``chains[c]`` in each of its 50 draws."""
    post = {k: np.array([[ch[k]] * 50 for ch in chains], dtype=float) for k in chains[0]}
    post["sigma"] = np.full((len(chains), 50), 0.01)
    post["nu"] = np.full((len(chains), 50), 10.0)
    ds = Dataset({"N": np.array([1e9, 2e9]), "D": np.array([1e10, 2e10])},
                 np.array([3.0, 2.9]), ("N", "D"), "loss")
    shape = (len(chains), 50)
    stats = {"diverging": np.zeros(shape, bool), "n_steps": np.ones(shape, int),
             "acceptance_rate": np.ones(shape), "lp": np.zeros(shape),
             "energy": np.zeros(shape), "step_size": np.ones(len(chains))}
    return bs.Fit(law=law, likelihood=get_lik("student_t_log"), priors={}, dataset=ds,
                  posterior=post, sample_stats=stats, settings={})


@pytest.mark.parametrize("law", ["chinchilla", "loss ~ E + A / N**alpha + B / D**beta"])
def test_a_stuck_chain_is_named_and_nothing_turns_nan(law):
    law = bs.laws.get(law) if law == "chinchilla" else bs.Law.from_formula(law)
    stuck = dict(EPOCH, A=np.inf)  # as on the curve: one chain with A = inf
    fit = _fit(law, [EPOCH, EPOCH, EPOCH, stuck])
    # closed form: N* = inf and the loss there NaN (left out); numeric search: N* at the
    # search's end and the loss infinite. Either way: no NaN, one warning naming A
    with pytest.warns(DiagnosticWarning, match=r"bayescale compute_optimal: .*(N_opt|loss): "
                      r"the upper \(95%\) quantile is infinite.*Cause: non-finite posterior "
                      r"draws of 'A' \(25%\)") as rec:
        out = fit.compute_optimal(C=[1e21, 1e24])
    assert len(rec) == 1
    assert not out[["mean", "median", "lower", "upper"]].isna().any().any()
    med = out.set_index(["C", "quantity"])["median"]
    assert np.isfinite(med.loc[(1e24, "N_opt")])  # three healthy chains of four
    with pytest.warns(DiagnosticWarning, match=r"optimal_draws: .*100 of 400 draws are not"):
        bs.analysis.optimal_draws(fit, [1e21, 1e24])


def test_overflowing_optimum_warns():
    # alpha + beta near 0: N* = G (C/6)^a with log G / (alpha + beta) far beyond float64
    tiny = dict(EPOCH, alpha=1e-4, beta=1e-4, A=1e30)
    fit = _fit(bs.laws.get("chinchilla"), [EPOCH, tiny])
    with pytest.warns(DiagnosticWarning, match=r"N_opt: the upper \(95%\) quantile is "
                      r"infinite.*the optimum overflows float64"):
        out = fit.compute_optimal(C=1e24)
    assert not out[["mean", "median", "lower", "upper"]].isna().any().any()
