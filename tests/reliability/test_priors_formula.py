"""Bad priors and bad formulas: each raises its own BayescaleError naming the bad value.

A table of cases (issue 17, items 5-7): the exception class must be the specific subclass
(PriorError, LawError) and the message must name the offending value, the argument or the
sub-expression, and say what is accepted. Nothing may escape from inside NumPyro, the
``ast`` module or Python float arithmetic.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayescale as bs

P, LAW = bs.PriorError, bs.LawError


def _prior(*args):
    return lambda: bs.Prior(*args)


def _formula(text):
    return lambda: bs.Law.from_formula(text)


def _resolve(text):
    return lambda: bs.laws.resolve(text)


def _fit(law):
    def run():
        data = bs.datasets.example("saturating")
        return bs.fit(data, law, x="C", y="loss", num_chains=1, num_warmup=10,
                      num_samples=10, progress=False)
    return run


CHAIN_30000 = "loss ~ " + "+".join(["N"] * 30_000) + " + a"
POW_CHAIN = "loss ~ a * " + "**".join(["N"] * 5_000)

# (id, call, exception class, regex the message must match)
CASES = [
    # ---- item 5: priors (the repros first) ---------------------------------------
    ("lognormal-negative-scale", _prior("LogNormal", -1, -0.5), P,
     r"Prior\('LogNormal', \.\.\.\): argument scale=-0\.5 is not positive; scale must be a "
     r"finite number > 0"),
    ("gamma-zero-concentration", _prior("Gamma", 0, 1), P,
     r"argument concentration=0 is not positive; concentration must be a finite number > 0"),
    ("lognormal-string-loc", _prior("LogNormal", "a", 1), P,
     r"argument loc='a' is not a number; loc must be a finite number"),
    ("uniform-inverted", _prior("Uniform", 1, 0), P,
     r"Prior\('Uniform', \.\.\.\): low=1 must be below high=0"),
    ("uniform-empty", _prior("Uniform", 2.5, 2.5), P, r"low=2\.5 must be below high=2\.5"),
    ("normal-zero-scale", _prior("Normal", 0, 0), P, r"argument scale=0 is not positive"),
    ("normal-nan-scale", _prior("Normal", 0, math.nan), P, r"argument scale=nan is not finite"),
    ("normal-inf-loc", _prior("Normal", math.inf, 1), P,
     r"argument loc=inf is not finite; loc must be a finite number"),
    ("halfnormal-negative", _prior("HalfNormal", -1), P, r"argument scale=-1 is not positive"),
    ("halfcauchy-zero", _prior("HalfCauchy", 0.0), P, r"argument scale=0\.0 is not positive"),
    ("exponential-negative-rate", _prior("Exponential", -2), P,
     r"argument rate=-2 is not positive; rate must be a finite number > 0"),
    ("gamma-negative-rate", _prior("Gamma", 2, -0.1), P, r"argument rate=-0\.1 is not positive"),
    ("beta-zero-concentration1", _prior("Beta", 0, 1), P,
     r"argument concentration1=0 is not positive"),
    ("beta-negative-concentration0", _prior("Beta", 1, -1), P,
     r"argument concentration0=-1 is not positive"),
    ("studentt-zero-df", _prior("StudentT", 0, 0, 1), P,
     r"argument df=0 is not positive; df must be a finite number > 0"),
    ("studentt-negative-scale", _prior("StudentT", 3, 0, -1), P,
     r"argument scale=-1 is not positive"),
    ("truncnormal-inverted-bounds", _prior("TruncatedNormal", 0, 1, 1, -1), P,
     r"Prior\('TruncatedNormal', \.\.\.\): low=1 must be below high=-1"),
    ("truncnormal-negative-scale", _prior("TruncatedNormal", 0, -1, 0, 1), P,
     r"argument scale=-1 is not positive"),
    ("none-loc", _prior("Normal", None, 1), P, r"argument loc=None is not a number"),
    ("bool-loc", _prior("Normal", True, 1), P, r"argument loc=True is not a number"),
    ("complex-loc", _prior("Normal", 1j, 1), P, r"argument loc=1j is not a number"),
    ("huge-int-loc", _prior("Normal", 10**400, 1), P,
     r"argument loc=10{39}\.\.\.\(401 characters\) is not finite \(too large for a float\)"),
    ("list-with-string", _prior("Normal", [1, "a"], 1), P,
     r"argument loc=\[1, 'a'\] is not a number"),
    ("jax-negative-scale", lambda: bs.Prior("Normal", 0, jnp.array(-1.0)), P,
     r"argument scale=Array\(-1\., .*\) is not positive"),
    ("numpy-inf-scale", lambda: bs.Prior("LogNormal", 0, np.float64(np.inf)), P,
     r"argument scale=np\.float64\(inf\) is not finite"),
    ("unknown-family", _prior("Normall", 0, 1), P,
     r"unknown prior family 'Normall' \(did you mean 'Normal'.*\?\); accepted: 'Beta', "
     r"'Exponential', 'Gamma', 'HalfCauchy', 'HalfNormal', 'LogNormal', 'Normal', "
     r"'StudentT', 'TruncatedNormal', 'Uniform'"),
    ("lowercase-family", _prior("lognormal", 0, 1), P,
     r"unknown prior family 'lognormal' \(did you mean 'LogNormal'\?\)"),
    ("family-not-a-string", _prior(None, 1), P,
     r"unknown prior family None \(a NoneType, not a family name\); accepted: 'Beta'"),
    ("wrong-arity", _prior("Beta", 2), P,
     r"Prior\('Beta', \.\.\.\) takes 2 argument\(s\) \(concentration1, concentration0\), "
     r"got 1"),
    # ---- item 6: formulas (the repros first) ---------------------------------------
    ("lone-surrogate", _formula("loss ~ E + A / N**alpha + \ud800"), LAW,
     r"character '\\ud800' at column 27 is not valid text \(a lone surrogate\)"),
    ("400-digit-literal", _formula("loss ~ E + A / N**alpha + " + "9" * 400), LAW,
     r"literal 9{20}\.\.\. \(400 characters\) is too large for a float"),
    ("complex-constant", _formula("loss ~ E + A/C**alpha + 0*(0-1)**0.5"), LAW,
     r"constant sub-expression '\(0 - 1\) \*\* 0\.5' is complex .* at column 27; "
     r"constants must evaluate to finite real numbers"),
    ("overflowing-constant", _formula("loss ~ E + A/C**alpha * 2**1024"), LAW,
     r"constant sub-expression '2 \*\* 1024' overflows a float at column 25"),
    ("zero-to-negative-power", _formula("loss ~ E + A/C**alpha + 0**-1"), LAW,
     r"constant sub-expression '0 \*\* \(-1\)' divides by zero"),
    ("division-by-zero", _formula("loss ~ E + A / N**alpha + 1/0"), LAW,
     r"constant sub-expression '1 / 0' divides by zero"),
    ("log-of-zero", _formula("loss ~ E + A / N**alpha + log(0)"), LAW,
     r"constant sub-expression 'log\(0\)' is outside the domain of log\(\)"),
    ("sqrt-of-negative", _formula("loss ~ E + A / N**alpha * sqrt(-1)"), LAW,
     r"constant sub-expression 'sqrt\(-1\)' is outside the domain of sqrt\(\)"),
    ("log1p-of-minus-one", _formula("loss ~ E + A / N**alpha * log1p(-1)"), LAW,
     r"'log1p\(-1\)' is outside the domain of log1p\(\)"),
    ("exp-overflow", _formula("loss ~ E + A / N**alpha * exp(1000)"), LAW,
     r"constant sub-expression 'exp\(1000\)' overflows a float"),
    ("expm1-overflow", _formula("loss ~ E + A / N**alpha * expm1(800)"), LAW,
     r"'expm1\(800\)' overflows a float"),
    ("product-to-infinity", _formula("loss ~ E + A / N**alpha + 1e308 * 10"), LAW,
     r"constant sub-expression '1e\+308 \* 10' is not finite \(inf\)"),
    ("cube-root-of-negative", _formula("loss ~ E + A / N**alpha + (-8)**(1/3)"), LAW,
     r"constant sub-expression '\(-8\) \*\* \(1 / 3\)' is complex"),
    ("power-tower", _formula("loss ~ E + A / N**alpha * 9**9**9**9"), LAW,
     r"constant sub-expression '9 \*\* 9 \*\* 9' overflows a float"),
    ("infinite-literal", _formula("loss ~ E + A / N**alpha + 1e999"), LAW,
     r"literal 1e999 is too large for a float"),
    ("complex-literal", _formula("loss ~ E + A / N**alpha + 2j"), LAW,
     r"literal 2j is not a number"),
    ("5000-digit-literal", _formula("loss ~ A * N + " + "7" * 5000), LAW,
     r"is not a valid expression: Exceeds the limit \(4300 digits\)"),
    ("30000-term-sum", _formula(CHAIN_30000), LAW,
     r"formula 'loss ~ N\+N\+.*' \(60010 characters\) is nested too deeply to parse"),
    ("power-chain", _formula(POW_CHAIN), LAW, r"is nested too deeply to parse"),
    ("300-parentheses", _formula("loss ~ A * " + "(" * 300 + "N" + ")" * 300), LAW,
     r"is not a valid expression: too many nested parentheses"),
    ("null-byte", _formula("loss ~ A * N\x00"), LAW,
     r"formula 'loss ~ A \* N\\x00' is not a valid expression: .*null bytes"),
    ("too-long", _formula("loss ~ A * N" + " " * 200_000), LAW,
     r"is too long: 200012 characters, at most 100000 are accepted"),
    ("import-call", _formula("__import__('os').system('true')"), LAW,
     r"only plain function calls are allowed \(got \"__import__\('os'\)\.system\"\)"),
    ("dunder-attribute", _formula("loss ~ E + N.__class__"), LAW,
     r"construct Attribute \('N\.__class__'\) is not allowed at column 12"),
    ("f-string", _formula("loss ~ A * N + f'{open(\"x\")}'"), LAW,
     r"construct JoinedStr .*open.* is not allowed"),
    ("string-escape", _formula(r"loss ~ A * N + '\d'"), LAW, r"literal '\\\\d' is not a number"),
    ("starred-argument", _formula("loss ~ A * exp(*N)"), LAW,
     r"exp\(\) takes no starred arguments"),
    # ---- item 7: law names that read like formulas -------------------------------------------
    ("hyphenated-law-name", _resolve("saturating-power"), LAW,
     r"unknown law 'saturating-power' \(did you mean 'saturating_power'\?\); "
     r"registered laws: .*'saturating_power'"),
    ("hyphenated-law-name-in-fit", _fit("saturating-power"), LAW,
     r"unknown law 'saturating-power' \(did you mean 'saturating_power'\?\)"),
    ("hyphenated-kaplan", _resolve("Kaplan-ND"), LAW,
     r"unknown law 'Kaplan-ND' \(did you mean 'kaplan_nd'\?\)"),
    ("misspelt-law-name", _resolve("chinchila"), LAW,
     r"unknown law 'chinchila' \(did you mean 'chinchilla'\?\)"),
    ("hyphenated-non-name", _resolve("foo-bar"), LAW,
     r"'foo-bar' is neither a registered law \(.*\) nor a usable formula: formula 'foo-bar' "
     r"has no input"),
]


def test_the_matrix_is_large_and_ids_are_unique():
    assert len(CASES) >= 35
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("call", "error", "match"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_its_own_error(call, error, match):
    with pytest.raises(bs.BayescaleError) as info:
        call()
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    info.match(match)
    assert info.value.__cause__ is None or isinstance(info.value.__cause__, bs.BayescaleError)


# ---- what must keep working ----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("Normal", 0, 1), ("Normal", -3.5, 1e-9), ("LogNormal", np.float32(0.5), np.int64(2)),
    ("Uniform", -1, 1), ("TruncatedNormal", 0.3, 1, 0, 1), ("StudentT", 3, 0, 2),
    ("Beta", 0.5, 0.5), ("Gamma", 2.0, 0.1), ("Exponential", 1), ("HalfCauchy", 1),
    ("LogNormal", jnp.log(2.0), 3.0),
])
def test_valid_priors_are_accepted(args):
    prior = bs.Prior(*args)
    assert bs.priors.to_distribution(prior) is not None


def test_traced_prior_arguments_are_checked_only_when_concrete():
    @jax.jit
    def log_density(high):
        prior = bs.Prior("Uniform", 0.0, high)  # a tracer: no Python-side check possible
        return bs.priors.to_distribution(prior).log_prob(jnp.asarray(0.25))

    assert float(log_density(0.5)) == pytest.approx(math.log(2.0))


def test_a_sum_of_1000_terms_parses_and_traces():
    n = 1000
    formula = "loss ~ E + " + " + ".join(f"A / N**alpha / {i + 1}" for i in range(n))
    law = bs.Law.from_formula(formula)
    assert law.inputs == ("N",) and law.param_names == ("E", "A", "alpha")
    x = jnp.geomspace(1.0, 1e3, 4)
    params = {"E": jnp.asarray(1.5), "A": jnp.asarray(2.0), "alpha": jnp.asarray(0.3)}
    harmonic = sum(1.0 / (i + 1) for i in range(n))
    expected = 1.5 + 2.0 * np.asarray(x) ** -0.3 * harmonic
    np.testing.assert_allclose(jax.jit(law.fn)(params, {"N": x}), expected, rtol=1e-12)
    grad = jax.grad(lambda p: law.fn(p, {"N": x}).sum())(params)
    np.testing.assert_allclose(grad["A"], float(np.sum(np.asarray(x) ** -0.3)) * harmonic,
                               rtol=1e-12)


def test_constant_sub_expressions_are_folded_to_their_value():
    law = bs.Law.from_formula("loss ~ E + A / N**alpha * 2**3 - log(1) + exp(0) * -0.5")
    assert law.formula == "loss = E + A / N ** alpha * 2 ** 3 - log(1) + exp(0) * -0.5"
    value = law({"E": 1.0, "A": 2.0, "alpha": 0.5}, N=np.array([4.0]))
    np.testing.assert_allclose(value, [1.0 + 2.0 / 2.0 * 8.0 - 0.0 - 0.5], rtol=1e-14)


@pytest.mark.parametrize("text", ["x-alpha", "N - alpha"])
def test_hyphenated_formulas_unlike_any_law_name_still_parse(text):
    law = bs.laws.resolve(text)
    assert law.param_names == ("alpha",)
