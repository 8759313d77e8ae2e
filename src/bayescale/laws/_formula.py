"""Custom laws from formula strings, parsed with :mod:`ast` against a whitelist.

Grammar: ``[response ~] expression`` where the expression uses numbers, names, ``+ - *
/ **``, unary minus and the functions in :data:`FUNCTIONS`. Every name is an input (if
listed in ``inputs``, or by default one of :data:`DEFAULT_INPUTS`) or a parameter.
Nothing is ever passed to ``eval``: the tree is checked and compiled, without recursion,
into a postfix program that a loop evaluates, so sums of thousands of terms work (also
under JAX tracing). Sub-expressions without names are folded when parsing and must be
finite real numbers. Every failure is a :class:`~bayescale.LawError`.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import jax.numpy as jnp
from jax.nn import logsumexp, sigmoid

from bayescale._errors import LawError
from bayescale.laws import _priors as P
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["DEFAULT_INPUTS", "FUNCTIONS", "MAX_LENGTH", "from_formula"]


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

#: Longest formula accepted, in characters (a 1,000-term sum needs about 20,000).
MAX_LENGTH = 100_000


def _short(text: str, limit: int = 200) -> str:
    """``repr(text)``, cut in the middle when long (errors must stay readable)."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit // 2]!r}...{text[-limit // 4:]!r} ({len(text)} characters)"


def _where(node: ast.AST | None, formula: str) -> str:
    """`` at column C`` of the whole formula (the tree's offsets count UTF-8 bytes)."""
    if node is None or not hasattr(node, "col_offset"):
        return ""
    if node.lineno != 1:
        return f" at line {node.lineno}, column {node.col_offset + 1} of the expression"
    head = formula.encode("utf-8")[:node.col_offset].decode("utf-8", "replace")
    return f" at column {len(head) + 1}"


def _source(node: ast.AST, formula: str) -> str | None:
    """The formula's text of a one-line ``node``, or None."""
    if node.lineno != 1 or getattr(node, "end_lineno", None) != 1:
        return None
    return formula.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8",
                                                                               "replace")


def _err(node: ast.AST | None, formula: str, what: str, hint: str = "") -> LawError:
    where = _where(node, formula)
    return LawError(f"formula {_short(formula)}: {what}{where}{hint}. {_ACCEPTED}")


def _snippet(node: ast.AST, limit: int = 80) -> str:
    """Source text of a (possibly rejected, possibly deep) node for an error message."""
    try:
        text = _unparse(node)
    except LawError:  # not in the whitelist: Python's own unparser (recursive)
        try:
            text = ast.unparse(node)
        except (RecursionError, ValueError, AttributeError, TypeError):
            return f"<{type(node).__name__}>"
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


# ---- a whitelisted, iterative compiler -------------------------------------------------
#
# Formulas may be long (sums of thousands of terms), so nothing below recurses: the tree is
# walked with an explicit stack into a postfix program, which a loop evaluates (also under
# JAX tracing). Sub-expressions without names are folded at parse time with Python floats
# and must give finite real numbers.

# the precedences of ast.unparse (Lib/ast.py: _Precedence), for the operators used here
_ARITH, _TERM, _FACTOR, _POWER, _AWAIT, _ATOM = 13, 14, 15, 16, 17, 18
_BINOP_TEXT = {ast.Add: ("+", _ARITH), ast.Sub: ("-", _ARITH), ast.Mult: ("*", _TERM),
               ast.Div: ("/", _TERM), ast.Pow: ("**", _POWER)}


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _own_precedence(node: ast.AST) -> int:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOP_TEXT:
        return _BINOP_TEXT[type(node.op)][1]
    if isinstance(node, ast.UnaryOp):
        return _FACTOR
    return _ATOM


def _unparse(node: ast.AST) -> str:
    """``ast.unparse`` for whitelisted trees: the same text, without recursion."""
    out: list[str] = []
    stack: list[tuple[ast.AST | str, int]] = [(node, 0)]  # (node, precedence it needs)
    while stack:
        item, need = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        own = _own_precedence(item)
        todo: list[tuple[ast.AST | str, int]] = []  # in writing order
        if isinstance(item, ast.Constant) and type(item.value) in (int, float):
            todo.append((repr(item.value), 0))
        elif isinstance(item, ast.Name):
            todo.append((item.id, 0))
        elif isinstance(item, ast.BinOp) and type(item.op) in _BINOP_TEXT:
            text, prec = _BINOP_TEXT[type(item.op)]
            left_need, right_need = (prec + 1, prec) if text == "**" else (prec, prec + 1)
            todo += [(item.left, left_need), (f" {text} ", 0), (item.right, right_need)]
        elif isinstance(item, ast.UnaryOp) and isinstance(item.op, ast.USub | ast.UAdd):
            todo += [("-" if isinstance(item.op, ast.USub) else "+", 0), (item.operand, _FACTOR)]
        elif (isinstance(item, ast.Call) and isinstance(item.func, ast.Name)
              and not item.keywords):
            todo.append((f"{item.func.id}(", 0))
            for k, arg in enumerate(item.args):
                todo += [(", ", 0)] * (k > 0) + [(arg, 0)]
            todo.append((")", 0))
        else:
            raise LawError(f"cannot unparse {type(item).__name__}")
        if own < need:
            todo = [("(", 0), *todo, (")", 0)]
        stack.extend(reversed(todo))
    return "".join(out)


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    z = math.exp(v)
    return z / (1.0 + z)


def _logsumexp(*vs: float) -> float:
    top = max(vs)
    return top + math.log(math.fsum(math.exp(v - top) for v in vs))


# Python-float versions of FUNCTIONS, for folding constant sub-expressions
_PY_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "logsumexp": _logsumexp,
    "log10": math.log10, "log2": math.log2, "log1p": math.log1p, "expm1": math.expm1,
    "sigmoid": _sigmoid, "tanh": math.tanh,
}
_PY_BINOPS: dict[type, Callable[[float, float], Any]] = {
    ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__,
    ast.Div: float.__truediv__, ast.Pow: float.__pow__,
}

class _Dynamic:
    """The marker of an operand computed at run time (popped from the program's stack)."""

    def __repr__(self) -> str:
        return "<run-time operand>"

    def __reduce__(self) -> str:  # stays the one marker through (cloud)pickle, e.g. to Dask
        return "_DYN"


_DYN = _Dynamic()


def _fold(node: ast.AST, formula: str, compute: Callable[[], Any], fname: str = "") -> float:
    """Evaluate a constant sub-expression; it must give a finite real float."""
    try:
        value = compute()
    except ZeroDivisionError:
        problem = "divides by zero"
    except OverflowError:
        problem = "overflows a float"
    except ValueError:
        problem = f"is outside the domain of {fname}()"
    else:
        if isinstance(value, complex):
            problem = f"is complex ({value!r})"
        elif not math.isfinite(value):
            problem = f"is not finite ({value!r})"
        else:
            return float(value)
    raise _err(node, formula, f"constant sub-expression {_snippet(node)!r} {problem}",
               "; constants must evaluate to finite real numbers")


def _check_name(node: ast.Name, formula: str) -> None:
    if node.id.startswith("_"):
        raise _err(node, formula, f"name {node.id!r} may not start with an underscore")
    if node.id in FUNCTIONS:
        raise _err(node, formula, f"function {node.id!r} used without a call")


def _check_node(node: ast.AST, formula: str) -> None:
    """Reject anything outside the whitelist (before its children are visited)."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _err(node, formula, f"literal {_snippet(node)} is not a number")
        return
    if isinstance(node, ast.Name):
        _check_name(node, formula)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _err(node, formula, "only plain function calls are allowed "
                       f"(got {_snippet(node.func)!r})")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise _err(node, formula, f"unknown function {_snippet(node.func)!r}")
        if node.keywords:
            raise _err(node, formula, f"{fname}() takes no keyword arguments")
        nargs = len(node.args)
        if (fname == "logsumexp" and nargs < 1) or (fname != "logsumexp" and nargs != 1):
            raise _err(node, formula, f"{fname}() got {nargs} arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _err(node, formula, f"{fname}() takes no starred arguments")
        return
    kind = type(node).__name__
    raise _err(node, formula, f"construct {kind} ({_snippet(node)!r}) is not allowed")


def _literal(node: ast.Constant, formula: str) -> float:
    text = _source(node, formula) or repr(node.value)
    shown = text if len(text) <= 30 else f"{text[:20]}... ({len(text)} characters)"
    try:
        value = float(node.value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise _err(node, formula, f"literal {shown} is too large for a float (it would be "
                   "infinite)")
    return value


def _compile(tree: ast.Expression, formula: str, names: set[str]) -> Callable[[Mapping], Any]:
    """Check ``tree`` against the whitelist and compile it into a function of ``env``.

    The function runs a postfix program; instructions are ``("name", ident)``,
    ``("bin", op, left, right)``, ``("neg", None)``, ``("call", fn, args)`` and
    ``("const", value)``, where an operand is a folded float or :data:`_DYN` (pop it).
    """
    program: list[tuple] = []
    values: list[Any] = []  # per finished node: its folded float, or _DYN
    stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            _check_node(node, formula)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_children(node)))
            continue
        if isinstance(node, ast.Constant):
            values.append(_literal(node, formula))
        elif isinstance(node, ast.Name):
            names.add(node.id)
            program.append(("name", node.id))
            values.append(_DYN)
        elif isinstance(node, ast.BinOp):
            right, left = values.pop(), values.pop()
            if left is _DYN or right is _DYN:
                program.append(("bin", _BINOPS[type(node.op)], left, right))
                values.append(_DYN)
            else:
                py_op = _PY_BINOPS[type(node.op)]
                values.append(_fold(node, formula, lambda op=py_op, a=left, b=right: op(a, b)))
        elif isinstance(node, ast.UnaryOp):
            inner = values.pop()
            negate = isinstance(node.op, ast.USub)
            if inner is _DYN:
                if negate:
                    program.append(("neg", None))
                values.append(_DYN)
            else:
                values.append(-inner if negate else inner)
        else:  # ast.Call, checked above
            args = values[len(values) - len(node.args):]
            del values[len(values) - len(node.args):]
            fname = node.func.id
            if any(a is _DYN for a in args):
                program.append(("call", FUNCTIONS[fname], tuple(args)))
                values.append(_DYN)
            else:
                py_fn = _PY_FUNCTIONS[fname]
                values.append(_fold(node, formula, lambda f=py_fn, a=args: f(*a), fname))
    if values[0] is not _DYN:
        program.append(("const", values[0]))
    return partial(_run, tuple(program))


def _run(program: tuple[tuple, ...], env: Mapping[str, Any]) -> Any:
    """Evaluate a program from :func:`_compile` (a loop, so JAX traces any length)."""
    stack: list[Any] = []
    pop, push = stack.pop, stack.append
    for kind, what, *operands in program:
        if kind == "name":
            push(env[what])
        elif kind == "bin":
            left, right = operands
            right = pop() if right is _DYN else right
            left = pop() if left is _DYN else left
            push(what(left, right))
        elif kind == "neg":
            push(-pop())
        elif kind == "call":
            (consts,) = operands
            args = [pop() if a is _DYN else a for a in reversed(consts)]
            push(what(*reversed(args)))
        else:  # "const"
            push(what)
    return stack[-1]


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
    response, tree = _parse(formula)
    names: set[str] = set()
    fn_tree = _compile(tree, formula, names)
    first = _first_positions(tree)
    ordered = sorted(names, key=first.__getitem__)
    if inputs is None:
        input_names = tuple(n for n in ordered if n in DEFAULT_INPUTS)
    else:
        input_names = tuple(inputs)
        unused = [n for n in input_names if n not in names]
        if unused:
            raise LawError(f"formula {_short(formula)} does not use the input(s) {unused}; "
                           f"its names are {ordered}")
    if not input_names:
        raise LawError(f"formula {_short(formula)} has no input; name one with inputs=[...] "
                       f"(defaults recognised: {', '.join(DEFAULT_INPUTS)})")
    param_names = [n for n in ordered if n not in input_names]
    if not param_names:
        raise LawError(f"formula {_short(formula)} has no parameters: every name that is not an "
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
    canonical = _unparse(tree.body)

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


def _first_positions(tree: ast.AST) -> dict[str, tuple[int, int]]:
    """Where each name first appears, as ``(line, column)`` (one pass over the tree)."""
    first: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            pos = (node.lineno, node.col_offset)
            if pos < first.get(node.id, (10**9, 0)):
                first[node.id] = pos
    return first


def _parse(formula: str) -> tuple[str, ast.Expression]:
    """Parse ``[response ~] expression`` into (response, tree); failures are LawErrors."""
    if len(formula) > MAX_LENGTH:
        raise LawError(f"formula {_short(formula)} is too long: {len(formula)} characters, "
                       f"at most {MAX_LENGTH} are accepted")
    try:
        formula.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LawError(f"formula {_short(formula)}: character {formula[exc.start]!r} at "
                       f"column {exc.start + 1} is not valid text (a lone surrogate). "
                       f"{_ACCEPTED}") from None
    response, sep, rhs = formula.partition("~")
    if not sep:
        rhs, response = formula, ""
    response = response.strip()
    if response and not response.isidentifier():
        raise LawError(f"formula {_short(formula)}: response {_short(response, 60)} is not a "
                       "plain name")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. escapes in string literals
            tree = ast.parse(rhs.strip(), mode="eval")
    except SyntaxError as exc:
        raise LawError(f"formula {_short(formula)} is not a valid expression: {exc.msg}. "
                       f"{_ACCEPTED}") from None
    except (RecursionError, MemoryError):
        raise LawError(f"formula {_short(formula)} is nested too deeply to parse (long "
                       "chains of ** or unary minus, or sums of about 10,000 terms or "
                       f"more). {_ACCEPTED}") from None
    except ValueError as exc:  # e.g. null bytes on some Python versions
        raise LawError(f"formula {_short(formula)} is not a valid expression: {exc}. "
                       f"{_ACCEPTED}") from None
    # report columns of the whole formula, not of its stripped right-hand side (in bytes,
    # as the parser counts them)
    start = len(formula.encode("utf-8")) - len(rhs.lstrip().encode("utf-8"))
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == 1:
            node.col_offset += start
            if getattr(node, "end_lineno", None) == 1:
                node.end_col_offset += start
    return response, tree
