"""CrossoverWidget state and trait validation on a real (small) crossover result."""

import warnings

import numpy as np
import pytest
import traitlets

import bayescale as bs
from bayescale.result import DiagnosticWarning
from bayescale.widgets import CrossoverWidget


@pytest.fixture(scope="module")
def result(saturating_fit):
    data = bs.datasets.example("saturating")
    # a steeper curve with a lower floor: it starts worse and ends better
    c = data["C"].to_numpy()
    other = data.assign(loss=1.85 + 1.35 * (data["loss"] - 1.85) * (c / 1e18) ** -0.04)
    with warnings.catch_warnings():
        # 2 chains x 200 draws feeds a state test, not an inference: the diagnostics may
        # flag the small bulk ESS, which is expected here
        warnings.filterwarnings("ignore", category=DiagnosticWarning)
        fit_b = bs.fit(other, "saturating_power", x="C", y="loss", num_chains=2,
                       num_warmup=200, num_samples=200, seed=2, progress=False)
    return bs.analysis.crossover(saturating_fit, fit_b, over=("C", 1e18, 1e25), num_points=80,
                                 labels=("base", "steep"))


def test_state_from_a_real_result(result):
    w = result.widget(y_label="loss")
    assert isinstance(w, CrossoverWidget)
    s = w.get_state()
    assert s["_view"] == "crossover"
    assert (s["x_label"], s["y_label"], s["labels"], s["better"]) == ("C", "loss",
                                                                      ["base", "steep"], "lower")
    assert len(s["grid_x"]) == len(s["prob_better"]) == 80
    assert [c["label"] for c in s["curves"]] == ["base", "steep"]
    for c in s["curves"]:
        assert len(c["median"]) == 80
        assert np.all(np.array(c["lower"]) <= np.array(c["median"]))
        assert np.all(np.array(c["median"]) <= np.array(c["upper"]))
    assert s["prob_better"] == pytest.approx(list(result.prob_better(result.grid)), abs=1e-5)
    assert s["prob_cross"] == pytest.approx(result.prob_cross)
    h = s["crossing_hist"]
    assert len(h["edges"]) == 31 and len(h["density"]) == 30
    # density per unit log10 x of all draws: integrates to prob_cross
    mass = np.sum(np.array(h["density"]) * np.diff(np.log10(h["edges"])))
    assert mass == pytest.approx(result.prob_cross, abs=1e-4)
    loc = result.location(0.9)
    if result.prob_cross > 0:
        assert s["location"]["median"] == pytest.approx(loc.median, rel=1e-5)


def test_ci_prob_recomputes_bands(result):
    w = CrossoverWidget.from_result(result, ci_prob=0.5)
    narrow = np.array(w.curves[0]["upper"]) - np.array(w.curves[0]["lower"])
    w.ci_prob = 0.95
    wide = np.array(w.curves[0]["upper"]) - np.array(w.curves[0]["lower"])
    assert np.all(wide >= narrow - 1e-9) and wide.sum() > narrow.sum()
    assert w.location["ci_prob"] == 0.95


def test_no_crossing_gives_an_empty_location(saturating_fit):
    res = bs.analysis.crossover(saturating_fit, saturating_fit, over=("C", 1e18, 1e22),
                                num_points=20)
    w = res.widget()
    if res.prob_cross == 0:
        assert w.location["median"] is None
        assert sum(w.crossing_hist["density"]) == 0


@pytest.mark.parametrize(("trait", "value", "match"), [
    ("ci_prob", 1.0, "strictly between 0 and 1"),
    ("labels", ["A", "A"], "two different names"),
    ("grid_x", [1.0, 0.5], "strictly increasing"),
    ("grid_x", [0.0, 1.0], "> 0 on a log axis"),
    ("prob_better", [0.5, 1.2], r"probability in \[0, 1\]"),
    ("prob_cross", -0.1, r"probability in \[0, 1\]"),
    ("crossing_hist", {"edges": [1, 10]}, "crossing_hist must be"),
    ("crossing_hist", {"edges": [1, 10, 100], "density": [1]}, "one more edge"),
    ("crossing_hist", {"edges": [1, 10], "density": [-1]}, ">= 0"),
    ("location", {"median": 1.0}, "needs keys"),
    ("location", {"median": -1.0, "lower": None, "upper": None}, "positive number or None"),
    ("height", 50, "between 200 and 2000"),
])
def test_trait_validation(trait, value, match):
    w = CrossoverWidget(grid_x=[1.0, 10.0, 100.0])
    with pytest.raises(traitlets.TraitError, match=match):
        setattr(w, trait, value)


def test_curves_must_match_the_grid():
    w = CrossoverWidget(grid_x=[1.0, 10.0])
    with pytest.raises(traitlets.TraitError, match="has 3 values but grid_x has 2"):
        w.curves = [{"label": "A", "median": [1, 2, 3], "lower": [1, 2, 3], "upper": [1, 2, 3]}]
    with pytest.raises(traitlets.TraitError, match="lower is above upper"):
        w.curves = [{"label": "A", "median": [1, 2], "lower": [1, 3], "upper": [1, 2]}]
    with pytest.raises(traitlets.TraitError, match="keys 'label'"):
        w.curves = [{"median": [1, 2]}]
    with pytest.raises(ValueError, match="num_bins"):
        CrossoverWidget.from_result(None, num_bins=1)


def test_widget_takes_traits_by_keyword(result):
    w = result.widget(height=300, width=800, theme="dark", num_bins=10)
    assert (w.height, w.width, w.theme) == (300, 800, "dark")
    assert len(w.crossing_hist["density"]) == 10
    assert w.y_label == (getattr(result, "response", None) or "y")
    assert result.widget(y_label="val loss").y_label == "val loss"
    with pytest.raises(TypeError, match=r"from_result\(\) got an unexpected keyword argument "
                                        r"'heigth' \(did you mean 'height'\?\).*'num_bins'"):
        result.widget(heigth=300)
    with pytest.raises(TypeError, match=r"computes 'labels'"):
        result.widget(labels=["x", "y"])


def test_export_request_carries_a_title_and_the_reply_is_written(tmp_path):
    w = CrossoverWidget(labels=["base", "steep"], x_label="C", y_label="loss")
    sent = []
    w.send = sent.append  # no front end: record the request
    rid = w.request_export("svg", tmp_path / "cross.svg")
    assert sent == [{"type": "export", "format": "svg", "id": rid,
                     "title": "base vs steep: loss against C"}]
    w._on_msg(w, {"type": "export", "id": rid, "format": "svg", "data": "<svg/>"}, [])
    assert (tmp_path / "cross.svg").read_text() == "<svg/>"
    assert w.last_export["path"] == str(tmp_path / "cross.svg")
