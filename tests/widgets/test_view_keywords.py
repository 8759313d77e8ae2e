"""Views take their traits by keyword (issue 18, item 5): ``fit.widget(height=500)``.

``from_fit``/``from_result`` pass any trait of the view through (height, width, theme,
labels, layout); an unknown keyword is a ``ViewKeywordError`` (both a ``TypeError`` and a
``BayescaleError``) that names it and lists the accepted ones.
"""

import pytest
import traitlets

from bayescale import BayescaleError
from bayescale.widgets import CrossoverWidget, ExtrapolationWidget, PassUntilWidget
from bayescale.widgets._traits import ViewKeywordError
from bayescale.widgets.crossover import response_name


def test_fit_widget_takes_height(saturating_fit):
    w = saturating_fit.widget(height=500)
    assert isinstance(w, ExtrapolationWidget)
    assert w.height == 500 and w.get_state()["height"] == 500
    assert len(w.grid_x) == 200 and w.y_label == "loss"


def test_from_fit_passes_any_trait_and_use_fit_options(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, height=200, width=700, theme="dark", log_y=True,
                                     y_label="val loss", band_label="mine", num_grid=30,
                                     ci_levels=[0.9], layout={"width": "50%"})
    assert (w.height, w.width, w.theme, w.log_y) == (200, 700, "dark", True)
    assert (w.y_label, w.band_label) == ("val loss", "mine")  # the caller's win over the fit's
    assert len(w.grid_x) == 30 and [b["level"] for b in w.bands] == [0.9]
    assert w.layout.width == "50%"


def test_from_fit_x_domain_is_kept_and_regrids(fake_fit):
    w = ExtrapolationWidget.from_fit(fake_fit, num_grid=30, x_domain=[1e15, 1e28])
    assert w.x_domain == [1e15, 1e28]
    assert w.grid_x[0] <= 1e15 and w.grid_x[-1] >= 1e28


def test_a_bad_trait_value_is_a_trait_error(fake_fit):
    with pytest.raises(traitlets.TraitError, match="height must be between 120 and 2000"):
        ExtrapolationWidget.from_fit(fake_fit, height=50)
    with pytest.raises(traitlets.TraitError, match="width must be 0"):
        ExtrapolationWidget.from_fit(fake_fit, width=10)


def test_unknown_keyword_is_named_with_the_accepted_ones(fake_fit):
    with pytest.raises(TypeError) as info:
        ExtrapolationWidget.from_fit(fake_fit, heigth=500)
    err = info.value
    assert isinstance(err, BayescaleError) and isinstance(err, ViewKeywordError)
    msg = str(err)
    assert "ExtrapolationWidget.from_fit() got an unexpected keyword argument 'heigth'" in msg
    assert "did you mean 'height'?" in msg
    for name in ("'height'", "'width'", "'theme'", "'ci_levels'", "'target_x'", "'layout'"):
        assert name in msg
    assert "'grid_x'" not in msg  # computed traits are not offered


def test_computed_trait_says_what_to_pass_instead(fake_fit):
    with pytest.raises(ViewKeywordError, match=r"computes 'grid_x'.*pass extrapolate="):
        ExtrapolationWidget.from_fit(fake_fit, grid_x=[1, 2])


@pytest.mark.parametrize("cls", [ExtrapolationWidget, CrossoverWidget, PassUntilWidget])
def test_constructors_refuse_unknown_keywords(cls):
    with pytest.raises(ViewKeywordError, match=r"got an unexpected keyword argument 'hieght'.*"
                                               r"did you mean 'height'"):
        cls(hieght=300)
    assert cls(height=300, width=400, theme="light").width == 400


def test_response_name_reads_the_result_or_its_fits():
    class Fit:
        y = "loss"

    class Result:
        fit_a = Fit()

    class Bare:
        pass

    assert response_name(Result()) == "loss"
    assert response_name(Bare()) is None
