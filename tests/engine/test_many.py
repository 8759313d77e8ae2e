"""fit_many: vectorised fits of many curves agree with one-by-one fits."""

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.engine import trace_count

# the batched leave-future-out calibration has its own tests (tests/discrepancy)
KW = dict(x="C", y="loss", num_chains=4, num_warmup=500, num_samples=500, progress=False,
          discrepancy=False)


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


@pytest.fixture(scope="module")
def many():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
        return bs.fit_many(_curves(20), "saturating_power", by="curve", seed=0, **KW)


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
@pytest.mark.slow
def test_matches_separate_fits(many):
    data = _curves(20)
    z = []
    for key in many.keys:
        single = bs.fit(data[data.curve == key], "saturating_power", seed=7, **KW)
        a, b = many[key].summary(), single.summary()
        for p in ("E", "alpha", "sigma"):
            se = np.hypot(a.loc[p, "sd"] / np.sqrt(a.loc[p, "ess_bulk"]),
                          b.loc[p, "sd"] / np.sqrt(b.loc[p, "ess_bulk"])) * 1.25
            z.append((a.loc[p, "median"] - b.loc[p, "median"]) / se)
    z = np.abs(np.asarray(z))
    assert z.max() < 5.0, z.max()           # medians agree within Monte Carlo error
    assert np.mean(z < 2.0) > 0.8


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_collection_api(many):
    assert len(many) == 20 and "c03" in many and next(iter(many)) == "c00"
    s = many.summary()
    assert len(s) == 20 * 5
    assert {"curve", "parameter", "median", "lower", "upper", "r_hat", "ess_bulk"} <= set(s)
    d = many.diagnostics()
    assert len(d) == 20 and d["ok"].mean() >= 0.5 and d["divergences"].sum() <= 3
    assert set(many.failed) == set(d.loc[~d.ok, "curve"])
    fit = many["c03"]
    assert isinstance(fit, bs.Fit) and fit.posterior["E"].shape == (4, 500)
    p = many.predict(C=[1e23, 1e24], kind="mean")
    assert len(p) == 40 and list(p.columns[:2]) == ["curve", "C"]
    with pytest.raises(KeyError, match="no curve 'zz'"):
        many["zz"]
    with pytest.raises(AttributeError, match="immutable"):
        many.keys = []


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_second_call_same_bucket_does_not_recompile(many):
    before = trace_count()
    again = bs.fit_many(_curves(20, seed=5), "saturating_power", by="curve", seed=1, **KW)
    assert trace_count() == before
    assert len(again) == 20


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_deterministic_for_a_seed_and_batching():
    data = _curves(6, seed=2)
    kw = dict(KW, num_warmup=200, num_samples=200)
    a = bs.fit_many(data, "saturating_power", by="curve", batch_size=4, **kw)
    b = bs.fit_many(data, "saturating_power", by="curve", batch_size=4, **kw)
    for k in a.posterior:
        np.testing.assert_array_equal(a.posterior[k], b.posterior[k])
    # another batching changes floating-point rounding (NUTS amplifies it), not the posterior
    c = bs.fit_many(data, "saturating_power", by="curve", batch_size=6, **kw)
    med_a = np.median(a.posterior["alpha"], axis=(1, 2))
    med_c = np.median(c.posterior["alpha"], axis=(1, 2))
    np.testing.assert_allclose(med_a, med_c, rtol=0.1)


def test_inputs_and_errors():
    data = _curves(3)
    frames = [g for _, g in data.groupby("curve")]
    with pytest.raises(bs.BayescaleError, match="needs by=COLUMN"):
        bs.fit_many(data, "saturating_power", **KW)
    with pytest.raises(bs.BayescaleError, match="by column 'run'"):
        bs.fit_many(data, "saturating_power", by="run", **KW)
    bad = data.copy()
    bad.loc[bad.index[12], "loss"] = -1.0
    with pytest.raises(bs.DataError, match="curve 'c01': column 'loss'"):
        bs.fit_many(bad, "saturating_power", by="curve", **KW)
    assert len(frames) == 3


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_list_and_dict_of_frames():
    data = _curves(3)
    frames = {k: g for k, g in data.groupby("curve")}
    kw = dict(KW, num_warmup=100, num_samples=100)
    by_dict = bs.fit_many(frames, "saturating_power", **kw)
    by_list = bs.fit_many(list(frames.values()), "saturating_power", **kw)
    assert by_dict.keys == ["c00", "c01", "c02"] and by_list.keys == [0, 1, 2]
    np.testing.assert_allclose(by_dict.posterior["E"], by_list.posterior["E"])


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.slow
def test_dask_local_cluster_matches_in_process():
    distributed = pytest.importorskip("distributed")
    data = _curves(6, seed=3)
    kw = dict(KW, num_warmup=200, num_samples=200)
    local = bs.fit_many(data, "saturating_power", by="curve", batch_size=3, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = bs.fit_many(data, "saturating_power", by="curve", batch_size=3,
                             client=client, **kw)
    assert remote.keys == local.keys
    for k in local.posterior:
        np.testing.assert_allclose(remote.posterior[k], local.posterior[k], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_strategies_agree():
    data = _curves(4, seed=4)
    kw = dict(KW, num_warmup=300, num_samples=300)
    fits = {st: bs.fit_many(data, "saturating_power", by="curve", strategy=st, **kw)
            for st in ("lanes", "vmap", "map")}
    assert {st: f.settings["strategy"] for st, f in fits.items()} == {
        "lanes": "lanes", "vmap": "vmap", "map": "map"}
    ref = np.median(fits["map"].posterior["alpha"], axis=(1, 2))
    for st in ("lanes", "vmap"):
        np.testing.assert_allclose(np.median(fits[st].posterior["alpha"], axis=(1, 2)), ref,
                                   rtol=0.1)
    with pytest.raises(bs.BayescaleError, match="strategy must be"):
        bs.fit_many(data, "saturating_power", by="curve", strategy="pmap", **kw)


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_side_by_side_batches_equal_sequential(monkeypatch):
    from bayescale.engine import _many

    data = _curves(6, seed=3)
    kw = dict(KW, num_warmup=150, num_samples=150, batch_size=3)
    side = bs.fit_many(data, "saturating_power", by="curve", **kw)
    monkeypatch.setattr(_many, "batch_threads", lambda n_batches, n_dev: 1)
    seq = bs.fit_many(data, "saturating_power", by="curve", **kw)
    assert seq.settings["threads"] == 1
    for k in side.posterior:
        np.testing.assert_array_equal(side.posterior[k], seq.posterior[k])


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_padded_batch_keeps_each_curve():
    """5 curves in batches of <= 4: 3 + 2, the second padded to 4 with a repeated curve."""
    data = _curves(5, seed=34)  # every two curves differ by >= 9% (RMS relative)
    kw = dict(KW, num_warmup=200, num_samples=200)
    fc = bs.fit_many(data, "saturating_power", by="curve", batch_size=4, **kw)
    assert fc.posterior["E"].shape == (5, 4, 200)
    for i, key in enumerate(fc.keys):  # each curve's draws describe that curve's data
        rows = data[data.curve == key]
        e, a, al = (np.median(fc.posterior[k][i]) for k in ("E", "A", "alpha"))
        fitted = e + a * rows.C.to_numpy() ** -al
        assert np.sqrt(np.mean((fitted / rows.loss.to_numpy() - 1) ** 2)) < 0.03, key
