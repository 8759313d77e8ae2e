"""Fits with item-count likelihoods (binomial, beta-binomial) survive save and load."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import bayescale as bs
from bayescale.likelihoods import beta_binomial, binomial, likelihood_spec, spec_to_likelihood
from bayescale.result._io import FitFileWarning

ITEMS = 1234567  # more digits than the likelihood's name keeps


def _accuracy_data(n_models=24, seed=0):
    rng = np.random.default_rng(seed)
    x = np.logspace(-1, 2, n_models)
    law = bs.laws.sigmoid_accuracy(0.25)
    mu = np.asarray(law({"k": 1.5, "x_50": 10.0, "ceiling": 0.9}, x=x))
    return pd.DataFrame({"x": x, "acc": rng.binomial(2000, mu) / 2000})


def test_spec_keeps_the_exact_item_count():
    lik = binomial(ITEMS)
    assert lik.name == "binomial_1.23457e+06"  # the name rounds ...
    spec = likelihood_spec(lik)
    assert spec == {"name": lik.name, "factory": "binomial", "n_trials": float(ITEMS)}
    assert spec_to_likelihood(spec) is lik  # ... the spec does not
    assert spec_to_likelihood(likelihood_spec(bs.likelihoods.get("normal"))).name == "normal"
    assert bs.likelihoods.get("beta_binomial_300") is beta_binomial(300)
    with pytest.raises(bs.BayescaleError, match="binomial_<items>"):
        bs.likelihoods.get("binomial_many")
    with pytest.raises(bs.BayescaleError,
                       match=r"unknown likelihood factory 'poisson' \(likelihood 'poisson_3'\)"):
        spec_to_likelihood({"name": "poisson_3", "factory": "poisson", "n_trials": 3.0})


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")  # short chains
@pytest.mark.parametrize("make", [binomial, beta_binomial])
def test_save_load_roundtrip(tmp_path, make):
    lik = make(2000)
    fit = bs.fit(_accuracy_data(), bs.laws.sigmoid_accuracy(0.25), x="x", y="acc",
                 likelihood=lik, num_chains=2, num_warmup=150, num_samples=150,
                 progress=False)
    path = tmp_path / f"{lik.name}.nc"
    fit.save(path)
    back = bs.load(path)
    assert back.likelihood is lik
    for k in fit.posterior:
        np.testing.assert_array_equal(back.posterior[k], fit.posterior[k])
    grid = {"x": [0.5, 5.0, 500.0]}
    for kind in ("mean", "predictive"):
        pd.testing.assert_frame_equal(back.predict(kind=kind, **grid),
                                      fit.predict(kind=kind, **grid))
    # files written before the likelihood's options were stored (name only, format
    # version 1, no digest) still load, with a warning that they cannot be verified
    old = _rewrite_meta(path, tmp_path / "old.nc", _version_1)
    with pytest.warns(FitFileWarning, match="format version 1"):
        assert bs.load(old).likelihood is lik
    # a likelihood this version cannot rebuild (a file written by a newer bayescale,
    # digest and all) is an error that names it and the file
    unknown = _rewrite_meta(path, tmp_path / "unknown.nc", _unknown_likelihood, resign=True)
    with pytest.raises(bs.BayescaleError, match=r"unknown\.nc.*unknown likelihood 'poisson_7'"):
        bs.load(unknown)
    # edited without a new digest: rejected as modified
    edited = _rewrite_meta(path, tmp_path / "edited.nc", _unknown_likelihood)
    with pytest.raises(bs.BayescaleError, match=r"edited\.nc' was modified or damaged"):
        bs.load(edited)


def _version_1(meta):
    meta.pop("likelihood_spec")
    meta.pop("digest")
    meta["format_version"] = 1


def _rewrite_meta(src, dst, edit, resign=False):
    """Copy the saved fit ``src`` to ``dst`` with its JSON metadata edited in place
    (``resign``: with the digest of the edited contents, as bayescale would write it)."""
    from bayescale.result._io import _digest

    with xr.open_datatree(src, engine="h5netcdf") as tree:
        tree = tree.load()
    meta = json.loads(tree.attrs["bayescale"])
    edit(meta)
    if resign:
        meta["digest"] = _digest(meta, {g: {k: v.values for k, v in tree[g].data_vars.items()}
                                        for g in ("posterior", "sample_stats")})
    tree.attrs["bayescale"] = json.dumps(meta)
    tree.to_netcdf(dst, engine="h5netcdf")
    return dst


def _unknown_likelihood(meta):
    meta["likelihood"] = "poisson_7"
    meta["likelihood_spec"] = {"name": "poisson_7"}


def test_malformed_likelihood_spec_is_a_clear_error():
    with pytest.raises(bs.BayescaleError, match="without its item count"):
        spec_to_likelihood({"name": "binomial_3", "factory": "binomial"})
    with pytest.raises(bs.BayescaleError, match="not a likelihood description"):
        spec_to_likelihood(["binomial_3"])


@pytest.mark.parametrize("law", [bs.laws.bnsl(2), bs.laws.sigmoid_accuracy(0.25, False),
                                 bs.laws.get("data_filtering", n_pools=3)])
def test_factory_laws_are_stored_with_their_options(law):
    from bayescale.result._law_spec import _law_from_spec, _law_spec

    spec = _law_spec(law)
    assert spec["kind"] == "registry"
    again = _law_from_spec(spec, None)
    assert again.key == law.key and again.name == law.name
