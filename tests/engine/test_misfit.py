"""The misfit check: a runs test of the residuals' signs flags a law of the wrong shape."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale import DataError
from bayescale.engine import MisfitWarning, check_misfit, runs_test
from bayescale.engine._misfit import MISFIT_P
from bayescale.result import DiagnosticWarning

FIT = {"num_chains": 2, "num_warmup": 200, "num_samples": 200, "progress": False,
       "discrepancy": False}


def test_runs_are_counted_and_standardised_by_the_textbook_formulas():
    r = np.array([1, 1, -1, -1, -1, 1, -1, 1, 1, 1, -1, -1], dtype=float)
    t = runs_test(r)
    n1, n2 = 6, 6
    mu = 2 * n1 * n2 / 12 + 1
    var = (mu - 1) * (mu - 2) / 11
    assert (t.n, t.runs) == (12, 6)
    assert t.expected == pytest.approx(mu)
    assert t.z == pytest.approx((6 - mu) / math.sqrt(var))
    assert t.p == pytest.approx(0.5 * math.erfc(-t.z / math.sqrt(2)))
    # the order of reading is order_by's; zeros and non-finite values are skipped
    assert runs_test(r[::-1], order_by=np.arange(12)[::-1]).runs == 6
    assert runs_test(np.array([1.0, 0.0, 1.0, np.nan, -1.0])).runs == 2
    # all alike: no evidence either way
    assert runs_test(np.ones(20)).p == 1.0
    alternating = runs_test(np.tile([1.0, -1.0], 10))
    assert alternating.p > 0.99 and alternating.lag1 < -0.9


def test_false_alarm_rate_under_independent_noise_is_the_nominal_one():
    rng = np.random.default_rng(0)
    n_sims = 20000
    alarms = sum(runs_test(rng.standard_normal(20)).p < MISFIT_P for _ in range(n_sims))
    assert alarms / n_sims < 3 * MISFIT_P
    # a random walk's residuals: its power grows with the points (measured 0.24 at 20
    # points, 0.62 at 40, 0.78 at 60)
    streaky = [runs_test(np.cumsum(rng.standard_normal(60))).p < MISFIT_P
               for _ in range(500)]
    assert np.mean(streaky) > 0.65


def _saturating(n: int = 20, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.logspace(0, 3, n)
    return pd.DataFrame({"x": x, "y": (0.3 + x ** -0.5) * np.exp(0.01 * rng.standard_normal(n))})


def test_a_power_law_fitted_to_saturating_data_is_flagged_with_remedies():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticWarning)
        warnings.simplefilter("error", MisfitWarning)
        with pytest.raises(MisfitWarning, match=r"3 runs of one sign along x where about 11"
                           r".*'power_law' misses the data's shape.*bs.compare"):
            bs.fit(_saturating(), "power_law", x="x", y="y", **FIT)
    assert issubclass(MisfitWarning, DiagnosticWarning)


def test_the_right_law_passes_and_correlated_likelihoods_are_not_tested():
    df = _saturating()
    law = bs.laws.get("saturating_power")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MisfitWarning)
        warnings.simplefilter("ignore", DiagnosticWarning)
        f = bs.fit(df, law, x="x", y="y", **FIT)
    t = check_misfit(f.law, f.likelihood, f.dataset.x, f.dataset.y, f.mode, warn=False)
    assert t is not None and t.p > 0.01
    ar1 = bs.likelihoods.get("ar1_normal_log")
    assert check_misfit(f.law, ar1, f.dataset.x, f.dataset.y, f.mode) is None
    few = df.iloc[:8]
    assert check_misfit(f.law, f.likelihood, {"x": few.x.to_numpy()}, few.y.to_numpy(),
                        f.mode) is None


def test_data_with_one_distinct_input_are_rejected():
    df = pd.DataFrame({"x": np.full(10, 3.0), "y": np.linspace(1, 2, 10)})
    with pytest.raises(DataError, match=r"same inputs \(x = 3\).*at least 2 distinct"):
        bs.fit(df, "power_law", x="x", y="y", **FIT)


def test_a_law_parameter_named_like_the_noise_is_rejected():
    law = bs.Law.from_formula("y ~ A * x**(-sigma)", name="clash")
    df = _saturating()
    with pytest.raises(bs.LawError, match=r"parameter\(s\) \['sigma'\].*noise parameter"):
        bs.fit(df, law, x="x", y="y", **FIT)


def test_the_default_likelihood_avoids_a_clash_with_a_law_parameter():
    # fp_quant has a published exponent nu; Student-t's degrees of freedom are nu too
    space, _ = bs.engine.prepare(_fp_data(), "fp_quant", x=list("NDEMB"), y="loss",
                                 likelihood=None, priors=None)
    assert space.likelihood.name == "normal_log"
    with pytest.raises(bs.LawError, match=r"\['nu'\].*student_t_log"):
        bs.engine.prepare(_fp_data(), "fp_quant", x=list("NDEMB"), y="loss",
                          likelihood="student_t_log", priors=None)


def _fp_data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 16
    return pd.DataFrame({"N": rng.uniform(1e8, 1e9, n), "D": rng.uniform(1e10, 1e11, n),
                         "E": rng.integers(1, 5, n).astype(float),
                         "M": rng.integers(1, 5, n).astype(float), "B": np.full(n, 128.0),
                         "loss": rng.uniform(2.5, 3.5, n)})
