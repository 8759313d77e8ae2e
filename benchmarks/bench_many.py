"""Throughput of fit_many against a per-curve loop of bs.fit.

Run by hand, alone on the machine:

    .venv/bin/python benchmarks/bench_many.py [--sizes 100 1000 10000] [--loop 20] [--calls 2]

Saturating power-law curves of 10 points each, 4 chains x 500 warm-up + 500 draws. The
loop baseline fits ``--loop`` curves one by one with ``bs.fit`` (after one warm-up fit
that pays the compilation) and extrapolates its curves/s; ``fit_many`` is timed end to
end for each size, its first call compilation included; ``--calls 2`` fits new curves of
the same size again (the compiled computations reused, as when a researcher refits).
Prints curves/s, the ratio to the loop and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd


def curves(n_curves: int, seed: int = 0, n: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = np.logspace(18, 22, n)
    e = 1.5 + 0.5 * rng.random(n_curves)
    al = 0.15 + 0.1 * rng.random(n_curves)
    a = (2.0 + rng.random(n_curves)) * e * 1e20 ** al
    loss = (e[:, None] + a[:, None] * c[None, :] ** -al[:, None]) * np.exp(
        0.01 * rng.standard_normal((n_curves, n)))
    return pd.DataFrame({"curve": np.repeat(np.arange(n_curves), n),
                         "C": np.tile(c, n_curves), "loss": loss.ravel()})


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    import bayescale as bs

    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    p.add_argument("--loop", type=int, default=20)
    p.add_argument("--calls", type=int, default=1, help="fit_many calls per size")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--strategy", default=None, choices=["lanes", "vmap", "map"])
    args = p.parse_args()
    kw = dict(x="C", y="loss", num_chains=4, num_warmup=500, num_samples=500, progress=False)
    warnings.simplefilter("ignore", bs.result.DiagnosticWarning)

    data = curves(args.loop + 1, seed=99)
    bs.fit(data[data.curve == 0], "saturating_power", **kw)  # compile once
    t = time.perf_counter()
    for i in range(1, args.loop + 1):
        bs.fit(data[data.curve == i], "saturating_power", **kw)
    loop_rate = args.loop / (time.perf_counter() - t)
    print(f"loop of bs.fit: {loop_rate:.2f} curves/s ({args.loop} curves, compiled)")
    print(f"fit_many strategy: {args.strategy or 'default (lanes)'}; "
          f"batch size: {args.batch_size or 'default'}")
    print(f"{'curves':>8s} {'call':>4s} {'wall s':>9s} {'curves/s':>9s} {'x loop':>8s} "
          f"{'failed':>7s} {'peak RSS GiB':>12s} {'init s*':>8s} {'NUTS s*':>8s}")
    for n, call in ((n, c) for n in args.sizes for c in range(args.calls)):
        data = curves(n, seed=n + 7919 * call)
        t = time.perf_counter()
        fc = bs.fit_many(data, "saturating_power", by="curve", batch_size=args.batch_size,
                         strategy=args.strategy, **kw)
        wall = time.perf_counter() - t
        failed = len(fc.failed)
        print(f"{n:8d} {call + 1:4d} {wall:9.1f} {n / wall:9.2f} {n / wall / loop_rate:8.1f} "
              f"{failed:7d} {peak_rss_gib():12.2f} {fc.timing['initialise_s']:8.1f} "
              f"{fc.timing['sample_s']:8.1f}", flush=True)
        del fc
    print("* summed over batches (batches run side by side on the CPU cores)")


if __name__ == "__main__":
    main()
