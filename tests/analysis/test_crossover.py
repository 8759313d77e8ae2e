"""Crossover probabilities and locations: exact point posteriors, simulated pairs, joint
fits, compute-optimal paths and the real Pythia 2.8B / 6.9B coverage crossing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

import bayescale as bs
from bayescale.analysis import CrossoverResult, crossover, fit_joint
from bayescale.data import Dataset
from bayescale.likelihoods import get as get_lik

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
FIT = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "progress": False,
       "likelihood": "normal_log"}


def _point_fit(law, draws: dict[str, np.ndarray], x: dict[str, np.ndarray], y: np.ndarray):
    """A Fit whose posterior is given draws (no sampling): exact, fast checks."""
    n = len(next(iter(draws.values())))
    post = {k: np.asarray(v, float).reshape(1, n) for k, v in draws.items()}
    post["sigma"] = np.full((1, n), 0.01)
    ds = Dataset({k: np.asarray(v, float) for k, v in x.items()}, np.asarray(y, float),
                 tuple(x), "loss")
    stats = {"diverging": np.zeros((1, n), bool), "n_steps": np.ones((1, n), int),
             "acceptance_rate": np.ones((1, n)), "lp": np.zeros((1, n)),
             "energy": np.zeros((1, n)), "step_size": np.ones(1)}
    return bs.Fit(law=law, likelihood=get_lik("normal_log"), priors={}, dataset=ds,
                  posterior=post, sample_stats=stats, settings={})


def _power(amplitudes, alphas):
    law = bs.laws.get("power_law")
    x = np.array([1.0, 10.0, 100.0])
    return _point_fit(law, {"A": np.asarray(amplitudes), "alpha": np.asarray(alphas)},
                      {"x": x}, np.array([3.0, 2.0, 1.0]))


def _sat(e, a, alpha, seed, n=20, noise=0.01, lo=1.0, hi=1e4):
    rng = np.random.default_rng(seed)
    x = np.geomspace(lo, hi, n)
    y = (e + a * x**-alpha) * np.exp(noise * rng.standard_normal(n))
    return pd.DataFrame({"C": x, "loss": y})


# ---- exact checks on point posteriors ---------------------------------------------------
def test_location_interpolates_the_exact_crossing():
    # A = 2 x^-0.5, B = 1 x^-0.3 cross at x* = 2^(1/0.2) = 32
    res = crossover(_power([2.0], [0.5]), _power([1.0], [0.3]), over=("x", 1, 1e4),
                    num_points=50)
    loc = res.location()
    assert res.prob_cross == 1.0
    assert loc.median == pytest.approx(32.0, rel=2e-2)
    assert res.prob_better([2.0, 1e3]).tolist() == [0.0, 1.0]     # B lower first, A later
    assert res.winner_at(1e3) == ("A", 1.0)
    assert res.winner_at(2.0).label == "B"
    gap = res.gap([32.0, 1e4])
    assert list(gap.columns) == ["x", "median", "lower", "upper", "prob_better"]
    assert abs(gap["median"].iloc[0]) < 1e-2
    assert gap["median"].iloc[1] == pytest.approx(2e-2 - 1e4**-0.3, rel=1e-2)
    # numbers print by the one formatter (bayescale._format): 1e4, not 1e+04
    assert "over x in [1, 1e4]: P(cross) = 1, first crossing 3" in repr(res)
    summ = res.summary()
    assert summ["winner_at_1"] == "B (1)" and summ["winner_at_1e4"] == "A (1)"
    assert "<td>winner_at_1e4</td><td>A (1)</td>" in res._repr_html_()


def test_prob_cross_counts_draws_and_location_uses_crossing_draws_only():
    # two draws of A: one crosses B (at x = 32), one is above B everywhere
    a = _power([2.0, 50.0], [0.5, 0.3])
    b = _power([1.0, 1.0], [0.3, 0.3])
    res = crossover(a, b, over=("x", 1, 1e4), num_points=80, seed=3)
    assert res.prob_cross == pytest.approx(0.5)
    assert res.location().median == pytest.approx(32.0, rel=3e-2)
    assert np.isnan(res.crossing_draws).sum() == 1
    none = crossover(b, b, over=("x", 1, 1e4))
    assert none.prob_cross == 0.0 and np.isnan(none.location().median)
    assert none.prob_better(10.0)[0] == 0.5                          # identical curves tie


def test_higher_is_better_flips_the_winner():
    a, b = _power([2.0], [0.5]), _power([1.0], [0.3])
    low = crossover(a, b, over=("x", 1, 1e4))
    high = crossover(a, b, over=("x", 1, 1e4), better="higher")
    assert np.allclose(low.prob_better([3, 300]), 1 - high.prob_better([3, 300]))
    assert high.location().median == pytest.approx(low.location().median)


def test_pairing_resamples_to_the_larger_draw_count_reproducibly():
    rng = np.random.default_rng(0)
    a = _power(rng.uniform(1.5, 2.5, 30), rng.uniform(0.45, 0.55, 30))
    b = _power(rng.uniform(0.8, 1.2, 70), rng.uniform(0.28, 0.32, 70))
    r1 = crossover(a, b, over=("x", 1, 1e4), seed=5)
    r2 = crossover(a, b, over=("x", 1, 1e4), seed=5)
    assert r1.draws["a"].shape == r1.draws["b"].shape == (70, 200)
    assert np.array_equal(r1.draws["a"], r2.draws["a"])
    assert r1.paired == "independent"
    # every draw of the smaller fit is used (shuffled, repeated), none invented
    used = {tuple(row) for row in np.round(r1.draws["a"][:, :3], 12)}
    assert len(used) == 30


def test_result_is_immutable_and_renders():
    res = crossover(_power([2.0], [0.5]), _power([1.0], [0.3]), over=("x", 1, 1e4),
                    labels=("small <lr>", "big"))
    with pytest.raises(AttributeError, match="immutable"):
        res.grid = None
    with pytest.raises(ValueError, match="read-only"):
        res.draws["a"][0, 0] = 1.0
    html = res._repr_html_()
    assert "small &lt;lr&gt;" in html and "<script" not in html
    s = res.summary()
    assert s["prob_cross"] == 1.0 and "location_lower_0.9" in s
    assert "P(cross) = 1," in repr(res)
    curves = res.curves()
    assert set(curves["curve"]) == {"small <lr>", "big"} and len(curves) == 400


def test_widget_delegates_to_crossover_widget(monkeypatch):
    import bayescale.widgets as w

    class Fake:
        @classmethod
        def from_result(cls, result, **kw):
            return ("widget", result, kw)

    res = crossover(_power([2.0], [0.5]), _power([1.0], [0.3]), over=("x", 1, 1e4))
    monkeypatch.setattr(w, "CrossoverWidget", Fake, raising=False)
    assert res.widget(height=3) == ("widget", res, {"height": 3})


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"over": ("x", 10, 1)}, "0 < lo < hi"),
    ({"over": ("x", 1)}, "over must be"),
    ({"over": ("N", 1, 10)}, "over names 'N'"),
    ({"better": "smaller"}, "better must be 'lower' or 'higher'"),
    ({"kind": "median"}, "kind must be 'mean' or 'predictive'"),
    ({"num_points": 2}, "num_points must be an integer >= 3"),
    ({"ci_prob": 1.5}, "ci_prob must be"),
    ({"labels": ("A", "A")}, "two different names"),
])
def test_bad_arguments_name_the_value(kwargs, match):
    a, b = _power([2.0], [0.5]), _power([1.0], [0.3])
    kwargs = {"over": ("x", 1, 1e4), **kwargs}
    with pytest.raises(bs.BayescaleError, match=match):
        crossover(a, b, **kwargs)


def test_queries_outside_the_range_and_bad_objects_are_errors():
    a, b = _power([2.0], [0.5]), _power([1.0], [0.3])
    res = crossover(a, b, over=("x", 1, 1e4))
    with pytest.raises(bs.BayescaleError, match="outside the compared range"):
        res.prob_better(1e5)
    with pytest.raises(bs.BayescaleError, match="one value"):
        res.winner_at([1, 2])
    with pytest.raises(bs.BayescaleError, match="fit_b must be a Fit"):
        crossover(a, "fit", over=("x", 1, 10))


def test_two_input_laws_compare_along_the_compute_optimal_path():
    law = bs.laws.get("chinchilla")
    x = {"N": np.array([1e8, 1e9]), "D": np.array([1e10, 1e11])}
    # same A, alpha, B, beta; lower E but larger data term for A: A wins at small C?
    pa = {"E": [1.70], "A": [406.4], "B": [800.0], "alpha": [0.34], "beta": [0.28]}
    pb = {"E": [1.80], "A": [406.4], "B": [410.7], "alpha": [0.34], "beta": [0.28]}
    fa = _point_fit(law, {k: np.array(v) for k, v in pa.items()}, x, np.array([3.0, 2.5]))
    fb = _point_fit(law, {k: np.array(v) for k, v in pb.items()}, x, np.array([3.0, 2.5]))
    res = crossover(fa, fb, over=("C", 1e18, 1e26), num_points=100)
    loss = {k: bs.analysis.optimal_draws(f, res.grid)["loss"][0] for k, f in
            (("a", fa), ("b", fb))}
    assert np.allclose(res.draws["a"][0], loss["a"]) and np.allclose(res.draws["b"][0],
                                                                      loss["b"])
    d = loss["a"] - loss["b"]
    j = np.flatnonzero(np.diff(np.sign(d)))[0]
    assert res.prob_cross == 1.0
    assert res.grid[j] <= res.location().median <= res.grid[j + 1]
    with pytest.raises(bs.BayescaleError, match="must name 'C'"):
        crossover(fa, fb, over=("N", 1e8, 1e10))


# ---- simulated pairs with NUTS ------------------------------------------------------------
X_STAR = np.exp(brentq(lambda lx: 1.6 + 1.2 * np.exp(-0.3 * lx)
                       - 1.3 - 2.0 * np.exp(-0.5 * lx), 0.0, 20.0))


@pytest.fixture(scope="module")
def sim_fits():
    # A = 1.6 + 1.2 x^-0.3 (shallow, higher floor), B = 1.3 + 2.0 x^-0.5 (steep, lower
    # floor): A is better below x* ~ 2.9, B above; C = 0.9 * A never crosses A
    a = _sat(1.6, 1.2, 0.3, seed=1)
    b = _sat(1.3, 2.0, 0.5, seed=2)
    c = _sat(0.9 * 1.6, 0.9 * 1.2, 0.3, seed=3)
    return {k: bs.fit(d, "saturating_power", x="C", y="loss", seed=i, **FIT)
            for i, (k, d) in enumerate((("a", a), ("b", b), ("c", c)))}


def test_simulated_crossing_is_found_with_a_covering_interval(sim_fits):
    res = crossover(sim_fits["a"], sim_fits["b"], over=("C", 1, 1e4))
    loc = res.location(0.9)
    print(f"simulated crossing x* = {X_STAR:.3f}: prob_cross {res.prob_cross:.4f}, "
          f"90% location {loc.median:.3f} [{loc.lower:.3f}, {loc.upper:.3f}]")
    assert res.prob_cross > 0.95
    assert loc.lower <= X_STAR <= loc.upper
    assert res.winner_at(1.5).label == "A" and res.winner_at(1e3).label == "B"
    assert res.summary()["prob_A_ahead_before_crossing"] > 0.95


def test_simulated_non_crossing_pair_has_small_prob_cross(sim_fits):
    res = crossover(sim_fits["a"], sim_fits["c"], over=("C", 1, 1e4))
    print(f"non-crossing pair: prob_cross {res.prob_cross:.4f}")
    assert res.prob_cross < 0.05
    assert res.winner_at(100.0) == ("B", 1.0)


def test_joint_fit_shares_parameters_and_pairs_draw_by_draw():
    # both curves share E = 1.3 (same evaluation data); they cross at x ~ 10
    x_star = np.exp(brentq(lambda lx: 1.5 * np.exp(-0.3 * lx) - 3.0 * np.exp(-0.6 * lx),
                           0.0, 20.0))
    a, b = _sat(1.3, 1.5, 0.3, seed=4), _sat(1.3, 3.0, 0.6, seed=5)
    jf = fit_joint(a, b, "saturating_power", x="C", y="loss", shared=["E"],
                   labels=("slow", "fast"), seed=0, **FIT)
    va, vb = jf
    assert isinstance(va, bs.Fit) and va.law.name == "saturating_power"
    assert np.array_equal(va.posterior["E"], vb.posterior["E"])
    assert set(jf.joint.posterior) == {"E", "A_a", "alpha_a", "A_b", "alpha_b", "sigma"}
    assert va.dataset.n == vb.dataset.n == 20
    assert np.allclose(va.dataset.y, a["loss"]) and va.x == ("C",)
    res = jf.crossover(over=("C", 1, 1e4))
    loc = res.location()
    print(f"joint fit: x* = {x_star:.3f}, prob_cross {res.prob_cross:.4f}, 90% location "
          f"[{loc.lower:.3f}, {loc.upper:.3f}]")
    assert res.paired == "joint" and res.labels == ("slow", "fast")
    assert res.prob_cross > 0.95 and loc.lower <= x_star <= loc.upper
    # the views behave like ordinary fits
    assert va.predict(C=[10.0, 100.0]).shape[0] == 2
    assert va.log_likelihood().shape == (4, 500, 20)


def test_fit_joint_rejects_unknown_shared_parameters():
    a = _sat(1.3, 1.5, 0.3, seed=4)
    with pytest.raises(bs.BayescaleError, match="accepted: 'A', 'E', 'alpha'"):
        fit_joint(a, a, "saturating_power", x="C", y="loss", shared=["E0"])
    with pytest.raises(bs.BayescaleError, match="data_b lacks column"):
        fit_joint(a, a.rename(columns={"C": "compute"}), "saturating_power", x="C", y="loss")


# ---- real data: Pythia 2.8B vs 6.9B coverage on MATH ---------------------------------------
@pytest.mark.slow
def test_pythia_coverage_crossing_near_k_22():
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED}")
    from bayescale.passuntil import PassCounts, fit_coverage, pass_at_k

    d = bs.datasets.load("llmonkeys-pythia-math", path=SHARED)
    d = d[d["model"].isin(["Pythia 2.8B", "Pythia 6.9B"])]
    # the measured crossing: unbiased pass@k of the 128 problems, k = 1..100
    ks = np.arange(1, 101)
    emp = {m: np.array([np.mean(pass_at_k(g["n"], g["c"], k)) for k in ks])
           for m, g in d.groupby("model")}
    gap = emp["Pythia 2.8B"] - emp["Pythia 6.9B"]
    j = int(np.flatnonzero(np.diff(np.sign(gap)))[0])
    t = gap[j] / (gap[j] - gap[j + 1])
    measured = float(np.exp(np.log(ks[j]) + t * np.log(ks[j + 1] / ks[j])))
    assert 20 < measured < 24 and (gap[:20] > 0).all() and (gap[24:] < 0).all()
    counts = PassCounts.from_dataframe(d, model="model", problem="problem", n="n", c="c")
    cov = fit_coverage(counts, law="beta", num_chains=4, num_warmup=500, num_samples=500,
                       seed=0, progress=False)
    out = {}
    for level in ("population", "problems"):
        res = crossover((cov, "Pythia 2.8B", level), (cov, "Pythia 6.9B", level),
                        over=("k", 1, 10_000), better="higher", labels=("2.8B", "6.9B"))
        assert isinstance(res, CrossoverResult)
        loc = res.location(0.9)
        out[level] = (res, loc)
        print(f"Pythia 2.8B vs 6.9B ({level}): prob_cross {res.prob_cross:.3f}, first "
              f"crossing {loc.median:.1f}, 90% [{loc.lower:.1f}, {loc.upper:.1f}], "
              f"P(2.8B ahead at k=1) {res.prob_better(1)[0]:.3f}, at k=1e4 "
              f"{res.prob_better(1e4)[0]:.3f}; measured crossing {measured:.2f}")
        assert loc.lower <= measured <= loc.upper
    pop, loc = out["population"]
    # 128 problems: a calibrated answer is uncertain, well away from 0 and 1 at small k
    assert 0.2 < pop.prob_cross < 0.95
    assert 0.5 < pop.prob_better(1)[0] < 0.95 and pop.prob_better(1e4)[0] < 0.5
    assert pop.summary()["prob_2.8B_ahead_before_crossing"] > 0.5
    prob, loc = out["problems"]
    # the fitted problems themselves: the measured crossing is recovered, sharply
    assert prob.prob_cross > 0.95 and loc.upper / loc.lower < 1.2


def test_result_records_the_fits_response(saturating_fit):
    r = bs.crossover(saturating_fit, saturating_fit, over=("C", 1e18, 1e24), num_points=20)
    assert r.response == saturating_fit.y == "loss"
    assert r.widget().y_label == "loss"          # the view names the compared quantity
