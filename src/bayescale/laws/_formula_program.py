"""The whitelisted, iterative compiler behind formula laws.

Formulas may be long (sums of thousands of terms), so nothing here recurses: the tree is
checked and walked with an explicit stack into a postfix program, which a loop evaluates
(also under JAX tracing). Sub-expressions without names are folded at parse time with
Python floats and must give finite real numbers. Every failure is a
:class:`~bayescale.LawError` that names the piece and lists what is accepted.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import jax.numpy as jnp
from jax.nn import logsumexp, sigmoid

from bayescale._errors import LawError

__all__ = ["FUNCTIONS", "MAX_LENGTH"]


def _lse(*args: Any) -> Any:
    return logsumexp(jnp.stack(jnp.broadcast_arrays(*args)), axis=0)


#: Functions a formula may call.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt, "logsumexp": _lse,
    "log10": jnp.log10, "log2": jnp.log2, "log1p": jnp.log1p, "expm1": jnp.expm1,
    "sigmoid": sigmoid, "tanh": jnp.tanh,
}
_ARITY = {"logsumexp": None}


_BINOPS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a ** b,
}


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
