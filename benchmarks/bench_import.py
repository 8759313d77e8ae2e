"""Wall time of ``import bayescale`` against its floor, ``import numpyro`` and ``import jax``.

Each repetition runs the three imports in fresh interpreters, interleaved (so a burst of
load on a shared machine hits all three alike); the median and minimum of N repetitions
are printed with the ratio bayescale / numpyro and the load average at start and end
(the issue's target, 1.5 s, is for a quiet machine). The time is the interpreter's own
(``time.perf_counter`` around the import), without its start-up.

Run: ``.venv/bin/python benchmarks/bench_import.py [-n 5]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

MODULES = ("bayescale", "numpyro", "jax")
CODE = ("import time; t = time.perf_counter(); import {mod}; "
        "print(time.perf_counter() - t)")


def time_import(mod: str) -> float:
    """Seconds to ``import mod`` in a fresh interpreter (CPU JAX, as in the tests)."""
    env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    out = subprocess.run([sys.executable, "-c", CODE.format(mod=mod)], capture_output=True,
                         text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeat", type=int, default=5, help="repetitions (default 5)")
    args = parser.parse_args()

    load_start = os.getloadavg()
    times: dict[str, list[float]] = {m: [] for m in MODULES}
    for _ in range(args.repeat):
        for mod in MODULES:
            times[mod].append(time_import(mod))
    load_end = os.getloadavg()

    print(f"load average (1, 5, 15 min): start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"end {' '.join(f'{x:.2f}' for x in load_end)}; {os.cpu_count()} CPUs")
    print(f"{'import':<10} {'median s':>9} {'min s':>7}   (n={args.repeat})")
    for mod in MODULES:
        print(f"{mod:<10} {statistics.median(times[mod]):9.3f} {min(times[mod]):7.3f}")
    ratio = statistics.median(times["bayescale"]) / statistics.median(times["numpyro"])
    print(f"bayescale / numpyro (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
