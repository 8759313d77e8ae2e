"""Where results reach upward: conveniences whose code lives in the layers above.

A user expects ``fit.compute_optimal(C)``, ``fit.widget()``, ``pu_fit.widget()`` and
``result.widget()`` on results, but that code belongs to the analysis layer
(:mod:`bayescale.analysis`) and the presentation layer (:mod:`bayescale.widgets`), which
import the result layer, never the reverse. As pandas reaches its plotting backends,
each convenience is registered here by name as a ``"module:attribute"`` path and
imported on first use: the import graph only looks down (the import-linter contracts
in ``pyproject.toml`` check it) and ``import bayescale`` stays free of ArviZ, matplotlib
and the widgets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from bayescale._errors import BayescaleError, one_of

__all__ = ["UPWARD", "compute_optimal", "optimal_draws", "register", "resolve"]

#: Convenience name -> ``"module:attribute"`` it is imported from on first use.
UPWARD: dict[str, str] = {
    "compute_optimal": "bayescale.analysis:compute_optimal",
    "optimal_draws": "bayescale.analysis:optimal_draws",
    "fit_widget": "bayescale.widgets:ExtrapolationWidget",
    "passuntil_widget": "bayescale.widgets:PassUntilWidget",
    "crossover_widget": "bayescale.widgets:CrossoverWidget",
}


def register(name: str, target: str) -> None:
    """Point the convenience ``name`` at ``target``, a ``"module:attribute"`` path.

    Another package can so replace a default (its own widget, say); the target is
    imported only when the convenience is first used.
    """
    module, sep, attribute = target.partition(":")
    if not (module and sep and attribute):
        raise BayescaleError(f"target must look like 'package.module:attribute', got "
                             f"{target!r}")
    UPWARD[name] = target


def resolve(name: str) -> Any:
    """Import and return what the convenience ``name`` points at.

    Raises
    ------
    BayescaleError
        For a name that is not registered (the message lists those that are).
    ImportError, AttributeError
        When the target's module or attribute does not exist.
    """
    if name not in UPWARD:
        raise BayescaleError(f"no convenience {name!r} is registered; registered: "
                             f"{one_of(UPWARD)}")
    module, _, attribute = UPWARD[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def _deferred(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return resolve(name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Call ``{UPWARD[name]}`` (registered as {name!r}), imported on first use."
    return call


compute_optimal = _deferred("compute_optimal")
optimal_draws = _deferred("optimal_draws")
