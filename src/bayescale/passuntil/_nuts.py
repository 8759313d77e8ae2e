"""NUTS (NumPyro's ``hmc`` kernel) with vectorised chains, compiled once per data shape.

The data enter the compiled sampler as arguments, so fits of datasets with the same
shapes (a simulation study, a test suite) reuse one executable instead of compiling
(and keeping in memory) a new one per fit.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax, random
from jax.flatten_util import ravel_pytree
from numpyro import handlers
from numpyro.distributions import biject_to
from numpyro.infer.hmc import hmc
from numpyro.infer.util import constrain_fn, potential_energy

from bayescale.passuntil._posterior import Posterior

_CACHE: OrderedDict[tuple, Callable] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = threading.Lock()
#: Half-width of the uniform jitter of each chain's start, in unconstrained space.
INIT_RADIUS = 0.5


def check_mcmc_args(num_chains: int, num_warmup: int, num_samples: int, seed: int) -> None:
    """Validate the sampler settings (positive integers, a non-negative seed)."""
    for name, value, low in (
        ("num_chains", num_chains, 1),
        ("num_warmup", num_warmup, 1),
        ("num_samples", num_samples, 1),
        ("seed", seed, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name}={value!r} is not accepted; use an integer >= {low}.")


def _shape_key(tree: Mapping[str, Any]) -> tuple:
    leaves, treedef = jax.tree.flatten(tree)
    return (str(treedef), tuple((jnp.shape(x), str(jnp.result_type(x))) for x in leaves))


def _build(key: tuple, data: Mapping[str, Any], init: Mapping[str, Any]) -> Callable:
    (model, static, _, _, num_warmup, num_samples, target_accept, keep, progress,
     curvature_metric) = key
    bound = functools.partial(model, **dict(static))
    bijections, proto = _latent_sites(bound, data)
    to_z = {name: b.inv for name, b in bijections.items()}

    def potential_gen(**kwargs):
        return functools.partial(potential_energy, bound, (), kwargs)

    init_kernel, sample_kernel = hmc(potential_fn_gen=potential_gen, algo="NUTS")
    total = num_warmup + num_samples
    bar = _progress_bar(total) if progress else None

    def one_chain(rng_key, data, init):
        k_init, k_run = random.split(rng_key)
        keys = dict(zip(proto, random.split(k_init, len(proto)), strict=True))
        z0 = {}
        for name, value in proto.items():
            centre = to_z[name](jnp.asarray(init[name])) if name in init else jnp.zeros_like(value)
            jitter = random.uniform(keys[name], jnp.shape(value), minval=-1.0, maxval=1.0)
            z0[name] = jnp.broadcast_to(centre, jnp.shape(value)) + INIT_RADIUS * jitter
        state = init_kernel(
            z0,
            num_warmup,
            inverse_mass_matrix=(
                _initial_inverse_mass(potential_gen(**data), z0) if curvature_metric else None
            ),
            target_accept_prob=target_accept,
            model_kwargs=data,
            rng_key=k_run,
        )

        def step(s, i):
            s = sample_kernel(s, model_kwargs=data)
            if bar is not None:
                lax.cond(i % max(total // 50, 1) == 0, _tick, lambda j: None, i)
            return s, (s.z, s.diverging)

        _, (zs, div) = lax.scan(step, state, jnp.arange(total))
        zs = jax.tree.map(lambda a: a[num_warmup:], zs)
        constrained = constrain_fn(bound, (), data, zs, return_deterministic=True, batch_ndims=1)
        return {k: constrained[k] for k in keep if k in constrained}, div[num_warmup:]

    def _tick(i):
        jax.debug.callback(bar, i)

    return jax.jit(jax.vmap(one_chain, in_axes=(0, None, None)))


def _initial_inverse_mass(potential: Callable, z0: Mapping[str, Any]) -> Any:
    """A diagonal inverse mass matrix for the first warm-up window, from the start's curvature.

    Until the first slow window ends, NUTS moves with the identity metric, and a
    coordinate the data pin down (the shared curvature of a task law, sd ~0.01, next to
    unit-scale standardised effects) forces a tiny step and trees of 1023 leapfrogs. The
    diagonal of the potential's Hessian at the start, clipped to [1, 1e6], shrinks only
    such tight coordinates (never widens one beyond the identity); warm-up adapts the
    metric from there as usual. Entries follow ``ravel_pytree``'s order of ``z0``.
    """
    flat, unravel = ravel_pytree(z0)
    curvature = jnp.diag(jax.hessian(lambda v: potential(unravel(v)))(flat))
    curvature = jnp.where(jnp.isfinite(curvature), curvature, 1.0)
    return 1.0 / jnp.clip(curvature, 1.0, 1e6)


def _latent_sites(bound: Callable, data: Mapping[str, Any]) -> tuple[dict, dict]:
    """Bijections to the supports and unconstrained shapes of the latent sites.

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
    proto = {
        name: jnp.zeros(bijections[name].inverse_shape(shapes[name].shape)) for name in supports
    }
    return bijections, proto


def _progress_bar(total: int) -> Callable[[Any], None]:
    from tqdm.auto import tqdm

    state: dict[str, Any] = {}

    def update(i: Any) -> None:
        step = int(np.max(np.asarray(i)))
        if step == 0 or "bar" not in state:
            state["bar"] = tqdm(total=total, desc="NUTS", leave=False)
        state["bar"].n = step
        state["bar"].refresh()
        if step >= total - max(total // 50, 1):
            state["bar"].close()

    return update


def run_nuts(
    model: Callable[..., None],
    *,
    num_chains: int,
    num_warmup: int,
    num_samples: int,
    seed: int,
    progress: bool | None,
    target_accept: float,
    keep: Sequence[str],
    dims: Mapping[str, tuple[tuple[str, Sequence[Any]], ...]],
    static: Mapping[str, Any],
    data: Mapping[str, Any],
    init: Mapping[str, Any] | None = None,
    curvature_metric: bool = False,
) -> Posterior:
    """Run NUTS with vectorised chains and return the ``keep`` sites as a Posterior.

    ``static`` (sizes, flags) is bound to the model; ``data`` (a dict of arrays) is
    traced. Chain ``c`` starts at ``init`` (constrained values of some sites; other
    sites at 0 in unconstrained space) plus uniform jitter of half-width
    :data:`INIT_RADIUS` in unconstrained space. With ``curvature_metric`` the first
    warm-up window starts from :func:`_initial_inverse_mass` instead of the identity
    (worth it for models with a few data-pinned coordinates; it costs a Hessian and
    slowed the coverage fits, so it is opt-in).
    """
    check_mcmc_args(num_chains, num_warmup, num_samples, seed)
    if not 0.5 <= float(target_accept) < 1.0:
        raise ValueError(f"target_accept={target_accept!r} must lie in [0.5, 1), e.g. 0.9.")
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    arrays = jax.tree.map(jnp.asarray, dict(data))
    start = {k: jnp.asarray(v, dtype=float) for k, v in (init or {}).items()}
    key = (
        model,
        tuple(sorted(static.items())),
        (_shape_key(arrays), _shape_key(start)),
        int(num_chains),
        int(num_warmup),
        int(num_samples),
        float(target_accept),
        tuple(keep),
        bool(progress),
        bool(curvature_metric),
    )
    with _LOCK:
        runner = _CACHE.get(key)
        if runner is None:
            runner = _build(key, arrays, start)
            _CACHE[key] = runner
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
    keys = random.split(random.PRNGKey(int(seed)), int(num_chains))
    samples, div = runner(keys, arrays, start)
    samples = {k: np.asarray(v) for k, v in samples.items()}
    return Posterior(samples, np.asarray(div).astype(bool), dims)
