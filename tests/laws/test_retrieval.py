"""Retrieval datastore size as a third scaling axis (issue 21, item 4)."""

from __future__ import annotations

import numpy as np
import pytest

import bayescale as bs

REF = bs.laws.RETRIEVAL_DATASTORE
LAW = bs.laws.get("retrieval_datastore")


def test_reference_numbers_and_chinchilla_limit():
    # the module docstring's values [C]
    got = LAW(REF, N=np.array([7e9, 7e9, 13e9]), D=2e12, S=np.array([0.0, 1.4e12, 0.0]))
    np.testing.assert_allclose(got, [2.0645, 1.9893, 2.0294], atol=5e-5)
    n, d = np.geomspace(1e8, 1e11, 4), np.geomspace(1e10, 1e13, 4)
    chin = {k: REF[k] for k in ("E", "A", "alpha", "B", "beta")}
    np.testing.assert_allclose(LAW(REF, N=n, D=d, S=0.0),
                               bs.laws.get("chinchilla")(chin, N=n, D=d), rtol=1e-12)
    # log-linear in S well above S_0 for small gamma, and never below E
    s = np.geomspace(1e11, 1e13, 3)
    red = np.asarray(LAW(REF, N=7e9, D=2e12, S=s)) - REF["E"]
    assert np.diff(np.log(red)) / np.diff(np.log(s)) == pytest.approx(-REF["gamma"], rel=1e-2)
    assert float(LAW(REF, N=7e9, D=2e12, S=1e300)) > REF["E"]


def test_compute_optimal_split():
    r = bs.laws.retrieval_optimal([1e23], max_datastore=1.4e12).iloc[0]
    assert 6 * r["N_median"] * r["D_median"] + 2 * 1.1e8 * r["S_median"] == pytest.approx(1e23)
    assert r["S_median"] == pytest.approx(1.4e12)
    assert r["loss_median"] == pytest.approx(1.9666, abs=2e-4)
    assert r["loss_lm_only_median"] == pytest.approx(2.0319, abs=2e-4)
    # LM-only optimum: Chinchilla's closed form N_opt = G (C / 6)^(beta / (alpha + beta))
    a, b = REF["alpha"], REF["beta"]
    g = (a * REF["A"] / (b * REF["B"])) ** (1 / (a + b))
    lm = bs.laws.retrieval_optimal([1e23], dict(REF, gamma=1e-12)).iloc[0]
    assert lm["N_median"] == pytest.approx(g * (1e23 / 6) ** (b / (a + b)), rel=0.06)
    with pytest.raises(bs.BayescaleError, match="finite and > 0"):
        bs.laws.retrieval_optimal(-1.0)
    with pytest.raises(bs.BayescaleError, match="retriever"):
        bs.laws.retrieval_optimal(1e23, retriever=0)
