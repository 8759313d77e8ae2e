"""Fit results: the immutable :class:`Fit`, its diagnostics, export and storage.

:func:`fit` and :func:`fit_many` (``bs.fit``, ``bs.fit_many``) run the engine and build
the result on the posterior it returns. This layer imports the engine and the specs,
never the layers above: the conveniences a user expects on a result whose code lives
there (``fit.compute_optimal``, the compute axis of ``fit.plot``, ``fit.widget``, the
PassUntil and crossover views) are reached through :mod:`bayescale.result._upward`, a
registry of ``"module:attribute"`` paths imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bayescale.result._collection import FitCollection
from bayescale.result._diagnostics import DiagnosticWarning
from bayescale.result._fit import Fit
from bayescale.result._run import fit, fit_many

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._io import load

__all__ = ["DiagnosticWarning", "Fit", "FitCollection", "fit", "fit_many", "load"]


def __getattr__(name: str) -> Any:
    # ``load`` lives in ._io, which imports ArviZ (and through it matplotlib) at its top:
    # imported on first use so that ``import bayescale`` does not pay for them
    if name == "load":
        from bayescale.result._io import load

        return load
    raise AttributeError(f"module 'bayescale.result' has no attribute {name!r}")


def __dir__() -> list[str]:  # ``load`` too (tab completion)
    return sorted({*globals(), *__all__})
