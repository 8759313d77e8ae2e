import numpy as np
import pytest

import bayescale.passuntil as pu

NUTS = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "progress": False}
PUBLISHED = {  # coverage at k = 10,000 (SOURCE.md / Brown et al. 2024)
    "Pythia 70M": 0.266,
    "Pythia 160M": 0.570,
    "Pythia 410M": 0.656,
    "Pythia 1B": 0.742,
    "Pythia 2.8B": 0.813,
    "Pythia 6.9B": 0.836,
    "Pythia 12B": 0.875,
}


@pytest.fixture(scope="module")
def beta_fit():
    p = np.random.default_rng(0).beta(0.3, 3.0, size=300)
    counts = pu.simulate_counts(p, n=200, model=["sim"], N=[1e9], seed=1)
    return counts, pu.fit_coverage(counts, **NUTS)


def test_beta_law_recovers_population_coverage(beta_fit):
    counts, fit = beta_fit
    ks = [1, 10, 100, 1000]
    table = fit.predict(ks)
    assert list(table.columns) == ["k", "median", "lower", "upper"]
    truth = pu.beta_coverage(ks, 0.3, 3.0)
    assert np.all((table.lower <= truth) & (truth <= table.upper))
    summ = fit.summary()
    assert summ.loc["alpha[sim]", "lower"] < 0.3 < summ.loc["alpha[sim]", "upper"]
    assert {"median", "lower", "upper", "r_hat", "ess_bulk"} <= set(summ.columns)
    assert fit.diagnostics(warn=False)["divergences"] == 0
    # the observed problems: solved ones count as covered, so coverage >= fraction solved
    probs = fit.predict([10_000], level="problems")
    assert probs["lower"].item() >= np.mean(counts.c > 0) - 1e-12
    pred = fit.predict([10_000], level="problems", predictive=True)
    assert pred.upper.item() - pred.lower.item() >= probs.upper.item() - probs.lower.item()
    assert fit.predict_draws([1, 10]).shape == (2000, 1, 2)


def test_coverage_fit_exports_and_errors(beta_fit):
    counts, fit = beta_fit
    assert "posterior" in fit.to_arviz().children
    ax = fit.plot()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    assert "Coverage-law fit" in fit._repr_html_()
    with pytest.raises(ValueError, match="N= needs a fit with across=True"):
        fit.predict([10], N=[1e9])
    with pytest.raises(ValueError, match="law='gamma' is not accepted"):
        pu.fit_coverage(counts, law="gamma")
    with pytest.raises(ValueError, match="across=True needs at least 2 models"):
        pu.fit_coverage(counts, across=True)
    with pytest.raises(ValueError, match="k_max=500 exceeds the 200 samples"):
        pu.fit_coverage(counts, k_max=500)
    with pytest.raises(TypeError, match="counts must be PassCounts"):
        pu.fit_coverage(counts.to_dataframe())


def test_power_law_fit_on_the_empirical_curve(beta_fit):
    counts, _ = beta_fit
    fit = pu.fit_coverage(counts, law="power", **NUTS)
    table = fit.predict([1, 10, 100, 1000])
    assert np.all(np.diff(table["median"]) > 0)
    emp = counts.coverage([1, 10, 100]).coverage.to_numpy()
    np.testing.assert_allclose(table["median"][:3], emp, atol=0.05)
    assert set(fit.summary().index) >= {"a[sim]", "b[sim]", "sigma[sim]"}
    with pytest.raises(ValueError, match="level='problems' needs the beta law"):
        fit.predict([10], level="problems")


@pytest.mark.slow
def test_llmonkeys_curve_fit_on_k_le_100_predicts_coverage_at_10k(llmonkeys_counts):
    """Beta law fitted to each Pythia model's coverage curve at k <= 100 only."""
    fit = pu.fit_coverage(llmonkeys_counts, k_max=100, **NUTS)
    assert fit.diagnostics(warn=False)["max_r_hat"] < 1.02
    table = fit.predict([10_000], predictive=True).set_index("model")
    pub = np.array([PUBLISHED[m] for m in table.index])
    err = table["median"].to_numpy() - pub
    print("\ncurve k<=100 -> 10k:", dict(zip(table.index, np.round(err, 3), strict=True)))
    assert np.all((table.lower.to_numpy() <= pub) & (pub <= table.upper.to_numpy()))
    assert np.max(np.abs(err)) < 0.12


@pytest.mark.slow
def test_llmonkeys_100_sample_budget_predicts_coverage_at_10k(llmonkeys_counts):
    """Beta-binomial on counts thinned to 100 samples per problem (a 100-sample budget)."""
    fit = pu.fit_coverage(llmonkeys_counts.thin(100, seed=0), **NUTS)
    table = fit.predict([10_000], level="problems", predictive=True).set_index("model")
    pub = np.array([PUBLISHED[m] for m in table.index])
    inside = (table.lower.to_numpy() <= pub) & (pub <= table.upper.to_numpy())
    err = table["median"].to_numpy() - pub
    print("\nthinned to 100 -> 10k:", dict(zip(table.index, np.round(err, 3), strict=True)))
    # Pythia 1B is missed with this thinning draw (published 0.742, interval [0.49, 0.73]):
    # the beta law fitted to 100 samples under-predicts it for most draws (see the report)
    assert inside.sum() >= 6
    assert np.max(np.abs(err)) < 0.15


@pytest.mark.slow
def test_llmonkeys_across_sizes_predicts_larger_models(llmonkeys_counts):
    small = ["Pythia 70M", "Pythia 160M", "Pythia 410M", "Pythia 1B"]
    fit = pu.fit_coverage(llmonkeys_counts.subset(small), across=True, **NUTS)
    sizes = [2.8e9, 6.9e9, 12e9]
    table = fit.predict([10_000], N=sizes, predictive=True)
    assert list(table.columns) == ["N", "k", "median", "lower", "upper"]
    pub = np.array([0.813, 0.836, 0.875])
    print("\nacross 70M-1B -> 10k:", table.round(3).to_dict("list"))
    assert np.all((table.lower.to_numpy() <= pub) & (pub <= table.upper.to_numpy()))
    assert np.all(table["median"].to_numpy() > 0.75)
