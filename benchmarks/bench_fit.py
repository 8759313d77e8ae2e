"""Speed of bs.fit against the Epoch-style scipy fit and a naive NumPyro model.

Run by hand, alone on the machine (two JAX jobs at once slow each other 1.5-2x):

    .venv/bin/python benchmarks/bench_fit.py [--data PATH] [--cold]

Same data (Epoch's 240 Chinchilla points), same draws (4 chains x 1000 warmup + 1000).
Prints wall time including compilation, ESS/s (min bulk ESS over the five law
parameters / wall time), leapfrog steps per draw, and ratios against the naive model.
``--cold`` turns off the persistent compilation cache (first run on a new machine).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(path: Path):
    import pandas as pd

    raw = pd.read_csv(path).sort_values("loss").iloc[:-5]
    n = raw["Model Size"].to_numpy()
    return n, raw["Training FLOP"].to_numpy() / (6 * n), raw["loss"].to_numpy()


def scipy_epoch(n, d, y, coarse=False):
    """Epoch's protocol: summed Huber(1e-3) on log residuals, L-BFGS-B from a grid."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import huber, logsumexp

    ln, ld, ly = np.log(n), np.log(d), np.log(y)

    def obj(p):
        a, b, e, alpha, beta = p
        pred = logsumexp([a - alpha * ln, b - beta * ld, np.full_like(ln, e)], axis=0)
        return np.sum(huber(1e-3, pred - ly))

    best = None
    step = 2 if coarse else 1
    grid = itertools.product(np.arange(0, 30, 5)[::step], np.arange(0, 30, 5)[::step],
                             np.arange(-1, 1.5, 0.5)[::step], np.arange(0, 2.5, 0.5)[::step],
                             np.arange(0, 2.5, 0.5)[::step])
    for a, b, e, alpha, beta in grid:
        r = minimize(obj, [a, b, e, alpha, beta], method="L-BFGS-B")
        if best is None or r.fun < best.fun:
            best = r
    a, b, e, alpha, beta = best.x
    return {"A": np.exp(a), "B": np.exp(b), "E": np.exp(e), "alpha": alpha, "beta": beta}


def naive_numpyro(n, d, y, seed=0):
    """The textbook NumPyro model: natural parameters, diagonal mass, default init."""
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.infer import MCMC, NUTS

    def model(ln, ld, ly):
        e = numpyro.sample("E", dist.LogNormal(jnp.log(1.8), 1.0))
        a = numpyro.sample("A", dist.LogNormal(6.0, 3.0))
        b = numpyro.sample("B", dist.LogNormal(6.0, 3.0))
        alpha = numpyro.sample("alpha", dist.LogNormal(jnp.log(0.3), 1.0))
        beta = numpyro.sample("beta", dist.LogNormal(jnp.log(0.3), 1.0))
        sigma = numpyro.sample("sigma", dist.HalfNormal(0.5))
        nu = numpyro.sample("nu", dist.Gamma(2.0, 0.1))
        pred = jnp.log(e + a * jnp.exp(-alpha * ln) + b * jnp.exp(-beta * ld))
        numpyro.sample("obs", dist.StudentT(nu, pred, sigma), obs=ly)

    mcmc = MCMC(NUTS(model), num_warmup=1000, num_samples=1000, num_chains=4,
                chain_method="vectorized", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(seed), jnp.log(n), jnp.log(d), jnp.log(y),
             extra_fields=("num_steps", "diverging"))
    samples = {k: v.reshape(4, -1) for k, v in mcmc.get_samples(group_by_chain=False).items()}
    extra = mcmc.get_extra_fields()
    return samples, float(extra["num_steps"].mean()), int(extra["diverging"].sum())


def min_ess(samples):
    import arviz as az
    import numpy as np

    dt = az.from_dict({"posterior": {k: np.asarray(samples[k]) for k in
                                     ("E", "A", "B", "alpha", "beta")}})
    ess = az.ess(dt, method="bulk")
    return min(float(ess[k].values) for k in ("E", "A", "B", "alpha", "beta"))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "datasets" / "chinchilla-epoch"
                                         / "svg_extracted_data.csv"))
    p.add_argument("--cold", action="store_true")
    p.add_argument("--coarse", action="store_true", help="scipy grid of 108 starts, not 4,500")
    args = p.parse_args()
    if args.cold:
        os.environ["BAYESCALE_JAX_CACHE"] = "0"
    n, d, y = load(Path(args.data))
    rows = []

    t = time.perf_counter()
    est = scipy_epoch(n, d, y, coarse=args.coarse)
    rows.append(("scipy Huber + L-BFGS (point estimate)", time.perf_counter() - t, None, None,
                 None))
    print("scipy:", {k: round(float(v), 4) for k, v in est.items()}, file=sys.stderr)

    t = time.perf_counter()
    samples, steps, div = naive_numpyro(n, d, y)
    wall = time.perf_counter() - t
    rows.append(("naive numpyro NUTS", wall, min_ess(samples), steps, div))

    import pandas as pd

    import bayescale as bs

    data = pd.DataFrame({"N": n, "D": d, "loss": y})
    t = time.perf_counter()
    fit = bs.fit(data, "chinchilla", x=["N", "D"], y="loss", progress=False)
    wall = time.perf_counter() - t
    dg = fit.diagnostics()
    rows.append(("bs.fit", wall, min_ess(fit.posterior), dg["mean_leapfrog_steps"],
                 dg["divergences"]))
    t = time.perf_counter()
    fit2 = bs.fit(data.sample(frac=1.0, random_state=1), "chinchilla", x=["N", "D"], y="loss",
                  progress=False, seed=1)
    wall2 = time.perf_counter() - t
    dg2 = fit2.diagnostics()
    rows.append(("bs.fit (2nd dataset, compiled)", wall2, min_ess(fit2.posterior),
                 dg2["mean_leapfrog_steps"], dg2["divergences"]))

    base = rows[1][2] / rows[1][1]
    print(f"{'method':40s} {'wall s':>8s} {'min ESS':>8s} {'ESS/s':>8s} {'steps/draw':>10s} "
          f"{'div':>4s} {'ESS/s ratio':>11s}")
    for name, wall, ess, steps, div in rows:
        if ess is None:
            print(f"{name:40s} {wall:8.2f} {'-':>8s} {'-':>8s} {'-':>10s} {'-':>4s} {'-':>11s}")
            continue
        print(f"{name:40s} {wall:8.2f} {ess:8.0f} {ess / wall:8.1f} {steps:10.1f} {div:4d} "
              f"{(ess / wall) / base:11.1f}x")
    print(f"\nbs.fit timing breakdown: {fit.timing}")


if __name__ == "__main__":
    main()
