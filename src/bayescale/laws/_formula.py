"""Custom laws from formula strings, parsed with :mod:`ast` against a whitelist.

Grammar: ``[response ~] expression`` where the expression uses numbers, names, ``+ - *
/ **``, unary minus and the functions in :data:`FUNCTIONS`. Every name is an input (if
listed in ``inputs``, or by default one of :data:`DEFAULT_INPUTS`) or a parameter.
Nothing is ever passed to ``eval``: the tree is compiled into nested closures.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax.numpy as jnp
from jax.nn import logsumexp, sigmoid

from bayescale._errors import LawError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["DEFAULT_INPUTS", "FUNCTIONS", "from_formula"]


def _lse(*args: Any) -> Any:
    return logsumexp(jnp.stack(jnp.broadcast_arrays(*args)), axis=0)


#: Functions a formula may call.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt, "logsumexp": _lse,
    "log10": jnp.log10, "log2": jnp.log2, "log1p": jnp.log1p, "expm1": jnp.expm1,
    "sigmoid": sigmoid, "tanh": jnp.tanh,
}
_ARITY = {"logsumexp": None}

#: Names treated as inputs when ``inputs`` is not given.
DEFAULT_INPUTS = ("N", "D", "C", "x", "k", "S", "n", "m", "t", "T", "P", "U", "R")

_BINOPS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a ** b,
}
_GREEK = {"alpha", "beta", "gamma", "delta", "nu", "kappa", "lam", "mu", "rho", "tau", "eta",
          "zeta", "theta", "a", "b", "c", "p", "q"}


_ACCEPTED = ("Accepted: numbers, names, + - * / **, unary minus and the functions "
             f"{', '.join(sorted(FUNCTIONS))}")


def _err(node: ast.AST | None, formula: str, what: str) -> LawError:
    where = f" at column {node.col_offset + 1}" if node is not None and hasattr(
        node, "col_offset") else ""
    return LawError(f"formula {formula!r}: {what}{where}. {_ACCEPTED}")


def _compile(node: ast.AST, formula: str, names: set[str]) -> Callable[[Mapping], Any]:
    if isinstance(node, ast.Expression):
        return _compile(node.body, formula, names)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _err(node, formula, f"literal {node.value!r} is not a number")
        value = float(node.value)
        return lambda env: value
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise _err(node, formula, f"name {node.id!r} may not start with an underscore")
        if node.id in FUNCTIONS:
            raise _err(node, formula, f"function {node.id!r} used without a call")
        names.add(node.id)
        ident = node.id
        return lambda env: env[ident]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left, right = _compile(node.left, formula, names), _compile(node.right, formula, names)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand, formula, names)
        if isinstance(node.op, ast.USub):
            return lambda env: -inner(env)
        return inner
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _err(node, formula, "only plain function calls are allowed "
                       f"(got {ast.unparse(node.func)!r})")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise _err(node, formula, f"unknown function {fname!r}")
        if node.keywords:
            raise _err(node, formula, f"{fname}() takes no keyword arguments")
        nargs = len(node.args)
        if (fname == "logsumexp" and nargs < 1) or (fname != "logsumexp" and nargs != 1):
            raise _err(node, formula, f"{fname}() got {nargs} arguments")
        args = [_compile(a, formula, names) for a in node.args]
        fn = FUNCTIONS[fname]
        return lambda env: fn(*(a(env) for a in args))
    kind = type(node).__name__
    raise _err(node, formula, f"construct {kind} ({ast.unparse(node)!r}) is not allowed")


def _pivots(tree: ast.AST, inputs: set[str], params: set[str]) -> dict[str, tuple]:
    """Detect ``A / X**e``, ``A * X**(-e)`` and ``A * X**e`` (amplitude pivots)."""
    found: dict[str, tuple] = {}

    def power(node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(
                node.left, ast.Name) and node.left.id in inputs:
            e = node.right
            if isinstance(e, ast.Name) and e.id in params:
                return node.left.id, e.id, 1.0
            if (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub)
                    and isinstance(e.operand, ast.Name) and e.operand.id in params):
                return node.left.id, e.operand.id, -1.0
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
            amp, pw = node.left, power(node.right)
            if pw is None and isinstance(node.op, ast.Mult):
                amp, pw = node.right, power(node.left)
            if pw and isinstance(amp, ast.Name) and amp.id in params:
                inp, expo, sign = pw
                sign = -sign if isinstance(node.op, ast.Div) else sign
                found.setdefault(amp.id, (inp, expo, sign))
    return found


def _default_param(name: str, pivot: tuple | None, exponents: set[str]) -> Param:
    if pivot is not None:
        return Param(name, "real", P.amplitude, amplitude_of=pivot, doc="amplitude")
    if name in exponents or name.lower() in _GREEK:
        return Param(name, "real", P.exponent(), doc="exponent")
    if re.match(r"^(E|L|eps|irr)", name):
        return Param(name, "real", P.irreducible, doc="irreducible level")
    return Param(name, "real", Prior("LogNormal", 0.0, 2.0), doc="constant")


def from_formula(formula: str, *, name: str | None = None,
                 inputs: Sequence[str] | None = None,
                 priors: Mapping[str, Prior] | None = None) -> Law:
    """Build a :class:`Law` from a formula string.

    Parameters
    ----------
    formula : str
        ``"loss ~ E + A / N**alpha + B / D**beta"``; the part before ``~`` names the
        response and is optional.
    name : str, optional
        Label of the law (defaults to the formula).
    inputs : sequence of str, optional
        Names that are inputs; all other names are parameters. Defaults to the names in
        :data:`DEFAULT_INPUTS` that the formula uses.
    priors : mapping of str to Prior, optional
        Default priors replacing the built-in guesses (LogNormal by default: exponents
        around 0.3, amplitudes scaled to the data, ``E``/``L``-names below ``min(y)``).

    Returns
    -------
    Law

    Examples
    --------
    >>> law = from_formula("loss ~ E + A / N**alpha")
    >>> law.inputs, law.param_names
    (('N',), ('E', 'A', 'alpha'))
    """
    if not isinstance(formula, str) or not formula.strip():
        raise LawError(f"formula must be a non-empty string, got {formula!r}")
    response, sep, rhs = formula.partition("~")
    if not sep:
        rhs, response = formula, ""
    response = response.strip()
    if response and not response.isidentifier():
        raise LawError(f"formula {formula!r}: response {response!r} is not a plain name")
    try:
        tree = ast.parse(rhs.strip(), mode="eval")
    except SyntaxError as exc:
        raise LawError(f"formula {formula!r} is not a valid expression: {exc.msg}. "
                       f"{_ACCEPTED}") from None
    # report columns of the whole formula, not of its stripped right-hand side
    start = len(formula) - len(rhs.lstrip())
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == 1:
            node.col_offset += start
    names: set[str] = set()
    fn_tree = _compile(tree, formula, names)
    ordered = sorted(names, key=lambda n: _first_pos(tree, n))
    if inputs is None:
        input_names = tuple(n for n in ordered if n in DEFAULT_INPUTS)
    else:
        input_names = tuple(inputs)
        unused = [n for n in input_names if n not in names]
        if unused:
            raise LawError(f"formula {formula!r} does not use the input(s) {unused}; "
                           f"its names are {ordered}")
    if not input_names:
        raise LawError(f"formula {formula!r} has no input; name one with inputs=[...] "
                       f"(defaults recognised: {', '.join(DEFAULT_INPUTS)})")
    param_names = [n for n in ordered if n not in input_names]
    if not param_names:
        raise LawError(f"formula {formula!r} has no parameters: every name that is not an "
                       f"input ({', '.join(input_names)}) is a parameter, e.g. "
                       "'loss ~ E + A / N**alpha'")
    pivots = _pivots(tree, set(input_names), set(param_names))
    exponents = {p[1] for p in pivots.values()}
    exponents |= {n.right.id for n in ast.walk(tree) if isinstance(n, ast.BinOp)
                  and isinstance(n.op, ast.Pow) and isinstance(n.right, ast.Name)}
    params = [_default_param(n, pivots.get(n), exponents) for n in param_names]
    if priors:
        unknown = sorted(set(priors) - set(param_names))
        if unknown:
            raise LawError(f"priors for unknown parameter(s) {unknown}; the formula's "
                           f"parameters are {param_names}")
        params = [Param(p.name, p.constraint, priors.get(p.name, p.prior), p.amplitude_of,
                        p.scale_of, p.doc) for p in params]
    canonical = ast.unparse(tree)

    def fn(p, x):
        return fn_tree({**p, **x})

    def guess(inp, y):
        import numpy as np

        scale = float(np.median(y))
        base = {n: (0.3 if n in exponents or n.lower() in _GREEK else
                    0.5 * float(np.min(y)) if re.match(r"^(E|L|eps|irr)", n) else scale)
                for n in param_names}
        for amp, (inp_name, expo, sign) in pivots.items():
            x0 = float(np.exp(np.mean(np.log(inp[inp_name]))))
            base[amp] = 0.5 * scale * x0 ** (-sign * base[expo])
        return polish(law, inp, y, [base])

    law = Law(name=name or canonical, params=tuple(params), inputs=input_names, fn=fn,
              guess=guess, formula=f"{response or 'y'} = {canonical}",
              key=("formula", canonical, input_names, tuple(sorted((priors or {}).items(),
                                                                   key=lambda kv: kv[0]))),
              description="Custom law from a formula.")
    return law


def _first_pos(tree: ast.AST, name: str) -> tuple[int, int]:
    return min(((node.lineno, node.col_offset) for node in ast.walk(tree)
                if isinstance(node, ast.Name) and node.id == name), default=(10**9, 0))
