import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from passuntil_sim import HELD_OUT, NUTS, SIZES, simulate_task

import bayescale as bs
import bayescale.passuntil as pu
from bayescale.result._html import facts_html
from bayescale.result._posterior import Posterior


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
    # the diagnostics of every fit (bs.fit's keys), with ok
    assert {"max_r_hat", "min_ess_bulk", "divergences", "num_chains", "num_draws",
            "ok", "tree_depth_hits", "ess_threshold"} <= set(diag)
    assert diag["max_r_hat"] < 1.05 and diag["divergences"] == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.records = recs  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        fit.posterior.samples["F0"][0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        fit.posterior.samples["x"] = np.zeros(1)  # type: ignore[index]
    with pytest.raises(ValueError, match="level='bad' is not accepted"):
        fit.predict([1e9], level="bad")
    with pytest.raises(bs.BayescaleError, match=r"ci_prob must be .*got 1\.5"):
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
    assert "PassUntilRecords(" in html and "max R-hat" in html and "divergences" in html
    assert "<script" not in facts_html({"<script>": "<b>"}).replace("&lt;", "")
    assert "&lt;b&gt;" in facts_html({"a": "<b>"})
    assert "PassUntilFit(" in repr(fit)


def test_diagnostics_warn_with_a_remedy():
    rng = np.random.default_rng(0)
    bad = np.stack([rng.normal(0, 1, 100), rng.normal(3, 1, 100)])  # chains disagree
    post = Posterior({"a": bad}, np.zeros((2, 100), bool), {})
    with pytest.warns(pu.ConvergenceWarning, match=r"R-hat up to .* chains disagree; run longer"):
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


def test_centred_instances_keep_the_hierarchical_density():
    """Centred coordinates change the parametrisation, never the posterior.

    For the same population parameters and per-instance (F0, log alpha), the model's log
    joint with some instances fully centred, some with only F centred and the rest
    non-centred equals the all-non-centred one less the log-Jacobian of z -> mu + S z
    (S = diag(sigma) L) that the centred coordinates do not carry: log|det S| for a fully
    centred instance, log(sigma_F0 sqrt(1 - rho^2)) for an F-centred one.
    """
    import jax.numpy as jnp
    from numpyro.infer.util import log_density

    from bayescale.passuntil._result import TaskDesign
    from bayescale.passuntil._task_law import _centring, _model

    recs, _ = simulate_task(3)
    design = TaskDesign.from_records(recs, curvature=True, kappa_sd=0.5)
    x = np.log(recs.N) - design.center
    inst = design.instance_index(recs.instance)
    n = design.n_instances
    centred, offset, scale, x_bar = _centring(x, inst, recs, n)
    assert centred.shape == (n, 2) and not np.any(centred[:, 1] & ~centred[:, 0])
    assert np.all(scale > 0) and np.all(np.isfinite(offset))
    rng = np.random.default_rng(0)
    # exercise every branch: 6 fully centred, 6 with F centred, 8 non-centred
    centred = np.zeros((n, 2), bool)
    centred[:12, 0], centred[:6, 1] = True, True
    offset = np.where(centred, rng.normal(0.0, 0.3, (n, 2)), 0.0)
    scale = np.where(centred, rng.uniform(0.05, 0.5, (n, 2)), 1.0)
    x_bar = np.where(centred[:, 0], rng.normal(0.0, 0.5, n), 0.0)
    pop = {"mu_F0": 2.0, "mu_log_alpha": np.log(0.4), "sigma_F0": 0.7,
           "sigma_log_alpha": 0.3, "L_corr": np.array([[1.0, 0.0], [0.6, 0.8]]), "kappa": 0.1}
    theta = np.stack([2.0 + 0.5 * rng.standard_normal(n),
                      np.log(0.4) + 0.2 * rng.standard_normal(n)], axis=1)
    sd, mu = np.array([0.7, 0.3]), np.array([2.0, np.log(0.4)])
    s_mat = sd[:, None] * pop["L_corr"]
    z_nc = np.linalg.solve(s_mat, (theta - mu).T).T
    local = np.stack([theta[:, 0] - np.exp(theta[:, 1]) * x_bar, theta[:, 1]], axis=1)
    z_both = (local - offset) / scale
    z_f = np.stack([z_both[:, 0], (theta[:, 1] - mu[1]) / sd[1]], axis=1)
    z = np.where(centred[:, 1:], z_both, np.where(centred[:, :1], z_f, z_nc))
    data = {"x": x, "inst": inst, "K": recs.K, "r": recs.r, "K_max": recs.K_max,
            "cens": recs.censored, "f_crude": design.f_crude, "h": design.h, "q": design.q,
            "kappa_sd": 0.5, "offset": offset, "scale": scale, "x_bar": x_bar,
            "n_instances": n, "r_max": design.r_max, "curvature": True}

    def joint(z, mask):
        lp, trace = log_density(_model, (), data | {"centred": jnp.asarray(mask)},
                                pop | {"z": jnp.asarray(z)})
        np.testing.assert_allclose(trace["F0"]["value"], theta[:, 0], rtol=1e-10)
        np.testing.assert_allclose(trace["log_alpha"]["value"], theta[:, 1], rtol=1e-10)
        return float(lp)

    mixed = joint(z, centred)
    plain = joint(z_nc, np.zeros((n, 2), bool))
    jac = 6 * np.log(np.linalg.det(s_mat)) + 6 * np.log(sd[0] * 0.8)
    assert mixed == pytest.approx(plain - jac, rel=1e-10)
