"""A second fit of new data of the same size bucket must not recompile anything."""

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.engine import bucket, trace_count


def _data(seed, n=20):
    rng = np.random.default_rng(seed)
    c = np.logspace(18, 22, n)
    loss = (1.7 + 300 * c ** -0.15) * np.exp(0.01 * rng.standard_normal(n))
    return pd.DataFrame({"C": c, "loss": loss})


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")  # short chains
def test_second_fit_same_bucket_does_not_retrace():
    kw = dict(x="C", y="loss", num_chains=2, num_warmup=150, num_samples=150, progress=False)
    bs.fit(_data(0), "saturating_power", **kw)
    before = trace_count()
    second = bs.fit(_data(1, n=21), "saturating_power", seed=3, **kw)
    assert bucket(20) == bucket(21)
    assert trace_count() == before
    assert second.num_draws == 300


def test_bucket_sizes_grow_geometrically():
    sizes = [bucket(n) for n in (1, 16, 17, 100, 240, 1000)]
    assert sizes == sorted(sizes)
    assert all(b >= n for b, n in zip(sizes, (1, 16, 17, 100, 240, 1000), strict=True))
    assert bucket(240) <= 1.42 * 240


@pytest.mark.parametrize("priors", [
    {},
    {"E": bs.Prior("Gamma", 2.0, 1.0), "A": bs.Prior("HalfCauchy", 300.0),
     "alpha": bs.Prior("Gamma", 3.0, 10.0), "sigma": bs.Prior("Exponential", 20.0)},
    {"E": bs.Prior("Uniform", 0.5, 3.0), "A": bs.Prior("LogNormal", 5.0, 2.0),
     "alpha": bs.Prior("TruncatedNormal", 0.3, 0.2, 0.0, 2.0),
     "sigma": bs.Prior("HalfNormal", 0.1)},
])
def test_numpy_twins_of_unpack_and_pack(priors):
    """Starts and posteriors are mapped with NumPy; they must agree with the JAX maps."""
    import jax
    import jax.numpy as jnp

    from bayescale.engine._data import pad
    from bayescale.engine._fit import _starts, prepare
    from bayescale.priors import median, to_distribution

    frame = _data(0)
    space, ds = prepare(frame, "saturating_power", x="C", y="loss", likelihood="normal",
                        priors=priors)
    stats = pad(ds)["stats"]
    theta = np.random.default_rng(0).normal(size=(50, space.dim))
    ref = jax.vmap(lambda t: space.unpack(t, stats)[0])(jnp.asarray(theta))
    nat = space.natural(theta, stats)
    for k in space.names:
        np.testing.assert_allclose(nat[k], np.asarray(ref[k]), rtol=1e-12, atol=1e-300)
    row = {k: float(v[3]) for k, v in nat.items()}
    np.testing.assert_allclose(space.pack(row, stats), theta[3], rtol=1e-9, atol=1e-9)
    # exact prior medians
    for p, (fam, args, _) in zip(space.params, space.prior_specs(stats), strict=True):
        prior = space.prior_for(p, stats)
        assert fam == prior.family
        draws = np.asarray(to_distribution(prior).sample(jax.random.PRNGKey(1), (20000,)))
        assert abs(np.mean(draws <= median(fam, args)) - 0.5) < 0.02, (p.name, fam)
    starts = _starts(space, ds, stats, np.random.default_rng(0), 6)
    assert starts.shape == (6, space.dim) and np.all(np.isfinite(starts))


def test_prior_medians_of_every_family():
    import jax

    from bayescale.priors import FAMILIES, median, to_distribution

    args = {"Normal": (1.0, 2.0), "LogNormal": (0.3, 1.0), "HalfNormal": (0.5,),
            "HalfCauchy": (2.0,), "Exponential": (3.0,), "Gamma": (2.0, 0.1),
            "Beta": (2.0, 4.0), "Uniform": (0.0, 3.0), "StudentT": (3.0, 1.0, 2.0),
            "TruncatedNormal": (0.0, 1.0, 0.5, 3.0)}
    assert set(args) == set(FAMILIES)
    for fam, a in args.items():
        draws = np.asarray(to_distribution(bs.Prior(fam, *a)).sample(jax.random.PRNGKey(0),
                                                                      (20000,)))
        assert abs(np.mean(draws <= median(fam, a)) - 0.5) < 0.015, fam


def test_diagnostics_equal_arviz():
    import arviz as az

    from bayescale.result._diagnostics import convergence

    rng = np.random.default_rng(0)
    post = {"a": rng.standard_normal((4, 300)).cumsum(axis=1),
            "b": rng.standard_normal((4, 300))}
    dt = az.from_dict({"posterior": post})
    rhat, bulk, tail = az.rhat(dt), az.ess(dt, method="bulk"), az.ess(dt, method="tail")
    conv = convergence(post)
    for k in post:
        assert conv[k]["r_hat"] == float(rhat[k].values)
        assert conv[k]["ess_bulk"] == float(bulk[k].values)
        assert conv[k]["ess_tail"] == float(tail[k].values)
