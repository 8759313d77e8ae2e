import base64

import numpy as np
import pytest
from traitlets import TraitError

from bayescale.widgets import ExtrapolationWidget

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_state_from_a_fit_double(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, num_grid=50)
    s = w.get_state()
    assert s["_view"] == "extrapolation"
    assert (s["x_label"], s["y_label"], s["log_x"]) == ("C", "loss", True)
    assert len(s["grid_x"]) == len(s["median"]) == 50
    assert [b["level"] for b in s["bands"]] == [0.95, 0.8, 0.5]
    assert len(s["points"]) == 12
    assert s["grid_x"][-1] > 1e21 * 50  # reaches past the data
    assert s["target_x"] == pytest.approx(1e22)
    r = s["target_readout"]
    assert r["x"] == s["target_x"] and r["level"] == 0.95 and r["kind"] == "new observation"
    assert r["lower"] < r["median"] < r["upper"]


def test_bands_nest(fake_draws_fit):
    w = ExtrapolationWidget.from_fit(fake_draws_fit, num_grid=40)
    wide, mid, narrow = w.bands
    for outer, inner in ((wide, mid), (mid, narrow)):
        assert np.all(np.array(outer["lower"]) <= np.array(inner["lower"]))
        assert np.all(np.array(outer["upper"]) >= np.array(inner["upper"]))
    assert np.all(np.array(narrow["lower"]) <= np.array(w.median))


def test_ci_levels_change_recomputes(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, num_grid=30)
    before = w.bands[0]["upper"]
    fake_fit.calls.clear()
    w.ci_levels = [0.5, 0.99]
    assert [b["level"] for b in w.bands] == [0.99, 0.5]
    assert w.bands[0]["upper"] != before
    assert w.target_readout["level"] == 0.99
    assert "predict:predictive:0.99" in fake_fit.calls


def test_draws_are_asked_once_per_recompute(fake_draws_fit):
    w = ExtrapolationWidget.from_fit(fake_draws_fit, num_grid=30)
    fake_draws_fit.calls.clear()
    w.ci_levels = [0.6, 0.7, 0.9]
    assert fake_draws_fit.calls == ["draws:predictive", "draws:predictive"]


def test_target_change_reads_out_and_stretches_grid(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, num_grid=30)
    w.target_x = 3e20
    assert w.target_readout["x"] == 3e20
    w.target_x = 1e30
    assert w.grid_x[-1] >= 1e30
    assert w.target_readout["x"] == 1e30


def test_visible_range_request_regrids(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, num_grid=30)
    w.x_domain = [1e15, 1e28]  # what the front end writes after zooming out
    assert w.grid_x[0] <= 1e15 and w.grid_x[-1] >= 1e28
    n = len(w.grid_x)
    w.x_domain = [2e19, 3e19]  # inside: no recompute
    assert len(w.grid_x) == n


def test_from_draws_without_a_fit():
    grid = np.geomspace(1, 1e3, 20)
    draws = 1 + np.random.default_rng(0).normal(0, 0.1, (500, 1)) + 0 * grid
    w = ExtrapolationWidget.from_draws(grid, draws, points=[(1, 1.0)], target_x=10.0)
    assert len(w.bands) == 3 and w.target_readout["x"] == 10.0
    w.ci_levels = [0.9]
    assert [b["level"] for b in w.bands] == [0.9]


def test_heldout_points(fake_fit):
    held = fake_fit.data.assign(C=fake_fit.data.C * 1e3).iloc[:3]
    w = ExtrapolationWidget.from_fit(fake_fit, heldout=held)
    assert len(w.heldout_points) == 3
    with pytest.raises(ValueError, match=r"heldout lacks the fit's columns \['loss'\]"):
        ExtrapolationWidget.from_fit(fake_fit, heldout=held.drop(columns="loss"))


def test_two_input_law_opens_on_the_compute_optimal_path(fake_nd_fit):
    w = ExtrapolationWidget.from_fit(fake_nd_fit, num_grid=30)  # as fit.plot() draws it
    assert (w.slice_mode, w.x_label, w.band_kind) == ("compute_optimal", "C", "mean")
    assert [p["x"] for p in w.points] == pytest.approx(list(6 * fake_nd_fit.data.N
                                                            * fake_nd_fit.data.D))
    assert w.target_readout["kind"] == "mean curve"


def test_two_input_slices(fake_nd_fit):
    w = ExtrapolationWidget.from_fit(fake_nd_fit, num_grid=30, slice_mode="fixed")
    assert (w.slice_mode, w.slice_input, w.x_label, w.inputs) == ("fixed", "D", "N", ["N", "D"])
    assert w.slice_value == pytest.approx(1e11)
    w.slice_value = 5e11
    assert w.x_label == "N" and len(w.bands) == 3
    w.slice_mode = "compute_optimal"
    assert w.x_label == "C"
    assert w.points[0]["x"] == pytest.approx(6 * 1e8 * 2e10)
    names = [d["name"] for d in w.target_readout["details"]]
    assert names == ["N_opt", "D_opt"]
    w.slice_mode, w.slice_input = "fixed", "N"
    assert w.x_label == "D" and w.slice_value == pytest.approx(np.median(fake_nd_fit.data.N))


def test_export_reply_is_written(fake_fit, tmp_path):
    w = ExtrapolationWidget.from_fit(fake_fit)
    sent = []
    w.send = sent.append  # no front end: record the request
    got = []
    rid = w.request_export("png", tmp_path / "chart.png", got.append)
    assert sent == [{"type": "export", "format": "png", "id": rid, "title": "fake_power"}]
    png = b"\x89PNG\r\n"
    w._on_msg(w, {"type": "export", "id": rid, "format": "png",
                  "data": base64.b64encode(png).decode()}, [])
    assert (tmp_path / "chart.png").read_bytes() == png
    assert got[0]["path"] == str(tmp_path / "chart.png") and w.last_export is got[0]
    with pytest.raises(ValueError, match="fmt must be 'svg' or 'png'"):
        w.request_export("pdf")
    w.request_export("svg", title="my fit")
    assert sent[-1]["title"] == "my fit"


def test_export_title_names_the_law_or_the_axes(saturating_fit):
    w = saturating_fit.widget(num_grid=20)
    law = saturating_fit.law
    assert w.export_title() == f"{law.name}: {law.formula}"  # fit.plot()'s title
    raw = ExtrapolationWidget.from_draws([1.0, 2.0], np.ones((5, 2)), x_label="N", y_label="PU")
    assert raw.export_title() == "PU against N"


def test_real_fit_widget(saturating_fit):
    w = saturating_fit.widget(kind="mean")
    assert isinstance(w, ExtrapolationWidget)
    assert len(w.points) == len(saturating_fit.data)
    # with the discrepancy the median is a Monte Carlo median of law + drift draws: it
    # falls with compute up to the drift's sampling noise beyond the data
    med = np.array(w.median)
    assert np.all(np.diff(med) <= 1e-3 * np.abs(med[1:]))
    w.band_kind = "mean"                   # the law's mean curve alone falls strictly
    med = np.array(w.median)
    assert np.all(np.diff(med) <= 1e-9)  # a saturating loss falls with compute
    w.ci_levels = [0.5]
    assert len(w.bands) == 1
    lo, hi = w.target_readout["lower"], w.target_readout["upper"]
    assert lo < w.target_readout["median"] < hi


def test_real_two_input_fit(chinchilla_fit):
    w = chinchilla_fit.widget(num_grid=40, slice_mode="compute_optimal")
    assert w.x_label == "C" and len(w.median) == 40
    r = w.target_readout
    assert r["lower"] <= r["median"] <= r["upper"]
    assert {d["name"] for d in r["details"]} == {"N_opt", "D_opt"}
    default = chinchilla_fit.widget(num_grid=20)  # the compute-optimal path, as fit.plot()
    assert (default.slice_mode, default.x_label) == ("compute_optimal", "C")
    assert default.band_kind.startswith("mean") and default.band_label.startswith("mean curve")


def _band_at_points(w, level):
    band = next(b for b in w.bands if b["level"] == level)
    x = np.log(np.array([p["x"] for p in w.points]))
    lo = np.interp(x, np.log(w.grid_x), band["lower"])
    hi = np.interp(x, np.log(w.grid_x), band["upper"])
    y = np.array([p["y"] for p in w.points])
    return np.mean((lo <= y) & (y <= hi))


def test_real_fit_defaults_agree_with_plot(saturating_fit):
    w = saturating_fit.widget(num_grid=80)
    # fit.plot(): bands of new observations with the discrepancy, log-log axes
    assert (w.band_kind, w.log_x, w.log_y) == ("predictive+discrepancy", True, True)
    label = saturating_fit.band_label("predictive")
    assert w.band_label == label == "new observation + discrepancy"
    assert w.band_kinds == ["predictive+discrepancy", "mean+discrepancy", "predictive", "mean"]
    assert _band_at_points(w, 0.95) >= 0.85  # the observed points lie in the 95% band
    predictive_width = np.subtract(w.bands[0]["upper"], w.bands[0]["lower"])
    w.band_kind = "mean"
    assert w.band_label == "mean curve" and w.target_readout["kind"] == "new observation"
    mean_width = np.subtract(w.bands[0]["upper"], w.bands[0]["lower"])
    assert np.all(mean_width < predictive_width)  # the mean curve is narrower


def test_band_kinds_offered_without_a_discrepancy(fake_draws_fit):
    w = ExtrapolationWidget.from_fit(fake_draws_fit, num_grid=30)
    assert (w.band_kinds, w.band_kind, w.band_label) == (
        ["predictive", "mean"], "predictive", "new observation")
    assert w.log_y  # every loss > 0
    fake_draws_fit.calls.clear()
    w.band_kind = "mean"
    assert fake_draws_fit.calls[0] == "draws:mean" and w.band_label == "mean curve"
    with pytest.raises(TraitError, match=r"band_kind must be one of \['predictive', 'mean'\]"):
        w.band_kind = "mean+discrepancy"
    assert ExtrapolationWidget.from_fit(fake_draws_fit, kind="mean").band_kind == "mean"


def test_band_kinds_with_a_discrepancy(fake_disc_fit):
    w = ExtrapolationWidget.from_fit(fake_disc_fit, num_grid=30)
    assert w.band_kinds == ["predictive+discrepancy", "mean+discrepancy", "predictive", "mean"]
    assert w.band_kind == "predictive+discrepancy"
    assert w.band_label == "new observation + discrepancy"
    assert w.target_readout["kind"] == "new observation + discrepancy"
    wide = np.subtract(w.bands[0]["upper"], w.bands[0]["lower"])
    w.band_kind = "predictive"
    assert fake_disc_fit.calls[-1] == "draws:predictive:False"
    assert w.band_label == "new observation" and w.target_readout["kind"] == "new observation"
    assert np.all(np.subtract(w.bands[0]["upper"], w.bands[0]["lower"]) < wide)
    off = ExtrapolationWidget.from_fit(fake_disc_fit, discrepancy=False, band_kind="mean")
    assert (off.band_kind, off.band_label) == ("mean", "mean curve")


def test_compute_optimal_path_offers_mean_curves_only(fake_nd_fit):
    w = ExtrapolationWidget.from_fit(fake_nd_fit, num_grid=20, slice_mode="fixed")
    assert w.band_kinds == ["predictive", "mean"] and w.band_kind == "predictive"
    w.slice_mode = "compute_optimal"
    assert (w.band_kinds, w.band_kind, w.band_label) == (["mean"], "mean", "mean curve")
    assert w.target_readout["kind"] == "mean curve"
    w.slice_mode = "fixed"
    assert w.band_kinds == ["predictive", "mean"] and w.band_kind == "mean"


def test_plot_and_widget_say_the_same_by_default(saturating_fit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = saturating_fit.plot(num_points=40)
    w = saturating_fit.widget(num_grid=40)
    try:
        labels = ax.get_legend_handles_labels()[1]
        # the legend texts the view draws (js/src/controls.js renderLegend)
        widget = [f"{round(100 * b['level'])}% {w.band_label}" for b in w.bands]
        assert sorted(lab for lab in labels if "%" in lab) == sorted(widget)
        assert {"median", "observed", "beyond the data"} <= set(labels)
        assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log") and w.log_x and w.log_y
    finally:
        plt.close(ax.figure)
