"""Rank-normalised split R-hat and bulk / tail ESS for many posteriors at once.

The same estimators as ``arviz_stats``' array interface (Vehtari et al. 2021,
https://arxiv.org/abs/1903.08008), computed for a whole batch of ``(chain, draw)`` arrays
in NumPy operations instead of ArviZ's Python loop over batch elements: R-hat and bulk
ESS of 5,000 curve-parameter pairs of 4 x 500 draws take ~1.2 s here, ~3.9 s through
the loop. The tests check every function against ``arviz_stats`` to 1e-10 on
autocorrelated, stuck, constant, tied, NaN and short chains.
"""

from __future__ import annotations

import numpy as np
from scipy import fft, special

__all__ = ["ess_tail", "rank_diagnostics"]

_RESOLUTION = np.finfo(float).resolution
_CHUNK = 1 << 21  # draws per block of rows: the temporaries stay at ~16 MB each


def _blocks(ary: np.ndarray) -> list[slice]:
    """Row blocks of ``ary`` holding about ``_CHUNK`` draws each."""
    rows = max(1, _CHUNK // max(1, ary.shape[1] * ary.shape[2]))
    return [slice(i, i + rows) for i in range(0, len(ary), rows)]


def _valid(ary: np.ndarray) -> np.ndarray:
    """Rows that ArviZ computes: no NaN and at least 4 draws (others get NaN)."""
    return ~np.isnan(ary).any(axis=(1, 2)) & (ary.shape[2] >= 4)


def _split(ary: np.ndarray) -> np.ndarray:
    """(batch, chain, draw) -> (batch, 2 chain, draw // 2): first and last halves."""
    half = ary.shape[2] // 2
    return np.concatenate([ary[:, :, :half], ary[:, :, ary.shape[2] - half:]], axis=1)


def _average_ranks(rows: np.ndarray) -> np.ndarray:
    """1-based ranks within each row, ties sharing their average rank.

    What ``scipy.stats.rankdata(rows, axis=1, method="average")`` gives, from one
    ``argsort`` (rankdata's own batched path is ~7x slower on 1,000 rows of 2,000).
    """
    b, n = rows.shape
    order = np.argsort(rows, axis=1)
    s = np.take_along_axis(rows, order, axis=1)
    rank = np.broadcast_to(np.arange(1.0, n + 1.0), (b, n)).copy()
    starts = np.ones((b, n), dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    tied = ~starts.all(axis=1)
    if tied.any():  # rows with ties: the average of each run's first and last position
        st = starts[tied]
        pos = np.broadcast_to(np.arange(n), st.shape)
        ends = np.ones_like(st)
        ends[:, :-1] = st[:, 1:]
        first = np.maximum.accumulate(np.where(st, pos, 0), axis=1)
        last = np.minimum.accumulate(np.where(ends, pos, n - 1)[:, ::-1], axis=1)[:, ::-1]
        rank[tied] = 0.5 * (first + last) + 1.0
    ranks = np.empty((b, n))
    np.put_along_axis(ranks, order, rank, axis=1)
    return ranks


def _z_scale(ary: np.ndarray) -> np.ndarray:
    """Normal scores of the pooled ranks (average ties, Blom's offset 3/8)."""
    b, c, n = ary.shape
    rank = _average_ranks(ary.reshape(b, c * n))
    return special.ndtri((rank - 0.375) / (c * n + 0.25)).reshape(b, c, n)


def _rhat(ary: np.ndarray) -> np.ndarray:
    n = ary.shape[2]
    between = n * np.var(ary.mean(axis=2), axis=1, ddof=1)
    within = np.var(ary, axis=2, ddof=1).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((between / within + n - 1) / n)


def _ess(ary: np.ndarray) -> np.ndarray:
    """ESS of each (chain, draw) array: Geyer's initial positive, monotone sequence."""
    b, c, n = ary.shape
    out = np.full(b, float(c * n))
    varies = (ary.max(axis=(1, 2)) - ary.min(axis=(1, 2))) >= _RESOLUTION
    if not varies.any():
        return out
    x = ary[varies]
    m = fft.next_fast_len(2 * n)
    centred = x - x.mean(axis=2, keepdims=True)
    f = fft.rfft(centred, n=m, axis=2)
    acov = fft.irfft(f * np.conjugate(f), n=m, axis=2)[:, :, :n] / n
    mean_var = acov[:, :, 0].mean(axis=1) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if c > 1:
        var_plus = var_plus + np.var(x.mean(axis=2), axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 1.0 - (mean_var[:, None] - acov.mean(axis=1)) / var_plus[:, None]
    rho[:, 0] = 1.0
    # pairs (rho[2k], rho[2k+1]); ArviZ's loop computes pair k >= 1 while pair k-1 sums
    # to > 0 and 2k - 1 < n - 3, so its last pair is the first that sums to <= 0 or ends
    # the range; the pairs before it enter tau through their running minimum (Geyer's
    # monotone sequence), the last one through its even term where ArviZ keeps it
    n_pairs = max((n - 1) // 2, 1)
    pair = rho[:, 0:2 * n_pairs:2] + rho[:, 1:2 * n_pairs:2]
    stop = (pair <= 0) | (2 * np.arange(n_pairs) + 1 >= n - 3)
    stop[:, -1] = True
    last = np.argmax(stop, axis=1)
    before = np.arange(n_pairs)[None, :] < last[:, None]
    head = np.where(before, np.minimum.accumulate(pair, axis=1), 0.0).sum(axis=1)
    rows = np.arange(len(x))
    even = rho[rows, 2 * last]
    kept = (last == 0) | (even > 0) | (pair[rows, last] >= 0)
    tau = -1.0 + 2.0 * head + np.where(kept, even, 0.0)
    tau = np.maximum(tau, 1.0 / np.log10(c * n))
    ess = c * n / tau
    ess[np.isnan(rho).any(axis=1)] = np.nan
    out[varies] = ess
    return out


def rank_diagnostics(ary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank-normalised split R-hat and bulk ESS of each ``(chain, draw)`` array.

    R-hat is the larger of the bulk and folded values (ArviZ's ``method="rank"``); both
    share the normal scores of the split chains with the bulk ESS.

    Parameters
    ----------
    ary : ndarray
        Shape ``(batch, chain, draw)``.

    Returns
    -------
    r_hat, ess_bulk : ndarray
        Shape ``(batch,)``. NaN where a row has NaN or fewer than 4 draws; R-hat is NaN
        with a single chain.
    """
    ary = np.asarray(ary, dtype=float)
    r_hat, ess = np.full(len(ary), np.nan), np.full(len(ary), np.nan)
    for rows in _blocks(ary):
        block, ok = ary[rows], _valid(ary[rows])
        if not ok.any():
            continue
        split = _split(block[ok])
        z = _z_scale(split)
        ess[rows][ok] = _ess(z)
        if ary.shape[1] >= 2:
            folded = np.abs(split - np.median(split, axis=(1, 2), keepdims=True))
            r_hat[rows][ok] = np.maximum(_rhat(z), _rhat(_z_scale(folded)))
    return r_hat, ess


def ess_tail(ary: np.ndarray, prob: float) -> np.ndarray:
    """Tail ESS of each ``(chain, draw)`` array.

    The smaller ESS of the indicators ``draw <= quantile`` at ``prob`` and ``1 - prob``
    (as ArviZ's array interface).
    """
    ary = np.asarray(ary, dtype=float)
    out = np.full(len(ary), np.nan)
    lo, hi = sorted((prob, 1 - prob))
    for rows in _blocks(ary):
        ok = _valid(ary[rows])
        if not ok.any():
            continue
        x = ary[rows][ok]
        q = np.quantile(x.reshape(len(x), -1), [lo, hi], axis=1)
        out[rows][ok] = np.minimum(
            _ess(_split((x <= q[0][:, None, None]).astype(float))),
            _ess(_split((x <= q[1][:, None, None]).astype(float))))
    return out
