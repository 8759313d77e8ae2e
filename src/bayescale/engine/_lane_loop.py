"""The loop of the lanes sampler: a queue of chains over a fixed number of lanes.

:mod:`bayescale.engine._lanes` defines one chain's state machine (one leapfrog step per
turn, its transition when a tree ends); this module runs many of them: every turn
advances all lanes, records the draws of the lanes whose tree ended, closes the
adaptation windows of the lanes that reach one, and gives each finished lane the next
chain of the queue. Once the queue is empty the live chains are moved into fewer lanes,
so that the run's tail, when only the longest chains are left, costs what they do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

__all__ = ["LoopShape", "Out", "build_runner"]

_CLOSE_GROUP = 4  # lanes whose adaptation windows close are processed this many at a time
# the tail runs on 1/4 and 1/16 of the lanes (at least 8), in runs of >= 128 lanes (each
# phase is another copy of the loop to compile: ~2 s, more than a small run's tail costs)
_PHASES, _MIN_LANES, _TAIL_FROM = 3, 8, 128


class Out(NamedTuple):
    """Per-draw outputs of one chain."""

    z: Any
    diverging: Any
    num_steps: Any
    accept_prob: Any


class LoopShape(NamedTuple):
    """Iterations per chain (warm-up + draws), draws kept, dimension, lanes."""

    total: int
    num_samples: int
    dim: int
    num_lanes: int


def tail_sizes(n_lanes: int) -> list[int]:
    """Lane counts of the run's phases: all lanes, then a quarter, then a sixteenth."""
    sizes = [n_lanes]
    while (n_lanes >= _TAIL_FROM and len(sizes) < _PHASES
           and sizes[-1] // 4 >= _MIN_LANES):
        sizes.append(sizes[-1] // 4)
    return sizes


def build_runner(jobs_init: Callable, lanes_step: Callable, lanes_window_end: Callable,
                 shape: LoopShape) -> Callable:
    """``run(keys, z0, inv_mass0, data, stream_key)`` over lanes of the given functions.

    ``jobs_init``, ``lanes_step`` and ``lanes_window_end`` are the lane functions of
    :func:`bayescale.engine._lanes.build_lanes`, vectorised over lanes.
    """
    total, s, dim, num_lanes = shape

    def run(keys, z0, inv_mass0, data, stream_key):
        n_jobs = z0.shape[0]
        n_lanes = min(num_lanes, n_jobs)
        n_curves = jax.tree_util.tree_leaves(data)[0].shape[0]
        curve_of_job = jnp.arange(n_jobs) // (n_jobs // n_curves)  # curve-major jobs

        def job_data(jobs):
            rows = curve_of_job[jnp.minimum(jobs, n_jobs - 1)]
            return jax.tree_util.tree_map(lambda a: a[rows], data)

        starts, noise = jobs_init(keys, z0, inv_mass0, job_data(jnp.arange(n_jobs)))
        lanes = jax.tree_util.tree_map(lambda a: a[:n_lanes], starts)
        out = Out(jnp.zeros((n_jobs, s, dim)), jnp.zeros((n_jobs, s), bool),
                  jnp.zeros((n_jobs, s), jnp.int32), jnp.zeros((n_jobs, s)))
        out_step = jnp.zeros(n_jobs)

        def refill(args):
            lanes, job, queued, done = args
            order = jnp.cumsum(done) - 1
            new_job = queued + order
            take = done & (new_job < n_jobs)
            fresh = jax.tree_util.tree_map(lambda a: a[jnp.minimum(new_job, n_jobs - 1)],
                                           starts)
            lanes = jax.tree_util.tree_map(
                lambda a, b: jnp.where(take.reshape((-1,) + (1,) * (a.ndim - 1)), a, b),
                fresh, lanes)
            job = jnp.where(done, jnp.where(take, new_job, n_jobs), job)
            return lanes, job, queued + jnp.sum(done), done

        def close_windows(lanes, closing, noise_row):
            """Window ends for the closing lanes only, a few at a time.

            A window end factorises the lane's new metric; done for every lane on each
            turn where any lane closes a window, it cost as much as all other turns.
            """
            n_l = closing.shape[0]

            def one_group(args):
                lanes, closing = args
                idx = jnp.nonzero(closing, size=_CLOSE_GROUP, fill_value=n_l)[0]
                rows = jnp.minimum(idx, n_l - 1)
                sub = jax.tree_util.tree_map(lambda a: a[rows], lanes)
                new = lanes_window_end(sub, idx < n_l, noise_row[rows])
                lanes = jax.tree_util.tree_map(lambda a, b: a.at[idx].set(b, mode="drop"),
                                               lanes, new)
                return lanes, closing.at[idx].set(False, mode="drop")

            return lax.while_loop(lambda a: jnp.any(a[1]), one_group, (lanes, closing))[0]

        def body(carry):
            lanes, job, queued, out, out_step, turn = carry
            bits = jax.random.bits(jax.random.fold_in(stream_key, turn), (job.shape[0], 2),
                                   jnp.uint32)
            noise_row = noise[jnp.minimum(job, n_jobs - 1), jnp.minimum(lanes.it + 1, total)]
            lanes, (slot, rec, step), closing = lanes_step(lanes, noise_row, bits,
                                                           job_data(job))
            row = jnp.where(job < n_jobs, job, n_jobs)
            out = Out(*(o.at[row, slot].set(v, mode="drop")
                        for o, v in zip(out, rec, strict=True)))
            out_step = out_step.at[jnp.where(slot == 0, row, n_jobs)].set(step, mode="drop")
            lanes = close_windows(lanes, closing, noise_row)
            done = (lanes.it >= total) & (job < n_jobs)
            lanes, job, queued, _ = lax.cond(jnp.any(done), refill, lambda a: a,
                                             (lanes, job, queued, done))
            return lanes, job, queued, out, out_step, turn + 1

        carry = (lanes, jnp.arange(n_lanes), jnp.asarray(n_lanes), out, out_step,
                 jnp.asarray(0))
        # the run's tail: once the queue is empty, lanes go idle as their chains finish
        # while the longest chains go on; the live lanes are moved into fewer lanes (a
        # quarter, twice), so that a turn of the tail costs what its live lanes do
        for keep in [*tail_sizes(n_lanes)[1:], 0]:
            carry = lax.while_loop(lambda c, keep=keep: jnp.sum(c[1] < n_jobs) > keep,
                                   body, carry)
            if keep:
                lanes, job, *rest = carry
                live_first = jnp.argsort(job >= n_jobs, stable=True)[:keep]
                carry = (jax.tree_util.tree_map(lambda a, i=live_first: a[i], lanes),
                         job[live_first], *rest)
        _, _, _, out, out_step, turns = carry
        return out.z, out.diverging, out.num_steps, out.accept_prob, out_step, turns

    return run
