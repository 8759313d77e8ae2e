import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from passuntil_sim import HELD_OUT, NUTS, SIZES, simulate_task

import bayescale.passuntil as pu
from bayescale.passuntil._display import html_repr
from bayescale.passuntil._posterior import Posterior


def test_recovery_heldout_task_pu_inside_90_interval(recovery):
    recs, pass_rate, fit = recovery
    assert len(recs) == 120 and 0 < recs.n_censored < 60
    assert recs.censored[recs.N == SIZES[0]].any()  # some censored at small N
    truth = pass_rate(HELD_OUT).mean()
    row = fit.predict([HELD_OUT], ci_prob=0.9).iloc[0]
    assert row.lower <= truth <= row.upper
    # and at the fitted sizes
    table = fit.predict(SIZES)
    inside = (table.lower <= pass_rate(SIZES).mean(1)) & (pass_rate(SIZES).mean(1) <= table.upper)
    assert inside.sum() >= 5
    # population slope: alpha ~ LogNormal(log 0.5, 0.15)
    summ = fit.summary()
    assert summ.loc["mu_log_alpha", "lower"] < np.log(0.5) < summ.loc["mu_log_alpha", "upper"]


def test_fit_api_shapes_and_immutability(recovery):
    recs, _, fit = recovery
    table = fit.predict([1e9, 2e9], ci_prob=0.8)
    assert list(table.columns) == ["N", "median", "lower", "upper"]
    assert np.all(table.lower < table["median"]) and np.all(table["median"] < table.upper)
    inst = fit.predict([1e9], level="instance")
    assert list(inst.columns) == ["instance", "N", "median", "lower", "upper"]
    assert len(inst) == 20
    draws = fit.predict_draws([1e9, 2e9])
    assert draws.shape == (2000, 2)
    summ = fit.summary()
    assert {"median", "lower", "upper", "r_hat", "ess_bulk"} <= set(summ.columns)
    assert {"mu_F0", "mu_log_alpha", "sigma_F0", "sigma_log_alpha", "rho", "kappa"} == set(
        summ.index
    )
    assert len(fit.summary(instances=True)) == 6 + 40
    diag = fit.diagnostics(warn=False)
    assert set(diag) == {
        "max_r_hat",
        "min_ess_bulk",
        "divergences",
        "num_chains",
        "num_draws",
        "ok",
    }
    assert diag["max_r_hat"] < 1.05 and diag["divergences"] == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.records = recs  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        fit.posterior.samples["F0"][0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        fit.posterior.samples["x"] = np.zeros(1)  # type: ignore[index]
    with pytest.raises(ValueError, match="level='bad' is not accepted"):
        fit.predict([1e9], level="bad")
    with pytest.raises(ValueError, match=r"ci_prob=1\.5"):
        fit.predict([1e9], ci_prob=1.5)
    with pytest.raises(ValueError, match=r"N\[0\]=-1 is not accepted"):
        fit.predict([-1.0])


def test_fit_exports_plot_and_html(recovery):
    _, _, fit = recovery
    tree = fit.to_arviz()
    assert "posterior" in tree.children and "sample_stats" in tree.children
    assert tree.posterior["F0"].dims == ("chain", "draw", "instance")
    assert int(tree.sample_stats["diverging"].sum()) == 0
    ax = fit.plot()
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "PU"
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    html = fit._repr_html_()
    assert "PassUntil task-law fit" in html and "mu_log_alpha" in html
    assert "<script" not in html_repr("<script>", {"a": "<b>"}, {}).replace("&lt;", "")
    assert "&lt;b&gt;" in html_repr("t", {"a": "<b>"}, {})
    assert "PassUntilFit(" in repr(fit)


def test_diagnostics_warn_with_a_remedy():
    rng = np.random.default_rng(0)
    bad = np.stack([rng.normal(0, 1, 100), rng.normal(3, 1, 100)])  # chains disagree
    post = Posterior({"a": bad}, np.zeros((2, 100), bool), {})
    with pytest.warns(pu.ConvergenceWarning, match="R-hat .* Remedy: refit with more"):
        diag = post.diagnostics()
    assert not diag["ok"] and diag["max_r_hat"] > 1.01
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        post.diagnostics(warn=False)


def test_censoring_is_not_a_zero_pass_rate():
    # a harder task: many instances never pass within the 1e5 cap at the small sizes
    recs, pass_rate = simulate_task(11, mu_f0=1.9)
    small = recs.N == SIZES[0]
    assert recs.censored[small].sum() >= 10
    # naive reading: never passed -> PU = 0, so log(-log PU) = +inf and the instance law
    # can neither be fitted nor ever emerge
    naive = np.where(recs.censored, 0.0, recs.r / recs.K)
    with np.errstate(divide="ignore"):
        assert np.isinf(np.log(-np.log(naive[recs.censored]))).all()
    fit = pu.fit(recs, seed=1, **NUTS)
    table = fit.predict(np.concatenate([SIZES, [HELD_OUT]]))
    assert np.all(np.isfinite(table[["median", "lower", "upper"]].to_numpy()))
    assert np.all(table.lower > 0) and np.all(table.upper < 1)
    # instances censored at the smallest size: their held-out PU is far from 0 and the
    # 90% intervals cover the truth
    cens_inst = np.array(recs.instance[small & recs.censored], dtype=int)
    pred = fit.predict([SIZES[0], HELD_OUT], level="instance")
    truth = np.concatenate([pass_rate(SIZES[0])[0], pass_rate(HELD_OUT)[0]])
    hit = (pred.lower <= truth) & (truth <= pred.upper)
    held = pred.N == HELD_OUT
    sel = held & pred.instance.isin(cens_inst)
    assert pred[sel]["median"].min() > 0.01
    assert hit[sel].mean() >= 0.8
    assert hit[~held & pred.instance.isin(cens_inst)].mean() >= 0.8
    # treating the cap as if the r-th pass had happened there overstates the pass rate of
    # the censored instances at the small size
    as_passed = pu.PassUntilRecords(
        recs.N, recs.instance, recs.r, recs.K, recs.K_max, np.zeros(len(recs), bool)
    )
    wrong = pu.fit(as_passed, seed=1, **NUTS).predict([SIZES[0]], level="instance")
    right = pred[~held].set_index("instance")["median"]
    wrong = wrong.set_index("instance")["median"]
    ratio = (wrong[cens_inst] / right[cens_inst]).to_numpy()
    assert np.median(ratio) > 2.0
    cens_truth = pd.Series(pass_rate(SIZES[0])[0])[cens_inst].to_numpy()
    assert np.median(wrong[cens_inst].to_numpy() / cens_truth) > 2.0


def test_fit_input_errors(recovery):
    recs, _, _ = recovery
    with pytest.raises(TypeError, match="records must be PassUntilRecords"):
        pu.fit(recs.to_dataframe())
    two = pu.simulate([[1e-3, 1e-4], [1e-2, 1e-3]], N=[1e8, 1e9], seed=0)
    with pytest.raises(ValueError, match="at least 3 with curvature=True"):
        pu.fit(two)
    with pytest.raises(ValueError, match="num_samples=0 is not accepted"):
        pu.fit(recs, num_samples=0)
    no_curv = dataclasses.replace(
        recovery[2], design=dataclasses.replace(recovery[2].design, curvature=False)
    )
    with pytest.raises(ValueError, match="refit with fit\\(records, curvature=True\\)"):
        no_curv.emergence()
