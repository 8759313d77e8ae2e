"""The one number formatter; the cases are shared with the JS views' tests."""

import json
from pathlib import Path

import pytest

from bayescale._format import format_interval, format_level, format_number

# Read by js/test/format.test.js too: Python and the views must print the same strings.
CASES = json.loads((Path(__file__).parents[1] / "js" / "test" / "format_cases.json")
                   .read_text(encoding="utf-8"))


@pytest.mark.parametrize(("value", "digits", "notation", "expected"), CASES["number"])
def test_number_matches_shared_cases(value, digits, notation, expected):
    assert format_number(float(value), digits, notation) == expected


@pytest.mark.parametrize(("level", "expected"), CASES["level"])
def test_level_matches_shared_cases(level, expected):
    assert format_level(level) == expected


@pytest.mark.parametrize(("lower", "upper", "expected"), CASES["interval"])
def test_interval_matches_shared_cases(lower, upper, expected):
    assert format_interval(lower, upper) == expected


def test_shared_cases_cover_the_rules():
    notations = {c[2] for c in CASES["number"]}
    assert notations == {"auto", "sci", "plain"}
    printed = [c[3] for c in CASES["number"]]
    assert {"NaN", "inf", "-inf", "0"} <= set(printed)
    assert any("e-" in s for s in printed) and any(s.startswith("-") for s in printed)


@pytest.mark.parametrize("exponent", range(-30, 31))
def test_scientific_has_one_digit_mantissa_and_bare_exponent(exponent):
    for m in (1.0, 1.5, 3.7, 9.99, 5.76):
        v = m * 10.0**exponent
        s = format_number(v)
        assert "e+" not in s and "e0" not in s and "e-0" not in s
        mantissa = s.split("e")[0]
        if "e" in s:
            assert 1 <= abs(float(mantissa)) < 10
        assert float(s) == pytest.approx(v, rel=5e-3)


def test_rounds_half_away_from_zero_like_javascript():
    # 0.125 and 1225 are exact in binary: Python's own format rounds them half-even
    assert f"{0.125:.2g}" == "0.12" and format_number(0.125, 2) == "0.13"
    assert format_number(-1225) == "-1230"


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="digits must be between 1 and 17"):
        format_number(1.0, 0)
    with pytest.raises(ValueError, match="notation must be one of"):
        format_number(1.0, 3, "eng")


def test_fit_html_prints_numbers_with_the_one_formatter():
    from types import SimpleNamespace

    import pandas as pd

    from bayescale.result._html import fit_html

    summary = pd.DataFrame({"median": [5.76e23, 0.3412], "lower": [1.4e12, 0.3],
                            "upper": [1e24, 0.39], "r_hat": [1.00234, 1.0],
                            "ess_bulk": [812.4, 900.0]}, index=["A", "alpha"])
    diag = {"divergences": 0, "max_r_hat": 1.00234, "min_ess_bulk": 812.4,
            "mean_leapfrog_steps": 11.26, "ess_threshold": 400}
    fit = SimpleNamespace(
        summary=lambda ci_prob: summary, diagnostics=lambda: diag, ok=True,
        law=SimpleNamespace(name="law", formula="y = A * x"), discrepancy=None,
        likelihood=SimpleNamespace(name="normal_log"), dataset=SimpleNamespace(n=14),
        num_chains=4, num_draws=4000)
    html = fit_html(fit, ci_prob=0.9)
    assert "<td>5.76e23</td><td>[1.4e12, 1e24]</td><td>1.002</td><td>812</td>" in html
    assert "<td>0.341</td><td>[0.3, 0.39]</td>" in html and "90% interval" in html
    assert "max R-hat 1.002" in html and "11.3 leapfrog" in html and "e+" not in html
