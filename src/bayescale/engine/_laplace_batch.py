"""fit_many's ``"laplace"`` path for one batch, and the lanes call it falls back to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale.engine._convergence import rank_diagnostics
from bayescale.engine._diagnostics import ESS_PER_CHAIN, RHAT_MAX
from bayescale.engine._importance import K_MAX, psis_resample
from bayescale.engine._nuts import NutsSettings
from bayescale.engine._space import Space

__all__ = ["laplace_then_nuts", "run_lanes", "sampling_columns"]


@jax.jit
def _proposal_keys(seed: Any, indices: Any) -> Any:
    """Per-curve proposal keys, ``fold_in(fold_in(PRNGKey(seed), index), 1)``."""
    base = jax.random.PRNGKey(seed)
    return jax.vmap(lambda i: jax.random.fold_in(jax.random.fold_in(base, i), 1))(indices)


def run_lanes(nuts: Any, keys: np.ndarray, inits: np.ndarray, covs: np.ndarray,
               data: dict, stream_key: Any, c: int) -> tuple[np.ndarray, ...]:
    """The lanes sampler on (curve, chain) jobs, curve-major; outputs per (curve, chain)."""
    z, div, steps, acc, step_size, _turns = nuts(
        jnp.asarray(keys.reshape(-1, *keys.shape[2:])),
        jnp.asarray(inits.reshape(-1, inits.shape[-1])),
        jnp.asarray(np.repeat(covs, c, axis=0)), data, stream_key)
    n = len(inits)
    return tuple(np.asarray(a).reshape((n, c) + a.shape[1:])
                 for a in (z, div, steps, acc, step_size))


def _padded_rows(rows: np.ndarray, n_dev: int) -> np.ndarray:
    """Pad ``rows`` (repeating the last) to a power of two >= 4 and a multiple of ``n_dev``.

    Refits of a few curves then share a few compiled shapes.
    """
    target = max(4, 1 << int(np.ceil(np.log2(len(rows)))))
    target += -target % n_dev
    return np.concatenate([rows, np.repeat(rows[-1:], target - len(rows))])


def laplace_then_nuts(proposals: Any, nuts: Any, space: Space, data: dict,
                       mode: np.ndarray, covs: np.ndarray, bad: np.ndarray,
                       inits: np.ndarray, keys: np.ndarray, indices: Sequence[int],
                       seed: int, settings: NutsSettings, n_dev: int, stream: Any):
    """Laplace + PSIS for every curve; the lanes NUTS for those it cannot serve."""
    c, s = settings.num_chains, settings.num_samples
    n = len(mode)
    z_prop, log_ratio = proposals(_proposal_keys(seed, jnp.asarray(np.asarray(indices))),
                                  jnp.asarray(mode), jnp.asarray(covs), data)
    offsets = np.stack([np.random.default_rng([seed, i, 2]).random(c) for i in indices])
    z, khat, ess = psis_resample(np.asarray(z_prop), np.asarray(log_ratio), s, offsets)
    div = np.zeros((n, c, s), dtype=bool)
    steps = np.zeros((n, c, s), dtype=np.int64)
    acc = np.full((n, c, s), np.nan)
    step_size = np.full((n, c), np.nan)
    # the curves importance sampling cannot serve: a heavy weight tail, too few effective
    # draws, or replicates that disagree (judged as NUTS draws are, on each coordinate)
    r_hat, ess_bulk = rank_diagnostics(np.moveaxis(z, 3, 1).reshape(n * z.shape[3], c, s))
    r_hat = np.nanmax(r_hat.reshape(n, -1), axis=1, initial=-np.inf)
    ess_bulk = np.min(ess_bulk.reshape(n, -1), axis=1)
    need = ESS_PER_CHAIN * c
    refit = np.flatnonzero(bad | ~(khat <= K_MAX) | (ess < need) | ~(ess_bulk >= need)
                           | ~(r_hat <= RHAT_MAX))
    if refit.size:
        rows = _padded_rows(refit, n_dev)
        sub = jax.tree.map(lambda a: np.asarray(a)[rows], data)
        out = run_lanes(nuts, keys[rows], inits[rows], covs[rows], sub,
                         jax.random.fold_in(stream, 1), c)
        m = refit.size
        z_n, div_n, steps_n, acc_n, step_n = (a[:m] for a in out)
        z = np.array(z, copy=True)
        z[refit], div[refit], steps[refit] = z_n, div_n, steps_n
        acc[refit], step_size[refit] = acc_n, step_n
    method = np.full(n, "laplace-psis", dtype=object)
    method[refit] = "nuts"
    return z, div, steps, acc, step_size, {"method": method, "pareto_k": khat,
                                          "ess_is": ess}


def sampling_columns(sampling: dict | None, n_real: int) -> dict[str, np.ndarray] | None:
    return None if sampling is None else {k: v[:n_real] for k, v in sampling.items()}
