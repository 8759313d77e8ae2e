"""Downstream accuracy: sigmoid law with a chance floor, binomial / beta-binomial likelihoods."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import curve_fit

import bayescale as bs
from bayescale.likelihoods import beta_binomial, binomial

# the same settings, law, item count and padded data size (65..91 rows) in every fit of
# this file: one compiled sampler per likelihood (compiled per law, likelihood, NUTS
# settings and data bucket)
CHAINS, WARMUP, DRAWS, ACCEPT = 2, 500, 1000, 0.95
ITEMS = 14042  # MMLU test items
N_SIM = 80  # simulated models: the bucket of the 78 real training models


# ---- the law -----------------------------------------------------------------------------------

def test_floor_ceiling_and_midpoint():
    law = bs.laws.sigmoid_accuracy(0.25)
    p = {"k": 1.5, "x_50": 30.0, "ceiling": 0.9}
    assert float(law(p, x=1e-20)) == pytest.approx(0.25, abs=1e-12)
    assert float(law(p, x=1e20)) == pytest.approx(0.25 + 0.75 * 0.9, rel=1e-12)
    assert float(law(p, x=30.0)) == pytest.approx(0.25 + 0.75 * 0.45, rel=1e-12)
    down = bs.laws.sigmoid_accuracy(0.25, increasing=False)
    assert float(down(p, x=1e-20)) == pytest.approx(0.25 + 0.75 * 0.9, rel=1e-12)


def test_factory_is_cached_and_validated():
    assert bs.laws.get("sigmoid_accuracy") is bs.laws.sigmoid_accuracy()
    law = bs.laws.get("sigmoid_accuracy", floor=0.25)
    assert law is bs.laws.sigmoid_accuracy(0.25) and law.name == "sigmoid_accuracy_floor0.25"
    assert "0.25 +" in law.formula
    for bad in (1.0, -0.1, "0.25", True):
        with pytest.raises(bs.LawError, match="floor must be a number in"):
            bs.laws.sigmoid_accuracy(bad)


# ---- likelihoods -------------------------------------------------------------------------------

def test_binomial_matches_scipy_at_integers():
    n = 200
    k = np.arange(0, n + 1, 7)
    mu = 0.37
    lik = binomial(n)
    ll = lik.log_prob(jnp.asarray(k / n), None, jnp.full(k.shape, mu), {})
    np.testing.assert_allclose(ll, stats.binom.logpmf(k, n, mu), rtol=1e-10)
    assert lik is binomial(200.0) and lik.name == "binomial_200" and lik.noise == ()
    assert bs.likelihoods.get("binomial_200") is lik


def test_beta_binomial_matches_scipy_and_tends_to_binomial():
    n, mu, kappa = 150, 0.6, 40.0
    k = np.arange(0, n + 1, 5)
    lik = beta_binomial(n)
    ll = lik.log_prob(jnp.asarray(k / n), None, jnp.full(k.shape, mu), {"kappa": kappa})
    # jax's betaln differs from scipy's by ~3e-8 at these arguments
    np.testing.assert_allclose(ll, stats.betabinom.logpmf(k, n, mu * kappa, (1 - mu) * kappa),
                               rtol=1e-9, atol=1e-7)
    big = lik.log_prob(jnp.asarray(k / n), None, jnp.full(k.shape, mu), {"kappa": 1e9})
    np.testing.assert_allclose(big, stats.binom.logpmf(k, n, mu), rtol=1e-5, atol=1e-6)
    assert lik.noise_names == ("kappa",)


def test_continuous_extension_between_integers():
    lik = binomial(100)
    y = jnp.linspace(0.3, 0.31, 11)  # k from 30 to 31
    ll = np.asarray(lik.log_prob(y, None, jnp.full(11, 0.3), {}))
    assert np.all(np.isfinite(ll))
    lo, hi = stats.binom.logpmf([30, 31], 100, 0.3)
    assert min(lo, hi) - 0.05 <= ll.min() and ll.max() <= max(lo, hi) + 0.05


def test_samples_are_fractions_with_the_right_spread():
    key = jax.random.PRNGKey(0)
    mu = jnp.full((4000,), 0.3)
    y = np.asarray(binomial(500).sample(key, None, mu, {}))
    assert np.allclose(y * 500, np.round(y * 500))
    assert y.mean() == pytest.approx(0.3, abs=0.003)
    assert y.std() == pytest.approx(np.sqrt(0.3 * 0.7 / 500), rel=0.05)
    yb = np.asarray(beta_binomial(500).sample(key, None, mu, {"kappa": jnp.full((4000,), 50.0)}))
    # variance mu (1 - mu) / n * (n + kappa) / (1 + kappa)
    assert yb.std() == pytest.approx(np.sqrt(0.21 / 500 * 550 / 51), rel=0.06)


@pytest.mark.parametrize("bad", [0, 0.5, -3, float("nan"), float("inf"), True, "100"])
def test_trials_validated(bad):
    with pytest.raises(bs.BayescaleError, match="n_trials must be a finite number >= 1"):
        binomial(bad)


# ---- recovery ------------------------------------------------------------------------------------

def test_recovery_with_binomial_items():
    rng = np.random.default_rng(2)
    truth = {"k": 1.2, "x_50": 30.0, "ceiling": 0.85}
    law = bs.laws.sigmoid_accuracy(0.25)
    x = np.exp(rng.uniform(np.log(0.3), np.log(3000.0), N_SIM))
    mu = np.asarray(law(truth, x=x))
    acc = rng.binomial(ITEMS, mu) / ITEMS
    fit = bs.fit(pd.DataFrame({"F": x, "acc": acc}), law, x="F", y="acc",
                 likelihood=binomial(ITEMS), num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, target_accept_prob=ACCEPT, progress=False)
    s = fit.summary(ci_prob=0.9)
    for name, value in truth.items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    pred = fit.predict(ci_prob=0.9, F=[1e4, 1e5])
    assert np.all(pred["upper"] <= 1.0) and np.all(pred["lower"] >= 0.25)


def test_beta_binomial_recovers_overdispersion():
    # data seeds 0-4: 1 miss in 20 intervals (ceiling, seed 4); seed 0 is typical
    rng = np.random.default_rng(0)
    truth = {"k": 1.0, "x_50": 10.0, "ceiling": 0.9}
    law = bs.laws.sigmoid_accuracy(0.25)
    x = np.exp(rng.uniform(np.log(0.1), np.log(1000.0), N_SIM))
    mu = np.asarray(law(truth, x=x))
    p = rng.beta(mu * 80, (1 - mu) * 80)
    acc = rng.binomial(ITEMS, p) / ITEMS
    fit = bs.fit(pd.DataFrame({"F": x, "acc": acc}), law, x="F", y="acc",
                 likelihood=beta_binomial(ITEMS), num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, target_accept_prob=ACCEPT, progress=False)
    s = fit.summary(ci_prob=0.9)
    for name, value in (truth | {"kappa": 80.0}).items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])


# ---- real data: Observational Scaling Laws' base models ----------------------------------------

#: chance accuracy and number of test items
MMLU = (0.25, ITEMS)


def obsscaling_frame(data_dir) -> pd.DataFrame:
    """Base models with FLOPs; ``F`` = FLOPs in units of 1e21.

    One row (cerebras/btlm-3b-8k-base) lists 627 T pretraining tokens instead of 0.627 T
    (SOURCE.md caveat), which makes its FLOPs 1000x too large; it is corrected here.
    """
    df = bs.datasets.load("obsscaling", path=data_dir)
    df = df[df["FLOPs (1E21)"].notna()].copy()
    typo = df["Pretraining Data Size (T)"] > 100
    df["F"] = np.where(typo, df["FLOPs (1E21)"] / 1000, df["FLOPs (1E21)"])
    return df


def ls_sigmoid(train_x, train_y, floor):
    """FLOPs-only least-squares sigmoid (same form), with a Gaussian residual band."""
    def f(lx, k, lx50, c):
        return floor + (1 - floor) * c / (1 + np.exp(-k * (lx - lx50)))

    p, _ = curve_fit(f, np.log(train_x), train_y, p0=[1.0, np.log(30.0), 0.9],
                     bounds=([0, -20, 0], [20, 30, 1]), maxfev=20000)
    sd = np.std(train_y - f(np.log(train_x), *p), ddof=3)
    return lambda x: f(np.log(x), *p), sd


@pytest.mark.slow
def test_real_mmlu_fit_small_models_predict_large(shared_datasets):
    """Fit FLOPs <= 84 (x 1e21), predict the 46 larger models, against least squares.

    Reproduced (2 chains x 1000 draws, seed 0): RMSE / 90% coverage, beta-binomial
    0.151 / 0.64, binomial 0.292 / 0.00, least-squares sigmoid 0.124 / 0.60 (band
    +-1.645 residual sd). FLOPs alone extrapolate poorly across model families (newer
    families score higher at equal compute). With item noise alone (binomial, 14042
    items) the likelihood is so sharp that it is multimodal: from seed 0 the chains settle
    on a step at F ~ 19 (k ~ 20, ceiling 0.16), from seed 1 on the smooth sigmoid; its
    bands are far too narrow either way. The beta-binomial's model-level scatter is what
    makes the bands honest(er).
    """
    df = obsscaling_frame(shared_datasets)
    data = df[["F", "MMLU"]].dropna()
    train, test = data[data["F"] <= 84], data[data["F"] > 84]
    assert len(train) == 78 and len(test) == 45
    floor, items = MMLU
    law = bs.laws.sigmoid_accuracy(floor)
    y = test["MMLU"].to_numpy()
    out = {}
    for lik in (binomial(items), beta_binomial(items)):
        with warnings.catch_warnings():
            if lik is binomial(items):  # multimodal (see above): its warnings are honest
                warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
            fit = bs.fit(train, law, x="F", y="MMLU", likelihood=lik, num_chains=CHAINS,
                         num_warmup=WARMUP, num_samples=DRAWS, target_accept_prob=ACCEPT,
                         progress=False)
        pred = fit.predict(ci_prob=0.9, F=test["F"].to_numpy())
        rmse = float(np.sqrt(np.mean((pred["median"].to_numpy() - y) ** 2)))
        cover = float(np.mean((pred["lower"].to_numpy() <= y) & (y <= pred["upper"].to_numpy())))
        out[lik.name] = (rmse, cover)
    ls, sd = ls_sigmoid(train["F"].to_numpy(), train["MMLU"].to_numpy(), floor)
    ls_rmse = float(np.sqrt(np.mean((ls(test["F"].to_numpy()) - y) ** 2)))
    assert all(np.isfinite(v).all() for v in out.values()) and np.isfinite(ls_rmse) and sd > 0
    # the overdispersed likelihood covers more of the held-out models than the binomial
    assert out[beta_binomial(items).name][1] > out[binomial(items).name][1]
