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
import re
import warnings
from collections.abc import Mapping, Sequence

from bayescale._errors import LawError
from bayescale.laws import _priors as P
from bayescale.laws._formula_program import (
    _ACCEPTED,
    FUNCTIONS,
    MAX_LENGTH,
    _compile,
    _short,
    _unparse,
)
from bayescale.laws._guess import polish
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["DEFAULT_INPUTS", "FUNCTIONS", "MAX_LENGTH", "from_formula"]


#: Names treated as inputs when ``inputs`` is not given.
DEFAULT_INPUTS = ("N", "D", "C", "x", "k", "S", "n", "m", "t", "T", "P", "U", "R")
_GREEK = {"alpha", "beta", "gamma", "delta", "nu", "kappa", "lam", "mu", "rho", "tau", "eta",
          "zeta", "theta", "a", "b", "c", "p", "q"}


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
    if name is not None and not isinstance(name, str):
        raise LawError(f"name must be a string (the law's label), got {name!r}")
    if isinstance(inputs, str):  # one input: inputs="N" is inputs=["N"]
        inputs = [inputs]
    if inputs is not None and (not isinstance(inputs, Sequence)
                               or not all(isinstance(i, str) for i in inputs)):
        raise LawError(f"inputs must be a list of names, e.g. inputs=['N', 'D'], got "
                       f"{inputs!r}")
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
        if not isinstance(priors, Mapping):
            raise LawError(f"priors must be a mapping of parameter names to Priors, got "
                           f"{priors!r}")
        unknown = sorted(set(priors) - set(param_names), key=str)
        if unknown:
            raise LawError(f"priors for unknown parameter(s) {unknown}; the formula's "
                           f"parameters are {param_names}")
        bad = {k: v for k, v in priors.items() if not isinstance(v, Prior)}
        if bad:
            raise LawError(f"priors must be bayescale Priors, e.g. Prior('LogNormal', 0, 1); "
                           f"got {bad}")
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


# ``Law.from_formula`` is this parser (declared on :class:`Law`, bound here: ``_law`` does
# not import the module that parses formulas into laws)
Law.from_formula = staticmethod(from_formula)
