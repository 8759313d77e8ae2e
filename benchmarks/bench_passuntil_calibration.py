"""Calibration of the PassUntil task law: 90% intervals at a 4x held-out size.

For each of ``--tasks`` simulated tasks (20 instances x 6 model sizes 3e7..9.6e8,
r drawn from {1, 2} per record, cap 1e5), draw a task population at random, simulate
PassUntil records, fit ``bayescale.passuntil.fit`` and check whether the 90% interval
of the task-level PU at N = 4 x 9.6e8 contains the true task-level PU (the mean over
the same 20 instances of their true pass rates). A calibrated method covers ~90%.

Usage::

    python benchmarks/bench_passuntil_calibration.py [--tasks 50] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import bayescale.passuntil as pu

SIZES = np.geomspace(3e7, 9.6e8, 6)
HELD_OUT = 4 * SIZES[-1]


def make_task(seed: int, n_instances: int = 20):
    """Random task population -> (records, true task PU at the held-out size)."""
    rng = np.random.default_rng(seed)
    mu_f0, sd_f0 = rng.uniform(1.0, 2.0), rng.uniform(0.2, 0.6)
    mu_la, sd_la = np.log(rng.uniform(0.3, 0.7)), rng.uniform(0.05, 0.3)
    f0 = rng.normal(mu_f0, sd_f0, n_instances)
    alpha = np.exp(rng.normal(mu_la, sd_la, n_instances))
    center = np.log(SIZES).mean()

    def pass_rate(N):
        x = np.log(np.atleast_1d(N))[:, None] - center
        return np.exp(-np.exp(f0 - alpha * x))

    r = rng.choice([1, 2], size=(SIZES.size, n_instances))
    recs = pu.simulate(pass_rate(SIZES), N=SIZES, r=r, K_max=100_000, seed=seed + 10_000)
    return recs, float(pass_rate(HELD_OUT).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    hits, widths, rel_err, n_cens, bad = [], [], [], [], 0
    start = time.time()
    print("task  censored  truth    median   lower    upper    covered  max_rhat  div")
    for t in range(args.tasks):
        recs, truth = make_task(args.seed * 1000 + t)
        fit = pu.fit(recs, num_warmup=args.warmup, num_samples=args.samples, seed=t, progress=False)
        row = fit.predict([HELD_OUT], ci_prob=0.9).iloc[0]
        diag = fit.diagnostics(warn=False)
        bad += (diag["max_r_hat"] > 1.01) or diag["divergences"] > 0
        hit = row.lower <= truth <= row.upper
        hits.append(hit)
        widths.append(row.upper - row.lower)
        rel_err.append(abs(row["median"] - truth) / truth)
        n_cens.append(recs.n_censored)
        print(
            f"{t:4d}  {recs.n_censored:8d}  {truth:.4f}   {row['median']:.4f}   "
            f"{row.lower:.4f}   {row.upper:.4f}   {hit!s:7s}  {diag['max_r_hat']:.3f}   "
            f"{diag['divergences']}",
            flush=True,
        )
    cover = float(np.mean(hits))
    se = float(np.sqrt(cover * (1 - cover) / len(hits)))
    print(
        f"\ncoverage of the 90% intervals: {cover:.3f} (+/- {se:.3f}) over {len(hits)} "
        f"tasks; mean width {np.mean(widths):.3f}; median |rel. error| of the median "
        f"{np.median(rel_err):.3f}; censored records per task {np.mean(n_cens):.1f}; "
        f"fits with R-hat > 1.01 or divergences: {bad}; {time.time() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
