"""The Fit object: summaries, predictions, immutability, export, storage, display."""

import numpy as np
import pytest

import bayescale as bs


def test_summary_columns(saturating_fit):
    s = saturating_fit.summary()
    for col in ("median", "lower", "upper", "r_hat", "ess_bulk", "ess_tail", "mean", "sd"):
        assert col in s.columns
    assert list(s.index) == ["E", "A", "alpha", "sigma", "nu"]
    assert (s["lower"] < s["median"]).all() and (s["median"] < s["upper"]).all()


def test_recovers_example_truth(saturating_fit):
    truth = bs.datasets.example_truth("saturating")
    s = saturating_fit.summary(ci_prob=0.95)
    for k in ("E", "alpha"):
        assert s.loc[k, "lower"] <= truth[k] <= s.loc[k, "upper"]


def test_predict_shapes_and_kinds(saturating_fit):
    p = saturating_fit.predict(C=[1e23, 1e24, 1e25])
    assert list(p.columns) == ["C", "mean", "median", "lower", "upper"]
    m = saturating_fit.predict(C=[1e23, 1e24, 1e25], kind="mean")
    # the predictive band includes observation noise: wider than the mean curve's
    assert ((p["upper"] - p["lower"]) > (m["upper"] - m["lower"])).all()
    assert (np.diff(m["median"]) < 0).all()
    # law input name and data column name are both accepted
    np.testing.assert_allclose(saturating_fit.predict(x=1e24, kind="mean")["median"],
                               saturating_fit.predict(C=1e24, kind="mean")["median"])


def test_predict_errors(saturating_fit):
    with pytest.raises(bs.BayescaleError, match="unknown input 'N'"):
        saturating_fit.predict(N=1e9)
    with pytest.raises(bs.BayescaleError, match="missing"):
        saturating_fit.predict()
    with pytest.raises(bs.BayescaleError, match="must be finite and > 0"):
        saturating_fit.predict(C=[1e20, -5])
    with pytest.raises(bs.BayescaleError, match="kind must be"):
        saturating_fit.predict(C=1e20, kind="posterior")
    with pytest.raises(bs.BayescaleError, match="ci_prob"):
        saturating_fit.predict(C=1e20, ci_prob=1.5)


def test_fit_is_immutable(saturating_fit):
    with pytest.raises(AttributeError, match="immutable"):
        saturating_fit.law = None
    with pytest.raises(ValueError):
        saturating_fit.posterior["E"][0, 0] = 0.0
    with pytest.raises(TypeError):
        saturating_fit.posterior["E"] = np.zeros(3)
    before = saturating_fit.summary()
    saturating_fit.predict(C=1e24)
    assert saturating_fit.summary().equals(before)


def test_to_arviz_datatree(saturating_fit):
    dt = saturating_fit.to_arviz()
    assert {"posterior", "sample_stats", "log_likelihood", "observed_data"} <= set(dt.children)
    assert dt["posterior"]["alpha"].shape == (4, 500)
    assert dt["log_likelihood"]["loss"].shape == (4, 500, saturating_fit.dataset.n)


def test_save_load_roundtrip(tmp_path, saturating_fit):
    path = tmp_path / "fit.nc"
    saturating_fit.save(path)
    again = bs.load(path)
    for k in saturating_fit.posterior:
        np.testing.assert_array_equal(again.posterior[k], saturating_fit.posterior[k])
    a = saturating_fit.predict(C=[1e23, 1e25], seed=4)
    b = again.predict(C=[1e23, 1e25], seed=4)
    assert a.equals(b)
    assert again.law is saturating_fit.law
    assert again.settings == saturating_fit.settings


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_save_load_formula_law(tmp_path):
    data = bs.datasets.example("saturating")
    fit = bs.fit(data, "loss ~ E + A * C**(-alpha)", x="C", num_chains=2, num_warmup=300,
                 num_samples=300, progress=False)
    fit.save(tmp_path / "f.nc")
    again = bs.load(tmp_path / "f.nc")
    assert again.law.inputs == ("C",)
    np.testing.assert_array_equal(again.posterior["alpha"], fit.posterior["alpha"])
    np.testing.assert_allclose(again.predict(C=1e24, kind="mean")["median"],
                               fit.predict(C=1e24, kind="mean")["median"])


def test_load_errors(tmp_path):
    with pytest.raises(bs.BayescaleError, match="no such file"):
        bs.load(tmp_path / "missing.nc")


def test_save_does_not_clobber_on_failure(tmp_path, saturating_fit, monkeypatch):
    path = tmp_path / "keep.nc"
    path.write_bytes(b"precious")
    import xarray as xr

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(xr.DataTree, "to_netcdf", boom)
    with pytest.raises(OSError):
        saturating_fit.save(path)
    assert path.read_bytes() == b"precious"


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")
def test_html_repr_is_static_and_escaped():
    law = bs.Law.from_formula("loss ~ E + A * C**(-alpha)", name="<script>alert(1)</script>")
    data = bs.datasets.example("saturating")
    fit = bs.fit(data, law, x="C", y="loss", num_chains=2, num_warmup=300, num_samples=300,
                 progress=False)
    html = fit._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "r_hat" in html and "divergences" in html


def test_plot(saturating_fit, chinchilla_fit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = saturating_fit.plot()
    assert len(ax.collections) >= 4  # 3 bands + observed points (+ extrapolation span)
    ax2 = chinchilla_fit.plot()
    assert ax2.get_xscale() == "log"
    plt.close("all")


def test_diagnostic_warning_when_too_short():
    data = bs.datasets.example("saturating")
    with pytest.warns(bs.result.DiagnosticWarning, match="ESS"):
        bs.fit(data, "saturating_power", x="C", y="loss", num_chains=2, num_warmup=20,
               num_samples=20, progress=False)
