"""PassUntilWidget state and trait validation on a real (small) PassUntil fit."""

import warnings

import numpy as np
import pytest
import traitlets

import bayescale.passuntil as pu
from bayescale.result import DiagnosticWarning
from bayescale.widgets import PassUntilWidget

SIZES = np.geomspace(3e7, 9.6e8, 5)


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(0)
    f0, alpha = rng.normal(1.5, 0.4, 8), np.exp(rng.normal(np.log(0.5), 0.15, 8))
    x = np.log(SIZES)[:, None] - np.log(SIZES).mean()
    p = np.exp(-np.exp(f0 - alpha * x))
    recs = pu.simulate(p, N=SIZES, r=2, K_max=100_000, seed=1)
    with warnings.catch_warnings():
        # 2 chains x 200 draws is a state fixture, not an inference: too few draws for
        # the bulk-ESS threshold, so the diagnostics' warning is expected here
        warnings.filterwarnings("ignore", category=DiagnosticWarning)
        return pu.fit(recs, num_chains=2, num_warmup=200, num_samples=200, seed=0,
                      progress=False)


def test_state_from_a_real_fit(fit):
    w = fit.widget()
    assert isinstance(w, PassUntilWidget)
    s = w.get_state()
    assert s["_view"] == "passuntil"
    n = len(s["grid_n"])
    assert n == 60 and s["grid_n"][0] == pytest.approx(SIZES[0])
    assert s["predict_n"] == pytest.approx(list(SIZES[-1] * np.array([2, 4, 8])), rel=1e-6)
    assert s["grid_n"][-1] >= 8 * SIZES[-1]
    assert len(s["task_median"]) == n and s["task_band"]["level"] == 0.9
    lo, med, hi = (np.array(v) for v in (s["task_band"]["lower"], s["task_median"],
                                          s["task_band"]["upper"]))
    assert np.all(lo <= med) and np.all(med <= hi) and np.all(hi <= 1)
    assert len(s["instances"]) == 8 and len(s["instances"][0]["median"]) == n
    assert len(s["observed"]) == len(s["f_observed"]) > 0
    pred = s["predicted"]
    assert [p["x"] for p in pred] == pytest.approx(s["predict_n"])
    ref = fit.predict(s["predict_n"], 0.9)
    assert [p["median"] for p in pred] == pytest.approx(list(ref["median"]), rel=1e-5)
    # the second panel is the same curve through F = log(-log PU), which reverses order
    f = np.array(s["f_median"])
    assert f == pytest.approx(np.log(-np.log(med)), rel=1e-4, abs=1e-5)
    assert np.all(np.array(s["f_band"]["lower"]) <= f + 1e-6)
    for p, q in zip(pred, s["f_predicted"], strict=True):
        assert q["lower"] == pytest.approx(np.log(-np.log(p["upper"])), rel=1e-5, abs=1e-6)
    e = fit.emergence()
    assert s["emergence"]["label"] == e.label
    assert s["emergence"]["prob"] == pytest.approx(e.probs[e.label])


def test_settings_recompute(fit):
    w = PassUntilWidget.from_fit(fit, predict_N=[5e9], num_grid=20)
    assert len(w.grid_n) == 20 and w.grid_n[-1] >= 5e9
    assert len(w.predicted) == 1
    width = np.subtract(w.task_band["upper"], w.task_band["lower"])
    w.ci_prob = 0.5
    assert w.task_band["level"] == 0.5
    assert np.all(np.subtract(w.task_band["upper"], w.task_band["lower"]) <= width + 1e-9)
    w.predict_n = [2e10, 4e9]
    assert [p["x"] for p in w.predicted] == [4e9, 2e10] and w.grid_n[-1] >= 2e10


@pytest.mark.parametrize(("trait", "value", "match"), [
    ("ci_prob", 0.0, "strictly between 0 and 1"),
    ("grid_n", [10.0, 5.0], "strictly increasing"),
    ("task_median", [0.1, 0.2], "has 2 values but grid_n has 3"),
    ("task_median", [0.1, 0.2, 1.5], "must be <= 1"),
    ("task_band", {"level": 0.9, "lower": [0.2, 0.2, 0.2], "upper": [0.1, 0.3, 0.3]},
     "above upper"),
    ("task_band", {"level": 0.9, "lower": [0, 0.1, 0.1], "upper": [0.1, 0.3, 0.3]},
     r"probabilities in \(0, 1\]"),
    ("instances", [{"name": "a"}], "keys 'name', 'median'"),
    ("instances", [{"name": "a", "median": [0.1]}], "has 1 values but grid_n has 3"),
    ("observed", [{"x": 1.0}], "needs keys 'x' and 'y'"),
    ("predict_n", [-1.0], "> 0 on a log axis"),
    ("predict_n", list(range(1, 30)), "at most 20"),
    ("predicted", [{"x": 1.0, "median": 0.1, "lower": 0.2, "upper": 0.3}],
     "lower <= median <= upper"),
    ("emergence", {"label": "linear"}, "needs keys"),
    ("emergence", {"label": "linear", "prob": 2}, "must be a probability"),
    ("height", 100, "between 240 and 2000"),
])
def test_trait_validation(trait, value, match):
    w = PassUntilWidget(grid_n=[1.0, 10.0, 100.0])
    with pytest.raises(traitlets.TraitError, match=match):
        setattr(w, trait, value)


def test_fit_without_curvature_has_no_emergence(fit):
    w = PassUntilWidget(grid_n=[1.0, 2.0])
    assert w.emergence == {} and w.predicted == []
    with pytest.raises(ValueError, match="num_grid"):
        PassUntilWidget.from_fit(fit, num_grid=1)


def test_widget_takes_traits_by_keyword(fit):
    w = fit.widget(height=400, width=700, theme="dark", num_grid=12)
    assert (w.height, w.width, w.theme, len(w.grid_n)) == (400, 700, "dark", 12)
    with pytest.raises(TypeError, match=r"PassUntilWidget.from_fit\(\) got an unexpected "
                                        r"keyword argument 'hight' \(did you mean 'height'\?\)"):
        fit.widget(hight=400)
    with pytest.raises(TypeError, match=r"computes 'predict_n'.*pass predict_N="):
        fit.widget(predict_n=[1e9])


def test_export_title_names_the_emergence_class(fit):
    w = PassUntilWidget.from_fit(fit)
    sent = []
    w.send = sent.append
    w.request_export("png")
    label = w.emergence.get("label")
    assert label and sent[0]["title"] == f"PassUntil: task pass rate PU(N), {label} emergence"
    with pytest.raises(ValueError, match="fmt must be 'svg' or 'png'"):
        w.request_export("gif")
