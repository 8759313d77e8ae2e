"""Parsing and checking the ``%bayescale`` magics' arguments.

The usage text and usage errors, ``NAME=VALUE`` lists, priors and variable names.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any

from IPython.core.error import UsageError

from bayescale._errors import BayescaleError

_FIT_USAGE = ('%bayescale fit DF ["y ~ formula"] [--law NAME] [--x COLS] [--y COL] '
              "[--predict K=V,...] [--samples N] [--warmup N] [--chains N] [--seed N] "
              "[-o NAME] [--no-widget]")
_USAGE = "\n".join([
    "Usage:", "  " + _FIT_USAGE, "  %bayescale laws",
    "  %bayescale crossover FIT_A FIT_B --over C=LO:HI [--better lower|higher] [-o NAME]",
    "  %bayescale passuntil DF [--n COL --c COL --model COL --problem COL | --r COL --K COL "
    "--cap COL --instance COL] [--N COL] [--law beta|power] [--k-max K] [-o NAME]",
    "  %%bayescale [-o NAME] [--no-widget]   (cell: data:, law: or formula:, x:, y:, "
    "priors:, predict:, samples:, warmup:, chains:, seed:)",
])
_CELL_KEYS = {"data", "law", "formula", "x", "y", "priors", "predict", "samples", "warmup",
              "chains", "seed", "likelihood", "out"}


def _fail(msg: str, form: str = "option") -> UsageError:
    """A UsageError: ``msg`` in the magic's own syntax, then the accepted forms.

    ``bs.fit`` keywords in ``msg`` (``y=...``) are said as the magic's options
    (``--y COL``) or, for ``form="cell"``, as its cell keys (``y: COL``).
    """
    from bayescale.cli import speak_options

    return UsageError(f"{speak_options(msg, form)}\n{_USAGE}")


def _parse_assignments(text: str, sep: str = ",") -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(sep))):
        if "=" not in part:
            raise _fail(f"expected NAME=VALUE, got {part!r}")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _floats(spec: str) -> dict[str, Any]:
    from bayescale.cli import parse_predict

    try:
        return parse_predict(spec)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _check_name(name: Any) -> None:
    """``-o NAME`` must be a Python variable name (it is assigned in the notebook)."""
    if name is not None and (not str(name).isidentifier() or keyword.iskeyword(name)):
        raise _fail(f"-o expects a Python variable name (letters, digits, _; not starting "
                    f"with a digit, not a keyword), got {name!r}")


def _prior(text: str) -> Any:
    from bayescale.priors import Prior

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise _fail(f"cannot parse prior {text!r}; write e.g. LogNormal(0, 1)") from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise _fail(f"prior {text!r} must look like Family(arg, ...)")
    if node.keywords:  # Prior takes its arguments by position only
        raise _fail(f"prior {text!r}: give the arguments by position, e.g. "
                    f"{node.func.id}(0, 1)")
    try:
        args = [ast.literal_eval(a) for a in node.args]
    except ValueError:
        raise _fail(f"prior {text!r}: arguments must be numbers") from None
    if not all(isinstance(a, int | float) and not isinstance(a, bool) for a in args):
        raise _fail(f"prior {text!r}: arguments must be numbers")
    try:
        return Prior(node.func.id, *args)
    except BayescaleError as exc:
        raise _fail(str(exc)) from None


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", text, re.I))
