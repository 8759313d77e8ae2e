"""Throughput and quality of fit_many's strategies against a per-curve loop of bs.fit.

Run by hand, alone on the machine:

    .venv/bin/python benchmarks/bench_many.py [--sizes 100 1000 10000] [--loop 20]
        [--calls 2] [--strategies laplace lanes]

Simulated saturating power-law curves of 10 points each (true parameters known), 4 chains
x 500 warm-up + 500 draws, default settings otherwise (discrepancy calibration on). The
loop baseline fits ``--loop`` curves one by one with ``bs.fit`` (after one warm-up fit
that pays the compilation) and extrapolates its curves/s; each strategy is timed end to
end for each size, its first call compilation included, the strategies interleaved on the
same curves; ``--calls 2`` fits new curves of the same size again (compiled computations
reused, as when a researcher refits). Quality per curve: the share failing the
diagnostics (R-hat > 1.01, bulk ESS < 400, divergences, Pareto k > 0.7), the median of
the smallest bulk ESS, and how often the central 90% interval covers the true E, A and
alpha (0.90 expected; over 1,000 curves a binomial 95% range is about 0.88-0.92). Also
curves refitted with NUTS (``laplace``), the peak resident memory and the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np
import pandas as pd


def curves(n_curves: int, seed: int = 0, n: int = 10) -> pd.DataFrame:
    return simulate(n_curves, seed, n)[0]


def simulate(n_curves: int, seed: int = 0, n: int = 10) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    c = np.logspace(18, 22, n)
    e = 1.5 + 0.5 * rng.random(n_curves)
    al = 0.15 + 0.1 * rng.random(n_curves)
    a = (2.0 + rng.random(n_curves)) * e * 1e20 ** al
    loss = (e[:, None] + a[:, None] * c[None, :] ** -al[:, None]) * np.exp(
        0.01 * rng.standard_normal((n_curves, n)))
    frame = pd.DataFrame({"curve": np.repeat(np.arange(n_curves), n),
                          "C": np.tile(c, n_curves), "loss": loss.ravel()})
    return frame, {"E": e, "A": a, "alpha": al}


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def coverage(fc, truth: dict, prob: float = 0.9) -> dict[str, float]:
    out = {}
    for k, true in truth.items():
        d = np.asarray(fc.posterior[k]).reshape(len(fc), -1)
        lo, hi = np.quantile(d, [(1 - prob) / 2, (1 + prob) / 2], axis=1)
        out[k] = float(np.mean((lo <= true) & (true <= hi)))
    return out


def main() -> None:
    import bayescale as bs

    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    p.add_argument("--loop", type=int, default=20)
    p.add_argument("--calls", type=int, default=1, help="fit_many calls per size")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--strategies", nargs="+", default=["laplace", "lanes"],
                   choices=["laplace", "lanes", "vmap", "map"])
    args = p.parse_args()
    kw = dict(x="C", y="loss", num_chains=4, num_warmup=500, num_samples=500, progress=False)
    warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
    print(f"load average at start: {os.getloadavg()}")

    data = curves(args.loop + 1, seed=99)
    bs.fit(data[data.curve == 0], "saturating_power", **kw)  # compile once
    t = time.perf_counter()
    for i in range(1, args.loop + 1):
        bs.fit(data[data.curve == i], "saturating_power", **kw)
    loop_rate = args.loop / (time.perf_counter() - t)
    print(f"loop of bs.fit: {loop_rate:.2f} curves/s ({args.loop} curves, compiled); "
          f"batch size: {args.batch_size or 'default'}")
    print(f"{'strategy':>8s} {'curves':>7s} {'call':>4s} {'wall s':>7s} {'curves/s':>9s} "
          f"{'x loop':>7s} {'failed':>7s} {'NUTS':>5s} {'med ESS':>8s} {'cov E':>6s} "
          f"{'cov A':>6s} {'cov al':>6s} {'RSS GiB':>8s}")
    for n, call in ((n, c) for n in args.sizes for c in range(args.calls)):
        data, truth = simulate(n, seed=n + 7919 * call)
        for strategy in args.strategies:  # interleaved on the same curves
            t = time.perf_counter()
            fc = bs.fit_many(data, "saturating_power", by="curve",
                             batch_size=args.batch_size, strategy=strategy, **kw)
            wall = time.perf_counter() - t
            d = fc.diagnostics()
            nuts = (0 if fc.sampling is None else
                    int(np.sum(np.asarray(fc.sampling["method"]) == "nuts")))
            cov = coverage(fc, truth)
            print(f"{strategy:>8s} {n:7d} {call + 1:4d} {wall:7.1f} {n / wall:9.1f} "
                  f"{n / wall / loop_rate:7.1f} {1 - d['ok'].mean():7.3f} {nuts:5d} "
                  f"{d['min_ess_bulk'].median():8.0f} {cov['E']:6.3f} {cov['A']:6.3f} "
                  f"{cov['alpha']:6.3f} {peak_rss_gib():8.2f}", flush=True)
            del fc
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
