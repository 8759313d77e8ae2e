"""Leave-future-out splits: where they cut."""

import numpy as np

from bayescale.engine._lfo import split_cuts


def test_cuts_span_the_log_range_of_a_dense_grid():
    s = np.log10(np.arange(1, 101))            # k = 1 ... 100: dense at large k
    cuts = split_cuts(s, min_train=4)
    assert cuts == sorted(cuts) and len(cuts) == len(set(cuts))
    assert min(cuts) < 0.8                      # a split forecasts > 1.2 decades ahead
    assert all(np.sum(s <= c) >= 4 for c in cuts) and max(cuts) < s.max()


def test_cuts_need_enough_training_points():
    s = np.array([0.0, 0.1, 0.2, 3.0, 3.1])
    assert split_cuts(s, min_train=4) == []
    assert split_cuts(s, min_train=3) == [0.2]


def test_forecast_noise_drawn_with_numpy_matches_the_likelihood(monkeypatch):
    """The split forecasts' NumPy noise has the law's predictive median and spread."""
    import bayescale as bs
    from bayescale.data import as_dataset
    from bayescale.engine import _lfo
    from bayescale.engine._data import make_stats
    from bayescale.engine._draws import predictive_draws
    from bayescale.engine._space import make_space

    monkeypatch.setattr(_lfo, "_DRAWS", 40_000)
    data = bs.datasets.example("saturating")
    law = bs.laws.get("saturating_power")
    for name in ("student_t_log", "normal_log", "normal"):
        lik = bs.likelihoods.get(name)
        ds = as_dataset(data, law.inputs, x="C", y="loss", positive_y=True, min_points=4)
        space = make_space(law, lik, None)
        stats = make_stats(ds)
        rng = np.random.default_rng(0)
        mode = 0.1 * rng.standard_normal(space.dim)
        cov = 1e-3 * np.eye(space.dim)
        train = np.arange(ds.y.size) < ds.y.size // 2
        med, var = _lfo._forecast(space, ds, train, stats, mode, cov, rng)
        # the reference: JAX's sampler of the likelihood, same parameter distribution
        z = mode + rng.standard_normal((40_000, space.dim)) @ np.linalg.cholesky(cov).T
        y = predictive_draws(law, lik, space.natural(z, stats), ds.x, 1)[:, ~train]
        with np.errstate(divide="ignore", over="ignore"):
            ref = np.log(y) if lik.log_scale else y
        ref = ref[np.all(np.isfinite(ref), axis=1)]       # as _forecast's JAX path did
        ref_med = np.median(ref, axis=0)
        ref_mad = 1.4826 * np.median(np.abs(ref - ref_med), axis=0)
        np.testing.assert_allclose(med, ref_med, atol=0.03 * ref_mad.max())
        np.testing.assert_allclose(np.sqrt(var), ref_mad, rtol=0.04)
