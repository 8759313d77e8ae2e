"""PassUntilFit and CoverageFit save and load bit-exactly, through the file of every fit.

``fit.save(path)`` / ``bs.load(path)``, the format version and integrity digest of
``bs.fit``'s files, and the same ``FitFileError`` for a damaged file (issue 19, item 2).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import bayescale as bs
import bayescale.passuntil as pu
from bayescale._errors import FitFileError
from bayescale.result._diagnostics import DiagnosticWarning

SMALL = {"num_chains": 2, "num_warmup": 100, "num_samples": 100, "progress": False}


def _task_records() -> pu.PassUntilRecords:
    sizes = [1e8, 3e8, 1e9]
    p = pu.task_law(sizes, np.full(4, 200.0), np.full(4, 0.3))
    return pu.simulate(p, N=sizes, r=2, K_max=100_000, seed=1)


@pytest.fixture(scope="module")
def fits():
    with warnings.catch_warnings():  # short chains: the diagnostics may complain
        warnings.simplefilter("ignore", DiagnosticWarning)
        task = pu.fit(_task_records(), seed=0, **SMALL)
        rng = np.random.default_rng(3)
        import pandas as pd

        rows = [{"model": m, "problem": i, "n": 40, "c": int(rng.binomial(40, p)), "N": size}
                for m, size in (("small", 1e8), ("large", 1e9))
                for i, p in enumerate(rng.beta(0.3, 3.0, size=30))]
        counts = pu.PassCounts.from_dataframe(pd.DataFrame(rows), model="model",
                                              problem="problem", n="n", c="c", N="N")
        coverage = pu.fit_coverage(counts, across=True, seed=0, **SMALL)
        power = pu.fit_coverage(counts.subset("small"), law="power", seed=0, **SMALL)
    return {"task": task, "coverage": coverage, "power": power}


def _round_trip(fit, tmp_path, name):
    path = tmp_path / f"{name}.nc"
    fit.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = bs.load(path)
    return path, back


def _same_posterior(a, b) -> None:
    pa, pb = a.posterior, b.posterior
    assert pa.samples.keys() == pb.samples.keys()
    for k in pa.samples:
        assert pa.samples[k].dtype == pb.samples[k].dtype
        assert np.array_equal(pa.samples[k], pb.samples[k])
    assert np.array_equal(pa.divergences, pb.divergences)
    assert pa.sample_stats.keys() == pb.sample_stats.keys()
    for k in pa.sample_stats:
        assert np.array_equal(pa.sample_stats[k], pb.sample_stats[k])
    assert dict(pa.settings) == dict(pb.settings) and dict(pa.timing) == dict(pb.timing)
    assert {k: pa.dims[k] for k in pa.samples if k in pa.dims} == dict(pb.dims)


@pytest.mark.parametrize("name", ["task", "coverage", "power"])
def test_a_saved_fit_loads_bit_exactly(fits, tmp_path, name):
    fit = fits[name]
    _, back = _round_trip(fit, tmp_path, name)
    assert type(back) is type(fit)
    _same_posterior(fit, back)
    assert back.design == fit.design if name == "task" else True
    data = fit.records if name == "task" else fit.counts
    again = back.records if name == "task" else back.counts
    for field in ("N", "r", "K", "K_max", "censored") if name == "task" else (
            "model", "problem", "n", "c", "N"):
        assert np.array_equal(getattr(data, field), getattr(again, field))
    if name == "task":
        assert np.array_equal(back.predict_draws([2e9, 4e9]), fit.predict_draws([2e9, 4e9]))
        assert back.predict([2e9]).equals(fit.predict([2e9]))
    else:
        d = fit.design
        assert (back.design.law, back.design.across, back.design.models, back.design.center,
                back.design.log_k_mid, back.design.curve) == (
                    d.law, d.across, d.models, d.center, d.log_k_mid, d.curve)
        kw = {"N": [3e9]} if d.across else {}
        assert np.array_equal(back.predict_draws([1, 100], **kw),
                              fit.predict_draws([1, 100], **kw))
    assert back.summary().equals(fit.summary())
    assert back.diagnostics(warn=False) == fit.diagnostics(warn=False)


def _tampered(path, tmp_path, edit):
    import xarray as xr

    tree = xr.open_datatree(path, engine="h5netcdf").load()
    meta = json.loads(tree.attrs["bayescale"])
    edit(meta, tree)
    tree.attrs["bayescale"] = json.dumps(meta)
    out = tmp_path / ("edited-" + path.name)
    tree.to_netcdf(out, engine="h5netcdf")
    return out


@pytest.mark.parametrize("name", ["task", "coverage"])
def test_a_damaged_file_fails_as_a_damaged_fit_file_does(fits, tmp_path, name):
    path, _ = _round_trip(fits[name], tmp_path, name)

    def shift_a_draw(meta, tree):
        site = next(iter(tree["posterior"].data_vars))
        tree["posterior"][site].values.flat[0] += 1.0

    def edit_the_data(meta, tree):
        key = "records" if name == "task" else "counts"
        meta[key]["K_max" if name == "task" else "n"][0] += 1

    for edit in (shift_a_draw, edit_the_data):
        with pytest.raises(FitFileError, match="modified or damaged"):
            bs.load(_tampered(path, tmp_path, edit))
    blob = path.read_bytes()
    (tmp_path / "cut.nc").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(FitFileError, match=r"cut\.nc"):
        bs.load(tmp_path / "cut.nc")


def test_an_unknown_kind_is_refused(fits, tmp_path):
    from bayescale.result._io import _digest

    path, _ = _round_trip(fits["task"], tmp_path, "task")

    def retag(meta, tree):
        meta["kind"] = "mystery"
        meta["digest"] = _digest(meta, {g: {k: v.values for k, v in tree[g].data_vars.items()}
                                        for g in ("posterior", "sample_stats")})

    with pytest.raises(FitFileError, match="kind 'mystery'"):
        bs.load(_tampered(path, tmp_path, retag))


def test_diagnostics_are_those_of_every_fit(fits):
    from bayescale.result._diagnostics import ESS_PER_CHAIN

    diag = fits["task"].diagnostics(warn=False)
    assert diag["ess_threshold"] == ESS_PER_CHAIN * 2
    assert {"max_r_hat", "min_ess_bulk", "worst_r_hat", "tree_depth_hits", "non_finite",
            "ok"} <= set(diag)
    assert diag["num_draws"] == 2 * 100
