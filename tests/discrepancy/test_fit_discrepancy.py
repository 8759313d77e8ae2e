"""Fits with the discrepancy: unchanged inside the data, wider beyond it, stored, reported."""

import numpy as np
import pytest

import bayescale as bs


def test_inside_the_data_nothing_changes(saturating_fit):
    c = saturating_fit.data["C"].to_numpy()
    inside = np.geomspace(c.min(), c.max(), 7)
    for kind in ("predictive", "mean"):
        with_d = saturating_fit.predict_draws(kind=kind, C=inside)
        without = saturating_fit.predict_draws(kind=kind, C=inside, discrepancy=False)
        np.testing.assert_array_equal(with_d, without)


def test_beyond_the_data_bands_widen_with_distance(saturating_fit):
    c_max = saturating_fit.data["C"].max()
    far = c_max * np.array([3.0, 30.0, 300.0])
    p = saturating_fit.predict(C=far)
    q = saturating_fit.predict(C=far, discrepancy=False)
    width, width0 = (p["upper"] - p["lower"]).to_numpy(), (q["upper"] - q["lower"]).to_numpy()
    assert np.all(width > width0)
    assert np.all(np.diff(width / width0) > 0)      # the drift grows with the distance
    np.testing.assert_allclose(p.attrs["decades_beyond"], np.log10(far / c_max))
    assert p.attrs["band"] == "new observation + discrepancy"
    assert q.attrs["band"] == "new observation"
    assert saturating_fit.predict(C=far, kind="mean").attrs["band"] == (
        "mean curve + discrepancy")
    assert list(p.columns) == ["C", "mean", "median", "lower", "upper"]


def test_calibration_report(saturating_fit):
    cal = saturating_fit.calibration()
    assert list(cal.columns) == ["cut", "n_train", "n_test", "max_decades", "bias",
                                 "coverage_90_before", "coverage_90_after"]
    assert len(cal) >= 3 and cal.attrs["method"] == "leave-future-out drift"
    assert (cal["n_train"] + cal["n_test"] <= saturating_fit.dataset.n).all()
    assert np.all(np.diff(cal["cut"]) > 0)
    assert saturating_fit.timing["calibrate_s"] > 0


def test_saved_fit_keeps_its_discrepancy(saturating_fit, tmp_path):
    path = tmp_path / "fit.nc"
    saturating_fit.save(path)
    back = bs.load(path)
    far = saturating_fit.data["C"].max() * np.array([10.0, 100.0])
    np.testing.assert_array_equal(back.predict_draws(C=far), saturating_fit.predict_draws(C=far))
    assert back.discrepancy.to_dict() == saturating_fit.discrepancy.to_dict()


def test_without_discrepancy_and_bad_arguments():
    data = bs.datasets.example("saturating")
    f = bs.fit(data, "saturating_power", x="C", y="loss", num_chains=2, num_warmup=300,
               num_samples=300, progress=False, discrepancy=False)
    assert f.discrepancy is None
    assert f.calibration().empty and f.calibration().attrs["method"] == "none"
    with pytest.raises(bs.BayescaleError, match="along='N' is not an input"):
        bs.fit(data, "saturating_power", x="C", y="loss", along="N")
    with pytest.raises(bs.BayescaleError, match="discrepancy must be True or False"):
        bs.fit(data, "saturating_power", x="C", y="loss", discrepancy="yes")


def test_multi_input_law_uses_the_box_of_n_and_d_and_the_compute(chinchilla_fit):
    disc = chinchilla_fit.discrepancy
    assert disc.axis == ("N", "D") and disc.coords == ((("N", 1), ("D", 1)),)
    data = chinchilla_fit.data
    n_max, d_max = data["N"].max(), data["D"].max()
    top = data.iloc[int(np.argmax(data["N"] * data["D"]))]   # the largest compute run
    p = chinchilla_fit.predict(N=[top["N"], 10 * top["N"], n_max, n_max],
                               D=[top["D"], top["D"], d_max, d_max / 1e6])
    beyond_c = np.log10(n_max * d_max / (top["N"] * top["D"]))
    np.testing.assert_allclose(p.attrs["decades_beyond"], [
        0.0, max(1.0, np.log10(10 * top["N"] / n_max)),
        beyond_c,                                    # N and D each seen, N x D is not
        max(np.log10(data["D"].min() / (d_max / 1e6)), 0.0)], atol=1e-9)


@pytest.mark.filterwarnings("ignore::bayescale.result._diagnostics.DiagnosticWarning")
def test_fit_many_calibrates_each_curve():
    curves = {s: bs.datasets.example("saturating", seed=s) for s in (1, 2, 3)}
    many = bs.fit_many(curves, "saturating_power", x="C", y="loss", num_chains=2,
                       num_warmup=200, num_samples=200, progress=False)
    for key in curves:
        f = many[key]
        assert f.discrepancy is not None and f.discrepancy.calibrated
        c_max = f.data["C"].max()
        p = f.predict(C=[c_max, 100 * c_max])
        q = f.predict(C=[c_max, 100 * c_max], discrepancy=False)
        w, w0 = (p["upper"] - p["lower"]).to_numpy(), (q["upper"] - q["lower"]).to_numpy()
        assert w[0] == pytest.approx(w0[0]) and w[1] > w0[1]
    off = bs.fit_many(curves, "saturating_power", x="C", y="loss", num_chains=2,
                      num_warmup=50, num_samples=50, progress=False, discrepancy=False)
    assert all(off[k].discrepancy is None for k in curves)


def test_html_says_what_the_bands_include(saturating_fit):
    h = saturating_fit._repr_html_()
    assert "bands beyond the data include the law&#x27;s drift along x" in h
    assert "leave-future-out splits" in h


def test_compute_optimal_loss_includes_the_drift(chinchilla_fit):
    c_max = float((6 * chinchilla_fit.data["N"] * chinchilla_fit.data["D"]).max())
    c = [c_max / 100, 1000 * c_max]
    with_d = chinchilla_fit.compute_optimal(C=c).set_index(["C", "quantity"])
    without = chinchilla_fit.compute_optimal(C=c, discrepancy=False).set_index(["C", "quantity"])
    w = with_d["upper"] - with_d["lower"]
    w0 = without["upper"] - without["lower"]
    assert w[(c[1], "loss")] > 1.2 * w0[(c[1], "loss")]       # far beyond: wider
    for q in ("N_opt", "D_opt", "a"):                           # the allocation is the law's
        np.testing.assert_allclose(with_d.loc[(c[1], q), "median"],
                                   without.loc[(c[1], q), "median"])


def test_widget_names_its_bands(saturating_fit):
    view = saturating_fit.widget()           # as fit.plot(): new observations + drift
    assert view.band_label == "new observation + discrepancy"
    assert view.band_label == saturating_fit.band_label("predictive", True)
    assert saturating_fit.widget(kind="mean").band_label == "mean curve + discrepancy"
