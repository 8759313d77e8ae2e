"""``fit.to_arviz()`` carries what ArviZ's predictive checks need (issue 18, item 11).

Before, the DataTree had no ``posterior_predictive`` group and every predictive check
raised ``KeyError``. Now it holds replicated observations at the observed inputs, drawn
from the fit's likelihood with a fixed seed, with the dims of ``observed_data``.
"""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import arviz as az  # after the backend is chosen
import matplotlib.pyplot as plt


@pytest.fixture(scope="module")
def tree(saturating_fit):
    return saturating_fit.to_arviz()


def test_groups_and_dims(tree, saturating_fit):
    fit = saturating_fit
    for group in ("posterior", "sample_stats", "log_likelihood", "posterior_predictive",
                  "observed_data"):
        assert group in tree.children, group
    obs = tree["observed_data"][fit.y]
    rep = tree["posterior_predictive"][fit.y]
    post = next(iter(tree["posterior"].data_vars.values()))
    assert obs.dims == ("obs",) and obs.shape == (fit.dataset.n,)
    assert rep.dims == ("chain", "draw", "obs")
    assert rep.shape == (post.sizes["chain"], post.sizes["draw"], fit.dataset.n)
    np.testing.assert_array_equal(obs.values, fit.dataset.y)
    assert np.all(np.isfinite(rep.values))


def test_replicates_are_seeded_and_look_like_the_data(tree, saturating_fit):
    rep = tree["posterior_predictive"][saturating_fit.y].values
    again = saturating_fit.to_arviz()["posterior_predictive"][saturating_fit.y].values
    np.testing.assert_array_equal(rep, again)  # fixed seed: the same on every call
    flat = rep.reshape(-1, rep.shape[-1])
    lo, hi = np.quantile(flat, [0.005, 0.995], axis=0)
    y = saturating_fit.dataset.y
    assert np.mean((y >= lo) & (y <= hi)) >= 0.9  # the data sit inside their replicates
    # replicated noise, not the mean curve: draws differ at each point
    assert np.all(flat.std(axis=0) > 0)


def test_plot_ppc_runs(tree):
    # ArviZ 1.x names the classic plot_ppc plot_ppc_dist
    plot_ppc = getattr(az, "plot_ppc", None) or az.plot_ppc_dist
    try:
        plot_ppc(tree, backend="matplotlib")
        az.plot_ppc_pit(tree, backend="matplotlib")
    finally:
        plt.close("all")


def test_loo_pit_runs(tree):
    pit = az.loo_pit(tree)
    values = np.asarray(next(iter(pit.data_vars.values())) if hasattr(pit, "data_vars") else pit)
    assert np.all((values >= 0) & (values <= 1))
