"""The engine's runner for hierarchical NumPyro models (PassUntil's task law, coverage laws).

A law with a likelihood is sampled in the coordinates of its :class:`Space`
(:mod:`bayescale.engine._fit`); a model that declares its own sites (partial pooling,
plates, deterministic sites) is sampled here, in the unconstrained coordinates of its
latent sites, through the same chain (:func:`bayescale.engine._nuts.chain_of`), the
same progress hook and bar, the same seeding (chain ``i`` on ``split(PRNGKey(seed),
num_chains)[i]``) and sample statistics, and the same caches:

* compiled once per (model, static arguments, kept sites, settings) and argument
  shapes, in the process (:class:`~bayescale.engine._compile_once.CompileOnce`), so
  datasets of the same shapes reuse one executable, whichever thread asks first;
* exported to the on-disk ``jax.export`` cache (:mod:`bayescale.engine._export`, which
  verifies every entry) when the model has a stable identity: a module-level function
  of ``bayescale.passuntil``, keyed by its qualified name, the static arguments and a
  digest of the ``passuntil`` sources, so that an edited model never meets an old
  program. Any other model keeps to the in-process cache.

Initialisation is the model's, not a law's multi-start optimisation: a hierarchical
posterior has no representative mode (its density grows without bound, or its mode sits
at the funnel's neck, as the population scale shrinks), so each chain starts at given
constrained values of some sites (others at 0 in unconstrained space) plus uniform
jitter of half-width :data:`INIT_RADIUS`; the mass matrix is diagonal, adapted from the
identity or, with ``curvature_metric``, from the start's curvature
(:func:`initial_inverse_mass`).
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from numpyro import handlers
from numpyro.distributions import biject_to
from numpyro.infer.util import constrain_fn, potential_energy

from bayescale._errors import BayescaleError
from bayescale._progress import progress_bar, progress_enabled
from bayescale.engine._compile_once import CompileOnce
from bayescale.engine._diagnostics import (
    DiagnosticWarning,
    restart_report,
    restart_seed,
    stuck_chains,
)
from bayescale.engine._export import arg_signature
from bayescale.engine._nuts import NutsSettings, chain_of, seed_key, set_progress_hook
from bayescale.engine._posterior import ModelPosterior

__all__ = ["INIT_RADIUS", "initial_inverse_mass", "sample_model", "stable_model_key",
           "trace_count"]

#: Half-width of the uniform jitter of each chain's start, in unconstrained space.
INIT_RADIUS = 0.5

_CACHE: dict[tuple[Any, ...], _Runner] = {}
_LOCK = threading.Lock()
_TRACES = {"run": 0}


def trace_count() -> int:
    """How many times a model's sampler has been traced (compiled) in this process."""
    return _TRACES["run"]


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise BayescaleError(f"{name}={value!r} is not accepted; use an integer >= {low}.")
    return int(value)


def initial_inverse_mass(potential: Callable, z0: Any) -> Any:
    """A diagonal inverse mass matrix for the first warm-up window, from the start's curvature.

    Until the first slow window ends, NUTS moves with the identity metric, and a
    coordinate the data pin down (the shared curvature of a task law, sd ~0.01, next to
    unit-scale standardised effects) forces a tiny step and trees of 1023 leapfrogs. The
    diagonal of the potential's Hessian at the start, clipped to [1, 1e6], shrinks only
    such tight coordinates (never widens one beyond the identity); warm-up adapts the
    metric from there as usual. ``z0`` is flat.
    """
    curvature = jnp.diag(jax.hessian(potential)(z0))
    curvature = jnp.where(jnp.isfinite(curvature), curvature, 1.0)
    return 1.0 / jnp.clip(curvature, 1.0, 1e6)


def _latent_sites(bound: Callable, data: Mapping[str, Any]) -> tuple[dict, dict]:
    """Bijections to the supports and unconstrained zeros of the latent sites.

    Found by abstract evaluation of one prior draw (nothing is compiled or run).
    """
    supports: dict[str, Any] = {}

    def draw(kwargs):
        tr = handlers.trace(handlers.seed(bound, rng_seed=0)).get_trace(**kwargs)
        out = {}
        for name, site in tr.items():
            if site["type"] == "sample" and not site["is_observed"]:
                supports[name] = site["fn"].support
                out[name] = site["value"]
        return out

    shapes = jax.eval_shape(draw, dict(data))
    bijections = {name: biject_to(sup) for name, sup in supports.items()}
    proto = {name: jnp.zeros(bijections[name].inverse_shape(shapes[name].shape))
             for name in supports}
    return bijections, proto


def _build(model: Callable, static: tuple, keep: tuple[str, ...], settings: NutsSettings,
           curvature_metric: bool, data: Mapping[str, Any], n_dev: int) -> tuple[Any, int]:
    """The jitted run ``(key, jitter, init, data) -> kept draws and sample stats``.

    Returned with the number of unconstrained coordinates (the jitter's second axis).
    Across ``n_dev > 1`` devices ``key`` comes split, one per chain, to be sharded with
    the chains (as ``bs.fit`` shards them).
    """
    bound = functools.partial(model, **dict(static))
    bijections, proto = _latent_sites(bound, data)
    flat, unravel = ravel_pytree(proto)

    def potential_gen(data):
        def potential(z):
            return potential_energy(bound, (), data, unravel(z))

        return potential

    chain = jax.vmap(chain_of(potential_gen, settings), in_axes=(0, 0, 0, None))

    def run(key, jitter, init, data):
        _TRACES["run"] += 1  # runs once per trace, never at run time
        centre = {name: (jnp.broadcast_to(bijections[name].inv(init[name]), jnp.shape(zero))
                         if name in init else zero) for name, zero in proto.items()}
        z0 = ravel_pytree(centre)[0][None, :] + INIT_RADIUS * jitter
        if curvature_metric:
            inv_mass = jax.vmap(lambda z: initial_inverse_mass(potential_gen(data), z))(z0)
        else:
            inv_mass = jnp.ones_like(z0)
        keys = jax.random.split(key, settings.num_chains) if n_dev == 1 else key
        z, div, steps, acc, pe, energy, step_size = chain(keys, z0, inv_mass, data)

        def natural(zf):
            values = constrain_fn(bound, (), data, unravel(zf), return_deterministic=True)
            return {k: values[k] for k in keep if k in values}

        draws = jax.vmap(jax.vmap(natural))(z)
        stats = {"diverging": div, "n_steps": steps, "acceptance_rate": acc, "lp": -pe,
                 "energy": energy, "step_size": step_size}
        return draws, stats

    return jax.jit(run), int(flat.size)


@cache
def _passuntil_sources() -> str:
    h = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parents[1] / "passuntil").glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def stable_model_key(model: Callable, static: tuple, keep: tuple[str, ...],
                     settings: NutsSettings, curvature_metric: bool) -> str | None:
    """A process-independent identity of a model's sampler, or None if it has none.

    Only module-level functions of ``bayescale.passuntil`` have one: their name, the
    static arguments (plain values, whose ``repr`` is stable), the kept sites, the
    settings and a digest of the ``passuntil`` sources they are built from.
    """
    module, qualname = getattr(model, "__module__", ""), getattr(model, "__qualname__", "")
    if not module.startswith("bayescale.passuntil.") or "<" in qualname:
        return None
    if not all(isinstance(v, bool | int | float | str) for _, v in static):
        return None
    return repr(("model", module, qualname, static, keep, settings, curvature_metric,
                 _passuntil_sources()))


class _Runner(NamedTuple):
    jitted: Any  # for the export cache, which traces it
    once: CompileOnce  # in the process: compiled once per signature, whichever thread asks
    dim: int


def _runner(model: Callable, static: tuple, keep: tuple[str, ...], settings: NutsSettings,
            curvature_metric: bool, data: Mapping[str, Any], n_dev: int) -> _Runner:
    """The run of this model, settings and data shapes, built once per process.

    The data's shapes are part of the key: the latent sites' shapes may depend on them.
    """
    key = (model, static, keep, settings, curvature_metric, arg_signature((data,)), n_dev)
    with _LOCK:
        runner = _CACHE.get(key)
        if runner is None:
            jitted, dim = _build(model, static, keep, settings, curvature_metric, data, n_dev)
            runner = _CACHE[key] = _Runner(jitted, CompileOnce(jitted), dim)
    return runner


def sample_model(
    model: Callable[..., None],
    *,
    data: Mapping[str, Any],
    static: Mapping[str, Any],
    keep: Sequence[str],
    init: Mapping[str, Any] | None = None,
    num_chains: int = 4,
    num_warmup: int = 1000,
    num_samples: int = 1000,
    seed: int = 0,
    progress: bool | None = None,
    target_accept_prob: float = 0.9,
    max_tree_depth: int = 10,
    curvature_metric: bool = False,
    desc: str = "NUTS",
) -> ModelPosterior:
    """Sample a NumPyro model by NUTS: the engine's runner for hierarchical models.

    Parameters
    ----------
    model : callable
        ``model(**data, **static)``, a NumPyro model; its latent sample sites are
        sampled (observed sites and factors enter the density).
    data : mapping of str to array_like
        Traced arguments: models of the same shapes share one compiled sampler.
    static : mapping of str to bool, int, float or str
        Arguments bound to the model at compile time (sizes, flags).
    keep : sequence of str
        The sample and deterministic sites whose draws are returned.
    init : mapping of str to array_like, optional
        Constrained starting values of some sites (the rest start at 0 in unconstrained
        space); each chain adds uniform jitter of half-width :data:`INIT_RADIUS`.
    num_chains, num_warmup, num_samples : int
        Chains (vectorised on one device, sharded across devices when they divide
        evenly, as for ``bs.fit``), warm-up and kept draws per chain.
    seed : int
        Chain ``i`` runs on ``split(PRNGKey(seed), num_chains)[i]``; the jitter comes
        from ``numpy.random.default_rng(seed)``.
    progress : bool or None
        Progress bar; ``None``: on, except when ``CI`` is set (as for ``bs.fit``).
    target_accept_prob : float
        NUTS target acceptance probability, in [0.5, 1).
    max_tree_depth : int
        Largest NUTS tree depth.
    curvature_metric : bool
        Start the diagonal metric from the start's curvature
        (:func:`initial_inverse_mass`) instead of the identity.
    desc : str
        The progress bar's label.

    Returns
    -------
    ModelPosterior
        Draws ``(chain, draw, ...)`` of the kept sites, the sample statistics, the
        settings and the timing.
    """
    num_chains = _check_int("num_chains", num_chains, 1)
    num_warmup = _check_int("num_warmup", num_warmup, 1)
    num_samples = _check_int("num_samples", num_samples, 1)
    seed = _check_int("seed", seed, 0)
    max_tree_depth = _check_int("max_tree_depth", max_tree_depth, 1)
    if not 0.5 <= float(target_accept_prob) < 1.0:
        raise BayescaleError(f"target_accept_prob={target_accept_prob!r} must lie in [0.5, 1), "
                             "e.g. 0.9.")
    t0 = time.perf_counter()
    settings = NutsSettings(num_warmup, num_samples, num_chains, float(target_accept_prob),
                            max_tree_depth, False, progress_enabled(progress))
    arrays = jax.tree.map(np.asarray, dict(data))
    start = {k: np.asarray(v, dtype=np.float64) for k, v in (init or {}).items()}
    static_t, keep_t = tuple(sorted(static.items())), tuple(keep)
    devices = jax.local_devices()
    n_dev = len(devices) if num_chains % len(devices) == 0 else 1
    built = _runner(model, static_t, keep_t, settings, bool(curvature_metric), arrays, n_dev)
    runner: Any = built.once if n_dev == 1 else built.jitted
    if n_dev == 1 and not settings.progress:  # callbacks and shardings are not exported
        from bayescale.engine._export import aot

        jitter = np.zeros((num_chains, built.dim))
        exported = aot("model", stable_model_key(model, static_t, keep_t, settings,
                                                 bool(curvature_metric)), built.jitted,
                       (seed_key(seed), jitter, start, arrays))
        runner = built.once if exported is built.jitted else exported

    def run(seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        jitter = np.random.default_rng(seed).uniform(-1.0, 1.0, (num_chains, built.dim))
        key = seed_key(seed)
        if n_dev > 1:  # chains in parallel across devices, as bs.fit runs them
            from jax.sharding import Mesh, NamedSharding, PartitionSpec

            sharding = NamedSharding(Mesh(np.array(devices[:n_dev]), ("chain",)),
                                     PartitionSpec("chain"))
            key = jax.random.split(jax.random.PRNGKey(seed), num_chains)
            key, jitter = jax.device_put(key, sharding), jax.device_put(jitter, sharding)
        with progress_bar(num_warmup + num_samples, desc, settings.progress) as update:
            set_progress_hook(update)
            try:
                return _run(runner, (key, jitter, start, arrays))
            finally:
                set_progress_hook(None)

    draws, stats, healed = _heal(run, seed, *run(seed))
    return ModelPosterior(
        samples=draws, sample_stats=stats,
        settings={"num_chains": int(stats["diverging"].shape[0]), "num_warmup": num_warmup,
                  "num_samples": num_samples, "seed": seed,
                  "target_accept_prob": float(target_accept_prob),
                  "max_tree_depth": max_tree_depth, "dense_mass": False,
                  "curvature_metric": bool(curvature_metric), "num_devices": n_dev,
                  **healed},
        timing={"sample_s": time.perf_counter() - t0})


def _run(runner: Any, args: tuple) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One run of the compiled sampler: kept draws and sample stats as writable arrays."""
    draws, stats = jax.device_get(runner(*args))  # copies: device arrays are read-only
    return ({k: np.array(v) for k, v in draws.items()},
            {k: np.array(v) for k, v in stats.items()})


def _heal(run: Callable[[int], tuple[dict, dict]], seed: int, draws: dict[str, np.ndarray],
          stats: dict[str, np.ndarray]) -> tuple[dict, dict, dict[str, Any]]:
    """Rerun stuck chains once; drop those stuck again (the policy of ``bs.fit``).

    Chains are stuck by :func:`~bayescale.engine._diagnostics.stuck_chains`, the test
    that ``bs.fit`` heals by. A model's chains start from its own values, not from a
    mode, so a stuck chain is replaced by the same chain of one more run of the same
    compiled program on the seed ``bs.fit`` restarts with (nothing is traced again);
    one stuck after that is dropped, unless every chain is. A
    :class:`~bayescale.engine._diagnostics.DiagnosticWarning` says what was done.
    Returns the draws, the stats and the record for the settings.
    """
    stuck = stuck_chains(draws, stats["lp"])
    if not stuck:
        return draws, stats, {}
    n = int(stats["lp"].shape[0])

    def said(reasons: dict[int, str]) -> str:
        return "; ".join(f"chain {c}: {r}" for c, r in reasons.items())

    if len(stuck) == n:
        warnings.warn(f"bayescale fit: every chain is stuck ({said(stuck)}); tighten the "
                      "priors or refit with another seed", DiagnosticWarning, stacklevel=4)
        return draws, stats, {}
    rows = sorted(stuck)
    again_draws, again_stats = run(restart_seed(seed))
    for old, new in ((draws, again_draws), (stats, again_stats)):
        for k in old:
            old[k][rows] = new[k][rows]
    still = stuck_chains(draws, stats["lp"])
    record: dict[str, Any] = {"restarted_chains": rows}
    drop, text = restart_report(stuck, still, n, "run again from new starts")
    if drop:
        keep = [c for c in range(n) if c not in drop]
        draws = {k: v[keep] for k, v in draws.items()}
        stats = {k: v[keep] for k, v in stats.items()}
        record |= {"dropped_chains": drop, "num_chains_sampled": n}
    warnings.warn(text, DiagnosticWarning, stacklevel=4)
    return draws, stats, record
