"""Diagnostics fail on NaN, constant and non-finite draws, and say when R-hat is skipped."""

import numpy as np
import pytest

from bayescale.result import DiagnosticWarning, Fit


def _like(fit, posterior=None, chains=None, warn=True):
    """A Fit of ``fit``'s model with other draws (and the matching sampler statistics)."""
    post = {k: np.array(v) for k, v in (posterior or fit.posterior).items()}
    stats = {k: np.array(v) for k, v in fit.sample_stats.items()}
    settings = dict(fit.settings)
    if chains is not None:
        post = {k: v[chains] for k, v in post.items()}
        stats = {k: v[chains] for k, v in stats.items()}
        settings["num_chains"] = len(chains)
    return Fit(law=fit.law, likelihood=fit.likelihood, priors=fit.priors,
               dataset=fit.dataset, posterior=post, sample_stats=stats, settings=settings,
               _warn=warn)


def test_constant_draws_fail_and_warn(saturating_fit):
    post = dict(saturating_fit.posterior)
    post["E"] = np.full_like(post["E"], 1.9)  # R-hat NaN; ESS counts every draw
    with pytest.warns(DiagnosticWarning, match=r"constant draws of 'E' \(chains 0, 1, 2, 3\)"):
        fit = _like(saturating_fit, post)
    assert not fit.ok
    d = fit.diagnostics()
    assert d["constant"] == {"E": [0, 1, 2, 3]} and "E" in d["undefined"]


def test_one_stuck_chain_of_constant_draws_fails(saturating_fit):
    post = {k: np.array(v) for k, v in saturating_fit.posterior.items()}
    for k in post:
        post[k][2] = post[k][2, 0]
    with pytest.warns(DiagnosticWarning, match=r"constant draws of 'E' \(chain 2\)"):
        assert not _like(saturating_fit, post).ok


def test_non_finite_draws_fail_by_name(saturating_fit):
    post = {k: np.array(v) for k, v in saturating_fit.posterior.items()}
    post["A"][3] = np.inf
    post["alpha"][3, :10] = np.nan
    with pytest.warns(DiagnosticWarning,
                      match=r"non-finite draws of 'A' \(500 of 2000\), 'alpha' \(10 of 2000\)"):
        fit = _like(saturating_fit, post)
    assert not fit.ok
    assert fit.diagnostics()["non_finite"] == {"A": 500, "alpha": 10}
    s = fit.summary()  # no RuntimeWarning (an error under pytest); infinities stay
    assert s.loc["A", "upper"] == np.inf and np.isfinite(s.loc["E", "upper"])


def test_one_chain_warns_that_r_hat_is_not_computed(saturating_fit):
    with pytest.warns(DiagnosticWarning, match=r"R-hat cannot be computed with one chain.*"
                                               r"num_chains >= 2") as rec:
        fit = _like(saturating_fit, chains=[0])
    assert len(rec) == 1
    d = fit.diagnostics()
    assert not d["r_hat_computed"] and np.isnan(d["max_r_hat"])
    # nothing failed: the fit is ok (documented), the warning says what was not checked
    assert fit.ok


def test_healthy_fit_has_no_problems(saturating_fit):
    from bayescale.result._diagnostics import check

    assert saturating_fit.ok and check(saturating_fit.diagnostics()) == []


def test_stuck_chain_rule():
    from bayescale.result._diagnostics import stuck_chains

    rng = np.random.default_rng(0)
    lp = -rng.chisquare(5, (4, 400)) / 2
    post = {"a": rng.standard_normal((4, 400))}
    assert stuck_chains(post, lp) == {}  # one mode: nothing flagged
    low = lp.copy()
    low[1] -= 30.0  # far below the others
    assert list(stuck_chains(post, low)) == [1]
    near = lp.copy()
    near[1] -= 1.0  # a little below: within the spread of one mode, left alone
    assert stuck_chains(post, near) == {}
    bad = {"a": post["a"].copy()}
    bad["a"][2, 7] = np.inf
    assert stuck_chains(bad, lp) == {2: "non-finite draws of 'a'"}
    still = {"a": post["a"].copy()}
    still["a"][0] = 0.5
    assert stuck_chains(still, lp) == {0: "it never moved"}


def test_summary_and_html_of_a_fit_with_infinite_draws(saturating_fit):
    post = {k: np.array(v) for k, v in saturating_fit.posterior.items()}
    post["A"][0] = np.inf
    fit = _like(saturating_fit, post, warn=False)
    assert "check diagnostics" in fit._repr_html_()
