"""Calibration of ``bs.crossover``: 90% location intervals against known crossings.

``--pairs`` simulated pairs of saturating power laws ``L(C) = E + R0 (C / C0)**-alpha``
cross once at a known ``C*`` (log-uniform over the inner three decades of the data
range): the steeper curve has the lower ``E``; which of the pair is A is random.
``--null`` further pairs never cross (B = A scaled down by 3-8%). Each curve has 15
log-spaced points over ``C`` in [1e18, 1e22] with 1% log-normal noise. Every curve is
fitted by ``bs.fit`` (Gaussian on log y, the data's model; ``--engine fit_many`` fits
them all in one vectorised call instead), then ``bs.crossover(..., over=("C", 1e18,
1e22))`` is computed per pair.

Reported: the fraction of crossing pairs whose 90% ``location`` interval contains
``C*`` (a calibrated method: about 90%; the acceptance band is 80-98%), the
distribution of ``prob_cross`` for crossing and for non-crossing pairs, and timings.

Usage::

    python benchmarks/bench_crossover_calibration.py [--pairs 50] [--null 20] [--seed 0]
        [--engine fit|fit_many]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import bayescale as bs

C0, DECADES, POINTS, NOISE = 1e18, 4.0, 15, 0.01


def curve(e: float, r0: float, alpha: float, c: np.ndarray) -> np.ndarray:
    """Saturating power law in C with its reducible part r0 at C0."""
    return e + r0 * (c / C0) ** -alpha


def make_pair(rng: np.random.Generator, crossing: bool) -> tuple[list, float]:
    """Parameters (E, R0, alpha) of A and B, and the true crossing (NaN if none)."""
    e1, a1, r1 = rng.uniform(1.6, 2.2), rng.uniform(0.2, 0.4), rng.uniform(1.0, 2.0)
    if not crossing:
        scale = 1 - rng.uniform(0.03, 0.08)
        pair = [(e1, r1, a1), (e1 * scale, r1 * scale, a1)]
        return (pair if rng.random() < 0.5 else pair[::-1]), np.nan
    a2, e2 = a1 + rng.uniform(0.1, 0.3), e1 - rng.uniform(0.1, 0.4)
    c_star = C0 * 10 ** rng.uniform(0.5, DECADES - 0.5)
    r2 = (curve(e1, r1, a1, c_star) - e2) * (c_star / C0) ** a2
    pair = [(e1, r1, a1), (e2, r2, a2)]
    return (pair if rng.random() < 0.5 else pair[::-1]), float(c_star)


def simulate(n_cross: int, n_null: int, seed: int) -> tuple[pd.DataFrame, list[float]]:
    rng = np.random.default_rng(seed)
    c = C0 * np.logspace(0, DECADES, POINTS)
    rows, truths = [], []
    for i in range(n_cross + n_null):
        pair, c_star = make_pair(rng, crossing=i < n_cross)
        truths.append(c_star)
        for side, (e, r0, alpha) in zip("ab", pair, strict=True):
            y = curve(e, r0, alpha, c) * np.exp(NOISE * rng.standard_normal(POINTS))
            rows.append(pd.DataFrame({"curve": f"{i:03d}{side}", "C": c, "loss": y}))
    return pd.concat(rows, ignore_index=True), truths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--null", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--engine", choices=("fit", "fit_many"), default="fit")
    args = parser.parse_args()
    data, truths = simulate(args.pairs, args.null, args.seed)
    settings = {"likelihood": "normal_log", "num_chains": 4, "num_warmup": args.warmup,
                "num_samples": args.samples, "seed": args.seed, "progress": False}
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bs.result.DiagnosticWarning)
        if args.engine == "fit_many":
            fits = bs.fit_many(data, "saturating_power", by="curve", x="C", y="loss",
                               **settings)
            failed = set(fits.failed)
        else:
            fits = {k: bs.fit(g, "saturating_power", x="C", y="loss", **settings)
                    for k, g in data.groupby("curve")}
            failed = {k for k, f in fits.items() if not f.ok}
    t_fit = time.perf_counter() - t0
    rows = []
    for i, c_star in enumerate(truths):
        a, b = f"{i:03d}a", f"{i:03d}b"
        r = bs.analysis.crossover(fits[a], fits[b], over=("C", C0, C0 * 10**DECADES),
                                  seed=i)
        loc = r.location(0.9)
        rows.append({"pair": i, "crossing": np.isfinite(c_star), "c_star": c_star,
                     "prob_cross": r.prob_cross, "median": loc.median, "lower": loc.lower,
                     "upper": loc.upper, "covered": loc.lower <= c_star <= loc.upper,
                     "diag_ok": a not in failed and b not in failed})
    t_all = time.perf_counter() - t0
    res = pd.DataFrame(rows)
    cross, null = res[res.crossing], res[~res.crossing]
    cov = float(cross.covered.mean())
    width = np.log10(cross.upper / cross.lower)
    print(f"bench_crossover_calibration: {args.pairs} crossing + {args.null} non-crossing "
          f"pairs, {POINTS} points/curve, {NOISE:.0%} noise, seed {args.seed}")
    print(f"{args.engine} of {2 * len(truths)} curves: {t_fit:.1f} s; total {t_all:.1f} s; "
          f"{len(failed)} curve(s) flagged by diagnostics"
          f"{' (' + str(len(caught)) + ' warning(s))' if caught else ''}")
    print(f"crossing pairs: 90% location interval covers C*: {int(cross.covered.sum())}/"
          f"{len(cross)} = {cov:.3f} (accept 0.80-0.98) -> "
          f"{'PASS' if 0.80 <= cov <= 0.98 else 'FAIL'}")
    print(f"  prob_cross: min {cross.prob_cross.min():.3f}, median "
          f"{cross.prob_cross.median():.3f}; pairs with prob_cross > 0.95: "
          f"{int((cross.prob_cross > 0.95).sum())}/{len(cross)}")
    print(f"  interval width (decades of C): median {width.median():.3f}, max "
          f"{width.max():.3f}; |log10(median / C*)| median "
          f"{np.abs(np.log10(cross['median'] / cross.c_star)).median():.4f}")
    if len(null):
        print(f"non-crossing pairs: prob_cross max {null.prob_cross.max():.3f}, mean "
              f"{null.prob_cross.mean():.4f}; pairs with prob_cross < 0.05: "
              f"{int((null.prob_cross < 0.05).sum())}/{len(null)}")
    for _, m in null[null.prob_cross >= 0.05].iterrows():
        print(f"  non-crossing pair {m.pair:2d}: prob_cross {m.prob_cross:.3f}, spurious "
              f"crossings near {m['median']:.3e} (diagnostics ok: {m.diag_ok})")
    missed = cross[~cross.covered]
    if len(missed):
        print("missed crossings (C*, 90% interval, prob_cross, diagnostics ok):")
        for _, m in missed.iterrows():
            print(f"  pair {m.pair:2d}: C* {m.c_star:.3e}  [{m.lower:.3e}, {m.upper:.3e}]  "
                  f"{m.prob_cross:.3f}  {m.diag_ok}")


if __name__ == "__main__":
    main()
