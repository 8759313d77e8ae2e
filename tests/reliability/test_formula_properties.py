"""Property-based tests of the formula parser (hypothesis).

Three sources of input: random expression trees built from the whitelist, valid formulas
mutated character by character, and hostile strings (code that would run if the formula
were ``eval``'d, dunder names, attribute access, huge literals, deep nesting, unicode).
Properties: only :class:`bayescale.LawError` escapes (or a valid Law comes back, whose
mean evaluates), no example takes more than 5 s, a planted side effect (a file written, a
function called) never happens, and valid trees print and evaluate as Python would.

The default run tries 200 examples per source; the ``slow`` test tries 10,000 of each
(select it with ``-m slow``, or ``BAYESCALE_SLOW=1``; it is skipped otherwise).
"""

from __future__ import annotations

import ast
import atexit
import builtins
import shutil
import tempfile
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayescale as bs
from bayescale.laws._formula_program import _BINOPS, FUNCTIONS, MAX_LENGTH

FAST_EXAMPLES = 200
SLOW_EXAMPLES = 10_000
LIMIT_S = 5.0

_COMMON = dict(deadline=int(LIMIT_S * 1000), database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
FAST = settings(max_examples=FAST_EXAMPLES, **_COMMON)
SLOW = settings(max_examples=SLOW_EXAMPLES, **_COMMON)

slow_only = pytest.mark.skipif(
    "'slow' not in (config.getoption('markexpr') or '') "
    "and os.environ.get('BAYESCALE_SLOW') != '1'",
    reason=f"{SLOW_EXAMPLES:,} examples per source: select with -m slow or BAYESCALE_SLOW=1")


# ---- planted side effects ----------------------------------------------------------------

MARKER = Path(tempfile.mkdtemp(prefix="bayescale-planted-")) / "written"
atexit.register(shutil.rmtree, MARKER.parent, True)


class _Planted:
    """A builtin that records calls: a formula that ran Python code would call it."""

    calls = 0

    def __call__(self, *args, **kwargs):
        type(self).calls += 1
        MARKER.write_text("called")
        return 1.0


builtins.bayescale_planted = _Planted()

M = str(MARKER)
HOSTILE = [
    f"__import__('os').system('touch {M}')",
    f"loss ~ E + A / N**alpha + __import__('pathlib').Path('{M}').touch()",
    f"open('{M}', 'w').write('x')",
    f"loss ~ A * N + len(open('{M}', 'w').name)",
    f"exec(\"open('{M}', 'w')\")",
    f"eval(\"__import__('os').system('touch {M}')\")",
    "bayescale_planted()",
    "loss ~ E + A * exp(bayescale_planted()) * N",
    "loss ~ A * N + (lambda: bayescale_planted())()",
    "loss ~ A * N + [bayescale_planted() for _ in 'x'][0]",
    "loss ~ A * N + bayescale_planted.__call__()",
    "loss ~ A * N ** bayescale_planted(N)",
    "loss ~ A * N + f'{bayescale_planted()}'",
    "loss ~ A * N + (bayescale_planted() if N else 0)",
    "loss ~ A * N + {bayescale_planted(): 1}[1.0]",
    "loss ~ A * N + (x := bayescale_planted())",
    "loss ~ A * N.__class__.__bases__[0].__subclasses__()",
    "loss ~ A * N + ().__class__.__base__.__subclasses__()",
    "loss ~ __builtins__ * N",
    "loss ~ A * globals()['bayescale_planted']()",
    "loss ~ A * getattr(N, 'real')",
    "loss ~ A * N.real",
    "loss ~ A * N[0]",
    "loss ~ A * N if bayescale_planted() else A",
    "breakpoint()",
    "loss ~ A * N; bayescale_planted()",
    "loss ~ A * N\nbayescale_planted()",
    "loss ~ A * N + await bayescale_planted()",
    "loss ~ A * (yield N)",
    "loss ~ A * N @ bayescale_planted",
    "loss ~ *N",
    "loss ~ A * exp(**N)",
    "import os",
    "loss ~ A * N + 'bayescale_planted()'",
    "loss ~ A * N + b'\\x00'",
    "loss ~ A * N + ...",
    "loss ~ A * N + None",
]


def _no_side_effect() -> None:
    assert not MARKER.exists(), "a formula wrote a file"
    assert _Planted.calls == 0, "a formula called a function"


# ---- the property every input must satisfy -------------------------------------------------

X = jnp.asarray([0.7, 1.3, 1.9])
ENV_VALUES = (0.6, 1.1, 0.35, 1.7, 0.9)


def _check(text: str):
    """Parse ``text``: a LawError or a Law whose mean evaluates; fast; no side effects."""
    start = time.perf_counter()
    try:
        law = bs.Law.from_formula(text)
    except bs.LawError as exc:
        assert str(exc), "a LawError must say what is wrong"
        law = None
    if law is not None:
        params = {n: jnp.asarray(ENV_VALUES[i % len(ENV_VALUES)])
                  for i, n in enumerate(law.param_names)}
        out = law.fn(params, dict.fromkeys(law.inputs, X))
        assert jnp.shape(out) in ((), (3,))
    _no_side_effect()
    assert time.perf_counter() - start < LIMIT_S
    return law


# ---- source 1: random expression trees from the whitelist ----------------------------------

NAMES = ["N", "D", "x", "a", "b", "E", "alpha", "A1", "c_2"]
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0.5", "1e-3", "2.5e2", "3", "0", "1_000", "1e999", "9" * 400,
                     "1e308", ".5", "2."]),
)
LEAVES = st.one_of(st.sampled_from(NAMES), st.sampled_from(NAMES), NUMBERS)
UNARY = sorted(set(FUNCTIONS) - {"logsumexp"})


def _maybe_paren(text: str, paren: bool) -> str:
    return f"({text})" if paren else text


def _extend(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children,
                  st.booleans(), st.sampled_from(["", " "])).map(
            lambda t: _maybe_paren(f"{t[0]}{t[4]}{t[1]}{t[4]}{t[2]}", t[3])),
        st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}{t[1]}"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.lists(children, min_size=1, max_size=4).map(
            lambda xs: f"logsumexp({', '.join(xs)})"),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=25)
# an anchor term (an input and a parameter) makes most trees valid laws
TREES = st.tuples(st.sampled_from(["", "loss ~ ", "y~", "  loss  ~  "]), EXPRESSIONS,
                  st.sampled_from(["", " + a * N", " * N ** b", " - E / x", "*(x**-alpha)"])
                  ).map("".join)


def _reference(node: ast.AST, env):
    """The tree evaluated as the old recursive closures did (small trees only)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_reference(node.left, env), _reference(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _reference(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Call)
    return FUNCTIONS[node.func.id](*(_reference(a, env) for a in node.args))


def _check_tree(text: str) -> None:
    law = _check(text)
    if law is None:
        return
    rhs = text.partition("~")[2] if "~" in text else text
    tree = ast.parse(rhs.strip(), mode="eval")
    assert law.formula.split(" = ", 1)[1] == ast.unparse(tree), "prints as Python would"
    again = bs.Law.from_formula(law.formula.replace(" = ", " ~ ", 1))
    assert again.key == law.key, "its canonical text parses back to the same law"
    env = {n: jnp.asarray(ENV_VALUES[i % len(ENV_VALUES)])
           for i, n in enumerate(law.param_names)} | dict.fromkeys(law.inputs, X)
    out = np.broadcast_to(np.asarray(law.fn(env, {})), (3,))
    ref = np.broadcast_to(np.asarray(_reference(tree.body, env), dtype=float), (3,))
    both = np.isfinite(out) & np.isfinite(ref) & (np.abs(ref) < 1e100)
    np.testing.assert_allclose(out[both], ref[both], rtol=1e-6, atol=1e-9)


# ---- source 2: valid formulas, mutated ---------------------------------------------------

VALID = [
    "loss ~ E + A / N**alpha + B / D**beta",
    "loss ~ E + A * N**(-alpha)",
    "y ~ a * exp(-b * x)",
    "y ~ logsumexp(a, -b * log(x), 0.5)",
    "acc ~ c + (1 - c) * sigmoid(k * (log(C) - m0))",
    "loss ~ E + A / (N**alpha) * sqrt(b * N) - tanh(c) + log1p(D) * 1e-3",
]
CHARS = st.one_of(
    st.sampled_from(list("()+-*/~^%.,_:;[]{}'\"\\ \t\n0123456789eENaxjb@!=<>|&#$?`")),
    st.characters(),
    st.sampled_from(["\ud800", "\udfff", "\x00", "\u200b", "\ufb01", "\u03b1", "\U0001d40d",
                     "\u2212", "\uff0b"]),
)
ALPHABET = st.one_of(CHARS, st.sampled_from(["__", "lambda", "import", "**", "~", "()"]))


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "swap", "replace"]))
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "delete" and text:
            text = text[:i] + text[i + 1:]
        elif kind == "insert":
            text = text[:i] + draw(ALPHABET) + text[i:]
        elif kind == "swap" and len(text) > 1:
            j = min(i + 1, len(text) - 1)
            text = text[:i] + text[j] + text[i] + text[j + 1:] if j > i else text
        elif text:
            text = text[:i] + draw(ALPHABET) + text[i + 1:]
    return text


# ---- source 3: hostile strings -------------------------------------------------------------

@st.composite
def deep(draw):
    n = draw(st.integers(1, 12_000))
    kind = draw(st.sampled_from(["paren", "minus", "power", "sum", "call", "product"]))
    if kind == "paren":
        return "loss ~ a * " + "(" * n + "N" + ")" * n
    if kind == "minus":
        return "loss ~ a * " + "-" * n + "N"
    if kind == "power":
        return "loss ~ a * " + "**".join(["N"] * n)
    if kind == "sum":
        return "loss ~ a * N" + "+N" * n
    if kind == "call":
        return "loss ~ a * " + "exp(" * n + "N" + ")" * n
    return "loss ~ a" + "*N" * n


@st.composite
def huge_literal(draw):
    k = draw(st.integers(300, 6_000))
    kind = draw(st.sampled_from(["int", "exp", "hex", "frac", "neg_exp"]))
    lit = {"int": "9" * k, "exp": f"1e{k}", "hex": "0x" + "f" * k, "frac": "0." + "3" * k,
           "neg_exp": f"1e-{k}"}[kind]
    return draw(st.sampled_from([f"loss ~ A * N + {lit}", f"loss ~ A * N ** {lit}",
                                 f"loss ~ {lit} * A * N", f"loss ~ A * exp({lit}) * N"]))


UNICODE_NAMES = st.text(st.characters(categories=("Lu", "Ll", "Lo", "Nl", "Mn", "Nd")),
                        min_size=1, max_size=8).map(lambda s: f"loss ~ {s} * N + a")
HOSTILE_STRINGS = st.one_of(
    st.sampled_from(HOSTILE),
    st.tuples(st.sampled_from(HOSTILE), st.sampled_from(VALID)).map(
        lambda t: f"{t[1]} + {t[0].partition('~')[2] or t[0]}"),
    deep(),
    huge_literal(),
    UNICODE_NAMES,
    st.text(max_size=300),
    st.text(CHARS, max_size=60),
    st.sampled_from(["loss ~ A * N" + " " * MAX_LENGTH, "~", "~~", "loss ~", "~ N",
                     "\ud800 ~ A * N", "loss ~ A * N\x00", "\ufeffloss ~ A * N"]),
)


# ---- the tests -----------------------------------------------------------------------------

@FAST
@given(TREES)
def test_random_whitelisted_trees(text):
    _check_tree(text)


@FAST
@given(mutated())
def test_mutated_formulas(text):
    _check(text)


@FAST
@given(HOSTILE_STRINGS)
def test_hostile_strings(text):
    _check(text)


def test_every_hostile_template_is_rejected_without_side_effects():
    for text in HOSTILE:
        with pytest.raises(bs.LawError):
            bs.Law.from_formula(text)
        _no_side_effect()
    # a comment is no code: it is dropped, nothing runs
    law = bs.Law.from_formula("loss ~ A * N # bayescale_planted()")
    assert law.formula == "loss = A * N"
    _no_side_effect()


def test_the_planted_side_effect_is_observable():
    before = _Planted.calls
    try:
        builtins.bayescale_planted()  # what eval would have done
        assert MARKER.exists() and _Planted.calls == before + 1
    finally:
        MARKER.unlink(missing_ok=True)
        _Planted.calls = before
    _no_side_effect()


@pytest.mark.slow
@slow_only
def test_slow_many_examples():
    """10,000 examples of each source (about a minute or more; see the module docstring)."""
    calls: list[str] = []

    def run(check):
        def property_(text):
            calls.append(text)
            check(text)
        return property_

    for source, check in ((TREES, _check_tree), (mutated(), _check),
                          (HOSTILE_STRINGS, _check)):
        calls.clear()
        SLOW(given(source)(run(check)))()
        assert len(calls) >= SLOW_EXAMPLES, f"only {len(calls)} examples ran"
