"""NUTS in lanes: every chain of every curve advances on its own, one leapfrog per step.

A ``vmap`` of NUTS runs its chains in lockstep: each iteration lasts as long as the
deepest tree in the batch, so on a thousand curves most chains spend most of their time
waiting. Here each chain is a *lane*, a small state machine that builds its NUTS tree one
leapfrog step at a time; a single loop advances all lanes by one leapfrog per turn, and a
lane whose tree is finished takes its transition (multinomial proposal, step-size and
mass-matrix adaptation, a new momentum) in the same turn and starts its next tree. Lanes
never wait for one another: the run lasts as long as the longest *chain*, not the sum of
the deepest trees.

The sampler is the multinomial NUTS of Betancourt (2017) with the iterative U-turn
checks of NumPyro (Phan et al. 2019): the same tree building, biased progressive sampling
between subtrees, uniform progressive sampling within them, generalised U-turn criterion
with checkpoints, divergence at an energy error of 1000, and Stan's windowed warm-up
(dual averaging of the step size; Welford (co)variance of the slow windows, regularised
as in Stan). NumPyro's own pieces are reused where they are per-chain functions
(``dual_averaging``, ``welford_covariance``, ``build_adaptation_schedule``,
``find_reasonable_step_size``). One difference from NumPyro: when a slow window ends, the
step size is not searched again; dual averaging restarts from ten times the current step
size, which the first iterations of the next window correct.

This module is one chain's state machine; the loop that runs a queue of chains over the
lanes is :mod:`bayescale.engine._lane_loop`.

Random numbers: each lane draws its momenta from its own key; the uniforms of the
progressive sampling come from one stream per loop turn, so the draws depend on the batch
a curve is fitted in (the posterior does not).
"""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer.hmc_util import (
    build_adaptation_schedule,
    dual_averaging,
    find_reasonable_step_size,
    velocity_verlet,
    welford_covariance,
)

from bayescale.engine._lane_loop import LoopShape, Out, build_runner
from bayescale.engine._trajectory import (
    ckpt_range,
    energy,
    is_turning,
    kinetic,
    momentum,
    select,
    sqrt_of_inverse,
    velocity,
)

__all__ = ["LaneSettings", "build_lanes"]

_MAX_DELTA_ENERGY = 1000.0


class LaneSettings(NamedTuple):
    """Static settings of a lanes run (part of the compilation key)."""

    num_warmup: int
    num_samples: int
    target_accept_prob: float
    max_tree_depth: int
    dense_mass: bool


class _Lane(NamedTuple):
    """The state of one chain (all fields gain a leading lane axis when batched)."""

    it: Any                # iterations completed
    z: Any                 # current draw, its potential energy and gradient
    pe: Any
    grad: Any
    # the trajectory being built: its two ends, proposal, weight, momentum sum
    z_l: Any
    r_l: Any
    v_l: Any               # velocities M^-1 r of the end momenta
    g_l: Any
    z_r: Any
    r_r: Any
    v_r: Any
    g_r: Any
    z_p: Any
    pe_p: Any
    g_p: Any
    log_w: Any
    r_sum: Any
    depth: Any
    energy0: Any
    sum_acc: Any
    n_prop: Any
    # the subtree being built (2 ** depth leaves)
    right: Any
    s_n: Any
    s_z: Any
    s_pe: Any
    s_g: Any
    s_log_w: Any
    s_r_sum: Any
    s_acc: Any
    ck_r: Any
    ck_v: Any
    ck_r_sum: Any
    # adaptation
    step_size: Any
    inv_mass: Any
    mass_sqrt: Any
    ss_state: Any
    mm_state: Any
    window: Any


_TREE_FIELDS = ("z_l", "r_l", "v_l", "g_l", "z_r", "r_r", "v_r", "g_r", "z_p", "pe_p",
                "g_p", "log_w", "r_sum", "depth", "energy0", "sum_acc", "n_prop", "right",
                "s_n")
_ADAPT_FIELDS = ("step_size", "ss_state", "mm_state", "window")


def build_lanes(potential_of: Any, settings: LaneSettings, dim: int,
                num_lanes: int = 256):
    """Build ``run(keys, z0, inv_mass0, data, stream_key)``: NUTS for many chains.

    Parameters
    ----------
    potential_of : callable
        ``data -> (theta -> potential energy)`` for one curve's data.
    settings : LaneSettings
        Warm-up and sampling lengths and NUTS settings.
    dim : int
        Number of sampled coordinates.
    num_lanes : int
        Chains advanced at once; a lane whose chain is finished takes the next one.

    Returns
    -------
    callable
        ``run(keys (J, 2), z0 (J, dim), inv_mass0 (J, dim, dim) or (J, dim), data
        (leading axis: curves), stream_key)`` for J jobs, the chains of each curve in
        turn (curve-major), returning ``(z (J, S, dim), diverging (J, S), num_steps (J,
        S), accept_prob (J, S), step_size (J,), turns)``.
    """
    w, s, depth_max = settings.num_warmup, settings.num_samples, settings.max_tree_depth
    total = w + s
    target = settings.target_accept_prob
    ss_init, ss_update = dual_averaging()
    mm_init, mm_update, mm_final = welford_covariance(diagonal=not settings.dense_mass)
    schedule = jnp.asarray(np.asarray(build_adaptation_schedule(w) if w else [(0, 0)],
                                      dtype=np.int64))
    n_windows = schedule.shape[0]

    def new_tree(lane: _Lane, eps: Any, right: Any) -> _Lane:
        r = momentum(lane.mass_sqrt, eps)
        v = velocity(lane.inv_mass, r)
        return lane._replace(
            z_l=lane.z, r_l=r, v_l=v, g_l=lane.grad, z_r=lane.z, r_r=r, v_r=v, g_r=lane.grad,
            z_p=lane.z, pe_p=lane.pe, g_p=lane.grad, log_w=jnp.zeros_like(lane.log_w),
            r_sum=r, depth=jnp.zeros_like(lane.depth),
            energy0=lane.pe + energy(r, v),
            sum_acc=jnp.zeros_like(lane.sum_acc), n_prop=jnp.zeros_like(lane.n_prop),
            right=right, s_n=jnp.zeros_like(lane.s_n))

    def init_lane(key, z0, inv_mass, data):
        pot = potential_of(data)
        pe, grad = jax.value_and_grad(pot)(z0)
        mass_sqrt = sqrt_of_inverse(inv_mass)
        k_step, k_mom, k_dir = jax.random.split(key, 3)
        step_size = jnp.asarray(0.5)
        if w:
            vv_init, _ = velocity_verlet(pot, kinetic)
            step_size = find_reasonable_step_size(
                pot, kinetic,
                lambda _z, _m, k: momentum(mass_sqrt, jax.random.normal(k, (dim,))),
                step_size, inv_mass,
                vv_init(z0, jnp.zeros_like(z0), potential_energy=pe, z_grad=grad), k_step)
        zero, scalar = jnp.zeros(dim), jnp.asarray(0.0)
        lane = _Lane(
            it=jnp.asarray(0), z=z0, pe=pe, grad=grad,
            z_l=z0, r_l=zero, v_l=zero, g_l=grad, z_r=z0, r_r=zero, v_r=zero, g_r=grad,
            z_p=z0, pe_p=pe, g_p=grad, log_w=scalar, r_sum=zero, depth=jnp.asarray(0),
            energy0=pe, sum_acc=scalar, n_prop=jnp.asarray(0), right=jnp.asarray(True),
            s_n=jnp.asarray(0), s_z=z0, s_pe=pe, s_g=grad, s_log_w=scalar, s_r_sum=zero,
            s_acc=scalar, ck_r=jnp.zeros((depth_max, dim)), ck_v=jnp.zeros((depth_max, dim)),
            ck_r_sum=jnp.zeros((depth_max, dim)), step_size=step_size, inv_mass=inv_mass,
            mass_sqrt=mass_sqrt, ss_state=ss_init(jnp.log(10.0) + jnp.log(step_size)),
            mm_state=mm_init(dim), window=jnp.asarray(0))
        noise = jax.random.normal(k_mom, (total + 1, dim))
        return new_tree(lane, noise[0], jax.random.bernoulli(k_dir)), noise

    def adapt(lane: _Lane, t: Any, accept_prob: Any) -> tuple[_Lane, Any]:
        """One warm-up update at iteration ``t`` (NumPyro's ``warmup_adapter``)."""
        ss_state = ss_update(target - accept_prob, lane.ss_state)
        step = jnp.exp(jnp.where(t == w - 1, ss_state[1], ss_state[0]))
        finfo = jnp.finfo(step.dtype)
        step = jnp.clip(step, finfo.tiny, finfo.max)
        middle = (lane.window > 0) & (lane.window < n_windows - 1)
        mm_state = jax.tree_util.tree_map(partial(jnp.where, middle),
                                          mm_update(lane.z, lane.mm_state), lane.mm_state)
        at_end = t == schedule[jnp.minimum(lane.window, n_windows - 1), 1]
        return lane._replace(ss_state=ss_state, step_size=step, mm_state=mm_state,
                             window=lane.window + at_end), at_end & middle

    def window_end(lane: _Lane, flag: Any, noise_row: Any) -> _Lane:
        """Close a slow window: the mass matrix from its draws; restart dual averaging.

        The lane's next trajectory has just begun with the old metric; it is begun again
        (same normal draws, same direction) with the new one.
        """
        cov = mm_final(lane.mm_state, regularize=True)[0]
        new = lane._replace(
            inv_mass=cov, mass_sqrt=sqrt_of_inverse(cov), mm_state=mm_init(dim),
            ss_state=ss_init(jnp.log(10.0) + jnp.log(lane.step_size)))
        new = new_tree(new, noise_row, lane.right)
        return select(flag, new, lane,
                       ("inv_mass", "mass_sqrt", "mm_state", "ss_state", *_TREE_FIELDS))

    def step_lane(lane: _Lane, noise_row: Any, bits: Any, data: Any):
        """Advance one lane by one leapfrog step (and its transition if its tree ends).

        Returns the lane, what to record (output slot, or ``num_samples`` for nothing,
        and the draw's values) and whether a slow adaptation window closed.
        """
        pot = potential_of(data)
        u_leaf = bits[0].astype(jnp.float64) * 2.0**-32
        u_merge = (bits[1] >> 1).astype(jnp.float64) * 2.0**-31
        coin = (bits[1] & 1) == 1
        right = lane.right
        eps = jnp.where(right, lane.step_size, -lane.step_size)
        z0 = jnp.where(right, lane.z_r, lane.z_l)
        r0 = jnp.where(right, lane.r_r, lane.r_l)
        g0 = jnp.where(right, lane.g_r, lane.g_l)
        # one leapfrog step
        r_half = r0 - 0.5 * eps * g0
        z1 = z0 + eps * velocity(lane.inv_mass, r_half)
        pe1, g1 = jax.value_and_grad(pot)(z1)
        r1 = r_half - 0.5 * eps * g1
        v1 = velocity(lane.inv_mass, r1)
        delta = pe1 + energy(r1, v1) - lane.energy0
        delta = jnp.where(jnp.isnan(delta), jnp.inf, delta)
        leaf_w = -delta
        diverging = delta > _MAX_DELTA_ENERGY
        acc = jnp.minimum(jnp.exp(-delta), 1.0)
        # uniform progressive sampling inside the subtree
        first = lane.s_n == 0
        s_log_w = jnp.where(first, leaf_w, jnp.logaddexp(lane.s_log_w, leaf_w))
        take = first | (u_leaf < jnp.exp(leaf_w - s_log_w))
        s_z = jnp.where(take, z1, lane.s_z)
        s_pe = jnp.where(take, pe1, lane.s_pe)
        s_g = jnp.where(take, g1, lane.s_g)
        s_r_sum = jnp.where(first, r1, lane.s_r_sum + r1)
        s_acc = jnp.where(first, acc, lane.s_acc + acc)
        # iterative U-turn checks against the checkpoints (NumPyro's scheme)
        idx_min, idx_max = ckpt_range(lane.s_n)
        rows = jnp.arange(depth_max)
        write = ((lane.s_n % 2) == 0) & (rows == idx_max)
        ck_r = jnp.where(write[:, None], r1, lane.ck_r)
        ck_v = jnp.where(write[:, None], v1, lane.ck_v)
        ck_r_sum = jnp.where(write[:, None], s_r_sum, lane.ck_r_sum)
        checks = is_turning(ck_v, v1, ck_r, r1, s_r_sum - ck_r_sum + ck_r)
        s_turn = jnp.any(checks & (rows >= idx_min) & (rows <= idx_max))
        # the trajectory's end in this direction moves to the new leaf
        z_l = jnp.where(right, lane.z_l, z1)
        r_l = jnp.where(right, lane.r_l, r1)
        v_l = jnp.where(right, lane.v_l, v1)
        g_l = jnp.where(right, lane.g_l, g1)
        z_r = jnp.where(right, z1, lane.z_r)
        r_r = jnp.where(right, r1, lane.r_r)
        v_r = jnp.where(right, v1, lane.v_r)
        g_r = jnp.where(right, g1, lane.g_r)
        s_n = lane.s_n + 1
        sub_done = (s_n == (1 << lane.depth)) | s_turn | diverging
        # biased progressive sampling between the trajectory and the finished subtree
        p_move = jnp.where(s_turn | diverging, 0.0,
                           jnp.minimum(jnp.exp(s_log_w - lane.log_w), 1.0))
        move = sub_done & (u_merge < p_move)
        z_p = jnp.where(move, s_z, lane.z_p)
        pe_p = jnp.where(move, s_pe, lane.pe_p)
        g_p = jnp.where(move, s_g, lane.g_p)
        log_w = jnp.where(sub_done, jnp.logaddexp(lane.log_w, s_log_w), lane.log_w)
        r_sum = jnp.where(sub_done, lane.r_sum + s_r_sum, lane.r_sum)
        depth = lane.depth + sub_done
        sum_acc = lane.sum_acc + jnp.where(sub_done, s_acc, 0.0)
        n_prop = lane.n_prop + jnp.where(sub_done, s_n, 0)
        turning = s_turn | is_turning(v_l, v_r, r_l, r_r, r_sum)
        tree_done = sub_done & (turning | diverging | (depth >= depth_max))
        t = lane.it
        lane = lane._replace(
            z_l=z_l, r_l=r_l, v_l=v_l, g_l=g_l, z_r=z_r, r_r=r_r, v_r=v_r, g_r=g_r,
            z_p=z_p, pe_p=pe_p,
            g_p=g_p, log_w=log_w, r_sum=r_sum, depth=depth, sum_acc=sum_acc,
            n_prop=n_prop, right=jnp.where(sub_done, coin, right),
            s_n=jnp.where(sub_done, 0, s_n), s_z=s_z, s_pe=s_pe, s_g=s_g, s_log_w=s_log_w,
            s_r_sum=s_r_sum, s_acc=s_acc, ck_r=ck_r, ck_v=ck_v, ck_r_sum=ck_r_sum,
            z=jnp.where(tree_done, z_p, lane.z), pe=jnp.where(tree_done, pe_p, lane.pe),
            grad=jnp.where(tree_done, g_p, lane.grad), it=t + tree_done)
        # the transition, for lanes whose trajectory is complete
        accept_prob = sum_acc / jnp.maximum(n_prop, 1)
        slot = jnp.where(tree_done & (t >= w) & (t < total), t - w, s)
        closing = jnp.asarray(False)
        if w:
            adapted, closing = adapt(lane, t, accept_prob)
            warm = tree_done & (t < w)
            lane = select(warm, adapted, lane, _ADAPT_FIELDS)
            closing = warm & closing
        record = (slot, Out(lane.z, diverging, n_prop.astype(jnp.int32), accept_prob),
                  lane.step_size)
        fresh = new_tree(lane, noise_row, coin)  # the normals of iteration t + 1
        return select(tree_done, fresh, lane, _TREE_FIELDS), record, closing

    jobs_init = jax.vmap(init_lane)
    lanes_step = jax.vmap(step_lane)
    lanes_window_end = jax.vmap(window_end)

    return build_runner(jobs_init, lanes_step, lanes_window_end, LoopShape(
        total, s, dim, num_lanes))
