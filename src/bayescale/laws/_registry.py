"""The registry of built-in laws: what tests, widgets, magics and the CLI enumerate."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from bayescale._errors import LawError, one_of
from bayescale.laws._law import Law

__all__ = ["get", "names", "register", "resolve"]

_LAWS: dict[str, Law | Callable[..., Law]] = {}


def register(law: Law | Callable[..., Law], *, name: str | None = None,
             overwrite: bool = False) -> None:
    """Add a law (or a factory of laws taking keyword options) to the registry.

    Parameters
    ----------
    law : Law or callable
        The law, or a function returning one (e.g. :func:`bayescale.laws.bnsl`).
    name : str, optional
        Registry name; defaults to ``law.name``.
    overwrite : bool, default False
        Replace an existing entry of the same name.
    """
    key = name or getattr(law, "name", None) or getattr(law, "__name__", None)
    if not key:
        raise LawError("register() needs a name for this law")
    if key in _LAWS and not overwrite:
        raise LawError(f"a law named {key!r} is already registered; pass overwrite=True")
    _LAWS[key] = law


def names() -> list[str]:
    """Names of the registered laws, sorted."""
    return sorted(_LAWS)


def get(name: str, **options: Any) -> Law:
    """Return the registered law called ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    **options
        Options of law factories, e.g. ``get("bnsl", n_breaks=2)``.

    Returns
    -------
    Law
    """
    if not isinstance(name, str):
        raise LawError(f"law name must be a string, got {type(name).__name__}")
    if name not in _LAWS:
        raise LawError(f"unknown law {name!r}{_did_you_mean(name)}; registered laws: "
                       f"{one_of(_LAWS)}. For a custom law pass a formula such as "
                       "'loss ~ E + A / N**alpha'.")
    entry = _LAWS[name]
    if isinstance(entry, Law):
        if options:
            raise LawError(f"law {name!r} takes no options, got {sorted(options)}")
        return entry
    try:
        return entry(**options)
    except TypeError as exc:
        raise LawError(f"bad options for law {name!r}: {exc}") from None


def _close_names(name: str) -> list[str]:
    """Registered names close to ``name`` (case, ``-`` for ``_`` and typos forgiven)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    by_key = {n.lower(): n for n in _LAWS}
    if key in by_key:
        return [by_key[key]]
    return [by_key[m] for m in difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.75)]


def _did_you_mean(name: str) -> str:
    close = _close_names(name)
    return f" (did you mean {' or '.join(repr(n) for n in close)}?)" if close else ""


# words joined by hyphens: "saturating-power" (a law name misspelt, or a difference of names)
_HYPHENATED = re.compile(r"\s*[A-Za-z_]\w*(\s*-\s*[A-Za-z_]\w*)+\s*")


def resolve(law: Law | str, *, inputs: tuple[str, ...] | None = None) -> Law:
    """Turn a law, a registry name or a formula (containing ``~`` or operators) into a Law.

    A string without ``~`` that reads like a misspelt registry name (``"saturating-power"``,
    words joined by hyphens, close to a registered name) raises a :class:`LawError` that
    suggests the name, instead of being parsed as the formula ``saturating - power``.
    """
    if isinstance(law, Law):
        return law
    if isinstance(law, str):
        if law in _LAWS:
            return get(law)
        if "~" not in law and _HYPHENATED.fullmatch(law):
            if _close_names(law):
                raise LawError(f"unknown law {law!r}{_did_you_mean(law)}; registered laws: "
                               f"{one_of(_LAWS)}. A formula needs a response and a '~', "
                               "e.g. 'loss ~ E + A / N**alpha'.")
            try:
                return Law.from_formula(law, inputs=inputs)
            except LawError as exc:
                raise LawError(f"{law!r} is neither a registered law ({one_of(_LAWS)}) nor "
                               f"a usable formula: {exc}") from None
        if any(ch in law for ch in "~+-*/()"):
            return Law.from_formula(law, inputs=inputs)
        return get(law)  # raises with the list of names
    raise LawError(f"law must be a Law, a registered name or a formula string, got "
                   f"{type(law).__name__}")
