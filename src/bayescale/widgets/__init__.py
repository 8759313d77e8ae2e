"""Notebook views of bayescale results (anywidget), imported lazily.

- :class:`ExtrapolationWidget`: nested credible bands, median, points, a target read-out;
  ``fit.widget()`` returns one.
- :class:`Explorer`: an ipywidgets dashboard around it (law, credible level, target,
  Fit button, export); ``bs.explore(data, ...)`` returns one.

All views load one ESM bundle built from ``js/`` into ``bayescale/static``; see
:mod:`bayescale.widgets._bundle` for what happens when it is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.widgets.explorer import Explorer, explore
    from bayescale.widgets.extrapolation import ExtrapolationWidget

__all__ = ["Explorer", "ExtrapolationWidget", "explore"]

_WHERE = {
    "ExtrapolationWidget": "bayescale.widgets.extrapolation",
    "Explorer": "bayescale.widgets.explorer",
    "explore": "bayescale.widgets.explorer",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'bayescale.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
