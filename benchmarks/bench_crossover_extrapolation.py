"""Crossings beyond the data: does ``bs.crossover`` see them coming, and say no otherwise?

``--pairs`` simulated pairs of learning curves whose true laws are NOT the fitted one:
the reducible loss has a local exponent that decays with scale (the curves flatten
sooner than a power law, as real curves do),
``L(C) = E + R0 (C / C0) ** (-alpha / (1 + kappa log10(C / C0)))``. Half of the pairs
cross once at a ``C*`` beyond the fitted range (log-uniform in the two decades above
it); the other half never cross (B is A scaled down by 3-8%). Each curve has 15
log-spaced points over ``C`` in [1e18, 1e21] with 1% log-normal noise; all curves are
fitted by ``bs.fit_many`` with ``saturating_power`` (the law a user would pick), and
``bs.crossover(a, b, over=("C", 1e21, 1e23))`` asks for the probability of a crossing
beyond the data, with the fits' discrepancy (the default) and without it.

Targets (issue 16): P(cross) > 0.5 for >= 60% of the true crossers, < 0.1 for >= 90%
of the non-crossers. The Brier score of P(cross) against the truth is reported too.

Usage::

    python benchmarks/bench_crossover_extrapolation.py [--pairs 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

import bayescale as bs
from bayescale.result import Fit

C0, DECADES, POINTS, NOISE, BEYOND = 1e18, 3.0, 15, 0.01, 2.0


def curve(e: float, r0: float, alpha: float, kappa: float, c: np.ndarray) -> np.ndarray:
    """Reducible loss with a local exponent decaying in log C (flattens sooner)."""
    t = np.log10(c / C0)
    return e + r0 * (c / C0) ** (-alpha / (1 + kappa * t))


def make_pair(rng: np.random.Generator, crossing: bool) -> tuple[list, float]:
    """Parameters (E, R0, alpha, kappa) of A and B, and the true crossing (NaN if none)."""
    e1, r1 = rng.uniform(1.6, 2.2), rng.uniform(1.0, 2.0)
    a1, k1 = rng.uniform(0.2, 0.4), rng.uniform(0.05, 0.2)
    if not crossing:
        scale = 1 - rng.uniform(0.03, 0.08)
        pair = [(e1, r1, a1, k1), (e1 * scale, r1 * scale, a1, k1)]
        return (pair if rng.random() < 0.5 else pair[::-1]), np.nan
    a2, k2, e2 = a1 + rng.uniform(0.1, 0.3), rng.uniform(0.05, 0.2), e1 - rng.uniform(0.1, 0.3)
    c_star = C0 * 10 ** (DECADES + rng.uniform(0.1, BEYOND - 0.1))
    # B's R0 such that the curves meet at c_star
    t = np.log10(c_star / C0)
    r2 = (curve(e1, r1, a1, k1, c_star) - e2) * (c_star / C0) ** (a2 / (1 + k2 * t))
    pair = [(e1, r1, a1, k1), (e2, r2, a2, k2)]
    return (pair if rng.random() < 0.5 else pair[::-1]), float(c_star)


def simulate(n_pairs: int, seed: int) -> tuple[pd.DataFrame, list[float]]:
    rng = np.random.default_rng(seed)
    c = C0 * np.logspace(0, DECADES, POINTS)
    rows, truths = [], []
    for i in range(n_pairs):
        pair, c_star = make_pair(rng, crossing=i % 2 == 0)
        truths.append(c_star)
        for side, params in zip("ab", pair, strict=True):
            y = curve(*params, c) * np.exp(NOISE * rng.standard_normal(POINTS))
            rows.append(pd.DataFrame({"curve": f"{i:03d}{side}", "C": c, "loss": y}))
    return pd.concat(rows, ignore_index=True), truths


def without_discrepancy(f: Fit) -> Fit:
    """The same posterior, with no drift beyond the data (the old default's bands)."""
    return Fit(law=f.law, likelihood=f.likelihood, priors=f.priors, dataset=f.dataset,
               posterior=f.posterior, sample_stats=f.sample_stats, settings=f.settings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", type=int, default=500)
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    data, truths = simulate(args.pairs, args.seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
        fits = bs.fit_many(data, "saturating_power", by="curve", x="C", y="loss",
                           num_chains=4, num_warmup=args.draws, num_samples=args.draws,
                           seed=args.seed, progress=False)
    t_fit = time.perf_counter() - t0
    over = ("C", C0 * 10**DECADES, C0 * 10 ** (DECADES + BEYOND))
    rows = []
    for i, c_star in enumerate(truths):
        a, b = fits[f"{i:03d}a"], fits[f"{i:03d}b"]
        p_new = bs.crossover(a, b, over=over, seed=i).prob_cross
        p_old = bs.crossover(without_discrepancy(a), without_discrepancy(b), over=over,
                             seed=i).prob_cross
        rows.append({"pair": i, "crosses": bool(np.isfinite(c_star)), "p_new": p_new,
                     "p_old": p_old})
    t = pd.DataFrame(rows)
    print(f"{len(t)} pairs ({int(t.crosses.sum())} cross beyond the data), "
          f"fit_many {t_fit:.1f} s, {len(fits.failed)} of {len(fits)} curves flagged")
    print(f"{'method':24s} {'P>0.5 | cross':>14s} {'P<0.1 | none':>13s} {'Brier':>7s} "
          f"{'median P | cross':>17s}")
    for col, name in (("p_old", "without discrepancy"), ("p_new", "with discrepancy")):
        cross, none = t[t.crosses][col], t[~t.crosses][col]
        brier = float(np.mean((t[col] - t.crosses.astype(float)) ** 2))
        print(f"{name:24s} {np.mean(cross > 0.5):14.2f} {np.mean(none < 0.1):13.2f} "
              f"{brier:7.3f} {np.median(cross):17.3f}")
    print("targets: P>0.5 for >= 0.60 of crossers, P<0.1 for >= 0.90 of non-crossers")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
