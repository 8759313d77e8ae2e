"""The batched R-hat and ESS against arviz_stats' own (looped) array functions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from arviz_stats.base import array_stats
from scipy import stats

from bayescale.engine._convergence import _average_ranks, ess_tail, rank_diagnostics


def _chains(rng: np.random.Generator, chains: int, draws: int) -> np.ndarray:
    """A batch of hard cases: AR(1) of many strengths, shifted and stuck chains,
    heavy tails, ties, constants and NaN."""
    out = []
    for phi in (0.0, 0.5, 0.9, 0.99, -0.6):
        e = rng.standard_normal((chains, draws))
        x = np.zeros_like(e)
        for t in range(draws):
            x[:, t] = (phi * x[:, t - 1] if t else 0.0) + e[:, t]
        out.append(x)
    shifted = rng.standard_normal((chains, draws))
    shifted[0] += 3.0
    out.append(shifted)
    stuck = rng.standard_normal((chains, draws))
    stuck[-1] = 0.25
    out += [stuck, rng.standard_cauchy((chains, draws)),
            np.round(rng.standard_normal((chains, draws))),   # ties
            np.full((chains, draws), 1.5),                    # constant
            rng.integers(0, 2, (chains, draws)).astype(float)]
    nan = rng.standard_normal((chains, draws))
    nan[0, 3] = np.nan
    out.append(nan)
    return np.stack(out)


@pytest.mark.parametrize(("chains", "draws"), [(4, 500), (4, 101), (1, 60), (2, 4),
                                               (3, 5), (2, 9)])
def test_matches_arviz(chains: int, draws: int) -> None:
    ary = _chains(np.random.default_rng(chains * 1000 + draws), chains, draws)
    with warnings.catch_warnings():  # ArviZ warns on the constant row's 0 / 0
        warnings.simplefilter("ignore", RuntimeWarning)
        want = _arviz(ary)
    r_hat, bulk = rank_diagnostics(ary)
    got = {"rhat": r_hat, "bulk": bulk, "tail": ess_tail(ary, 0.94)}
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=0, equal_nan=True,
                                   err_msg=k)
    assert np.isnan(got["bulk"][-1]) and np.isnan(got["rhat"][-1])  # the NaN row


def _arviz(ary: np.ndarray) -> dict[str, np.ndarray]:
    out = {
        "rhat": array_stats.rhat(ary, chain_axis=1, draw_axis=2),
        "bulk": array_stats.ess(ary, chain_axis=1, draw_axis=2, method="bulk"),
        "tail": array_stats.ess(ary, chain_axis=1, draw_axis=2, method="tail", prob=0.94),
    }
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def test_flags_what_it_should() -> None:
    ary = _chains(np.random.default_rng(3), 4, 500)
    r, ess = rank_diagnostics(ary)
    assert r[0] < 1.01 and ess[0] > 1500     # independent draws
    assert r[3] > 1.01 and ess[3] < 200      # phi = 0.99
    assert r[5] > 1.3                        # one chain elsewhere


def test_average_ranks_as_scipy() -> None:
    rng = np.random.default_rng(7)
    rows = np.concatenate([rng.standard_normal((5, 40)), rng.integers(0, 4, (5, 40)),
                           np.zeros((1, 40))])
    np.testing.assert_array_equal(_average_ranks(rows),
                                  stats.rankdata(rows, axis=1, method="average"))


def test_blocks_of_rows_give_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    import bayescale.engine._convergence as conv

    ary = _chains(np.random.default_rng(11), 4, 60)
    whole = (*rank_diagnostics(ary), ess_tail(ary, 0.9))
    monkeypatch.setattr(conv, "_CHUNK", 2 * 4 * 60)  # blocks of 2 curves
    assert len(conv._blocks(ary)) == -(-len(ary) // 2)
    for a, b in zip(whole, (*rank_diagnostics(ary), ess_tail(ary, 0.9)), strict=True):
        np.testing.assert_array_equal(a, b)
