import pytest
from traitlets import TraitError

from bayescale.widgets import ExtrapolationWidget


@pytest.fixture
def view():
    return ExtrapolationWidget()


@pytest.mark.parametrize(("levels", "message"), [
    ([0.5, 1.5], r"strictly between 0 and 1, got 1.5 \(e.g. \[0.5, 0.8, 0.95\]\)"),
    ([], "needs 1 to 6 levels, got 0"),
    ([0.5, 0.5], "must be distinct"),
    (["high"], r"ci_levels\[0\] must be a number, got 'high'"),
    ([float("nan")], "must be finite"),
])
def test_ci_levels_messages(view, levels, message):
    with pytest.raises(TraitError, match=message):
        view.ci_levels = levels


def test_ci_levels_are_sorted(view):
    view.ci_levels = [0.95, 0.5]
    assert view.ci_levels == [0.5, 0.95]


def test_grid_must_increase_and_be_positive_on_log_axis(view):
    with pytest.raises(TraitError, match=r"strictly increasing; grid_x\[2\] = 2.0 follows 3.0"):
        view.grid_x = [1, 3, 2]
    with pytest.raises(TraitError, match=r"grid_x\[0\] must be > 0 on a log axis, got -1.0"):
        view.grid_x = [-1, 1]
    view.log_x = False
    view.grid_x = [-1, 1]


def test_lengths_must_match(view):
    view.grid_x = [1, 2, 3]
    with pytest.raises(TraitError, match="median has 2 values but grid_x has 3"):
        view.median = [1, 2]
    with pytest.raises(TraitError, match=r"bands\[0\] has 2 values but grid_x has 3"):
        view.bands = [{"level": 0.9, "lower": [1, 2], "upper": [2, 3]}]


def test_bands_messages(view):
    view.grid_x = [1, 2]
    with pytest.raises(TraitError, match=r"bands\[0\] must be a dict with keys 'level', 'lower'"):
        view.bands = [{"level": 0.9, "lo": [1, 2]}]
    with pytest.raises(TraitError, match=r"lower\[1\] = 5.0 is above upper\[1\] = 3.0"):
        view.bands = [{"level": 0.9, "lower": [1, 5], "upper": [2, 3]}]
    with pytest.raises(TraitError, match=r"bands\[0\].level must be in \(0, 1\), got 90.0"):
        view.bands = [{"level": 90, "lower": [1, 2], "upper": [2, 3]}]


def test_bands_sorted_widest_first_and_set_together(view):
    bands = [{"level": 0.5, "lower": [1.4, 1.4], "upper": [1.6, 1.6]},
             {"level": 0.9, "lower": [1, 1], "upper": [2, 2]}]
    with view.hold_trait_notifications():
        view.grid_x = [1, 10]
        view.median = [1.5, 1.5]
        view.bands = bands
    assert [b["level"] for b in view.bands] == [0.9, 0.5]


def test_points_accept_pairs_and_dicts(view):
    view.points = [(1, 2), {"x": 3, "y": 4}]
    assert view.points == [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0}]
    with pytest.raises(TraitError, match=r"points\[0\] needs keys 'x' and 'y', got \['x'\]"):
        view.points = [{"x": 1}]
    with pytest.raises(TraitError, match=r"heldout_points\[0\] must be"):
        view.heldout_points = [1]


def test_domain_target_theme_height(view):
    with pytest.raises(TraitError, match=r"\[\] \(automatic\) or \[lo, hi\] with lo < hi"):
        view.x_domain = [2, 1]
    view.x_domain = [1, 2]
    with pytest.raises(TraitError, match=r"target_x must be > 0 on a log axis, got -5\.0"):
        view.target_x = -5
    view.target_x = None
    with pytest.raises(TraitError, match="theme"):
        view.theme = "blue"
    with pytest.raises(TraitError, match="height must be between 120 and 2000"):
        view.height = 50
