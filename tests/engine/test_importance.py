"""Laplace + PSIS for many curves: the resampler, the proposals and the NUTS fallback."""

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.engine import _importance, _laplace_batch
from bayescale.result._convergence import rank_diagnostics

KW = dict(x="C", y="loss", num_chains=4, num_warmup=300, num_samples=300, progress=False,
          discrepancy=False, strategy="laplace")


def _gauss_case(rng, b, c, m, proposal_sd, target):
    """Proposals N(0, proposal_sd^2) for a 1-d target; returns z and log ratios."""
    z = proposal_sd * rng.standard_normal((b, c, m, 1))
    log_q = -0.5 * (z[..., 0] / proposal_sd) ** 2
    return z, target(z[..., 0]) - log_q


def test_resampled_draws_follow_the_target():
    rng = np.random.default_rng(0)
    # target N(1, 0.5^2) from a wider proposal N(0, 1.5^2)
    z, lr = _gauss_case(rng, 3, 4, 4000, 1.5, lambda x: -0.5 * ((x - 1) / 0.5) ** 2)
    draws, khat, ess = _importance.psis_resample(z, lr, 1000, rng.random((3, 4)))
    assert draws.shape == (3, 4, 1000, 1)
    assert np.all(khat < 0.5)
    np.testing.assert_allclose(draws.mean(axis=(1, 2, 3)), 1.0, atol=0.05)
    np.testing.assert_allclose(draws.std(axis=(1, 2, 3)), 0.5, rtol=0.08)
    # importance-sampling ESS: a few thousand of the 16,000 proposals
    assert np.all((ess > 2000) & (ess < 16000))


def test_repeated_draws_are_adjacent_so_ess_counts_them_once():
    rng = np.random.default_rng(1)
    # a narrow target from a wide proposal: few distinct proposals carry the weight
    z, lr = _gauss_case(rng, 1, 4, 2000, 3.0, lambda x: -0.5 * (x / 0.3) ** 2)
    draws, _, ess = _importance.psis_resample(z, lr, 2000, rng.random((1, 4)))
    chains = draws[0, :, :, 0]
    distinct = sum(len(np.unique(ch)) for ch in chains)
    runs = sum(int(np.sum(np.diff(ch) != 0)) + 1 for ch in chains)
    assert runs == distinct  # each proposal's copies form one run
    _, ess_bulk = rank_diagnostics(chains[None])
    # the autocorrelation ESS sees the duplicates: far below the 8,000 draws, near the
    # importance-sampling ESS
    assert ess_bulk[0] < 0.5 * chains.size
    assert 0.3 < ess_bulk[0] / ess[0] < 3


def test_heavy_tailed_target_from_a_narrow_proposal_has_large_k():
    rng = np.random.default_rng(2)
    # Cauchy target, Gaussian proposal: unbounded weights
    z, lr = _gauss_case(rng, 2, 4, 2000, 1.0, lambda x: -np.log1p(x * x))
    _, khat, _ = _importance.psis_resample(z, lr, 500, rng.random((2, 4)))
    assert np.all(khat > _importance.K_MAX)


def test_no_finite_weight_gives_infinite_k():
    z = np.zeros((1, 2, 100, 1))
    lr = np.full((1, 2, 100), -np.inf)
    draws, khat, ess = _importance.psis_resample(z, lr, 5, np.zeros((1, 2)))
    assert np.isinf(khat[0]) and ess[0] == 0 and draws.shape == (1, 2, 5, 1)


def _curves(n_curves, seed=0, n=10):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_curves):
        c = np.logspace(18, 22, n)
        e, al = 1.5 + 0.5 * rng.random(), 0.15 + 0.1 * rng.random()
        a = (2.0 + rng.random()) * e * 1e20 ** al
        loss = (e + a * c ** -al) * np.exp(0.01 * rng.standard_normal(n))
        rows.append(pd.DataFrame({"curve": f"c{i:02d}", "C": c, "loss": loss}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_laplace_agrees_with_nuts():
    data = _curves(6, seed=3)
    lap = bs.fit_many(data, "saturating_power", by="curve", **KW)
    nuts = bs.fit_many(data, "saturating_power", by="curve", **dict(KW, strategy="lanes"))
    assert lap.settings["strategy"] == "laplace" and nuts.sampling is None
    d = lap.diagnostics()
    assert list(d.columns) == ["curve", "divergences", "max_r_hat", "min_ess_bulk",
                               "tree_depth_hits", "method", "pareto_k", "ok"]
    assert set(d["method"]) <= {"laplace-psis", "nuts"}
    served = d["method"] == "laplace-psis"
    assert served.sum() >= 4 and np.all(d.loc[served, "pareto_k"] <= 0.7)
    for k in ("E", "alpha", "sigma"):
        a, b = (np.asarray(f.posterior[k]).reshape(6, -1) for f in (lap, nuts))
        sd = b.std(axis=1)
        assert np.all(np.abs(np.median(a, 1) - np.median(b, 1)) < 0.35 * sd), k
        np.testing.assert_allclose(a.std(axis=1), sd, rtol=0.3)
    one = lap[lap.keys[0]]  # a normal Fit
    assert one.diagnostics()["divergences"] == 0


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_curves_importance_sampling_cannot_serve_are_refitted_with_nuts(monkeypatch):
    monkeypatch.setattr(_laplace_batch, "K_MAX", -1.0)  # trust no importance weights
    data = _curves(3, seed=5)
    fc = bs.fit_many(data, "saturating_power", by="curve", **KW)
    assert list(fc.sampling["method"]) == ["nuts"] * 3
    d = fc.diagnostics()
    assert list(d["method"]) == ["nuts"] * 3 and d["max_r_hat"].max() < 1.05
    assert np.asarray(fc.sample_stats["n_steps"]).min() >= 1  # real NUTS transitions


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
@pytest.mark.parametrize("batch_size", [2, 3])
def test_draws_do_not_depend_on_the_batching(batch_size):
    data = _curves(3, seed=6)
    ref = bs.fit_many(data, "saturating_power", by="curve", batch_size=4, **KW)
    other = bs.fit_many(data, "saturating_power", by="curve", batch_size=batch_size, **KW)
    for k in ref.posterior:
        np.testing.assert_allclose(other.posterior[k], ref.posterior[k], rtol=1e-6)
