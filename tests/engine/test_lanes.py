"""The lanes NUTS sampler: exact moments on Gaussian targets, NumPyro-like behaviour."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from numpyro.infer.hmc import hmc

import bayescale  # noqa: F401  (float64)
from bayescale.engine._lanes import LaneSettings, build_lanes

DIM, CURVES, CHAINS = 3, 8, 4


def _targets(seed=0):
    rng = np.random.default_rng(seed)
    mus = rng.normal(size=(CURVES, DIM)) * 3
    a = rng.normal(size=(CURVES, DIM, DIM))
    covs = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(DIM)
    covs[:, 0, :] *= 10  # one direction ten times wider, correlated with the others
    covs[:, :, 0] *= 10
    return mus, covs


def _potential_of(data):
    return lambda z: 0.5 * (z - data["mu"]) @ data["prec"] @ (z - data["mu"])


def _run(dense=True, warmup=400, samples=800, lanes=8, seed=0):
    mus, covs = _targets()
    data = {"mu": jnp.asarray(mus), "prec": jnp.asarray(np.linalg.inv(covs))}
    run = jax.jit(build_lanes(_potential_of, LaneSettings(warmup, samples, 0.8, 10, dense),
                              DIM, lanes))
    jobs = CURVES * CHAINS
    keys = jax.random.split(jax.random.PRNGKey(seed), jobs)
    z0 = jnp.asarray(np.repeat(mus, CHAINS, axis=0) + 4.0)  # start away from the mode
    inv0 = jnp.tile(jnp.eye(DIM), (jobs, 1, 1)) if dense else jnp.ones((jobs, DIM))
    out = run(keys, z0, inv0, data, jax.random.PRNGKey(seed + 1))
    z, div, steps, acc, step, turns = (np.asarray(a) for a in out)
    return mus, covs, z.reshape(CURVES, CHAINS * samples, DIM), div, steps, acc, step, turns


@pytest.fixture(scope="module")
def dense():
    return _run()


def test_moments_match_the_target(dense):
    mus, covs, z, div, _steps, _acc, step, _turns = dense
    assert z.shape == (CURVES, CHAINS * 800, DIM) and not div.any()
    sd = np.sqrt(np.diagonal(covs, axis1=1, axis2=2))
    standard = (z - mus[:, None]) / sd[:, None]
    # 3,200 draws per curve with ESS of the same order: mean error ~ 1/sqrt(ESS)
    assert np.abs(standard.mean(axis=1)).max() < 0.15
    ratio = z.std(axis=1) / sd
    assert 0.9 < ratio.min() and ratio.max() < 1.1
    corr = np.array([np.corrcoef(z[i].T) for i in range(CURVES)])
    true = covs / (sd[:, :, None] * sd[:, None, :])
    assert np.abs(corr - true).max() < 0.08
    assert (step > 0).all() and step.shape == (CURVES * CHAINS,)


def test_lanes_take_up_chains_as_others_finish(dense):
    *_, steps, _acc, _step, turns = dense
    per_chain = steps.sum(axis=1)  # leapfrog steps of each chain's sampling phase
    # eight lanes for 32 chains: the run lasts about a quarter of the total work
    assert turns > per_chain.max()
    assert turns < 0.6 * (per_chain.sum() * 1.5)


def test_behaves_like_numpyro_nuts(dense):
    mus, covs, _z, _div, steps, acc, _step, _turns = dense
    data = {"mu": jnp.asarray(mus), "prec": jnp.asarray(np.linalg.inv(covs))}

    def chain(key, z0, dat):
        init, sample = hmc(potential_fn_gen=_potential_of, algo="NUTS")
        st = init(z0, 400, step_size=0.5, inverse_mass_matrix=jnp.eye(DIM), dense_mass=True,
                  target_accept_prob=0.8, model_args=(dat,), rng_key=key)
        st = lax.fori_loop(0, 400, lambda i, s: sample(s, model_args=(dat,)), st)

        def draw(s, _):
            s = sample(s, model_args=(dat,))
            return s, (s.num_steps, s.accept_prob)
        return lax.scan(draw, st, None, 800)[1]

    keys = jax.random.split(jax.random.PRNGKey(3), CURVES)
    n_steps, accept = jax.jit(jax.vmap(chain))(keys, jnp.asarray(mus + 4.0), data)
    assert abs(steps.mean() / float(n_steps.mean()) - 1) < 0.15
    assert abs(acc.mean() - float(accept.mean())) < 0.05


def test_diagonal_mass_and_no_warmup():
    mus, covs, z, _div, *_ = _run(dense=False, warmup=300, samples=400)
    sd = np.sqrt(np.diagonal(covs, axis1=1, axis2=2))
    assert np.abs(((z - mus[:, None]) / sd[:, None]).mean(axis=1)).max() < 0.25
    out = _run(warmup=0, samples=50, lanes=32)
    assert out[2].shape == (CURVES, CHAINS * 50, DIM) and np.isfinite(out[2]).all()


def test_tail_on_fewer_lanes_keeps_every_chain(monkeypatch):
    """32 chains on 32 lanes, the tail moved to 8, then 2 lanes: same target moments."""
    from bayescale.engine import _lane_loop

    monkeypatch.setattr(_lane_loop, "_TAIL_FROM", 8)
    monkeypatch.setattr(_lane_loop, "_MIN_LANES", 2)
    mus, covs, z, div, steps, _acc, step, turns = _run(lanes=32, seed=3)
    per_chain = steps.sum(axis=1)
    assert turns >= per_chain.max() and not div.any() and (step > 0).all()
    assert np.all(steps > 0)  # every draw of every chain was recorded
    sd = np.sqrt(np.diagonal(covs, axis1=1, axis2=2))
    assert np.abs(((z - mus[:, None]) / sd[:, None]).mean(axis=1)).max() < 0.15
    ratio = z.std(axis=1) / sd
    assert 0.9 < ratio.min() and ratio.max() < 1.1
