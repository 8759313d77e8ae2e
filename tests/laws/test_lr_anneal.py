"""Learning-rate annealing law (Tissue et al. 2024) and the AR(1) likelihoods for curves."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import bayescale as bs
from bayescale.likelihoods import ar1_drift_normal_log, ar1_normal_log

CHAINS, WARMUP, DRAWS = 2, 500, 1000
STEPS, PEAK, FINAL = 33_908, 1e-3, 1e-4


# ---- the areas ---------------------------------------------------------------------------------

def test_lr_areas_reference_vector():
    # LAWS.md section 8 [C]
    s1, s2 = bs.laws.lr_areas([1, 1, 1, 0.5, 0.5], lam=0.999)
    np.testing.assert_allclose(s1, [1, 2, 3, 3.5, 4], rtol=1e-15)
    np.testing.assert_allclose(s2, [0, 0, 0, 0.5, 0.9995], rtol=1e-12)
    _, s2 = bs.laws.lr_areas([1, 1, 1, 0.5, 0.5], lam=0.0)
    np.testing.assert_allclose(s2, [0, 0, 0, 0.5, 0.5], rtol=1e-15)


def test_lr_areas_matches_the_recursion():
    rng = np.random.default_rng(0)
    lr = np.abs(rng.standard_normal(300)) * 1e-3
    s1, s2 = bs.laws.lr_areas(lr, lam=0.99)
    m, acc, out = 0.0, 0.0, []
    for i in range(lr.size):
        m = 0.99 * m + (lr[i - 1] - lr[i] if i else 0.0)
        acc += m
        out.append(acc)
    np.testing.assert_allclose(s2, out, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(s1, np.cumsum(lr), rtol=1e-14)


@pytest.mark.parametrize(("lr", "lam", "match"), [
    ([], 0.999, "non-empty"), ([1.0, np.nan], 0.999, "finite"), ([1.0], 1.0, r"\[0, 1\)")])
def test_lr_areas_rejects_bad_input(lr, lam, match):
    with pytest.raises(bs.BayescaleError, match=match):
        bs.laws.lr_areas(lr, lam=lam)


def test_lr_anneal_frame():
    lr = np.r_[np.full(500, 1.0), np.full(500, 0.5)]
    loss = np.linspace(3.0, 2.0, 1000)
    frame = bs.laws.lr_anneal_frame(lr, loss, block=100, start=200)
    assert list(frame.columns) == ["step", "S1", "S2", "loss"]
    assert frame["step"].tolist() == list(range(200, 1000, 100))
    s1, s2 = bs.laws.lr_areas(lr)
    np.testing.assert_allclose(frame["S1"], s1[frame["step"] + 50])
    np.testing.assert_allclose(frame["S2"], s2[frame["step"] + 50])
    np.testing.assert_allclose(frame["loss"], loss[200:].reshape(8, 100).mean(axis=1))
    assert "loss" not in bs.laws.lr_anneal_frame(lr, block=100)
    with pytest.raises(bs.BayescaleError, match="no block"):
        bs.laws.lr_anneal_frame(lr, block=2000)


def test_annealing_lowers_the_loss_and_the_mean_stays_positive():
    law = bs.laws.get("lr_anneal")
    p = {"L0": 2.78, "A": 1.1, "alpha": 1.0, "C": 0.18}
    base = float(law(p, S1=20.0, S2=0.0))
    assert float(law(p, S1=20.0, S2=0.5)) == pytest.approx(base - 0.09, rel=1e-12)
    far = float(law(p, S1=20.0, S2=1e6))  # the linear form would be -1.8e5
    assert 0 < far < 0.03


# ---- the AR(1) likelihood ------------------------------------------------------------------------

def test_ar1_log_prob_is_the_joint_gaussian():
    rng = np.random.default_rng(1)
    n, rho, sigma = 12, 0.6, 0.02
    lm = np.log(np.linspace(3.0, 2.5, n))
    y = np.exp(lm + sigma * rng.standard_normal(n))
    ll = ar1_normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None,
                                 {"sigma": sigma, "rho": rho})
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov = sigma ** 2 * rho ** lags
    joint = stats.multivariate_normal(lm, cov).logpdf(np.log(y)) - np.sum(np.log(y))
    assert float(jnp.sum(ll)) == pytest.approx(joint, rel=1e-10)
    # rho = 0 is the plain log-normal
    ll0 = ar1_normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None,
                                  {"sigma": sigma, "rho": 0.0})
    plain = bs.likelihoods.normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None,
                                               {"sigma": sigma})
    np.testing.assert_allclose(ll0, plain, rtol=1e-12)


def test_ar1_log_prob_batches_over_draws():
    lm = jnp.log(jnp.linspace(3.0, 2.5, 6))[None, :] * jnp.ones((4, 1))
    y = jnp.exp(lm[0] + 0.01)
    noise = {"sigma": jnp.full((4, 1), 0.02), "rho": jnp.linspace(0.1, 0.9, 4)[:, None]}
    ll = ar1_normal_log.log_prob(y[None, :], lm, None, noise)
    assert ll.shape == (4, 6)
    one = ar1_normal_log.log_prob(y, lm[2], None, {"sigma": 0.02, "rho": float(noise["rho"][2, 0])})
    np.testing.assert_allclose(ll[2], one, rtol=1e-12)


def test_ar1_sample_has_the_right_marginal_and_autocorrelation():
    lm = jnp.zeros((400, 200))
    noise = {"sigma": jnp.full((400, 200), 0.05), "rho": jnp.full((400, 200), 0.7)}
    r = np.log(np.asarray(ar1_normal_log.sample(jax.random.PRNGKey(0), lm, None, noise)))
    assert r.std() == pytest.approx(0.05, rel=0.03)
    lag1 = np.mean(r[:, 1:] * r[:, :-1]) / np.mean(r ** 2)
    assert lag1 == pytest.approx(0.7, abs=0.02)
    assert "ar1_normal_log" in bs.likelihoods.names()


def test_ar1_drift_log_prob_is_the_joint_gaussian():
    # fast AR(1) plus slow AR(1): covariance sigma^2 rho^|i-j| + tau^2 rho_s^|i-j|
    rng = np.random.default_rng(2)
    n, sigma, rho, tau, w = 15, 0.02, 0.5, 0.01, 0.8
    rho_s = rho + (1 - rho) * w
    lm = np.log(np.linspace(3.0, 2.5, n))
    y = np.exp(lm + 0.02 * rng.standard_normal(n))
    noise = {"sigma": sigma, "rho": rho, "tau": tau, "w": w}
    ll = ar1_drift_normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None, noise)
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov = sigma ** 2 * rho ** lags + tau ** 2 * rho_s ** lags
    joint = stats.multivariate_normal(lm, cov).logpdf(np.log(y)) - np.sum(np.log(y))
    assert float(jnp.sum(ll)) == pytest.approx(joint, rel=1e-10)
    # a vanishing slow component is the AR(1) likelihood, point by point
    ll0 = ar1_drift_normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None,
                                        noise | {"tau": 1e-12})
    ar1 = ar1_normal_log.log_prob(jnp.asarray(y), jnp.asarray(lm), None,
                                  {"sigma": sigma, "rho": rho})
    np.testing.assert_allclose(ll0, ar1, rtol=1e-9)
    # batched over draws
    lmb = jnp.asarray(lm)[None, :] * jnp.ones((3, 1))
    noise_b = {k: jnp.full((3, 1), v) for k, v in noise.items()}
    llb = ar1_drift_normal_log.log_prob(jnp.asarray(y)[None, :], lmb, None, noise_b)
    assert llb.shape == (3, n)
    np.testing.assert_allclose(llb[1], ll, rtol=1e-12)


def test_ar1_drift_sample_has_the_right_marginal_and_autocorrelation():
    lm = jnp.zeros((2000, 100))
    noise = {"sigma": 0.05, "rho": 0.3, "tau": 0.03, "w": 0.9}
    r = np.log(np.asarray(ar1_drift_normal_log.sample(jax.random.PRNGKey(0), lm, None, noise)))
    assert r.std() == pytest.approx(np.hypot(0.05, 0.03), rel=0.03)
    lag1 = np.mean(r[:, 1:] * r[:, :-1]) / np.mean(r ** 2)
    expected = (0.05 ** 2 * 0.3 + 0.03 ** 2 * 0.93) / (0.05 ** 2 + 0.03 ** 2)
    assert lag1 == pytest.approx(expected, abs=0.02)
    assert "ar1_drift_normal_log" in bs.likelihoods.names()


# ---- recovery: simulated curves with AR(1) errors, fit one schedule, predict another ------------

def _cosine(steps=STEPS):
    t = np.arange(steps) / (steps - 1)
    return FINAL + 0.5 * (PEAK - FINAL) * (1 + np.cos(np.pi * t))


def _wsd(steps=STEPS, decay_from=0.8):
    lr = np.full(steps, PEAK)
    k = int(decay_from * steps)
    lr[k:] = PEAK * (FINAL / PEAK) ** np.linspace(0, 1, steps - k)
    return lr


def _simulate(lr, truth, rho, sigma, seed):
    frame = bs.laws.lr_anneal_frame(lr, block=100, start=1000)
    mu = np.asarray(bs.laws.get("lr_anneal")(truth, S1=frame["S1"].to_numpy(),
                                               S2=frame["S2"].to_numpy()))
    rng = np.random.default_rng(seed)
    e = np.empty(mu.size)
    e[0] = sigma * rng.standard_normal()
    for i in range(1, mu.size):
        e[i] = rho * e[i - 1] + sigma * np.sqrt(1 - rho ** 2) * rng.standard_normal()
    frame["loss"] = mu * np.exp(e)
    frame["true"] = mu
    return frame


def test_recovery_and_schedule_transfer_with_ar1_residuals():
    truth = {"L0": 2.78, "A": 1.1, "alpha": 1.0, "C": 0.18}
    train = _simulate(_cosine(), truth, rho=0.5, sigma=0.002, seed=3)
    fit = bs.fit(train, "lr_anneal", x=["S1", "S2"], y="loss", likelihood="ar1_normal_log",
                 num_chains=CHAINS, num_warmup=WARMUP, num_samples=DRAWS, progress=False)
    s = fit.summary(ci_prob=0.9)
    for name, value in (truth | {"sigma": 0.002, "rho": 0.5}).items():
        assert s.loc[name, "lower"] <= value <= s.loc[name, "upper"], (name, s.loc[name])
    test = _simulate(_wsd(), truth, rho=0.5, sigma=0.002, seed=4)
    last = test[test["step"] >= 0.8 * STEPS].reset_index(drop=True)
    pred = fit.predict(ci_prob=0.9, S1=last["S1"], S2=last["S2"])
    mean = fit.predict(kind="mean", S1=last["S1"], S2=last["S2"])
    mape = np.mean(np.abs(mean["median"] - last["loss"]) / last["loss"])
    assert mape < 0.003
    # when the law is right, the 90% band covers ~90% of the transferred schedule
    cover = np.mean((pred["lower"] <= last["loss"]) & (last["loss"] <= pred["upper"]))
    assert 0.8 <= cover <= 1.0


# ---- real data: 100M GPT, fit cosine, predict WSD and step decay --------------------------------

def _real_frames(data_dir):
    df = bs.datasets.load("lr-schedule-loss-curves", path=data_dir)
    frames = {}
    for name, run in df.groupby("schedule"):
        run = run.set_index("step").sort_index()
        # one step is missing in the cosine and wsd runs: forward-fill it (SOURCE.md)
        run = run.reindex(np.arange(run.index.max() + 1)).ffill()
        frames[name] = bs.laws.lr_anneal_frame(run["lr"].to_numpy(), run["loss"].to_numpy(),
                                               block=100, start=1000)
    return frames


@pytest.mark.slow
def test_real_cosine_fit_predicts_wsd_and_step_decay(shared_datasets):
    """Fit the cosine run (block means of 100 steps from step 1000), predict the others.

    Reproduced (2 chains x 1000 draws): MAPE of the posterior-median curve against the
    block-smoothed loss over the last 20% of steps, 0.84% (WSD) and 0.51% (811), target
    <= 2%; 90% predictive-band coverage there 0.27 and 0.45. The bands hold the
    within-curve AR(1) noise (sigma 0.0018, rho 0.43) and the parameter uncertainty but
    not the law's structural error when moving to another schedule: the error is there
    before any annealing (the constant-lr part of WSD / 811 is over-predicted by 0.7% /
    0.5%), for every lambda in 0.99-0.9997 (the cosine run prefers the largest, which
    makes WSD worse), while the cosine residuals keep a slow component (lag-20
    autocorrelation 0.16, where AR(1) with rho 0.4 gives ~0). The model-discrepancy
    likelihood (next test) is the calibrated one; here the coverage is reported only.
    """
    frames = _real_frames(shared_datasets)
    fit = bs.fit(frames["cosine"], "lr_anneal", x=["S1", "S2"], y="loss",
                 likelihood="ar1_normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False)
    assert fit.ok
    for name in ("wsd", "811"):
        f = frames[name]
        last = f[f["step"] >= 0.8 * STEPS].reset_index(drop=True)
        mean = fit.predict(kind="mean", S1=last["S1"], S2=last["S2"])
        mape = float(np.mean(np.abs(mean["median"] - last["loss"]) / last["loss"]))
        assert mape <= 0.02, (name, mape)
        pred = fit.predict(ci_prob=0.9, S1=last["S1"], S2=last["S2"])
        cover = float(np.mean((pred["lower"] <= last["loss"]) & (last["loss"] <= pred["upper"])))
        assert 0.0 <= cover <= 1.0
    # in-sample, the last 20% of the cosine run is covered as advertised
    f = frames["cosine"]
    last = f[f["step"] >= 0.8 * STEPS].reset_index(drop=True)
    pred = fit.predict(ci_prob=0.9, S1=last["S1"], S2=last["S2"])
    assert np.mean((pred["lower"] <= last["loss"]) & (last["loss"] <= pred["upper"])) >= 0.8


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")  # see below
def test_real_fit_with_a_discrepancy_component_is_calibrated(shared_datasets):
    """The same transfer with AR(1) noise plus a slow AR(1) model-discrepancy component.

    Reproduced (2 chains x 1000 draws, target_accept_prob 0.95): the slow component has
    tau 0.003 [0.001, 0.03] and rho_slow ~ 0.996 (a near-constant offset over the run),
    which the cosine run identifies poorly: the discrepancy absorbs part of the curve, so
    the law's parameters widen (L0 sd 0.004 -> 0.05) and the prediction for a new
    schedule carries a fresh discrepancy draw. MAPE 0.57% (WSD), 0.46% (811); 90% band
    coverage 1.00 and 0.96 (half-width ~0.049 nats). The width follows tau's prior (the
    amplitude of one near-constant offset rests on one realisation): HalfNormal(0.05) /
    HalfNormal(0.02) give half-widths 0.040 / 0.030 and coverage 1.00, 0.97 / 0.99, 0.94.
    The sampler reports a few divergences near rho_slow -> 1 (hence the filter).
    """
    frames = _real_frames(shared_datasets)
    fit = bs.fit(frames["cosine"], "lr_anneal", x=["S1", "S2"], y="loss",
                 likelihood="ar1_drift_normal_log", num_chains=CHAINS, num_warmup=WARMUP,
                 num_samples=DRAWS, progress=False, target_accept_prob=0.95)
    for name in ("wsd", "811"):
        f = frames[name]
        last = f[f["step"] >= 0.8 * STEPS].reset_index(drop=True)
        mean = fit.predict(kind="mean", S1=last["S1"], S2=last["S2"])
        assert float(np.mean(np.abs(mean["median"] - last["loss"]) / last["loss"])) <= 0.02
        pred = fit.predict(ci_prob=0.9, S1=last["S1"], S2=last["S2"])
        cover = float(np.mean((pred["lower"] <= last["loss"]) & (last["loss"] <= pred["upper"])))
        assert cover >= 0.8, (name, cover)
