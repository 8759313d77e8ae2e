"""predict / predict_draws never return NaN or inf without a word (issue 17, item 3)."""

import numpy as np
import pytest

from bayescale.result import DiagnosticWarning, Fit


def _with(fit, **changes):
    post = {k: np.array(v) for k, v in fit.posterior.items()}
    for k, f in changes.items():
        post[k] = f(post[k])
    return Fit(law=fit.law, likelihood=fit.likelihood, priors=fit.priors,
               dataset=fit.dataset, posterior=post, sample_stats=dict(fit.sample_stats),
               settings=fit.settings, discrepancy=fit.discrepancy)


def _heavy(v):  # nu < 1 in 40% of the draws: Student-t tails overflow exp()
    v = v.copy()
    v[:, : int(0.4 * v.shape[1])] = 0.05
    return v


C = np.logspace(20, 26, 12)


def test_heavy_tails_give_infinite_not_nan_quantiles_and_warn(saturating_fit):
    fit = _with(saturating_fit, nu=_heavy)
    with pytest.warns(DiagnosticWarning, match=r"bayescale predict: the mean is infinite.*"
                      r"the upper \(95%\) quantile is infinite at 12 of 12 point.*"
                      r"Student-t nu < 1 in 40% of draws.*likelihood='normal_log'") as rec:
        p = fit.predict(C=C)
    assert len(rec) == 1
    assert not p[["mean", "median", "lower", "upper"]].isna().any().any()
    assert np.isinf(p["upper"]).all() and np.isfinite(p["median"]).all()
    with pytest.warns(DiagnosticWarning, match=r"predict_draws: \d+ of 24000 draws are not "
                                               r"finite \(\d+ infinite\) at 12 of 12"):
        d = fit.predict_draws(C=C)
    assert np.isposinf(d).any() and not np.isnan(d).any()
    # the mean curve does not depend on nu: finite, no warning
    assert np.isfinite(fit.predict(C=C, kind="mean").drop(columns="C").to_numpy()).all()


def test_non_finite_parameter_draws_are_named(saturating_fit):
    def stuck(v):
        v = v.copy()
        v[3] = np.inf
        return v

    fit = _with(saturating_fit, A=stuck)
    with pytest.warns(DiagnosticWarning, match=r"non-finite posterior draws of 'A' \(25%\)"):
        p = fit.predict(C=C, kind="mean", discrepancy=False)
    assert not p.isna().any().any()
