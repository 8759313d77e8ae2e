"""bs.fit finds a chain stuck in a degenerate region, restarts it (or drops it) and says so.

The chain is planted as on the issue's 67-point curve: its start is pushed far along
``alpha``, where ``A`` overflows and the chain never returns (R-hat 1.53, A = inf on the
old code). Same law, data bucket and settings as the session's ``saturating_fit``, so
the compiled sampler is reused: the restart must not trace anything again.
"""

import numpy as np
import pytest

import bayescale as bs
import bayescale.engine._fit as engine_fit
from bayescale.engine import trace_count
from bayescale.result import DiagnosticWarning

KW = dict(x="C", y="loss", num_chains=4, num_warmup=500, num_samples=500, seed=1,
          progress=False, discrepancy=False)


def _plant(monkeypatch, every_call):
    """Push chain 3's start far along the alpha coordinate (on the first or every run)."""
    real, calls = engine_fit.run_nuts, []

    def run(space, data, settings, seed, init, inv_mass):
        init = np.array(init)
        if every_call or not calls:
            init[3, space.names.index("alpha")] += 30.0
        calls.append(seed)
        return real(space, data, settings, seed, init, inv_mass)

    monkeypatch.setattr(engine_fit, "run_nuts", run)
    return calls


def test_stuck_chain_is_restarted_without_recompiling(monkeypatch, saturating_fit):
    calls = _plant(monkeypatch, every_call=False)
    before = trace_count()
    with pytest.warns(DiagnosticWarning, match=r"chain 3 was stuck \(non-finite draws of "
                                               r"'A'.*\); restarted once") as rec:
        fit = bs.fit(bs.datasets.example("saturating"), "saturating_power", **KW)
    assert len(rec) == 1  # the restarted fit is healthy: no second warning
    assert trace_count() == before and len(calls) == 2
    d = fit.diagnostics()
    assert d["restarted_chains"] == [3] and d["dropped_chains"] == []
    assert fit.num_chains == 4 and d["max_r_hat"] <= 1.01 and fit.ok
    assert all(np.all(np.isfinite(v)) for v in fit.posterior.values())


def test_chain_stuck_again_is_dropped_and_the_fit_still_works(monkeypatch, tmp_path,
                                                               saturating_fit):
    _plant(monkeypatch, every_call=True)
    with pytest.warns(DiagnosticWarning, match=r"still stuck after the restart.*dropped "
                                               r"chain 3: the fit keeps 3 of 4 chains"):
        fit = bs.fit(bs.datasets.example("saturating"), "saturating_power", **KW)
    d = fit.diagnostics()
    assert fit.num_chains == 3 and d["dropped_chains"] == [3]
    assert fit.settings["num_chains_sampled"] == 4 and d["max_r_hat"] <= 1.01
    assert all(v.shape == (3, 500) for v in fit.posterior.values())
    assert fit.sample_stats["step_size"].shape == (3,)
    fit.save(tmp_path / "f.nc")
    again = bs.load(tmp_path / "f.nc")
    assert again.num_chains == 3 and again.diagnostics()["dropped_chains"] == [3]
    assert list(fit.summary().index) == list(fit.param_names)
    assert "3 chains" in fit._repr_html_()
    assert np.isfinite(fit.predict(C=[1e23, 1e25]).to_numpy()).all()
