"""Tying parameters across two curves, judged by PSIS-LOO (issue 21, item 8)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.analysis import fit_joint, tying_support

FIT = {"num_chains": 2, "num_warmup": 300, "num_samples": 300, "progress": False,
       "likelihood": "normal_log", "discrepancy": False, "seed": 0}
X = np.geomspace(1.0, 1e4, 16)


def _curve(a: float, alpha: float, seed: int) -> pd.DataFrame:
    """16 points of ``a C^-alpha`` over four decades, 2% log-normal noise."""
    rng = np.random.default_rng(seed)
    noise = np.exp(0.02 * rng.standard_normal(X.size))
    return pd.DataFrame({"C": X, "loss": a * X**-alpha * noise})


def _case(alpha_b: float) -> tuple[pd.DataFrame, bs.analysis.JointFit, bs.Fit, bs.Fit]:
    da, db = _curve(2.0, 0.3, 4), _curve(5.0, alpha_b, 104)
    with warnings.catch_warnings():
        # 2 x 300 draws (CI time) can leave R-hat a little above 1.01; the test is LOO
        warnings.filterwarnings("ignore", ".*(R-hat|ESS)", bs.result.DiagnosticWarning)
        tied = fit_joint(da, db, "power_law", x="C", y="loss", shared=["alpha"], **FIT)
        fa = bs.fit(da, "power_law", x="C", y="loss", **FIT)
        fb = bs.fit(db, "power_law", x="C", y="loss", **FIT)
    return tying_support(tied, fa, fb), tied, fa, fb


@pytest.fixture(scope="module")
def shared_case():
    return _case(0.3)


@pytest.fixture(scope="module")
def different_case():
    """Exponents 0.30 and 0.36: about 30 posterior standard deviations apart."""
    return _case(0.36)


def test_a_truly_shared_exponent_is_not_rejected(shared_case):
    table = shared_case[0]
    assert list(table.columns) == [
        "elpd_tied", "elpd_untied", "elpd_diff", "dse", "se_tied", "se_untied", "p_tied",
        "p_untied", "pareto_k_max_tied", "n_bad_k_tied", "pareto_k_max_untied",
        "n_bad_k_untied", "n_points", "verdict"]
    row = table.loc["alpha"]
    print("shared exponent:", row[["elpd_tied", "elpd_untied", "elpd_diff", "dse"]].to_dict())
    assert row["verdict"] in ("supported", "cannot tell")
    assert row["elpd_diff"] > -2 * row["dse"]
    assert row["n_points"] == 32 and row["n_bad_k_tied"] == 0 and row["n_bad_k_untied"] == 0
    # the tied model has fewer effective parameters (one exponent, one noise scale)
    assert row["p_tied"] < row["p_untied"]
    assert row["elpd_diff"] == pytest.approx(row["elpd_tied"] - row["elpd_untied"])


def test_clearly_different_exponents_reject_tying(different_case):
    table = different_case[0]
    row = table.loc["alpha"]
    print("different exponents:", row[["elpd_tied", "elpd_untied", "elpd_diff", "dse"]].to_dict())
    assert row["verdict"] == "not supported"
    assert row["elpd_diff"] < -2 * row["dse"] < 0


def test_untied_elpd_is_the_two_separate_fits(shared_case):
    import arviz as az

    table, tied, fa, fb = shared_case
    total = sum(float(az.loo(f.to_arviz(), var_name="loss").elpd) for f in (fa, fb))
    assert table["elpd_untied"].iloc[0] == pytest.approx(total, rel=1e-9)
    joint = az.loo(tied.joint.to_arviz(), var_name="loss")
    assert table["elpd_tied"].iloc[0] == pytest.approx(float(joint.elpd), rel=1e-9)
    assert table["se_tied"].iloc[0] == pytest.approx(float(joint.se), rel=1e-9)


def test_bad_arguments(shared_case, different_case):
    _, tied, fa, fb = shared_case
    with pytest.raises(bs.BayescaleError, match="JointFit"):
        tying_support(fa, fa, fb)
    with pytest.raises(bs.BayescaleError, match="fit_b must be a bayescale Fit"):
        tying_support(tied, fa, "fit")
    with pytest.raises(bs.BayescaleError, match="fit_a must be fitted to the joint"):
        tying_support(tied, fb, fb)  # curve B's fit given as curve A's
    with pytest.raises(bs.BayescaleError, match="fit_b must be fitted to the joint"):
        tying_support(tied, fa, different_case[3])
    with pytest.raises(bs.BayescaleError, match="z must be"):
        tying_support(tied, fa, fb, z=0)
