"""A data-scaled prior for a parameter in an input's units (a noise scale, a batch scale)."""

from __future__ import annotations

from collections.abc import Callable

from bayescale.priors import DataStats, Prior

__all__ = ["around_input"]


def around_input(name: str) -> Callable[[DataStats], Prior]:
    """LogNormal prior centred on input ``name``'s geometric mean, sd twice its log half-span + 1.

    Parameters
    ----------
    name : str
        The law input whose units the parameter carries. An input with zeros is not
        log-centred (centre 0, half-span 0.5: LogNormal(0, 2)).

    Returns
    -------
    callable
        ``DataStats -> Prior``, for :class:`bayescale.laws.Param`'s ``prior``.
    """
    def prior(stats: DataStats) -> Prior:
        return Prior("LogNormal", stats.log_x0[name], 2.0 * stats.log_x_halfspan[name] + 1.0)

    return prior
