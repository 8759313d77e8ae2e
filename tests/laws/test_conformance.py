"""One conformance suite run over every registered law (and two formula laws).

Each law gets a row in ``CASES``: realistic true parameters, a realistic input range and an
independent NumPy implementation of its equation. Every test below is parametrised over
the whole table, so a newly registered law must add a row (``test_table_covers_registry``).
The table lives in ``_cases.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayescale as bs

from ._cases import BNSL_REF, CASES, CHINCHILLA_FORMULA, EPOCH, IDS, REGISTRY_CASES, Array, Case


def table(func):
    return pytest.mark.parametrize("case", CASES, ids=IDS)(func)


def _inputs(case: Case, n: int, seed: int = 0) -> dict[str, Array]:
    """``n`` log-uniform draws of every input over its realistic range."""
    rng = np.random.default_rng(seed)
    return {k: np.exp(rng.uniform(math.log(lo), math.log(hi), n))
            for k, (lo, hi) in case.ranges.items()}


def _p(case: Case) -> dict[str, jax.Array]:
    return {k: jnp.asarray(v, dtype=jnp.float64) for k, v in case.params.items()}


def _x(inputs: Mapping[str, Array]) -> dict[str, jax.Array]:
    return {k: jnp.asarray(v, dtype=jnp.float64) for k, v in inputs.items()}


# ---- structure -------------------------------------------------------------------------------

def test_table_covers_registry():
    for name in bs.laws.names():
        case = next((c for c in CASES if c.id == name), None)
        assert case is not None, f"registered law {name!r} has no row in the conformance table"
        assert case.law is bs.laws.get(name)
    assert {c.id for c in CASES} >= REGISTRY_CASES


@table
def test_metadata(case):
    law = case.law
    assert law.formula.strip() and law.description.strip() and law.name.strip()
    assert set(law.param_names) == set(case.params), "table must list every parameter"
    assert law.inputs == tuple(case.ranges)
    for p in law.params:
        assert p.doc.strip(), f"{law.name}: parameter {p.name!r} has no doc"
    assert repr(law).startswith("Law(")
    assert law.name in law._repr_html_()


def test_bnsl_factory_documents_its_formula():
    doc = bs.laws.bnsl.__doc__
    assert doc and "n_breaks" in doc and "softplus" in doc


# ---- shapes and broadcasting -----------------------------------------------------------------

@table
def test_scalar_and_vector_shapes(case):
    law, p = case.law, _p(case)
    scalar = {k: jnp.asarray(math.sqrt(lo * hi)) for k, (lo, hi) in case.ranges.items()}
    assert jnp.shape(law.fn(p, scalar)) == ()
    assert jnp.shape(law.log_mean(p, scalar)) == ()
    vec = _x(_inputs(case, 7))
    assert jnp.shape(law.fn(p, vec)) == (7,)
    assert jnp.shape(law.log_mean(p, vec)) == (7,)
    # Law.__call__ takes keyword inputs and python floats
    out = law(dict(case.params), **{k: float(v) for k, v in scalar.items()})
    np.testing.assert_allclose(out, law.fn(p, scalar), rtol=1e-14)


@table
def test_inputs_broadcast(case):
    """Inputs of shapes (5, 1) and (1, 3) give (5, 3) (the same shape, for a single input)."""
    law, p = case.law, _p(case)
    names = list(case.ranges)
    grids = {k: np.geomspace(*case.ranges[k], 5 if i == 0 else 3)
             for i, k in enumerate(names)}
    if len(names) == 1:
        x = {names[0]: jnp.asarray(np.geomspace(*case.ranges[names[0]], 15).reshape(5, 3))}
    else:
        x = {names[0]: jnp.asarray(grids[names[0]].reshape(5, 1)),
             names[1]: jnp.asarray(grids[names[1]].reshape(1, 3))}
        # further inputs (fp_quant, data_constrained) as (1, 1) at their middle
        x |= {k: jnp.asarray(grids[k][1].reshape(1, 1)) for k in names[2:]}
    out, log_out = np.asarray(law.fn(p, x)), np.asarray(law.log_mean(p, x))
    assert out.shape == log_out.shape == (5, 3)
    full = {k: np.broadcast_to(np.asarray(v), (5, 3)) for k, v in x.items()}
    for i in range(5):
        for j in range(3):
            point = {k: jnp.asarray(v[i, j]) for k, v in full.items()}
            np.testing.assert_allclose(out[i, j], law.fn(p, point), rtol=1e-12)


@table
def test_params_broadcast_against_inputs(case):
    """A parameter of shape (5, 1) against inputs of shape (1, 3) gives (5, 3)."""
    law = case.law
    first = law.param_names[0]
    values = case.params[first] * np.linspace(0.8, 1.2, 5)
    p = _p(case) | {first: jnp.asarray(values.reshape(5, 1))}
    xs = {k: np.geomspace(lo, hi, 3) for k, (lo, hi) in case.ranges.items()}
    x = {k: jnp.asarray(v.reshape(1, 3)) for k, v in xs.items()}
    out = np.asarray(law.fn(p, x))
    assert out.shape == (5, 3)
    assert np.asarray(law.log_mean(p, x)).shape == (5, 3)
    for i in range(5):
        pi = _p(case) | {first: jnp.asarray(values[i])}
        np.testing.assert_allclose(out[i], law.fn(pi, _x(xs)), rtol=1e-12)


# ---- numerics ----------------------------------------------------------------------------------

@table
def test_finite_at_extreme_inputs(case):
    law, p = case.law, _p(case)
    lo, hi = case.extreme
    grid = np.geomspace(lo, hi, int(round(math.log10(hi / lo) / 5)) + 1)
    names = list(case.ranges)
    mesh = np.meshgrid(*([grid] * len(names)), indexing="ij")
    x = {k: jnp.asarray(m.ravel()) for k, m in zip(names, mesh, strict=True)}
    out, log_out = np.asarray(law.fn(p, x)), np.asarray(law.log_mean(p, x))
    bad = ~np.isfinite(out) | ~np.isfinite(log_out)
    where = {k: np.asarray(v)[bad][:3] for k, v in x.items()}
    assert not bad.any(), f"non-finite mean at {where}"
    assert np.all(out > 0), "positive law evaluated to <= 0"


@table
def test_jit_matches_eager(case):
    law, p, x = case.law, _p(case), _x(_inputs(case, 25))
    np.testing.assert_allclose(jax.jit(law.fn)(p, x), law.fn(p, x), rtol=1e-12)
    np.testing.assert_allclose(jax.jit(law.log_mean)(p, x), law.log_mean(p, x), rtol=1e-12,
                               atol=1e-14)


@table
def test_gradients_finite_and_correct(case):
    """jax.grad of sum(log_mean) is finite and matches central finite differences."""
    law, x = case.law, _x(_inputs(case, 25))

    def total(params):
        return jnp.sum(law.log_mean(params, x))

    grad = jax.grad(total)(_p(case))
    for name, value in case.params.items():
        g = float(grad[name])
        assert math.isfinite(g), f"d/d{name} is not finite"
        h = 1e-6 * abs(value)
        up = float(total(_p(case) | {name: jnp.asarray(value + h)}))
        down = float(total(_p(case) | {name: jnp.asarray(value - h)}))
        fd = (up - down) / (2 * h)
        assert g == pytest.approx(fd, rel=1e-5, abs=1e-7 / abs(value)), name


@table
def test_matches_numpy_reference(case):
    law, inputs = case.law, _inputs(case, 50, seed=1)
    out = np.asarray(law.fn(_p(case), _x(inputs)))
    expected = case.reference(dict(case.params), inputs)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_m4_solves_its_implicit_equation():
    case = next(c for c in CASES if c.id == "m4")
    p, inputs = case.params, _inputs(case, 50, seed=2)
    y = np.asarray(case.law.fn(_p(case), _x(inputs)))
    e_inf, e_0 = p["eps_inf"], p["eps_inf"] + p["delta"]
    assert np.all((y > e_inf) & (y < e_0))
    lhs = (y - e_inf) / (e_0 - y) ** p["alpha"]
    np.testing.assert_allclose(lhs, p["beta"] * inputs["x"] ** (-p["gamma"]), rtol=1e-10)


@table
def test_log_fn_is_log_of_fn(case):
    law, p, x = case.law, _p(case), _x(_inputs(case, 50, seed=3))
    np.testing.assert_allclose(law.log_mean(p, x), np.log(np.asarray(law.fn(p, x))),
                               rtol=1e-12, atol=1e-14)


@table
def test_guess_recovers_noiseless_parameters(case):
    law, inputs = case.law, _inputs(case, case.n_guess, seed=4)
    y = np.asarray(law.fn(_p(case), _x(inputs)))
    guess = law.guess(inputs, y)
    assert set(guess) == set(law.param_names)
    for name, true in case.params.items():
        rtol = case.guess_rtol.get(name, 1e-3)
        assert guess[name] == pytest.approx(true, rel=rtol), (name, guess)


# ---- structural identities ---------------------------------------------------------------------

def test_kaplan_nd_reduces_to_power_law_at_infinite_data():
    kaplan = next(c for c in CASES if c.id == "kaplan_nd").params
    n = np.geomspace(1e3, 1e12, 10)
    joint = bs.laws.get("kaplan_nd")(kaplan, N=n, D=1e30)
    single = bs.laws.get("power_law")(
        {"A": kaplan["N_c"] ** kaplan["alpha_N"], "alpha": kaplan["alpha_N"]}, x=n)
    np.testing.assert_allclose(joint, single, rtol=1e-10)


def test_bnsl2_with_a_null_second_break_is_bnsl1():
    x = np.geomspace(10, 1e5, 30)
    two = bs.laws.bnsl(2)(BNSL_REF | {"c2": 0.0, "d2": 5e3, "f2": 0.4}, x=x)
    np.testing.assert_allclose(two, bs.laws.get("bnsl")(BNSL_REF, x=x), rtol=1e-12)


def test_saturating_power_tends_to_its_floor():
    law = bs.laws.get("saturating_power")
    p = {"E": 0.28, "A": 4.42, "alpha": 0.16}
    assert float(law(p, x=1e300)) == pytest.approx(0.28, rel=1e-9)


# ---- reference numbers from LAWS.md ------------------------------------------------------------

@pytest.mark.parametrize(("n", "d", "expected"), [
    (1e8, 1e9, 2.9567), (1e9, 1e10, 2.4197), (1e9, 1e11, 2.3308), (1e10, 1e11, 1.9967)])
def test_kaplan_joint_reference_numbers(n, d, expected):
    # LAWS.md section 1a, Kaplan Table 2 constants, 4 decimals
    law = bs.laws.get("kaplan_nd")
    p = {"N_c": 6.4e13, "D_c": 1.8e13, "alpha_N": 0.076, "alpha_D": 0.103}
    assert float(law(p, N=n, D=d)) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(("params", "expected"), [
    ({"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}, 1.9366),
    # LAWS.md's 1.9739 is computed with E = 1.8172 (the notebook's summed-Huber value);
    # E = 1.817 gives 1.97368, inside the 1e-3 tolerance.
    (EPOCH, 1.9739),
], ids=["hoffmann_rounded", "epoch"])
def test_chinchilla_reference_numbers(params, expected):
    # LAWS.md section 1c table: L(70B params, 1.4T tokens)
    for law in (bs.laws.get("chinchilla"), CHINCHILLA_FORMULA):
        assert float(law(params, N=70e9, D=1.4e12)) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("x", "expected"), [(1e8, 2.8300), (1e9, 2.3756), (1e10, 1.9943)])
def test_power_law_kaplan_reference_numbers(x, expected):
    # LAWS.md section 1a: L(N) = (N_c / N)^alpha_N, alpha_N = 0.076, N_c = 8.8e13
    law = bs.laws.get("power_law")
    assert float(law({"A": 8.8e13 ** 0.076, "alpha": 0.076}, x=x)) == pytest.approx(
        expected, abs=5e-5)


def test_bnsl_reference_numbers():
    # LAWS.md section 3: predictions of the 4-digit-addition refit at x = 800, 864, 928
    out = np.asarray(bs.laws.get("bnsl")(BNSL_REF, x=np.array([800.0, 864.0, 928.0])))
    np.testing.assert_allclose(out, [0.7602, 0.6375, 0.5626], atol=5e-4)
