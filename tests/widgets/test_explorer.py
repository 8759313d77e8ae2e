import ipywidgets as w
import pytest

from bayescale.widgets import Explorer, ExtrapolationWidget, explore
from bayescale.widgets.explorer import nested_levels

from .conftest import FakeFit

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_nested_levels():
    assert nested_levels(0.95) == [0.5, 0.8, 0.95]
    assert nested_levels(0.7) == [0.5, 0.7]
    assert nested_levels(0.5) == [0.5]


def fake_fit_fn(calls):
    def fit(data, law, **kwargs):
        calls.append((law, kwargs))
        return FakeFit()
    return fit


def test_explorer_fits_and_links_controls():
    fake = FakeFit()
    calls = []
    ex = Explorer(fake.data, "saturating_power", x="C", fit_fn=fake_fit_fn(calls), num_samples=50)
    assert calls[0][0] == "saturating_power"
    assert calls[0][1]["x"] == "C" and calls[0][1]["num_samples"] == 50
    assert calls[0][1]["progress"] is False
    assert isinstance(ex.view, ExtrapolationWidget)
    assert ex.progress.value == 3 and ex.progress.bar_style == "success"
    assert ex.progress.layout.display == "none"  # no empty bar beside Fit when idle
    assert ex.view.log_y and ex.view.band_kind == "predictive"  # as fit.plot() draws it
    assert "saturating_power" in ex.law.options and "chinchilla" not in ex.law.options
    ex.level.value = 0.7
    assert ex.view.ci_levels == [0.5, 0.7]
    assert [b["level"] for b in ex.view.bands] == [0.7, 0.5]
    ex.view.target_x = 3e21  # typed into the view's target box, the only one
    assert ex.view.target_readout["x"] == 3e21
    assert not any(isinstance(c, w.Text) and "target" in c.description
                   for row in ex.children if isinstance(row, w.Box) for c in row.children)


def test_refit_keeps_the_target_and_band_kind():
    fake = FakeFit()
    calls = []
    ex = Explorer(fake.data, "saturating_power", x="C", fit_fn=fake_fit_fn(calls))
    assert ex.view.target_x == pytest.approx(1e22)  # "auto" on the first fit
    ex.view.target_x = 3e23
    ex.view.band_kind = "mean"
    ex.run_fit()
    assert len(calls) == 2
    assert ex.view.target_x == 3e23 and ex.view.target_readout["x"] == 3e23
    assert ex.view.band_kind == "mean" and ex.view.band_label == "mean curve"


def test_progress_shows_only_while_fitting():
    fake = FakeFit()
    seen = []

    def fit_fn(data, law, **kwargs):
        seen.append(ex.progress.layout.display)
        return FakeFit()

    ex = Explorer(fake.data, "saturating_power", x="C", fit_fn=fit_fn, auto_fit=False)
    assert ex.progress.layout.display == "none"
    ex.run_fit()
    assert seen == [None] and ex.progress.layout.display == "none"


def test_rows_wrap_instead_of_squeezing_controls():
    ex = Explorer(FakeFit().data, fit=FakeFit())
    rows = [c for c in ex.children if isinstance(c, w.HBox)]
    assert rows and all(r.layout.flex_flow == "row wrap" for r in rows)
    for c in (ex.law, ex.level, ex.fit_button, ex.filename, ex.svg_button, ex.png_button):
        assert c.layout.flex == "0 0 auto" and c.layout.width, c


def test_explorer_reports_a_failed_fit():
    def broken(*args, **kwargs):
        raise RuntimeError("no <luck>")

    ex = Explorer(FakeFit().data, "power_law", x="C", fit_fn=broken)
    assert ex.progress.bar_style == "danger"
    assert "no &lt;luck&gt;" in ex.message.value
    assert ex.fit is None and ex.view.points  # data still shown


def test_explorer_rejects_a_law_with_the_wrong_inputs():
    with pytest.raises(ValueError, match=r"not one of the laws of 1 input\(s\)"):
        Explorer(FakeFit().data, "chinchilla", x="C", auto_fit=False)


def test_export_buttons_request_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ex = explore(FakeFit().data, fit=FakeFit())
    sent = []
    ex.view.send = sent.append
    ex.svg_button.click()
    assert sent[0]["format"] == "svg"
    ex.view._on_msg(ex.view, {"type": "export", "id": sent[0]["id"], "format": "svg",
                              "data": "<svg/>"}, [])
    assert (tmp_path / "bayescale-extrapolation.svg").read_text() == "<svg/>"
    assert "saved bayescale-extrapolation.svg" in ex.message.value


def test_explorer_on_a_real_fit(saturating_fit):
    ex = explore(saturating_fit.data, fit=saturating_fit)
    assert ex.law.value == "saturating_power"
    assert len(ex.view.bands) == 3
