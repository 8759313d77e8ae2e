"""ci_prob and the inputs of predict are checked, not converted (issue 17, items 1, 2).

``summary(ci_prob="0.9")`` was accepted (``float("0.9")``) and ``predict(C="abc")`` raised
numpy's ValueError; ``predict(C=[[1, 2]])`` was flattened and ``predict(C=True)`` was
``C=1``. These checks sit below every result (:class:`~bayescale.result._posterior.Posterior`
serves the Fit, PassUntil and coverage summaries), so they are tested here without a fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bayescale._errors import BayescaleError
from bayescale.laws import from_formula, get
from bayescale.result._posterior import Posterior, check_ci_prob
from bayescale.result._predict import check_inputs, check_options


@pytest.mark.parametrize("value", [0.9, 0.5, 1 / 3, np.float32(0.8), np.float64(0.99),
                                   np.array(0.7)])
def test_ci_prob_accepts_real_numbers_in_the_open_interval(value):
    assert check_ci_prob(value) == pytest.approx(float(value))


@pytest.mark.parametrize(("value", "said"), [
    ("0.9", "'0.9' (a str)"), (True, "True"), (np.bool_(True), "True"), (None, "None"),
    ([0.9], "[0.9] (a list)"), (float("nan"), "nan"), (0, "got 0"), (1, "got 1"),
    (float("inf"), "inf"), (-0.1, "-0.1"), (0.9 + 0j, "(0.9+0j)"),
    (np.array([0.9]), "array([0.9])"), (np.array("0.9"), "array('0.9'"),
])
def test_ci_prob_refuses_anything_else_and_names_it(value, said):
    with pytest.raises(BayescaleError, match="ci_prob must be a float in \\(0, 1\\)") as info:
        check_ci_prob(value)
    assert said in str(info.value)


def test_every_results_summary_refuses_a_string_ci_prob():
    post = Posterior({"a": np.random.default_rng(0).normal(size=(2, 20, 3))},
                     np.zeros((2, 20), bool), {"a": (("task", ("x", "y", "z")),)})
    assert list(post.summary(["a"], 0.5).index) == ["a[x]", "a[y]", "a[z]"]
    with pytest.raises(BayescaleError, match=r"'0\.9'"):
        post.summary(["a"], "0.9")


LAW = from_formula("loss ~ E + A / C**alpha")


@pytest.mark.parametrize(("value", "said"), [
    ("abc", "got 'abc' (a str)"), ("1e20", "'1e20'"), ([[1e20, 2e20]], "nested: shape (1, 2)"),
    (None, "got None"), ({"a": 1}, "{'a': 1}"), ([], "(empty)"), (True, "dtype bool"),
    ([1e20, None], "it holds None"), ([1e20, "x"], "'x'"), (1 + 2j, "complex"),
    ([[1.0], [1.0, 2.0]], "[[1.0], [1.0, 2.0]]"), (np.array(["a"]), "dtype <U1"),
])
def test_predict_inputs_must_be_flat_numbers(value, said):
    with pytest.raises(BayescaleError, match="input 'C' must be a number or a flat") as info:
        check_inputs(LAW, ("C",), {"C": value})
    assert said in str(info.value)


def test_predict_inputs_that_are_numbers_pass_through():
    for value in (1e20, [1e20, 1e21], np.array([1e20]), pd.Series([1e20, 2e20]),
                  np.array([1e20], dtype=object), np.int64(10)):
        _, by_col = check_inputs(LAW, ("C",), {"C": value})
        np.testing.assert_array_equal(by_col["C"], np.atleast_1d(np.asarray(value, float)))
    with pytest.raises(BayescaleError, match="'C' = nan must be finite"):
        check_inputs(LAW, ("C",), {"C": [1e20, np.nan]})


def test_inputs_of_unequal_lengths_are_named():
    law = get("chinchilla")
    by_inp, _ = check_inputs(law, ("N", "D"), {"N": [1e9, 2e9], "D": 1e11})
    np.testing.assert_array_equal(by_inp["D"], [1e11, 1e11])
    with pytest.raises(BayescaleError, match=r"N: 3 values, D: 2 values"):
        check_inputs(law, ("N", "D"), {"N": [1e9, 2e9, 3e9], "D": [1e11, 2e11]})


@pytest.mark.parametrize(("kw", "said"), [
    ({"kind": "foo"}, "kind must be 'predictive' or 'mean', got 'foo'"),
    ({"kind": None}, "got None"), ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ({"seed": 1.5}, "got 1.5"), ({"seed": "a"}, "got 'a'"), ({"seed": True}, "got True"),
    ({"discrepancy": "no"}, "discrepancy must be True or False, got 'no'"),
    ({"discrepancy": 1}, "got 1"),
])
def test_predict_options(kw, said):
    opts = {"kind": "mean", "seed": 0, "discrepancy": True, **kw}
    with pytest.raises(BayescaleError) as info:
        check_options(**opts)
    assert said in str(info.value)
    check_options("predictive", np.int64(3), np.bool_(False))  # numpy scalars are fine
