"""Notebook views of bayescale results (anywidget), imported lazily.

- :class:`ExtrapolationWidget`: nested credible bands, median, points, a target read-out;
  ``fit.widget()`` returns one.
- :class:`PassUntilWidget`: PU against N with instance lines, the task band, predicted
  points and the emergence panel; ``passuntil_fit.widget()`` returns one.
- :class:`CrossoverWidget`: both curves with bands, P(A better than B) and the
  crossing-location density; ``crossover_result.widget()`` returns one.
- :class:`Explorer`: an ipywidgets dashboard around it (law, credible level, target,
  Fit button, export); ``bs.explore(data, ...)`` returns one.

All views load one ESM bundle built from ``js/`` into ``bayescale/static``; see
:mod:`bayescale.widgets._bundle` for what happens when it is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.widgets.crossover import CrossoverWidget
    from bayescale.widgets.explorer import Explorer, explore
    from bayescale.widgets.extrapolation import ExtrapolationWidget
    from bayescale.widgets.passuntil import PassUntilWidget

__all__ = ["CrossoverWidget", "Explorer", "ExtrapolationWidget", "PassUntilWidget", "explore"]

_WHERE = {
    "ExtrapolationWidget": "bayescale.widgets.extrapolation",
    "Explorer": "bayescale.widgets.explorer",
    "explore": "bayescale.widgets.explorer",
    "PassUntilWidget": "bayescale.widgets.passuntil",
    "CrossoverWidget": "bayescale.widgets.crossover",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'bayescale.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
