"""PIT values and their histogram: uniform when calibrated, U-shaped when over-confident."""

import matplotlib
import numpy as np
import pytest

from bayescale import BayescaleError
from bayescale.analysis import pit_values, plot_pit, uniformity

matplotlib.use("Agg")


def _predictive(scale: float, n_points: int = 2000, seed: int = 0):
    """Observations from N(mu, 1) and predictive draws from N(mu, scale^2)."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n_points)
    y = mu + rng.normal(size=n_points)
    draws = mu + scale * rng.normal(size=(1000, n_points))
    return draws, y


def test_calibrated_predictive_gives_uniform_pit():
    pit = pit_values(*_predictive(1.0))
    u = uniformity(pit)
    assert u["ks"] < 0.04
    assert u["below_5"] == pytest.approx(0.05, abs=0.015)
    assert u["above_95"] == pytest.approx(0.05, abs=0.015)


def test_over_and_under_confidence_show_in_the_tails():
    narrow = uniformity(pit_values(*_predictive(0.5)))  # bands too narrow: U shape
    wide = uniformity(pit_values(*_predictive(2.0)))  # bands too wide: a hump
    assert narrow["below_5"] + narrow["above_95"] > 0.3
    assert wide["below_5"] + wide["above_95"] < 0.02
    assert narrow["ks"] > 0.1 and wide["ks"] > 0.1


def test_ties_are_split_at_random_so_a_discrete_predictive_stays_uniform():
    rng = np.random.default_rng(1)
    y = rng.binomial(5, 0.3, size=4000).astype(float)
    draws = rng.binomial(5, 0.3, size=(2000, 4000)).astype(float)
    pit = pit_values(draws, y, seed=3)
    assert uniformity(pit)["ks"] < 0.04
    # without ties, the PIT is exactly the share of draws below
    d = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [np.nan, 7.0]])
    assert np.allclose(pit_values(d, np.array([2.5, 10.0])), [2 / 3, 1.0])


def test_bad_shapes_and_inputs_are_named():
    with pytest.raises(BayescaleError, match=r"shape \(n_draws, 3\)"):
        pit_values(np.zeros((10, 2)), np.zeros(3))
    with pytest.raises(BayescaleError, match="no finite PIT"):
        uniformity(np.array([np.nan]))
    with pytest.raises(BayescaleError, match="bins must be an integer >= 2, got 1"):
        plot_pit(np.array([0.5]), bins=1)
    with pytest.raises(BayescaleError, match="got str"):
        plot_pit("before")


def test_plot_draws_one_histogram_per_label_and_the_uniform_band():
    before = pit_values(*_predictive(0.5))
    after = pit_values(*_predictive(1.0, seed=1))
    ax = plot_pit({"before": before, "after": after}, bins=10)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("90% range if uniform (n=2000)")
    assert labels[1].startswith("before (KS") and labels[2].startswith("after (KS")
    steps = [p for p in ax.patches if type(p).__name__ == "StepPatch"]
    assert len(steps) == 2
    dens = steps[0].get_data().values
    assert dens[0] > 1.5 and dens[-1] > 1.5  # U shape of the over-confident one
    matplotlib.pyplot.close("all")
