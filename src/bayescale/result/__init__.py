"""Fit results: the immutable :class:`Fit`, its diagnostics, export and storage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bayescale.result._collection import FitCollection
from bayescale.result._diagnostics import DiagnosticWarning
from bayescale.result._fit import Fit

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._io import load

__all__ = ["DiagnosticWarning", "Fit", "FitCollection", "load"]


def __getattr__(name: str) -> Any:
    # ``load`` lives in ._io, which imports ArviZ (and through it matplotlib) at its top:
    # imported on first use so that ``import bayescale`` does not pay for them
    if name == "load":
        from bayescale.result._io import load

        return load
    raise AttributeError(f"module 'bayescale.result' has no attribute {name!r}")


def __dir__() -> list[str]:  # ``load`` too (tab completion)
    return sorted({*globals(), *__all__})
