"""Compiled NUTS runs, cached per (space, data bucket, settings).

Chains are vectorised with ``vmap`` on one device and sharded across devices when
there are several. A new dataset of the same bucket size reuses the compiled run.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from numpyro.infer.hmc import hmc

from bayescale.engine._potential import potential_gen
from bayescale.engine._space import Space

__all__ = ["NutsSettings", "build_chain", "chain_of", "prefetch_nuts", "run_nuts",
           "seed_key", "set_progress_hook"]

_HOOK: dict[str, Any] = {"fn": None}


def set_progress_hook(fn: Any) -> None:
    """Install ``fn(step)`` called from inside the compiled loop (or None to remove)."""
    _HOOK["fn"] = fn


def _tick(step: Any) -> None:
    fn = _HOOK["fn"]
    if fn is not None:
        fn(int(np.max(np.asarray(step))))


class NutsSettings(NamedTuple):
    """Static settings of a NUTS run (part of the compilation key)."""

    num_warmup: int
    num_samples: int
    num_chains: int
    target_accept_prob: float
    max_tree_depth: int
    dense_mass: bool
    progress: bool


_CACHE: dict[tuple, Any] = {}


def _compiled(space: Space, settings: NutsSettings, n_dev: int):
    key = (space.key, settings, n_dev)
    if key not in _CACHE:
        _CACHE[key] = _build(space, settings, n_dev)
    return _CACHE[key]


def _build(space: Space, settings: NutsSettings, n_dev: int = 1):
    chains = jax.vmap(build_chain(space, settings), in_axes=(0, 0, None, None))
    if n_dev > 1:  # keys come split, to be sharded with the chains
        return jax.jit(chains)

    def run(key, z0, inv_mass, data):
        return chains(jax.random.split(key, settings.num_chains), z0, inv_mass, data)

    return jax.jit(run)


def seed_key(seed: int) -> Any:
    """``jax.random.PRNGKey(seed)`` built without dispatching (and compiling) JAX ops."""
    if jax.config.jax_default_prng_impl == "threefry2x32" and 0 <= seed < 2 ** 63:
        return np.array([seed >> 32, seed & 0xFFFFFFFF], dtype=np.uint32)
    return jax.random.PRNGKey(seed)


def build_chain(space: Space, settings: NutsSettings):
    """One chain's warm-up and sampling as a pure function ``(key, z0, inv_mass, data)``."""
    return chain_of(potential_gen(space), settings)


def chain_of(potential_fn_gen: Any, settings: NutsSettings):
    """One chain of NUTS on ``potential_fn_gen(data)``, a function of flat coordinates.

    The chain of every model the engine samples: a law's space (:func:`build_chain`) or
    a NumPyro model's unconstrained latent sites (:mod:`bayescale.engine._model_runner`).
    Returns ``(key, z0, inv_mass, data) -> (z, diverging, num_steps, accept_prob,
    potential_energy, energy, step_size)`` with a leading draw axis (the step size last
    adapted excepted); ``inv_mass`` is a matrix with ``settings.dense_mass``, else a
    vector.
    """
    init_kernel, sample_kernel = hmc(potential_fn_gen=potential_fn_gen, algo="NUTS")
    w, s = settings.num_warmup, settings.num_samples
    every = max((w + s) // 50, 1)

    def chain(key, z0, inv_mass, data):
        state = init_kernel(
            z0, w, step_size=0.5, inverse_mass_matrix=inv_mass,
            dense_mass=settings.dense_mass, target_accept_prob=settings.target_accept_prob,
            max_tree_depth=settings.max_tree_depth, model_args=(data,), rng_key=key)

        def step(st, i):
            st = sample_kernel(st, model_args=(data,))
            if settings.progress:
                lax.cond(i % every == 0, lambda: jax.debug.callback(_tick, i),
                         lambda: None)
            return st

        state = lax.fori_loop(0, w, lambda i, st: step(st, i), state) if w else state

        def sample(st, i):
            st = step(st, i + w)
            return st, (st.z, st.diverging, st.num_steps, st.accept_prob,
                        st.potential_energy, st.energy)

        state, out = lax.scan(sample, state, jnp.arange(s))
        return out + (state.adapt_state.step_size,)

    return chain


def _export_key(space: Space, settings: NutsSettings) -> str | None:
    from bayescale.engine._export import stable_space_key

    key = stable_space_key(space)
    return key + repr(settings) if key else None


def prefetch_nuts(space: Space, data: dict[str, Any], settings: NutsSettings) -> None:
    """Start loading the exported sampler for this run in the background (if exported)."""
    from bayescale.engine._export import prefetch

    devices = jax.local_devices()
    n_dev = len(devices) if settings.num_chains % len(devices) == 0 else 1
    if n_dev > 1 or settings.progress:
        return
    dim = space.dim
    prefetch("nuts", _export_key(space, settings),
             (jax.ShapeDtypeStruct((2,), np.uint32),
              jax.ShapeDtypeStruct((settings.num_chains, dim), np.float64),
              jax.ShapeDtypeStruct((dim, dim), np.float64), data))


def run_nuts(space: Space, data: dict[str, Any], settings: NutsSettings, seed: int,
             init: np.ndarray, inv_mass: np.ndarray) -> dict[str, np.ndarray]:
    """Run the chains; returns arrays with leading (chain, draw) dimensions.

    Chain ``i`` runs on key ``jax.random.split(jax.random.PRNGKey(seed), num_chains)[i]``.
    """
    devices = jax.local_devices()
    n_dev = len(devices) if settings.num_chains % len(devices) == 0 else 1
    fn = _compiled(space, settings, n_dev)
    z0 = jax.device_put(np.asarray(init, dtype=np.float64))
    if n_dev > 1:
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        keys = jax.random.split(jax.random.PRNGKey(seed), settings.num_chains)
        mesh = Mesh(np.array(devices[:n_dev]), ("chain",))
        sharding = NamedSharding(mesh, PartitionSpec("chain"))
        keys, z0 = jax.device_put(keys, sharding), jax.device_put(z0, sharding)
    else:
        keys = jax.device_put(seed_key(seed))
    args = (keys, z0, jax.device_put(np.asarray(inv_mass, dtype=np.float64)), data)
    if n_dev == 1 and not settings.progress:
        from bayescale.engine._export import aot

        fn = aot("nuts", _export_key(space, settings), fn, args)
    z, div, steps, acc, pe, energy, step_size = jax.device_get(fn(*args))
    return {"z": np.asarray(z), "diverging": np.asarray(div),
            "n_steps": np.asarray(steps), "acceptance_rate": np.asarray(acc),
            "lp": -np.asarray(pe), "energy": np.asarray(energy),
            "step_size": np.asarray(step_size)}
