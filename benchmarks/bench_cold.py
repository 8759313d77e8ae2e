"""Cold-start benchmark of ``bs.fit`` on Chinchilla against naive NumPyro NUTS and emcee.

Run by hand, alone on the machine (issue 20's table, reproduced in one run)::

    .venv/bin/python benchmarks/bench_cold.py [--reps 3] [--draws 1000] [--quick]

Method
------
Every measurement is a fresh Python process (``subprocess.run([sys.executable,
__file__, "--worker", ...])``) with its own environment; the parent only imports the
standard library, starts the workers and prints. Per repetition the workers run
interleaved, in this order:

1. ``bs cold``: ``bs.fit(data, "chinchilla", x=["N", "D"], y="loss")`` with bs.fit's
   defaults (4 chains, ``--draws`` warm-up + ``--draws`` samples, default 1000 + 1000,
   the discrepancy calibration included) in a process whose ``HOME`` is a new empty
   folder and whose ``XDG_CACHE_HOME`` is an empty folder in it, with
   ``BAYESCALE_JAX_CACHE``, ``BAYESCALE_JAX_CACHE_DIR``, ``JAX_COMPILATION_CACHE_DIR``
   and JAX's other persistent-cache variables removed. JAX's persistent compilation
   cache (``$XDG_CACHE_HOME/bayescale/jax/<tag>``, see ``bayescale._config``) and the
   export cache of traced samplers (its ``bayescale-export`` sub-folder, see
   ``bayescale.engine._export``) therefore start empty; the worker checks this and
   reports the number of entries after the fit. This is "cold": a first fit after a
   fresh install. Not cold: the operating system's file cache and the ``.pyc`` files of
   the virtual environment (an install writes those too).
2. ``bs warm``: a second fresh process with the same ``HOME`` (the caches written by
   step 1), the same fit; then, in the same process, a fit of a second dataset of the
   same design (the 240 Chinchilla ``N, D`` pairs, losses simulated from Epoch's
   published fit with Student-t noise on log loss, seed fixed). That second fit must not
   trace again: ``bs.engine.trace_count()`` (the counter ``tests/engine/test_compile.py``
   asserts on) is printed before and after, as are JAX's trace/compile event counts.
3. ``numpyro``: the same model written directly in NumPyro (natural parameters, default
   ``NUTS()`` with its diagonal mass matrix and default init, 4 chains,
   ``chain_method="vectorized"``, same warm-up and samples), fresh ``HOME``, no
   persistent cache; then the simulated dataset in the same process.
4. ``emcee``: ``emcee.EnsembleSampler`` with 32 walkers on the same log posterior
   written in JAX (jitted, vectorised over walkers), on the log of the seven positive
   parameters (the Jacobian added), walkers started in a 1e-4 ball around the MAP that
   ``scipy.optimize.minimize`` (L-BFGS-B on the jitted value and gradient) finds from the
   prior medians; the first ``--emcee-burn`` steps of ``--emcee-steps`` are discarded.

Same model everywhere: Chinchilla's law ``L = E + A N^-alpha + B D^-beta``, Student-t
likelihood on log loss (scale ``sigma``, degrees of freedom ``nu``) and bayescale's
default priors for it, which are data-scaled: ``E ~ LogNormal(log(y_min / 2), 1)``,
``alpha, beta ~ LogNormal(log 0.3, 1)``, the amplitude at the geometric-mean input
``A N0^-alpha ~ LogNormal(log median(y), 3)`` (so ``A | alpha ~ LogNormal(log median(y)
+ alpha log N0, 3)`` in natural parameters; likewise ``B``), ``sigma ~ HalfNormal(0.5)``,
``nu ~ Gamma(2, rate 0.1)``. The ``bs`` worker checks that these equal the priors
bayescale builds (``priors check``) and that the CSV rows the peers read (Epoch's 245
points less the 5 highest losses) equal ``bs.datasets.load("chinchilla-epoch")``'s
(``data check``).

How to read it
--------------
Per worker: ``import`` (``import jax`` + ``import bayescale`` / ``numpyro`` /
``emcee``), ``fit`` (wall seconds of the fit call: for emcee the optimiser and the
chain), ``jax`` (seconds JAX reports for tracing, lowering and XLA compilation, summed
from ``jax.monitoring`` events; a program loaded from the persistent cache counts its
load, ``cache_read``, under ``xla``; nested traces can be counted twice, so read it as an
upper bound of what compilation costs), ``run`` (fit - jax, roughly the sampling
itself), ``proc`` (the whole process as the parent timed it, Python start-up, imports
and ArviZ included), ``ESS`` (min bulk ESS over the five law parameters E, A, alpha, B,
beta, by ArviZ: chains as chains, and for emcee every walker as a chain), ``ESS/s`` (ESS
/ fit seconds), ``e2e`` (ESS / process seconds), max R-hat over the same parameters (for
emcee, across walkers, which are not independent: only a rough check), divergences, and
mean leapfrog steps per draw. The peers run in JAX's default float32, bayescale in
float64. Then, per repetition, ratios of ESS/s against naive NumPyro and emcee of the
same repetition, and their median and min over repetitions. The machine may be shared:
the load average at start and end is printed; read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T_PROCESS = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("BAYESCALE_DATA", str(ROOT.parent / "shared" / "datasets")))
CSV = DATA_DIR / "chinchilla-epoch" / "svg_extracted_data.csv"
LAW_PARAMS = ("E", "A", "alpha", "B", "beta")
ALL_PARAMS = LAW_PARAMS + ("sigma", "nu")
#: Epoch's published fit (Besiroglu et al. 2024), the truth of the simulated dataset
TRUTH = {"E": 1.8172, "A": 482.01, "alpha": 0.3478, "B": 2085.43, "beta": 0.3658,
         "sigma": 0.02, "nu": 5.0}
MARK = "BENCH_COLD_RESULT "
_CACHE_VARS = ("BAYESCALE_JAX_CACHE", "BAYESCALE_JAX_CACHE_DIR", "JAX_COMPILATION_CACHE_DIR",
               "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS",
               "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "XDG_CACHE_HOME")


# --------------------------------------------------------------------------- data


def load_csv():
    """``N, D, loss`` of Epoch's 240 points: the CSV less its 5 highest losses (row order)."""
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(CSV)
    n = raw["Model Size"].to_numpy(float)
    d = raw["Training FLOP"].to_numpy(float) / (6.0 * n)
    y = raw["loss"].to_numpy(float)
    keep = np.ones(len(y), dtype=bool)
    keep[np.argsort(-y, kind="stable")[:5]] = False
    return n[keep], d[keep], y[keep]


def simulate(n, d, seed=20):
    """Losses at the same design from :data:`TRUTH`, Student-t noise on log loss."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = TRUTH
    mean = t["E"] + t["A"] * n ** -t["alpha"] + t["B"] * d ** -t["beta"]
    return mean * np.exp(t["sigma"] * rng.standard_t(t["nu"], size=n.shape))


def priors_of(n, y):
    """bayescale's default priors for this model: ``{name: (family, args, at_pivot)}``."""
    import numpy as np

    return {"E": ("LogNormal", (float(np.log(np.min(y) / 2.0)), 1.0), False),
            "A": ("LogNormal", (float(np.log(np.median(y))), 3.0), True),
            "alpha": ("LogNormal", (float(np.log(0.3)), 1.0), False),
            "B": ("LogNormal", (float(np.log(np.median(y))), 3.0), True),
            "beta": ("LogNormal", (float(np.log(0.3)), 1.0), False),
            "sigma": ("HalfNormal", (0.5,), False),
            "nu": ("Gamma", (2.0, 0.1), False)}


# --------------------------------------------------------------------------- helpers


_JAX_EVENTS = {"/jax/core/compile/jaxpr_trace_duration": "trace",
               "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
               "/jax/core/compile/backend_compile_duration": "xla",
               "/jax/compilation_cache/cache_retrieval_time_sec": "cache_read"}


class JaxEvents:
    """Sums of JAX's compile-time monitoring events (seconds and counts)."""

    def __init__(self):
        import jax.monitoring

        self.secs = dict.fromkeys(_JAX_EVENTS.values(), 0.0)
        self.count = dict.fromkeys(_JAX_EVENTS.values(), 0)

        def listen(event, duration, **_):
            name = _JAX_EVENTS.get(event)
            if name is not None:
                self.secs[name] += float(duration)
                self.count[name] += 1

        jax.monitoring.register_event_duration_secs_listener(listen)

    def snap(self):
        return dict(self.secs), dict(self.count)

    def since(self, snap):
        secs, count = snap
        # cache_read happens inside the "xla" event (compile_or_get_cached): not summed
        return ({k: round(self.secs[k] - secs[k], 3) for k in secs},
                {k: self.count[k] - count[k] for k in count})


def jax_seconds(secs):
    """Trace + lowering + XLA compilation (persistent-cache reads are inside the latter)."""
    return secs["trace"] + secs["lower"] + secs["xla"]


def diagnostics(post):
    """Min bulk ESS and max R-hat over the law parameters; ``post[k]`` is (chains, draws)."""
    import arviz as az
    import numpy as np

    dt = az.from_dict({"posterior": {k: np.asarray(post[k], dtype=float)
                                     for k in LAW_PARAMS}})
    ess, rhat = az.ess(dt, method="bulk"), az.rhat(dt)
    return (min(float(ess[k].values) for k in LAW_PARAMS),
            max(float(rhat[k].values) for k in LAW_PARAMS))


def count_files(path):
    path = Path(path)
    return sum(1 for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def timed(events, fn):
    snap = events.snap()
    t = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t
    secs, counts = events.since(snap)
    return out, wall, secs, counts


# --------------------------------------------------------------------------- workers


def work_bs(args, res):
    t = time.perf_counter()
    import jax

    events = JaxEvents()
    import bayescale as bs
    res["import_s"] = time.perf_counter() - t
    res["jax_cache_dir"] = jax.config.jax_compilation_cache_dir
    cache = Path(jax.config.jax_compilation_cache_dir or "/nonexistent")
    res["cache_files_before"] = count_files(cache)
    res["export_files_before"] = count_files(cache / "bayescale-export")

    import numpy as np

    frame = bs.datasets.load("chinchilla-epoch")
    frame = frame[~frame["epoch_excluded"]].reset_index(drop=True)
    n, d, y = load_csv()
    res["data_check"] = bool(len(frame) == len(y) and np.array_equal(frame["N"], n)
                             and np.allclose(frame["D"], d, rtol=1e-12)
                             and np.array_equal(frame["loss"], y))
    kw = dict(x=["N", "D"], y="loss", num_warmup=args.draws, num_samples=args.draws,
              progress=False)
    fit, wall, secs, counts = timed(events, lambda: bs.fit(frame, "chinchilla", **kw))
    record_fit(res, fit, wall, secs, counts)

    from bayescale.engine._data import pad
    from bayescale.engine._fit import prepare

    space, ds = prepare(frame, "chinchilla", x=["N", "D"], y="loss", likelihood=None,
                        priors=None)
    stats = pad(ds)["stats"]
    built = {p.name: (fam, tuple(round(a, 12) for a in a_), piv) for p, (fam, a_, piv)
             in zip(space.params, space.prior_specs(stats), strict=True)}
    mine = {k: (f, tuple(round(a, 12) for a in a_), piv)
            for k, (f, a_, piv) in priors_of(n, y).items()}
    res["priors_check"] = bool(built == mine and space.likelihood.name == "student_t_log"
                               and np.isclose(float(stats.log_x0["N"]), np.mean(np.log(n))))
    res["cache_files_after"] = count_files(cache)
    res["export_files_after"] = count_files(cache / "bayescale-export")

    if args.phase == "warm":
        sim = frame[["N", "D"]].copy()
        sim["loss"] = simulate(n, d)
        before = bs.engine.trace_count()
        fit2, wall2, secs2, counts2 = timed(events, lambda: bs.fit(sim, "chinchilla", seed=1,
                                                                   **kw))
        sub = {}
        record_fit(sub, fit2, wall2, secs2, counts2)
        sub["trace_count_before"], sub["trace_count_after"] = before, bs.engine.trace_count()
        res["sim"] = sub


def record_fit(res, fit, wall, secs, counts):
    dg = fit.diagnostics()
    ess, rhat = diagnostics(fit.posterior)
    res.update(fit_s=wall, jax_s=jax_seconds(secs), jax_secs=secs, jax_counts=counts,
               ess=ess, rhat=rhat, divergences=int(dg["divergences"]),
               steps=float(dg["mean_leapfrog_steps"]),
               timing={k: round(float(v), 2) for k, v in fit.timing.items()})


def work_numpyro(args, res):
    t = time.perf_counter()
    import jax

    events = JaxEvents()
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.infer import MCMC, NUTS
    res["import_s"] = time.perf_counter() - t
    import numpy as np

    def hyper(yy, ln, ld):
        pri = priors_of(n, yy)
        return np.array([*pri["E"][1], *pri["A"][1], *pri["alpha"][1], *pri["B"][1],
                         *pri["beta"][1], *pri["sigma"][1], *pri["nu"][1], ln.mean(),
                         ld.mean()])

    def model(ln, ld, ly, hp):
        me, se, ma, sa, mal, sal, mb, sb, mbe, sbe, s_sigma, k_nu, r_nu, ln0, ld0 = hp
        e = numpyro.sample("E", dist.LogNormal(me, se))
        alpha = numpyro.sample("alpha", dist.LogNormal(mal, sal))
        beta = numpyro.sample("beta", dist.LogNormal(mbe, sbe))
        # the prior is on the amplitude at the geometric-mean input (bayescale's default)
        a = numpyro.sample("A", dist.LogNormal(ma + alpha * ln0, sa))
        b = numpyro.sample("B", dist.LogNormal(mb + beta * ld0, sb))
        sigma = numpyro.sample("sigma", dist.HalfNormal(s_sigma))
        nu = numpyro.sample("nu", dist.Gamma(k_nu, r_nu))
        pred = jnp.log(e + a * jnp.exp(-alpha * ln) + b * jnp.exp(-beta * ld))
        numpyro.sample("obs", dist.StudentT(nu, pred, sigma), obs=ly)

    n, d, y = load_csv()

    def run(yy, seed):  # a new MCMC object per dataset (rerunning a vectorized one fails)
        mcmc = MCMC(NUTS(model), num_warmup=args.draws, num_samples=args.draws, num_chains=4,
                    chain_method="vectorized", progress_bar=False)
        ln, ld = np.log(n), np.log(d)
        mcmc.run(jax.random.PRNGKey(seed), ln, ld, np.log(yy), hyper(yy, ln, ld),
                 extra_fields=("num_steps", "diverging"))
        return ({k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()},
                mcmc.get_extra_fields())

    for target, yy, seed in ((res, y, 0), (None, simulate(n, d), 1)):
        (post, extra), wall, secs, counts = timed(events, lambda yy=yy, seed=seed: run(yy, seed))
        if target is None:
            target = res["sim"] = {}
        ess, rhat = diagnostics(post)
        target.update(fit_s=wall, jax_s=jax_seconds(secs), jax_secs=secs, jax_counts=counts,
                      ess=ess, rhat=rhat, divergences=int(np.sum(extra["diverging"])),
                      steps=float(np.mean(extra["num_steps"])))


def work_emcee(args, res):
    t = time.perf_counter()
    import jax

    events = JaxEvents()
    import emcee
    import jax.numpy as jnp
    from jax.scipy import stats as jst
    res["import_s"] = time.perf_counter() - t
    import numpy as np
    from scipy.optimize import minimize

    n, d, y = load_csv()
    ln, ld, ly = jnp.asarray(np.log(n)), jnp.asarray(np.log(d)), jnp.asarray(np.log(y))
    ln0, ld0 = float(np.mean(np.log(n))), float(np.mean(np.log(d)))
    pri = priors_of(n, y)
    (me, se), (ma, sa), (mal, sal) = pri["E"][1], pri["A"][1], pri["alpha"][1]
    (mb, sb), (mbe, sbe) = pri["B"][1], pri["beta"][1]
    s_sigma, (k_nu, r_nu) = pri["sigma"][1][0], pri["nu"][1]

    def logpost(u):  # u = log of (E, A, alpha, B, beta, sigma, nu)
        le, la, lal, lb, lbe, ls, lnu = u
        alpha, beta, sigma, nu = jnp.exp(lal), jnp.exp(lbe), jnp.exp(ls), jnp.exp(lnu)
        # LogNormal priors are Normal on the log; HalfNormal and Gamma get the Jacobian
        lp = (jst.norm.logpdf(le, me, se) + jst.norm.logpdf(lal, mal, sal)
              + jst.norm.logpdf(lbe, mbe, sbe) + jst.norm.logpdf(la, ma + alpha * ln0, sa)
              + jst.norm.logpdf(lb, mb + beta * ld0, sb)
              + jst.norm.logpdf(sigma, 0.0, s_sigma) + jnp.log(2.0) + ls
              + jst.gamma.logpdf(nu, k_nu, scale=1.0 / r_nu) + lnu)
        pred = jax.nn.logsumexp(jnp.stack([le + 0 * ln, la - alpha * ln, lb - beta * ld]),
                                axis=0)
        ll = jnp.sum(jst.t.logpdf(ly, nu, pred, sigma))
        return jnp.where(jnp.isfinite(lp + ll), lp + ll, -jnp.inf)

    batch = jax.jit(jax.vmap(logpost))
    vg = jax.jit(jax.value_and_grad(lambda u: -logpost(u)))

    def objective(u):
        v, g = vg(jnp.asarray(u))
        return float(v), np.asarray(g, dtype=float)

    def run():
        u0 = np.array([me, ma + 0.3 * ln0, mal, mb + 0.3 * ld0, mbe,
                       np.log(0.674 * s_sigma), np.log((k_nu - 1.0 / 3.0) / r_nu)])
        opt = minimize(objective, u0, jac=True, method="L-BFGS-B")
        rng = np.random.default_rng(0)
        start = opt.x + 1e-4 * rng.standard_normal((args.walkers, u0.size))
        sampler = emcee.EnsembleSampler(args.walkers, u0.size,
                                        lambda us: np.asarray(batch(jnp.asarray(us))),
                                        vectorize=True)
        sampler._random = np.random.RandomState(0)  # emcee draws its moves from this
        sampler.run_mcmc(start, args.emcee_steps, progress=False)
        return opt, sampler

    (opt, sampler), wall, secs, counts = timed(events, run)
    chain = sampler.get_chain(discard=args.emcee_burn)  # (steps, walkers, dim)
    post = {k: np.exp(chain[:, :, i].T) for i, k in enumerate(ALL_PARAMS)}
    ess, rhat = diagnostics(post)
    tau = sampler.get_autocorr_time(discard=args.emcee_burn, quiet=True)
    res.update(fit_s=wall, jax_s=jax_seconds(secs), jax_secs=secs, jax_counts=counts,
               ess=ess, rhat=rhat, divergences=0, steps=float(args.walkers),
               map_nll=float(opt.fun), tau_max=float(np.max(tau)),
               acceptance=float(np.mean(sampler.acceptance_fraction)),
               ess_flat_tau=float(chain.shape[0] * chain.shape[1] / np.max(tau)))


def worker(args):
    res = {"kind": args.worker, "phase": args.phase, "load_start": os.getloadavg()}
    {"bs": work_bs, "numpyro": work_numpyro, "emcee": work_emcee}[args.worker](args, res)
    res["load_end"] = os.getloadavg()
    res["worker_s"] = time.perf_counter() - T_PROCESS
    print(MARK + json.dumps(res), flush=True)


# --------------------------------------------------------------------------- parent


def launch(args, kind, home, phase="cold"):
    env = {k: v for k, v in os.environ.items() if k not in _CACHE_VARS}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(Path(home) / ".cache"),
               BAYESCALE_DATA=str(DATA_DIR), JAX_PLATFORMS=env.get("JAX_PLATFORMS", "cpu"),
               PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, __file__, "--worker", kind, "--phase", phase,
           "--draws", str(args.draws), "--walkers", str(args.walkers),
           "--emcee-steps", str(args.emcee_steps), "--emcee-burn", str(args.emcee_burn)]
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True,
                         timeout=args.timeout)
    wall = time.perf_counter() - t
    lines = [x for x in out.stdout.splitlines() if x.startswith(MARK)]
    if out.returncode != 0 or not lines:
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-4000:])
        raise SystemExit(f"worker {kind} ({phase}) failed with code {out.returncode}")
    res = json.loads(lines[-1][len(MARK):])
    res["proc_s"] = wall
    return res


def row(label, rep, r, sub=False):
    src = r["sim"] if sub else r
    proc = r["proc_s"]
    fit, jx = src["fit_s"], src["jax_s"]
    imp = "-" if sub else f"{r['import_s']:.1f}"
    e2e = "-" if sub else f"{src['ess'] / proc:.1f}"
    print(f"{label:22s} {rep:>3d} {imp:>6s} {fit:7.1f} {jx:6.1f} {max(fit - jx, 0):6.1f} "
          f"{'-' if sub else f'{proc:.1f}':>6s} {src['ess']:7.0f} {src['ess'] / fit:8.1f} "
          f"{e2e:>7s} {src['rhat']:6.3f} {src['divergences']:5d} {src['steps']:6.1f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--draws", type=int, default=1000, help="warm-up draws = samples per chain")
    p.add_argument("--walkers", type=int, default=32)
    p.add_argument("--emcee-steps", type=int, default=20000)
    p.add_argument("--emcee-burn", type=int, default=4000)
    p.add_argument("--quick", action="store_true", help="small draws, one repetition")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per worker")
    p.add_argument("--worker", choices=("bs", "numpyro", "emcee"), help=argparse.SUPPRESS)
    p.add_argument("--phase", default="cold", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    if args.quick:
        args.reps, args.draws, args.emcee_steps, args.emcee_burn = 1, 150, 2000, 500
    load0 = os.getloadavg()
    print(f"bench_cold: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, "
          f"os.cpu_count()={os.cpu_count()}, load average at start "
          f"{' '.join(f'{x:.2f}' for x in load0)}")
    print(f"draws: 4 chains x ({args.draws} warm-up + {args.draws}) for bs.fit and numpyro; "
          f"emcee {args.walkers} walkers x {args.emcee_steps} steps, first "
          f"{args.emcee_burn} discarded; reps {args.reps}; data {CSV}")
    results = []
    for rep in range(1, args.reps + 1):
        base = Path(tempfile.mkdtemp(prefix="bench_cold_"))
        try:
            homes = {k: base / k for k in ("bs", "numpyro", "emcee")}
            for h in homes.values():
                h.mkdir()
            cur = {"bs cold": launch(args, "bs", homes["bs"], "cold")}
            cur["bs warm"] = launch(args, "bs", homes["bs"], "warm")
            cur["numpyro"] = launch(args, "numpyro", homes["numpyro"])
            cur["emcee"] = launch(args, "emcee", homes["emcee"])
        finally:
            shutil.rmtree(base, ignore_errors=True)
        results.append(cur)
        print(f"  rep {rep} done: " + ", ".join(f"{k} {v['proc_s']:.0f} s" for k, v in
                                                 cur.items()), flush=True)
    load1 = os.getloadavg()

    print("\nSeconds: import | fit (the call) | jax (trace+lower+XLA or cache load, from "
          "jax.monitoring) | run = fit - jax | proc (whole process). ESS: min bulk over "
          "E, A, alpha, B, beta.")
    print(f"{'method':22s} {'rep':>3s} {'import':>6s} {'fit':>7s} {'jax':>6s} {'run':>6s} "
          f"{'proc':>6s} {'ESS':>7s} {'ESS/s':>8s} {'e2e':>7s} {'R-hat':>6s} {'div':>5s} "
          f"{'steps':>6s}")
    for label, key, sub in (("bs.fit cold", "bs cold", False), ("bs.fit warm", "bs warm", False),
                            ("bs.fit warm, sim data", "bs warm", True),
                            ("naive numpyro", "numpyro", False),
                            ("numpyro, sim data", "numpyro", True),
                            ("emcee (32 walkers)", "emcee", False)):
        for rep, cur in enumerate(results, 1):
            row(label, rep, cur[key], sub)
    print("(steps: mean leapfrog steps per draw; for emcee the number of walkers, i.e. log "
          "densities per step)")

    print("\nPer repetition:")
    for rep, cur in enumerate(results, 1):
        c, w = cur["bs cold"], cur["bs warm"]
        s = w["sim"]
        print(f"  rep {rep}: data check {c['data_check']}, priors check {c['priors_check']}; "
              f"cache files before cold fit {c['cache_files_before']} (export "
              f"{c['export_files_before']}), after {c['cache_files_after']} (export "
              f"{c['export_files_after']}); before warm fit {w['cache_files_before']}")
        print(f"    cold bs.fit timing {c['timing']}; jax seconds {c['jax_secs']} "
              f"counts {c['jax_counts']}")
        print(f"    warm bs.fit timing {w['timing']}; jax seconds {w['jax_secs']} "
              f"counts {w['jax_counts']}")
        print(f"    sim dataset: trace_count {s['trace_count_before']} -> "
              f"{s['trace_count_after']}, jax events during it {s['jax_counts']}, "
              f"timing {s['timing']}")
        e = cur["emcee"]
        print(f"    emcee: acceptance {e['acceptance']:.2f}, max autocorrelation time "
              f"{e['tau_max']:.0f} steps (emcee's estimate; flat samples / tau = "
              f"{e['ess_flat_tau']:.0f}); naive numpyro jax counts {cur['numpyro']['jax_counts']}")

    def rate(r, e2e=False):
        return r["ess"] / (r["proc_s"] if e2e else r["fit_s"])

    print("\nRatios of ESS/s (same repetition), fit seconds [end to end, process seconds]:")
    pairs = [("bs cold / numpyro", "bs cold", "numpyro"), ("bs cold / emcee", "bs cold", "emcee"),
             ("bs warm / numpyro", "bs warm", "numpyro"), ("bs warm / emcee", "bs warm", "emcee"),
             ("emcee / numpyro", "emcee", "numpyro")]
    for label, a, b in pairs:
        fit_r = [rate(cur[a]) / rate(cur[b]) for cur in results]
        e2e_r = [rate(cur[a], True) / rate(cur[b], True) for cur in results]
        print(f"  {label:20s} " + " ".join(f"{x:6.2f}x" for x in fit_r)
              + f"   median {statistics.median(fit_r):6.2f}x min {min(fit_r):6.2f}x"
              + f"   [e2e median {statistics.median(e2e_r):6.2f}x min {min(e2e_r):6.2f}x]")
    sim_r = [cur["bs warm"]["sim"]["ess"] / cur["bs warm"]["sim"]["fit_s"]
             / (cur["numpyro"]["sim"]["ess"] / cur["numpyro"]["sim"]["fit_s"])
             for cur in results]
    print(f"  {'sim: bs warm / numpyro':20s} " + " ".join(f"{x:6.2f}x" for x in sim_r)
          + "   (numpyro's second run in its process: a new MCMC object, which traces again)")
    print(f"\nload average at start {' '.join(f'{x:.2f}' for x in load0)}, at end "
          f"{' '.join(f'{x:.2f}' for x in load1)}; os.cpu_count()={os.cpu_count()}")


if __name__ == "__main__":
    main()
