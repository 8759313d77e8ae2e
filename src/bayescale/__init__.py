"""bayescale: Bayesian scaling laws.

Fit declarative scaling laws with NumPyro NUTS, extrapolate with credible bands, find
compute-optimal allocations with uncertainty, and ask questions of the posterior.

The subpackages are layers that only import downward (checked by the import-linter
contracts in ``pyproject.toml``): the widgets, CLI and magics (presentation) over
:mod:`~bayescale.analysis` over :mod:`~bayescale.result` over :mod:`~bayescale.engine`
over the specs (:mod:`~bayescale.laws`, :mod:`~bayescale.likelihoods`,
:mod:`~bayescale.priors`, :mod:`~bayescale.data`). This module only gathers their
public names.

Examples
--------
>>> import bayescale as bs
>>> data = bs.datasets.example("chinchilla")
>>> fit = bs.fit(data, "chinchilla", x=["N", "D"], y="loss")  # doctest: +SKIP
>>> fit.compute_optimal(C=5.76e23)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bayescale import (
    _config,  # noqa: F401  (float64 and the compilation cache)
    laws,
    likelihoods,
    priors,
)
from bayescale._errors import BayescaleError, DataError, LawError, PriorError
from bayescale._version import __version__
from bayescale.analysis import (
    backtest,
    backtest_many,
    compare,
    compute_optimal,
    crossover,
    fit_joint,
    model_average,
    plot_pit,
    tying_support,
)
from bayescale.data import Dataset
from bayescale.laws import Law, Param
from bayescale.likelihoods import Likelihood
from bayescale.priors import Prior
from bayescale.result import Fit, FitCollection, fit, fit_many

if TYPE_CHECKING:  # pragma: no cover
    from bayescale import datasets, passuntil
    from bayescale.result import load
    from bayescale.widgets import explore

__all__ = [
    "BayescaleError",
    "DataError",
    "Dataset",
    "Fit",
    "FitCollection",
    "Law",
    "LawError",
    "Likelihood",
    "Param",
    "Prior",
    "PriorError",
    "__version__",
    "analysis",
    "backtest",
    "backtest_many",
    "compare",
    "compute_optimal",
    "crossover",
    "datasets",
    "explore",
    "fit",
    "fit_joint",
    "fit_many",
    "laws",
    "likelihoods",
    "load",
    "load_ipython_extension",
    "model_average",
    "passuntil",
    "plot_pit",
    "priors",
    "tying_support",
    "unload_ipython_extension",
]

_LAZY_MODULES = {"datasets", "passuntil", "widgets"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"bayescale.{name}")
    if name == "explore":  # the Explorer dashboard (ipywidgets); imported on first use
        return importlib.import_module("bayescale.widgets").explore
    if name == "load":  # bayescale.result._io imports ArviZ (and matplotlib): on first use
        return importlib.import_module("bayescale.result").load
    raise AttributeError(f"module 'bayescale' has no attribute {name!r}")


def __dir__() -> list[str]:  # the lazy names too (tab completion)
    return sorted({*globals(), *__all__, *_LAZY_MODULES})


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%bayescale`` magics (``%load_ext bayescale``)."""
    from bayescale._magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Unregister the ``%bayescale`` magics."""
    from bayescale._magics import unload_ipython_extension as _unload

    _unload(ipython)
