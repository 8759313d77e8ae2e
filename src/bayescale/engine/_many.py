"""The engine behind ``bs.fit_many``: NUTS for many curves in one compiled call per batch.

Curves are padded to a common size bucket and stacked. Each curve is initialised by a
fixed-cost damped Newton search from several starts (vectorised over curves and starts)
and the Laplace approximation there; then its chains run as *lanes* (see
:mod:`bayescale.engine._lanes`): every chain advances on its own, so a curve with a hard
posterior does not hold up the others. Batches are sharded across local devices, run
side by side on the cores of a single CPU device, or handed to a Dask cluster. Every curve
draws its starts, chain keys and momenta from ``(seed, curve index)``; for a given
``batch_size`` the draws are the same whether the batches run in this process or on a
Dask cluster. (Another batch size changes the shared stream of the progressive sampling
and floating-point rounding in the batched kernels, which NUTS trajectories amplify: the
posterior is the same, the individual draws are not.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale._errors import BayescaleError
from bayescale._progress import progress_bar, progress_enabled
from bayescale.engine._batching import (
    batch_threads,
    curve_bucket,
    equal_batches,
    split_curves,
    stack_trees,
)
from bayescale.engine._compile_once import CompileOnce
from bayescale.engine._data import pad
from bayescale.engine._fit import _axis_inputs, _check_int, _starts, check_settings, prepare
from bayescale.engine._importance import build_proposals
from bayescale.engine._lanes import LaneSettings, build_lanes
from bayescale.engine._laplace_batch import laplace_then_nuts, run_lanes, sampling_columns
from bayescale.engine._lfo import calibrate_batch
from bayescale.engine._newton import build_newton
from bayescale.engine._nuts import NutsSettings, build_chain
from bayescale.engine._optimize import build_solvers, regularised_covariance
from bayescale.engine._posterior import BatchPosterior
from bayescale.engine._potential import potential_gen
from bayescale.engine._space import Space
from bayescale.laws._law import Law
from bayescale.priors import Prior

__all__ = ["run_batch", "sample_many"]

_CACHE: dict[tuple, Any] = {}
_CACHE_LOCK = threading.Lock()

# XLA's CPU backend hands batched small matrix products and reductions to the YNNPACK
# library; on the lanes loop's (lanes x 5)-sized operands its calls cost more than the
# arithmetic (profiled: a lanes turn takes ~20% less time without them), so these
# computations keep XLA's own loops.
_CPU_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": ""}


def _strategy(strategy: str | None) -> str:
    """Resolve the batching strategy (default ``"laplace"``).

    ``"laplace"`` draws from each curve's Laplace approximation, corrects by
    Pareto-smoothed importance sampling (see :mod:`bayescale.engine._importance`) and
    runs the lanes NUTS only for the curves whose Pareto ``k`` says the correction
    cannot be trusted; ``"lanes"`` advances every chain of every curve independently, one
    leapfrog step per turn (see :mod:`bayescale.engine._lanes`); ``"vmap"`` runs NumPyro's
    NUTS for all curves in lockstep (each iteration as long as the batch's deepest tree);
    ``"map"`` runs NumPyro's NUTS curve after curve inside one compiled call.
    """
    if strategy is None:
        return "laplace"
    if strategy not in _STRATEGIES:
        raise BayescaleError(f"strategy must be one of {list(_STRATEGIES)}, got {strategy!r}")
    return strategy


_STRATEGIES = ("laplace", "lanes", "vmap", "map")


def _check_many(by: Any, batch_size: Any, client: Any) -> None:
    """``by`` names a column, ``batch_size`` is an integer >= 1, ``client`` is Dask's."""
    if by is not None and not isinstance(by, str):
        raise BayescaleError(f"by must be the name of the column that identifies each "
                             f"curve, e.g. by='curve'; got {by!r} (a {type(by).__name__})")
    if batch_size is not None:
        _check_int("batch_size", batch_size, 1)
    if client is not None and not (callable(getattr(client, "submit", None))
                                   and callable(getattr(client, "gather", None))):
        raise BayescaleError(f"client must be a dask.distributed.Client (or None: the "
                             f"batches run in this process), got {client!r} (a "
                             f"{type(client).__name__})")


def _lane_runner(space: Space, settings: NutsSettings, n_dev: int):
    """The lanes sampler over (curve x chain) lanes, sharded over ``n_dev`` devices."""
    # CPUs: a few hundred lanes keep the state in cache; accelerators: every chain at once
    num_lanes = 256 if jax.default_backend() == "cpu" else 1 << 17
    lanes = build_lanes(potential_gen(space), LaneSettings(
        settings.num_warmup, settings.num_samples, settings.target_accept_prob,
        settings.max_tree_depth, settings.dense_mass), space.dim, num_lanes)
    if n_dev == 1:
        return lanes
    from jax.sharding import Mesh, PartitionSpec

    def local(keys, z0, inv_mass, data, stream_key):  # each device: its own stream
        *out, turns = lanes(keys, z0, inv_mass, data,
                            jax.random.fold_in(stream_key, jax.lax.axis_index("curve")))
        return (*out, turns[None])

    mesh = Mesh(np.array(jax.local_devices()[:n_dev]), ("curve",))
    spec = PartitionSpec("curve")
    return jax.shard_map(local, mesh=mesh, in_specs=(spec, spec, spec, spec, PartitionSpec()),
                         out_specs=spec, check_vma=False)


def _compiled(space: Space, settings: NutsSettings, strategy: str, n_dev: int = 1):
    with _CACHE_LOCK:  # batch threads ask at once; the first builds, both share
        return _build(space, settings, strategy, n_dev)


def _build(space: Space, settings: NutsSettings, strategy: str, n_dev: int):
    key = (space.key, settings, strategy, n_dev)
    if key not in _CACHE:
        solve, hess = build_solvers(space)
        extra = None
        if strategy in ("lanes", "laplace"):
            solve = jax.vmap(build_newton(potential_gen(space)), in_axes=(0, None))
            nuts = _lane_runner(space, settings, n_dev)
            if strategy == "laplace":
                extra = jax.vmap(build_proposals(space, settings.num_chains,
                                                 settings.num_samples))
        else:
            chain = build_chain(space, settings)
            many_chains = jax.vmap(chain, in_axes=(0, 0, None, None))
            if strategy == "vmap":
                nuts = jax.vmap(many_chains, in_axes=(0, 0, 0, 0))  # curves x chains
            else:
                def nuts(keys, inits, covs, data):
                    return jax.lax.map(lambda a: many_chains(*a), (keys, inits, covs, data))
            if n_dev > 1:  # shard the curve axis: each device runs its share of the curves
                from jax.sharding import Mesh, PartitionSpec

                mesh = Mesh(np.array(jax.local_devices()[:n_dev]), ("curve",))
                spec = PartitionSpec("curve")
                nuts = jax.shard_map(nuts, mesh=mesh, in_specs=(spec, spec, spec, spec),
                                     out_specs=spec, check_vma=False)
        jit = partial(jax.jit, compiler_options=_CPU_OPTIONS if jax.default_backend() == "cpu"
                      else None)
        once = CompileOnce if n_dev == 1 else (lambda f: f)  # batches in threads: one compile
        _CACHE[key] = (
            once(jit(jax.vmap(solve, in_axes=(0, 0)))),        # curves x starts
            once(jit(jax.vmap(hess, in_axes=(0, 0)))),         # curves
            once(jit(nuts)),
            jax.jit(jax.vmap(jax.vmap(lambda t, st: space.unpack(t, st)[0],
                                      in_axes=(0, None)), in_axes=(0, 0))),
            None if extra is None else once(jit(extra)),
        )
    return _CACHE[key]


@partial(jax.jit, static_argnums=(2,))
def _chain_keys(seed: Any, indices: Any, num_chains: int) -> Any:
    """Per-curve chain keys, ``split(fold_in(PRNGKey(seed), index), num_chains)``."""
    base = jax.random.PRNGKey(seed)
    return jax.vmap(lambda i: jax.random.split(jax.random.fold_in(base, i), num_chains))(
        indices)


def run_batch(space: Space, datasets: list, indices: Sequence[int], size: int,
              settings: NutsSettings, seed: int, num_starts: int,
              strategy: str = "lanes", shape: int | None = None, discrepancy: bool = False,
              along: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Fit one batch of curves in one vectorised call (also the Dask task).

    ``shape`` pads the batch to that many curves (repeating its last curve), so that
    batches of different lengths share one compiled call.

    Returns
    -------
    dict
        ``posterior`` (name -> (curve, chain, draw)) and sample stats.
    """
    n_real = len(datasets)
    n_dev = jax.local_device_count()
    n_dev = n_dev if n_dev > 1 else 1
    target = max(shape or n_real, n_real)
    target += -target % n_dev  # whole shards
    if target > n_real:  # pad the batch (extra rows dropped)
        datasets = list(datasets) + [datasets[-1]] * (target - n_real)
        indices = list(indices) + [indices[-1]] * (target - n_real)
    t0 = time.perf_counter()
    solve, hess, nuts, unpack, proposals = _compiled(space, settings, strategy, n_dev)
    padded = [pad(ds, size) for ds in datasets]
    data = stack_trees(padded)
    c, s = settings.num_chains, settings.num_samples
    n, dim = len(datasets), space.dim
    if isinstance(nuts, CompileOnce):  # compile while the starts are computed
        solve.prefetch(np.zeros((n, num_starts, dim)), data)
        hess.prefetch(np.zeros((n, dim)), data)
        if strategy == "laplace":
            key = jax.random.PRNGKey(0)
            proposals.prefetch(np.zeros((n, *key.shape), key.dtype), np.zeros((n, dim)),
                               np.zeros((n, dim, dim)), data)
        elif strategy == "lanes":
            key = jax.random.PRNGKey(0)
            nuts.prefetch(np.zeros((n * c, *key.shape), key.dtype), np.zeros((n * c, dim)),
                          np.zeros((n * c, dim, dim)), data, key)
    starts = np.stack([
        _starts(space, ds, p["stats"], np.random.default_rng([seed, i]), num_starts)
        for ds, p, i in zip(datasets, padded, indices, strict=True)])
    xs, fs = (np.asarray(a) for a in solve(jnp.asarray(starts), data))
    fs = np.where(np.isfinite(fs) & np.all(np.isfinite(xs), axis=2), fs, np.inf)
    best = np.argmin(fs, axis=1)
    mode = xs[np.arange(n), best]
    bad = ~np.isfinite(fs[np.arange(n), best])
    mode[bad] = starts[bad, 0]
    hessians = np.asarray(hess(jnp.asarray(mode), data))
    covs = np.stack([regularised_covariance(h, space.dim) for h in hessians])
    inits = []
    for j, i in enumerate(indices):
        rng = np.random.default_rng([seed, i, 1])
        chol = np.linalg.cholesky(covs[j] + 1e-12 * np.eye(space.dim))
        inits.append(mode[j] + (chol @ rng.standard_normal((space.dim, c))).T)
    inits = np.stack(inits)
    keys = np.asarray(_chain_keys(seed, jnp.asarray(np.asarray(indices)), c))
    stream = jax.random.fold_in(jax.random.PRNGKey(seed), int(indices[0]))
    t1 = time.perf_counter()
    sampling = None
    if strategy == "laplace":
        z, div, steps, acc, step_size, sampling = laplace_then_nuts(
            proposals, nuts, space, data, mode, covs, bad, inits, keys, indices, seed,
            settings, n_dev, stream)
    elif strategy == "lanes":
        z, div, steps, acc, step_size = run_lanes(nuts, keys, inits, covs, data, stream, c)
    else:
        z, div, steps, acc, _pe, _en, step_size = nuts(
            jnp.asarray(keys), jnp.asarray(inits), jnp.asarray(covs), data)
    z = np.asarray(z)
    t2 = time.perf_counter()
    b, _, s, p = z.shape
    nat = unpack(jnp.asarray(z.reshape(b, c * s, p)), data["stats"])
    keep = slice(0, n_real)
    t3 = time.perf_counter()
    disc = (calibrate_batch(space, datasets[:n_real], [seed + int(i) for i in indices[:n_real]],
                            size, solve, hess, len(datasets),
                            lambda sp, d, st, r: _starts(sp, d, st, r, num_starts), along)
            if discrepancy else [None] * n_real)
    return {"posterior": {k: np.asarray(v).reshape(b, c, s)[keep] for k, v in nat.items()},
            "diverging": np.asarray(div)[keep], "n_steps": np.asarray(steps)[keep],
            "acceptance_rate": np.asarray(acc)[keep], "step_size": np.asarray(step_size)[keep],
            "discrepancy": disc, "sampling": sampling_columns(sampling, n_real),
            "timing": {"initialise_s": t1 - t0, "sample_s": t2 - t1,
                       "calibrate_s": time.perf_counter() - t3}}


def sample_many(data: Any, law: Law | str, *, by: str | None = None,
                x: str | Sequence[str] | None = None, y: str | None = None,
                likelihood: str | None = None, priors: Mapping[str, Prior] | None = None,
                num_chains: int = 4, num_warmup: int = 1000, num_samples: int = 1000,
                seed: int = 0, progress: bool | None = None, batch_size: int | None = None,
                target_accept_prob: float = 0.8, max_tree_depth: int = 10,
                dense_mass: bool = True, num_starts: int = 6, client: Any = None,
                strategy: str | None = None, discrepancy: bool = True,
                along: str | Sequence[str] | None = None) -> BatchPosterior:
    """Sample one law's posterior for many curves: what :func:`bayescale.fit_many` runs.

    Takes the arguments of :func:`bayescale.fit_many` (documented there) and returns the
    :class:`~bayescale.engine._posterior.BatchPosterior` that the
    :class:`~bayescale.FitCollection` is built on.
    """
    num_chains = _check_int("num_chains", num_chains, 1)
    num_warmup = _check_int("num_warmup", num_warmup, 0)
    num_samples = _check_int("num_samples", num_samples, 1)
    seed = _check_int("seed", seed, 0)
    num_starts = _check_int("num_starts", num_starts, 1)
    target_accept_prob, max_tree_depth, dense_mass = check_settings(
        priors, target_accept_prob, max_tree_depth, dense_mass, progress)
    _check_many(by, batch_size, client)
    t0 = time.perf_counter()
    keys, frames = split_curves(data, by)
    if not frames:
        raise BayescaleError("fit_many got no curves")
    if len(set(map(str, keys))) != len(keys):
        raise BayescaleError("curve keys must be unique")
    space, datasets = None, []
    for key, frame in zip(keys, frames, strict=True):
        try:
            sp, ds = prepare(frame, law, x=x, y=y, likelihood=likelihood, priors=priors)
        except BayescaleError as exc:
            raise type(exc)(f"curve {key!r}: {exc}") from None
        space = space or sp
        datasets.append(ds)
    assert space is not None
    axis = _axis_inputs(space.law, datasets[0], along, discrepancy)
    size = curve_bucket(max(ds.n for ds in datasets))
    n_dev = jax.local_device_count()
    strategy = _strategy(strategy)
    batch = _check_int("batch_size", batch_size if batch_size is not None else
                       (512 if strategy in ("lanes", "laplace") else 256), 1)
    batch = max(n_dev, batch - batch % n_dev) if n_dev > 1 else batch  # whole shards
    settings = NutsSettings(num_warmup, num_samples, num_chains, target_accept_prob,
                            max_tree_depth, dense_mass, False)
    parts = batch_threads(len(datasets), n_dev)  # the same batches with or without Dask
    chunks, shape = equal_batches(len(datasets), batch, parts)
    results: list[dict[str, Any]] = []
    if client is not None:
        futures = [client.submit(run_batch, space, [datasets[i] for i in idx], idx, size,
                                 settings, seed, num_starts, strategy, shape,
                                 bool(discrepancy), axis, pure=False)
                   for idx in chunks]
        results = client.gather(futures)
    else:
        threads = batch_threads(len(chunks), n_dev)

        def one(idx: list[int]) -> dict[str, Any]:
            return run_batch(space, [datasets[i] for i in idx], idx, size, settings, seed,
                             num_starts, strategy, shape, bool(discrepancy), axis)

        with progress_bar(len(datasets), f"fit_many {space.law.name}",
                          progress_enabled(progress)) as update:
            done = 0
            if threads == 1:
                for idx in chunks:
                    results.append(one(idx))
                    done += len(idx)
                    update(done)
            else:  # XLA releases the GIL: batches run side by side on the CPU cores
                with ThreadPoolExecutor(threads) as pool:
                    futures = [pool.submit(one, idx) for idx in chunks]
                    for fut, idx in zip(futures, chunks, strict=True):
                        results.append(fut.result())
                        done += len(idx)
                        update(done)
    posterior = {k: np.concatenate([r["posterior"][k] for r in results])
                 for k in results[0]["posterior"]}
    stats = {k: np.concatenate([r[k] for r in results])
             for k in ("diverging", "n_steps", "acceptance_rate", "step_size")}
    sampling = None
    if results[0]["sampling"] is not None:
        sampling = {k: np.concatenate([r["sampling"][k] for r in results])
                    for k in results[0]["sampling"]}
    return BatchPosterior(
        sampling=sampling, discrepancies=[d for r in results for d in r["discrepancy"]], keys=keys,
        law=space.law, likelihood=space.likelihood, priors=dict(space.user_priors),
        datasets=datasets, posterior=posterior, sample_stats=stats,
        settings={"num_chains": num_chains, "num_warmup": num_warmup,
                  "num_samples": num_samples, "seed": seed,
                  "target_accept_prob": float(target_accept_prob),
                  "max_tree_depth": int(max_tree_depth), "dense_mass": bool(dense_mass),
                  "batch_size": batch, "bucket": size, "strategy": strategy,
                  "devices": n_dev,
                  "threads": 1 if client is not None else batch_threads(len(chunks), n_dev)},
        timing={"total_s": time.perf_counter() - t0,
                **{k: sum(r["timing"][k] for r in results)  # summed over batches
                   for k in ("initialise_s", "sample_s", "calibrate_s")}}, by=by)
