"""Formula laws: parsing, name resolution, pivots, the function whitelist and errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

import bayescale as bs
from bayescale.laws._formula import DEFAULT_INPUTS, FUNCTIONS

EPOCH = {"E": 1.817, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}


# ---- parsing and name resolution ---------------------------------------------------------------

def test_chinchilla_formula_resolves_inputs_params_and_order():
    law = bs.Law.from_formula("loss ~ E + A / N**alpha + B / D**beta")
    assert law.inputs == ("N", "D")
    assert law.param_names == ("E", "A", "alpha", "B", "beta")  # order of first appearance
    assert law.formula == "loss = E + A / N ** alpha + B / D ** beta"
    assert law.name == "E + A / N ** alpha + B / D ** beta"
    assert law.positive


def test_response_is_optional_and_name_is_kept():
    law = bs.laws.from_formula("E + A * N**(-alpha)", name="my_law")
    assert law.name == "my_law"
    assert law.formula.startswith("y = ")
    assert law.inputs == ("N",)
    assert law.param_names == ("E", "A", "alpha")


def test_explicit_inputs_override_the_defaults():
    # 'z' is not a default input; 'k' is, but named inputs make everything else a parameter
    law = bs.Law.from_formula("y ~ c * z**(-p) + k", inputs=["z"])
    assert law.inputs == ("z",)
    assert law.param_names == ("c", "p", "k")
    law2 = bs.Law.from_formula("y ~ exp(a * k**b)")
    assert law2.inputs == ("k",) and law2.param_names == ("a", "b")


def test_inputs_follow_the_given_order():
    law = bs.Law.from_formula("loss ~ E + A / N**alpha + B / D**beta", inputs=["D", "N"])
    assert law.inputs == ("D", "N")


@pytest.mark.parametrize(("formula", "amp", "pivot"), [
    ("loss ~ A / N**alpha", "A", ("N", "alpha", -1.0)),
    ("loss ~ A * N**(-alpha)", "A", ("N", "alpha", -1.0)),
    ("loss ~ N**(-alpha) * A", "A", ("N", "alpha", -1.0)),
    ("loss ~ E + A * N**alpha", "A", ("N", "alpha", 1.0)),
    ("loss ~ A / N**(-alpha)", "A", ("N", "alpha", 1.0)),
    ("loss ~ E + A / N**alpha + B / D**beta", "B", ("D", "beta", -1.0)),
])
def test_amplitude_pivots_are_detected(formula, amp, pivot):
    law = bs.Law.from_formula(formula)
    assert law.param(amp).amplitude_of == pivot
    # the exponent gets an exponent-style default prior, the amplitude a data-scaled one
    assert law.param(pivot[1]).doc == "exponent"
    assert law.param(amp).doc == "amplitude"


@pytest.mark.parametrize("formula", [
    "loss ~ E + A / (N**alpha)",  # parenthesised: still a pivot
])
def test_parenthesised_pivot(formula):
    assert bs.Law.from_formula(formula).param("A").amplitude_of == ("N", "alpha", -1.0)


def test_no_pivot_without_a_power_of_an_input():
    law = bs.Law.from_formula("loss ~ E + A * exp(-alpha * N)")
    assert law.param("A").amplitude_of is None
    assert law.param("E").doc == "irreducible level"


def test_user_priors_replace_defaults():
    prior = bs.Prior("Normal", -2.0, 1.0)
    law = bs.Law.from_formula("y ~ exp(a * k**b)", inputs=["k"], priors={"a": prior})
    assert law.param("a").prior == prior
    with pytest.raises(bs.LawError, match=r"unknown parameter.*'zz'.*\['a', 'b'\]"):
        bs.Law.from_formula("y ~ exp(a * k**b)", inputs=["k"], priors={"zz": prior})


def test_equal_formulas_share_a_key():
    one = bs.Law.from_formula("loss ~ E + A / N**alpha")
    two = bs.Law.from_formula("loss~E+A/N**alpha")
    assert one.key == two.key
    assert one.key != bs.Law.from_formula("loss ~ E + A / N**beta").key


# ---- evaluation --------------------------------------------------------------------------------

def test_formula_chinchilla_equals_builtin_on_random_inputs():
    rng = np.random.default_rng(0)
    formula = bs.Law.from_formula("loss ~ E + A / N**alpha + B / D**beta")
    builtin = bs.laws.get("chinchilla")
    for _ in range(5):
        params = {k: v * np.exp(rng.normal(0, 0.2)) for k, v in EPOCH.items()}
        n = np.exp(rng.uniform(np.log(1e6), np.log(1e12), 40))
        d = np.exp(rng.uniform(np.log(1e8), np.log(1e14), 40))
        np.testing.assert_allclose(formula(params, N=n, D=d), builtin(params, N=n, D=d),
                                   rtol=1e-12)
        np.testing.assert_allclose(
            formula.log_mean(params, {"N": n, "D": d}),
            builtin.log_mean(params, {"N": n, "D": d}), rtol=1e-12)


# (formula, NumPy reference with a = 0.7, b = 1.3, x on [0.05, 20])
WHITELIST = {
    "exp": ("y ~ a * exp(-b * x)", lambda a, b, x: a * np.exp(-b * x)),
    "log": ("y ~ a + b * log(x)", lambda a, b, x: a + b * np.log(x)),
    "sqrt": ("y ~ a * sqrt(b * x)", lambda a, b, x: a * np.sqrt(b * x)),
    "logsumexp": ("y ~ logsumexp(a, -b * log(x), 0.5)",
                  lambda a, b, x: np.log(np.exp(a) + x ** (-b) + np.exp(0.5))),
    "log10": ("y ~ a + b * log10(x)", lambda a, b, x: a + b * np.log10(x)),
    "log2": ("y ~ a + b * log2(x)", lambda a, b, x: a + b * np.log2(x)),
    "log1p": ("y ~ a * log1p(b * x)", lambda a, b, x: a * np.log1p(b * x)),
    "expm1": ("y ~ a * expm1(-b * x)", lambda a, b, x: a * np.expm1(-b * x)),
    "sigmoid": ("y ~ a * sigmoid(b * log(x))", lambda a, b, x: a * expit(b * np.log(x))),
    "tanh": ("y ~ a * tanh(b * x)", lambda a, b, x: a * np.tanh(b * x)),
}


def test_whitelist_table_covers_every_function():
    assert set(WHITELIST) == set(FUNCTIONS)


@pytest.mark.parametrize("fname", sorted(WHITELIST))
def test_whitelisted_function(fname):
    formula, reference = WHITELIST[fname]
    law = bs.Law.from_formula(formula)
    assert fname in law.formula
    assert law.inputs == ("x",) and set(law.param_names) == {"a", "b"}
    x = np.geomspace(0.05, 20, 25)
    np.testing.assert_allclose(law({"a": 0.7, "b": 1.3}, x=x), reference(0.7, 1.3, x),
                               rtol=1e-12, atol=1e-15)


def test_unary_operators_and_numbers():
    law = bs.Law.from_formula("y ~ -a * x**-2 + +b - 1e-3 + 2")
    x = np.array([0.5, 1.0, 4.0])
    np.testing.assert_allclose(law({"a": 0.7, "b": 1.3}, x=x),
                               -0.7 * x ** -2.0 + 1.3 - 1e-3 + 2, rtol=1e-14)


# ---- errors ------------------------------------------------------------------------------------

ACCEPTED = "Accepted: numbers, names, + - * / **, unary minus and the functions"
ERRORS = {
    "unknown_function": ("loss ~ E + foo(N)", "unknown function 'foo' at column 12"),
    "attribute": ("loss ~ N.real * A", "construct Attribute ('N.real') is not allowed"),
    "import": ("__import__('os')", "unknown function '__import__'"),
    "dunder_name": ("loss ~ A * __class__ * N", "may not start with an underscore"),
    "lambda": ("loss ~ (lambda: A)() * N", "only plain function calls"),
    "lambda_expr": ("loss ~ lambda N: A * N", "construct Lambda"),
    "subscript": ("loss ~ A * N[0]", "construct Subscript ('N[0]') is not allowed"),
    "comprehension": ("loss ~ [A * n for n in N]", "construct ListComp"),
    "generator": ("loss ~ sum(A * n for n in N)", "unknown function 'sum'"),
    "string": ("loss ~ A * N + 'E'", "literal 'E' is not a number"),
    "bool": ("loss ~ True * A * N", "literal True is not a number"),
    "keyword": ("loss ~ A * exp(x=N)", "exp() takes no keyword arguments"),
    "arity": ("loss ~ A * exp(N, 2)", "exp() got 2 arguments"),
    "bare_function": ("loss ~ A * exp * N", "function 'exp' used without a call"),
    "call_non_name": ("loss ~ (A + N)(2)", "only plain function calls are allowed (got 'A + N')"),
    "method_call": ("loss ~ N.exp(A)", "only plain function calls are allowed (got 'N.exp')"),
    "comparison": ("loss ~ A * (N > 2)", "construct Compare"),
    "conditional": ("loss ~ A if N else E", "construct IfExp"),
    "walrus": ("loss ~ (B := A) * N", "construct NamedExpr"),
    "floor_division": ("loss ~ A // N", "construct BinOp"),
    "matmul": ("loss ~ A @ N", "construct BinOp"),
    "invert": ("loss ~ ~A * N", "construct UnaryOp"),
    "syntax": ("loss ~ E + A / N**", "is not a valid expression"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_rejected_constructs_raise_helpful_law_errors(case):
    formula, what = ERRORS[case]
    with pytest.raises(bs.LawError) as info:
        bs.Law.from_formula(formula)
    message = str(info.value)
    assert what in message
    assert repr(formula) in message
    assert ACCEPTED in message, "the message must say what a formula may contain"
    for fname in FUNCTIONS:
        assert fname in message


def test_no_input_lists_the_default_inputs():
    with pytest.raises(bs.LawError, match=r"has no input; name one with inputs=\[") as info:
        bs.Law.from_formula("loss ~ E + A / Z**alpha")
    assert all(name in str(info.value) for name in DEFAULT_INPUTS)


def test_no_parameters_says_what_a_parameter_is():
    with pytest.raises(bs.LawError, match="has no parameters") as info:
        bs.Law.from_formula("loss ~ 2 + 1 / N**0.3")
    assert "every name that is not an input (N) is a parameter" in str(info.value)
    assert "'loss ~ E + A / N**alpha'" in str(info.value)


@pytest.mark.parametrize("formula", ["", "   ", None, 3.0])
def test_empty_or_non_string_formula(formula):
    with pytest.raises(bs.LawError, match="non-empty string"):
        bs.laws.from_formula(formula)


def test_response_must_be_a_name():
    with pytest.raises(bs.LawError, match="response 'log loss' is not a plain name"):
        bs.Law.from_formula("log loss ~ E + A / N**alpha")


def test_named_input_must_be_used():
    with pytest.raises(bs.LawError, match=r"does not use the input\(s\) \['C'\]"):
        bs.Law.from_formula("loss ~ E + A / N**alpha", inputs=["N", "C"])


def test_column_points_into_the_whole_formula():
    formula = "loss ~ E + A * N[0]"
    with pytest.raises(bs.LawError, match="at column 16") as info:
        bs.Law.from_formula(formula)
    assert formula[15:19] == "N[0]", str(info.value)
