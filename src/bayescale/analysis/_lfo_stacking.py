r"""Stacking of laws by leave-future-out forecasts, not by leave-one-out.

PSIS-LOO asks which law best predicts a point *among* the others; an extrapolation asks
which law best predicts the points *beyond* the data. Each fit already holds its
leave-future-out splits (:mod:`bayescale.discrepancy`: the law fitted below a cut on the
scale axis forecasts the points above, with the forecast's own variance ``V``). Their
held-out points are the same for every law (a cut selects rows by the data alone), so
the laws' forecast densities of those points can be stacked (Yao et al. 2018, with the
leave-future-out scores of Buerkner, Gabry and Vehtari 2020):

.. math::

    \\max_{w \\in \\Delta} \\sum_{s, i} u_{s,i} \\log \\sum_k w_k p_k(e_{s,i}),
    \\qquad p_k(e) = \\int N(e; 0, V + \\tau^2 d + \\beta^2 d^2) \\,
    \\pi_k(\\tau, \\beta) \\, d\\tau \\, d\\beta,

where ``e`` is a held-out point's forecast error (``log y`` for log-scale likelihoods),
``d`` its distance beyond the split's training part, ``pi_k`` the law's posterior of the
drift scales, and ``u`` the weights of :func:`bayescale.discrepancy.split_weights`, so
that the nested splits count each held-out point once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from bayescale._errors import BayescaleError
from bayescale.discrepancy import split_weights

__all__ = ["compare_lfo", "point_densities"]

_CUT_TOL = 1e-9


def point_densities(disc: Any) -> dict[float, np.ndarray]:
    """Log forecast density of each held-out point, per split cut, under the drift posterior.

    Parameters
    ----------
    disc : Discrepancy
        A fit's discrepancy (``fit.discrepancy``) with its splits.

    Returns
    -------
    dict of float to ndarray
        Cut -> log densities of the split's held-out points (in the data's order).
    """
    out = {}
    for sp in disc.splits:
        out[float(sp.cut)] = disc.log_forecast_density(sp)
    return out


def _stack(lpd: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Stacking weights maximising ``sum_r u_r log sum_k w_k exp(lpd_rk)``."""
    k = lpd.shape[1]
    if k == 1:
        return np.ones(1)

    def loss(z: np.ndarray) -> float:
        logw = z - logsumexp(z)
        return -float(np.sum(u * logsumexp(lpd + logw, axis=1)))

    best = min((minimize(loss, z0, method="BFGS") for z0 in
                (np.zeros(k), *np.eye(k) * 3.0)), key=lambda r: r.fun)
    return softmax(best.x)


def compare_lfo(named: Mapping[str, Any]) -> pd.DataFrame:
    """Rank fits of the same data by their leave-future-out forecasts; stacking weights.

    Parameters
    ----------
    named : dict of str to Fit
        Fits of the same data with the discrepancy on (the default), whose
        leave-future-out splits are compared on the cuts they share.

    Returns
    -------
    DataFrame
        Indexed by model, best first: ``rank``, ``elpd`` (weighted sum of the held-out
        log forecast densities), ``elpd_diff`` (to the best, <= 0), ``weight`` (stacking),
        ``n_points`` (distinct held-out points) and ``n_splits`` (shared cuts).
    """
    dens, scales = {}, set()
    for name, f in named.items():
        disc = getattr(f, "discrepancy", None)
        if disc is None or not disc.calibrated:
            raise BayescaleError(
                f"fit {name!r} has no leave-future-out splits (discrepancy=False, or data "
                "too short for a split); refit with discrepancy=True (the default) and "
                "enough points, or use method='stacking' (PSIS-LOO)")
        dens[name] = point_densities(disc)
        scales.add(bool(disc.log_scale))
    if len(scales) > 1:
        raise BayescaleError("the fits' errors are on different scales (log y and y): "
                             "compare fits whose likelihoods are all on log y or all on y")
    names = list(dens)
    cuts = sorted(dens[names[0]])
    shared = [c for c in cuts if all(
        any(abs(c - o) <= _CUT_TOL * max(1.0, abs(c)) for o in dens[n]) for n in names)]

    def at(n: str, c: float) -> np.ndarray:
        return next(v for o, v in dens[n].items() if abs(c - o) <= _CUT_TOL * max(1.0, abs(c)))

    sizes = [{at(n, c).size for n in names} for c in shared]
    if not shared or any(len(s) != 1 for s in sizes):
        raise BayescaleError(f"the fits {names} share no leave-future-out split with the "
                             "same held-out points: are they fits of the same data and "
                             "scale axis?")
    # split weights over the shared splits (nested held-out parts: each point counts once)
    first = named[names[0]].discrepancy.splits
    kept = [next(sp for sp in first if abs(sp.cut - c) <= _CUT_TOL * max(1.0, abs(c)))
            for c in shared]
    u_split = split_weights(kept)
    lpd = np.column_stack([np.concatenate([at(n, c) for c in shared]) for n in names])
    u = np.concatenate([np.full(at(names[0], c).size, wt)
                        for c, wt in zip(shared, u_split, strict=True)])
    weight = _stack(lpd, u)
    elpd = u @ lpd
    table = pd.DataFrame({"elpd": elpd, "weight": weight,
                          "n_points": int(max(sp.distance.size for sp in kept)),
                          "n_splits": len(shared)}, index=pd.Index(names, name="model"))
    table = table.sort_values("elpd", ascending=False)
    table.insert(0, "rank", np.arange(len(table)))
    table.insert(2, "elpd_diff", table["elpd"] - table["elpd"].iloc[0])
    return table
