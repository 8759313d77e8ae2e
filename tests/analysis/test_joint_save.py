"""A JointFit saves and loads bit-exactly through ``save`` / ``bs.load`` (issue 19, item 2)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale._errors import FitFileError
from bayescale.analysis import JointFit, fit_joint
from bayescale.result import DiagnosticWarning

FIT = {"num_chains": 2, "num_warmup": 200, "num_samples": 200, "progress": False,
       "likelihood": "normal_log"}


def _sat(e, a, alpha, seed, n=20):
    rng = np.random.default_rng(seed)
    x = np.geomspace(1.0, 1e4, n)
    return pd.DataFrame({"C": x, "loss": (e + a * x**-alpha)
                         * np.exp(0.01 * rng.standard_normal(n))})


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    with warnings.catch_warnings():  # short chains: the diagnostics may complain
        warnings.simplefilter("ignore", DiagnosticWarning)
        jf = fit_joint(_sat(1.3, 1.5, 0.3, 4), _sat(1.3, 3.0, 0.6, 5), "saturating_power",
                       x="C", y="loss", shared=["E"], labels=("slow", "fast"), seed=0,
                       **FIT)
    path = tmp_path_factory.mktemp("joint") / "joint.nc"
    jf.save(path)
    return jf, path


def test_a_joint_fit_loads_bit_exactly(saved):
    jf, path = saved
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = bs.load(path)
    assert isinstance(back, JointFit)
    assert back.shared == jf.shared and back.labels == jf.labels
    for old, new in ((jf.joint, back.joint), (jf.a, back.a), (jf.b, back.b)):
        assert old.posterior.keys() == new.posterior.keys()
        assert all(np.array_equal(old.posterior[k], new.posterior[k]) for k in old.posterior)
        assert all(np.array_equal(old.sample_stats[k], new.sample_stats[k])
                   for k in old.sample_stats)
        assert dict(old.settings) == dict(new.settings) and dict(old.mode) == dict(new.mode)
        assert old.law.name == new.law.name and old.dataset.to_dict() == new.dataset.to_dict()
        assert dict(old.priors) == dict(new.priors)
    assert np.array_equal(back.a.predict_draws(C=[1e5, 1e6]), jf.a.predict_draws(C=[1e5, 1e6]))
    assert back.b.predict(C=[1e6]).equals(jf.b.predict(C=[1e6]))
    assert back.summary().equals(jf.summary())
    assert back.diagnostics() == jf.diagnostics() and back.ok == jf.ok
    # the views still pair draw by draw: a crossover of the loaded views is the old one
    old, new = jf.crossover(over=("C", 1, 1e4)), back.crossover(over=("C", 1, 1e4))
    assert old.paired and new.paired
    assert np.array_equal(new.crossing_draws, old.crossing_draws, equal_nan=True)
    assert np.array_equal(new.prob_better([10.0, 1e3]), old.prob_better([10.0, 1e3]))


def test_a_damaged_joint_file_fails_as_a_damaged_fit_file_does(saved, tmp_path):
    import xarray as xr

    _, path = saved
    tree = xr.open_datatree(path, engine="h5netcdf").load()
    meta = json.loads(tree.attrs["bayescale"])
    meta["joint"]["shared"] = ["A"]
    tree.attrs["bayescale"] = json.dumps(meta)
    tree.to_netcdf(tmp_path / "edited.nc", engine="h5netcdf")
    with pytest.raises(FitFileError, match="modified or damaged"):
        bs.load(tmp_path / "edited.nc")
