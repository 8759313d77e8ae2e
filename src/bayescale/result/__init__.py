"""Fit results: the immutable :class:`Fit`, its diagnostics, export and storage."""

from bayescale.result._collection import FitCollection
from bayescale.result._diagnostics import DiagnosticWarning
from bayescale.result._fit import Fit
from bayescale.result._io import load

__all__ = ["DiagnosticWarning", "Fit", "FitCollection", "load"]
