"""A formula law's response name survives ``save`` / ``bs.load`` (issue 17, item 8).

It came back as ``"y"``: the file stored the formula's right-hand side only. The fit here
is built from synthetic draws (no sampling), so the test runs in well under a second.
"""

from __future__ import annotations

import numpy as np
import pytest

import bayescale as bs
from bayescale import likelihoods
from bayescale._errors import FitFileError
from bayescale.data import Dataset
from bayescale.laws import from_formula
from bayescale.result import Fit
from bayescale.result._law_spec import _law_from_spec, _law_spec


def _fit(formula: str) -> Fit:
    law = from_formula(formula)
    rng = np.random.default_rng(0)
    c = np.logspace(18, 21, 8)
    y = 1.7 + 20.0 / c**0.05
    lik = likelihoods.get("normal_log")
    names = tuple(law.param_names) + tuple(lik.noise_names)
    post = {k: rng.uniform(0.1, 1.0, (2, 10)) for k in names}
    stats = {"diverging": np.zeros((2, 10), bool), "n_steps": np.full((2, 10), 7),
             "acceptance_rate": np.full((2, 10), 0.9), "step_size": np.full(2, 0.1)}
    return Fit(law=law, likelihood=lik, priors={}, dataset=Dataset({"C": c}, y, ("C",), "loss"),
               posterior=post, sample_stats=stats, settings={"num_chains": 2})


@pytest.mark.parametrize(("formula", "response"), [
    ("loss ~ E + A / C**alpha", "loss"),
    ("val_loss ~ E + A / C**alpha", "val_loss"),
    ("E + A / C**alpha", "y"),  # no response given: "y", as before
])
def test_response_name_round_trips(tmp_path, formula, response):
    fit = _fit(formula)
    assert fit.law.formula == f"{response} = E + A / C ** alpha"
    fit.save(tmp_path / "fit.nc")
    back = bs.load(tmp_path / "fit.nc")
    assert back.law.formula == fit.law.formula
    assert back.law.key == fit.law.key and back.law.name == fit.law.name
    np.testing.assert_array_equal(back.posterior["A"], fit.posterior["A"])


def test_files_without_the_response_load_as_y():
    spec = _law_spec(from_formula("loss ~ E + A / C**alpha"))
    assert spec["response"] == "loss"
    del spec["response"]  # a file written before the response was stored
    assert _law_from_spec(spec, None).formula == "y = E + A / C ** alpha"


@pytest.mark.parametrize("response", [3, "1bad", "a b", "x; import os", ""])
def test_a_bad_stored_response_is_a_fit_file_error(response):
    spec = {**_law_spec(from_formula("loss ~ E + A / C**alpha")), "response": response}
    with pytest.raises(FitFileError, match="response name"):
        _law_from_spec(spec, None)
