"""PassUntil's models run on the engine's sampler (issue 19, item 1).

The task law and coverage laws are NumPyro models that ``bayescale.passuntil`` declares;
the engine samples them (``engine/_model_runner.py``): compiled once per shapes in the
process, exported to the verified on-disk cache across processes, diagnosed by the
thresholds and warning class of every ``bs.fit``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import bayescale as bs
import bayescale.passuntil as pu
from bayescale.engine import _export, _model_runner
from bayescale.engine._diagnostics import ESS_PER_CHAIN, RHAT_MAX, DiagnosticWarning
from bayescale.result._posterior import Posterior

SMALL = {"num_chains": 2, "num_warmup": 150, "num_samples": 150, "progress": False}


def _counts(seed: int) -> pu.PassCounts:
    p = np.random.default_rng(seed).beta(0.3, 3.0, size=60)
    return pu.simulate_counts(p, n=50, seed=seed)


def _fresh_process_state() -> None:
    """Forget the samplers this process holds (built, compiled, exported), as a new one."""
    _model_runner._CACHE.clear()
    _export._MEM.clear()
    _export._PENDING.clear()


def _draws(fit) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in fit.posterior.samples.items()}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(a[k].tobytes() == b[k].tobytes() for k in a)


def test_a_warm_cache_spares_a_fresh_process_the_tracing(tmp_path, monkeypatch):
    """A coverage fit in a new process loads the exported sampler: no trace, same draws."""
    counts = _counts(0)
    monkeypatch.setattr(_export, "_cache_dir", lambda: None)
    _fresh_process_state()
    plain = _draws(pu.fit_coverage(counts, seed=3, **SMALL))
    cache = tmp_path / "bayescale-export"
    monkeypatch.setattr(_export, "_cache_dir", lambda: cache)
    _fresh_process_state()
    before = _model_runner.trace_count()
    filled = _draws(pu.fit_coverage(counts, seed=3, **SMALL))
    assert _model_runner.trace_count() == before + 1
    assert len(list(cache.glob("model-*.jaxexport"))) == 1
    _fresh_process_state()
    before = _model_runner.trace_count()
    again = _draws(pu.fit_coverage(counts, seed=3, **SMALL))
    assert _model_runner.trace_count() == before, "the exported sampler was traced again"
    assert _same(plain, filled) and _same(plain, again)
    _fresh_process_state()


_CHILD = """
import hashlib, sys
import numpy as np
import bayescale.passuntil as pu
from bayescale.engine import _model_runner
p = np.random.default_rng(0).beta(0.3, 3.0, size=60)
fit = pu.fit_coverage(pu.simulate_counts(p, n=50, seed=0), seed=3, num_chains=2,
                      num_warmup=150, num_samples=150, progress=False)
h = hashlib.sha256()
for k in sorted(fit.posterior.samples):
    h.update(np.ascontiguousarray(fit.posterior.samples[k]).tobytes())
print(_model_runner.trace_count(), h.hexdigest())
"""


def test_a_new_process_with_a_warm_cache_traces_nothing(tmp_path):
    """Two real processes: the first exports the coverage sampler, the second loads it."""
    env = dict(os.environ, JAX_PLATFORMS="cpu", BAYESCALE_JAX_CACHE_DIR=str(tmp_path))
    env.pop("BAYESCALE_JAX_CACHE", None)

    def child() -> tuple[int, str]:
        out = subprocess.run([sys.executable, "-W", "error", "-c", _CHILD], env=env,
                             capture_output=True, text=True, timeout=600, check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        traces, digest = out.stdout.split()[-2:]
        return int(traces), digest

    first, second = child(), child()
    assert first[0] == 1 and second[0] == 0, (first, second)
    assert first[1] == second[1], "the exported sampler drew otherwise"
    assert len(list((tmp_path / "bayescale-export").glob("model-*.jaxexport"))) == 1


_SHARDED = """
import sys
import jax
import numpy as np
import bayescale.passuntil as pu
assert len(jax.local_devices()) == 2
p = np.random.default_rng(0).beta(0.3, 3.0, size=60)
fit = pu.fit_coverage(pu.simulate_counts(p, n=50, seed=0), law="power", seed=3, num_chains=2,
                      num_warmup=10, num_samples=10, progress=False)
assert fit.posterior.settings["num_devices"] == 2
np.savez(sys.argv[1], **fit.posterior.samples)
"""


def test_chains_shard_across_devices_with_the_draws_of_one_device(tmp_path, monkeypatch):
    """With two devices each runs one chain; chain i still runs on key split(seed)[i].

    A few transitions only: NUTS trajectories amplify the last-bit differences of
    another XLA partitioning until, after warm-up, the draws differ in the third digit.
    """
    monkeypatch.setattr(_export, "_cache_dir", lambda: None)
    one = pu.fit_coverage(_counts(0), law="power", seed=3,
                          **(SMALL | {"num_warmup": 10, "num_samples": 10}))
    env = dict(os.environ, JAX_PLATFORMS="cpu", BAYESCALE_JAX_CACHE="0",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    out = tmp_path / "draws.npz"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", _SHARDED, str(out)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert one.posterior.settings["num_devices"] == 1
    two = dict(np.load(out))
    assert two.keys() == dict(one.posterior.samples).keys()
    for k, v in one.posterior.samples.items():
        np.testing.assert_allclose(two[k], v, rtol=1e-6, atol=1e-9, err_msg=k)


def test_a_second_fit_of_the_same_shapes_reuses_the_sampler(monkeypatch):
    monkeypatch.setattr(_export, "_cache_dir", lambda: None)
    _fresh_process_state()
    before = _model_runner.trace_count()
    # the power law fits the coverage curve at k = 1..n: other counts, same shapes
    a = pu.fit_coverage(_counts(1), law="power", seed=0, **SMALL)
    b = pu.fit_coverage(_counts(2), law="power", seed=1, **SMALL)
    assert _model_runner.trace_count() == before + 1
    assert not _same(_draws(a), _draws(b))
    again = pu.fit_coverage(_counts(1), law="power", seed=0, **SMALL)
    assert _same(_draws(a), _draws(again)), "the same seed gave other draws"
    stats = a.posterior.sample_stats
    assert {"n_steps", "acceptance_rate", "lp", "energy", "step_size"} <= set(stats)
    assert stats["n_steps"].shape == (2, 150)
    tree = a.to_arviz()
    assert {"diverging", "n_steps", "lp"} <= set(tree.sample_stats.data_vars)
    _fresh_process_state()


def test_only_passuntil_models_have_a_stable_identity():
    from bayescale.engine._nuts import NutsSettings
    from bayescale.passuntil._coverage_model import model

    settings = NutsSettings(10, 10, 2, 0.9, 10, False, False)
    static = (("across", False), ("law", "beta"))
    key = _model_runner.stable_model_key(model, static, ("a",), settings, False)
    assert key is not None and "_coverage_model" in key
    assert key != _model_runner.stable_model_key(model, (("across", True), ("law", "beta")),
                                                 ("a",), settings, False)

    def local(**kwargs):
        model(**kwargs)

    assert _model_runner.stable_model_key(local, static, ("a",), settings, False) is None


def test_diagnostics_use_the_thresholds_and_warning_of_every_fit():
    assert pu.ConvergenceWarning is DiagnosticWarning is bs.result.DiagnosticWarning
    rng = np.random.default_rng(0)
    # 2 chains x 400 draws of an AR(1) with phi = 0.9: bulk ESS ~ 800 * 0.1 / 1.9 ~ 40,
    # below ESS_PER_CHAIN per chain (200 for 2 chains, as bs.fit; no longer a fixed 400)
    phi, chains, draws = 0.9, 2, 400
    x = np.zeros((chains, draws))
    for t in range(1, draws):
        x[:, t] = phi * x[:, t - 1] + rng.standard_normal(chains)
    post = Posterior({"a": x}, np.zeros((chains, draws), bool), {})
    diag = post.diagnostics(warn=False)
    assert ESS_PER_CHAIN * chains > diag["min_ess_bulk"]
    with pytest.warns(DiagnosticWarning, match=rf"< {ESS_PER_CHAIN * chains}\b"):
        post.diagnostics()
    good = Posterior({"a": rng.standard_normal((chains, draws))},
                     np.zeros((chains, draws), bool), {})
    diag = good.diagnostics(warn=False)
    assert diag["ok"] and diag["max_r_hat"] <= RHAT_MAX
    assert diag["min_ess_bulk"] >= ESS_PER_CHAIN * chains
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        good.diagnostics()


def test_sampler_settings_are_checked_before_sampling():
    counts = _counts(0)
    with pytest.raises(ValueError, match="num_chains=0 is not accepted"):
        pu.fit_coverage(counts, num_chains=0)
    with pytest.raises(ValueError, match=r"target_accept_prob=0\.2 must lie in \[0\.5, 1\)"):
        pu.fit_coverage(counts, target_accept_prob=0.2)


def _records() -> pu.PassUntilRecords:
    sizes = [1e8, 3e8, 1e9]
    p = pu.task_law(sizes, np.full(5, 200.0), np.full(5, 0.3))
    return pu.simulate(p, N=sizes, r=2, K_max=100_000, seed=1)


def test_target_accept_is_a_deprecated_alias_of_target_accept_prob():
    counts = _counts(0)
    for fit, data in ((pu.fit_coverage, counts), (pu.fit, _records())):
        # the old name still reaches the sampler (its value checked there), with a warning
        with pytest.warns(FutureWarning, match="target_accept= is deprecated.*"
                                               "target_accept_prob="), \
                pytest.raises(ValueError, match=r"target_accept_prob=0\.2 must lie"):
            fit(data, target_accept=0.2)
        with pytest.raises(ValueError, match="give target_accept_prob= only"):
            fit(data, target_accept_prob=0.95, target_accept=0.95)


def _stuck_in(calls: list, monkeypatch, chain: int, runs: int) -> None:
    """Make ``chain`` never move in the first ``runs`` runs of the model sampler."""
    real = _model_runner._run

    def run(runner, args):
        draws, stats = real(runner, args)
        calls.append(args[0])
        if len(calls) <= runs:
            for v in draws.values():
                v[chain] = v[chain, :1]
        return draws, stats

    monkeypatch.setattr(_model_runner, "_run", run)


def test_a_stuck_chain_is_run_again_as_bs_fit_restarts_one(monkeypatch):
    calls: list = []
    plain = pu.fit_coverage(_counts(0), seed=5, **SMALL)
    _stuck_in(calls, monkeypatch, chain=1, runs=1)
    with pytest.warns(DiagnosticWarning,
                      match=r"chain 1 was stuck \(it never moved.*run again.*mix"):
        fit = pu.fit_coverage(_counts(0), seed=5, **SMALL)
    assert len(calls) == 2 and calls[0].tobytes() != calls[1].tobytes()
    draws, base = _draws(fit), _draws(plain)
    assert all(np.array_equal(draws[k][0], base[k][0]) for k in draws)  # chain 0 kept
    assert not any(np.array_equal(draws[k][1], base[k][1]) for k in draws)
    assert all(np.ptp(v[1], axis=0).max() > 0 for v in draws.values())


def test_a_chain_stuck_again_is_dropped(monkeypatch):
    calls: list = []
    _stuck_in(calls, monkeypatch, chain=2, runs=2)
    with pytest.warns(DiagnosticWarning,
                      match=r"chain 2 was stuck.*dropped chain 2: the fit keeps 2 of 3"):
        fit = pu.fit_coverage(_counts(0), seed=5, **(SMALL | {"num_chains": 3}))
    assert len(calls) == 2
    assert fit.posterior.num_chains == 2
    assert all(v.shape[0] == 2 for v in fit.posterior.samples.values())
    assert fit.posterior.sample_stats["step_size"].shape == (2,)


def test_diagnostics_fail_on_tree_depth_hits_non_finite_and_undefined_values():
    rng = np.random.default_rng(1)
    draws = rng.standard_normal((2, 400))
    steps = np.full((2, 400), 7)
    steps[1, :5] = 2 ** 6 - 1
    post = Posterior({"a": draws}, np.zeros((2, 400), bool), {},
                     {"n_steps": steps}, {"max_tree_depth": 6})
    assert not post.diagnostics(warn=False)["ok"]
    with pytest.warns(DiagnosticWarning, match=r"5 transition\(s\) hit max_tree_depth"):
        post.diagnostics()
    assert Posterior({"a": draws}, np.zeros((2, 400), bool), {}, {"n_steps": steps},
                     {"max_tree_depth": 7}).diagnostics(warn=False)["ok"]
    bad = draws.copy()
    bad[0, 3] = np.nan
    with pytest.warns(DiagnosticWarning, match="non-finite draws of 'a'"):
        assert not Posterior({"a": bad}, np.zeros((2, 400), bool), {}).diagnostics()["ok"]
    constant = Posterior({"a": np.ones((2, 400))}, np.zeros((2, 400), bool), {})
    with pytest.warns(DiagnosticWarning, match=r"constant draws of 'a' \(chains 0, 1\)"):
        diag = constant.diagnostics()
    assert not diag["ok"] and np.isnan(diag["max_r_hat"])
    one = Posterior({"a": draws[:1]}, np.zeros((1, 400), bool), {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diag = one.diagnostics(warn=False)
    # one chain: R-hat cannot be computed, which is no failure (as for bs.fit); ESS needs
    # ESS_PER_CHAIN for that one chain
    assert np.isnan(diag["max_r_hat"]) and diag["min_ess_bulk"] > ESS_PER_CHAIN
    assert diag["ok"]
