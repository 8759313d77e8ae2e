"""Prior specifications, turned into NumPyro distributions in one place.

A :class:`Prior` is a plain, hashable spec: a family name and its arguments, e.g.
``Prior("LogNormal", 0.0, 1.0)`` or ``Prior("Beta", 2, 4)``. Laws carry default priors
(some scaled to the data, see :class:`DataStats`); users override them by parameter
name. Published fits are available as priors through :func:`from_published`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpyro.distributions as dist
from jax.core import Tracer

from bayescale._errors import PriorError, one_of

__all__ = ["FAMILIES", "DataStats", "Prior", "from_published", "median", "support",
           "to_distribution"]

#: Accepted prior families, with the names of their arguments in order.
FAMILIES: dict[str, tuple[str, ...]] = {
    "Normal": ("loc", "scale"),
    "LogNormal": ("loc", "scale"),
    "HalfNormal": ("scale",),
    "HalfCauchy": ("scale",),
    "Exponential": ("rate",),
    "Gamma": ("concentration", "rate"),
    "Beta": ("concentration1", "concentration0"),
    "Uniform": ("low", "high"),
    "StudentT": ("df", "loc", "scale"),
    "TruncatedNormal": ("loc", "scale", "low", "high"),
}


#: Which arguments must be positive (scales, rates, concentrations, degrees of freedom);
#: the others (locations, bounds) may be any finite number.
_POSITIVE_ARGS = frozenset({"scale", "rate", "concentration", "concentration1",
                            "concentration0", "df"})
#: Families whose last two arguments are the bounds of an interval.
_BOUNDED = ("Uniform", "TruncatedNormal")


def _did_you_mean(family: Any) -> str:
    if not isinstance(family, str):
        return f" (a {type(family).__name__}, not a family name)"
    by_lower = {f.lower(): f for f in FAMILIES}
    close = ([family.lower()] if family.lower() in by_lower else
             difflib.get_close_matches(family.lower(), list(by_lower), n=2, cutoff=0.6))
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(by_lower[c]) for c in close)}?)"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...({len(text)} characters)"


def _concrete(family: str, name: str, value: Any) -> np.ndarray | None:
    """``value`` as a float array, None for a JAX tracer (checked when concrete)."""
    accepted = ("a finite number > 0" if name in _POSITIVE_ARGS else "a finite number")
    where = f"Prior({family!r}, ...): argument {name}={_show(value)}"
    if isinstance(value, Tracer):
        return None
    if isinstance(value, bool | np.bool_) or isinstance(value, str | bytes) or value is None:
        raise PriorError(f"{where} is not a number; {name} must be {accepted}")
    if isinstance(value, int):  # Python ints of any size: NumPy would make them objects
        try:
            value = float(value)
        except OverflowError:
            raise PriorError(f"{where} is not finite (too large for a float); {name} must "
                             f"be {accepted}") from None
    try:
        array = np.asarray(value)
    except Exception:  # anything NumPy cannot read is not a number
        array = np.asarray(None)
    if array.dtype.kind not in "iuf":
        raise PriorError(f"{where} is not a number; {name} must be {accepted}")
    if array.ndim:  # a list or an array: one prior takes one number per argument
        raise PriorError(f"{where} is not a single number (shape {array.shape}); {name} "
                         f"must be {accepted}")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise PriorError(f"{where} is not finite; {name} must be {accepted}")
    if name in _POSITIVE_ARGS and not np.all(array > 0):
        raise PriorError(f"{where} is not positive; {name} must be {accepted}")
    return array


def _validate(family: str, args: tuple[Any, ...]) -> None:
    """Check each argument by name: numeric, finite, scale-like ones > 0, low < high."""
    values = [_concrete(family, name, value)
              for name, value in zip(FAMILIES[family], args, strict=True)]
    if family in _BOUNDED and values[-2] is not None and values[-1] is not None:
        low, high = values[-2], values[-1]
        if not np.all(low < high):
            raise PriorError(f"Prior({family!r}, ...): low={_show(args[-2])} must be below "
                             f"high={_show(args[-1])}, otherwise the interval is empty and "
                             "every draw is rejected")


@dataclass(frozen=True)
class Prior:
    """A prior distribution spec.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES` (``"Normal"``, ``"LogNormal"``, ``"Beta"``, ...).
    *args : float
        The family's arguments in NumPyro's order (see :data:`FAMILIES`).
    at_pivot : bool, default False
        For amplitudes that bayescale re-centres (e.g. ``A`` in ``A N^-alpha``), put the
        prior on the amplitude at the data's geometric-mean input, ``A N0^-alpha``,
        instead of on ``A`` itself. Default priors of amplitudes do this, so that they
        are weakly informative whatever the units of ``N``.

    Raises
    ------
    PriorError
        For an unknown family, a wrong number of arguments, or an argument that is not a
        single finite number (a list or an array is refused; scales, rates,
        concentrations and ``df`` must also be ``> 0``, and ``low < high`` for
        ``Uniform`` and ``TruncatedNormal``). JAX tracers (data-scaled priors inside a
        compiled function) are accepted unchecked.

    Examples
    --------
    >>> Prior("Beta", 2, 4)
    Prior('Beta', 2, 4)
    """

    family: str
    args: tuple[Any, ...]
    at_pivot: bool

    def __init__(self, family: str, *args: Any, at_pivot: bool = False) -> None:
        if not isinstance(family, str) or family not in FAMILIES:
            raise PriorError(f"unknown prior family {family!r}{_did_you_mean(family)}; "
                             f"accepted: {one_of(FAMILIES)}")
        expected = FAMILIES[family]
        if len(args) != len(expected):
            raise PriorError(
                f"Prior({family!r}, ...) takes {len(expected)} argument(s) "
                f"({', '.join(expected)}), got {len(args)}"
            )
        _validate(family, args)
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "args", tuple(args))
        object.__setattr__(self, "at_pivot", bool(at_pivot))

    def __repr__(self) -> str:
        inner = ", ".join([repr(self.family), *(repr(a) for a in self.args)])
        return f"Prior({inner}{', at_pivot=True' if self.at_pivot else ''})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form (concrete arguments only)."""
        return {"family": self.family, "args": [float(a) for a in self.args],
                "at_pivot": self.at_pivot}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Prior:
        """Rebuild a prior from :meth:`to_dict` output."""
        return cls(spec["family"], *spec["args"], at_pivot=spec.get("at_pivot", False))


class DataStats(NamedTuple):
    """Summaries of the data that data-scaled default priors may use (0-d arrays).

    Attributes
    ----------
    y_min, y_median, y_scale : Array
        Minimum, median and a robust spread (MAD-based, floored) of the response.
    log_x0 : dict of str to Array
        Log of each input's geometric mean (the centre the engine pivots on).
    log_x_halfspan : dict of str to Array
        Half the range of each input's log (floored at 0.5).
    """

    y_min: Any
    y_median: Any
    y_scale: Any
    log_x0: Any = None
    log_x_halfspan: Any = None


PriorLike = Prior | Callable[[DataStats], Prior]


def to_distribution(prior: Prior) -> dist.Distribution:
    """Turn a :class:`Prior` spec into a NumPyro distribution.

    Parameters
    ----------
    prior : Prior
        The spec; its arguments may be JAX tracers.

    Returns
    -------
    numpyro.distributions.Distribution
    """
    if prior.family == "TruncatedNormal":  # NumPyro takes the bounds by keyword only
        loc, scale, low, high = prior.args
        return dist.TruncatedNormal(loc, scale, low=low, high=high)
    return getattr(dist, prior.family)(*prior.args)


_POSITIVE_FAMILIES = ("LogNormal", "HalfNormal", "HalfCauchy", "Exponential", "Gamma")


def support(family: str, args: tuple[float, ...]) -> tuple[str, float, float]:
    """The support of a prior family with concrete arguments, without JAX.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    args : tuple of float
        The family's arguments.

    Returns
    -------
    (kind, low, high) : tuple
        ``kind`` is ``"real"``, ``"positive"`` or ``"interval"`` (``"Beta"``:
        ``(0, 1)``; ``"Uniform"`` and ``"TruncatedNormal"``: their bounds), matching
        the ``support`` of :func:`to_distribution`'s distribution.
    """
    if family in _POSITIVE_FAMILIES:
        return "positive", 0.0, math.inf
    if family == "Beta":
        return "interval", 0.0, 1.0
    if family == "Uniform":
        return "interval", float(args[0]), float(args[1])
    if family == "TruncatedNormal":
        return "interval", float(args[2]), float(args[3])
    return "real", -math.inf, math.inf


def median(family: str, args: tuple[float, ...]) -> float:
    """The median of a prior family with concrete arguments (NumPy and SciPy, no JAX).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    args : tuple of float
        The family's arguments, in NumPyro's order.

    Returns
    -------
    float
    """
    from scipy import special

    a = [float(v) for v in args]
    if family in ("Normal", "StudentT"):
        return a[-2]
    if family == "LogNormal":
        return math.exp(a[0])
    if family == "HalfNormal":
        return a[0] * math.sqrt(2.0) * float(special.erfinv(0.5))
    if family == "HalfCauchy":
        return a[0]
    if family == "Exponential":
        return math.log(2.0) / a[0]
    if family == "Gamma":
        return float(special.gammaincinv(a[0], 0.5)) / a[1]
    if family == "Beta":
        return float(special.betaincinv(a[0], a[1], 0.5))
    if family == "Uniform":
        return 0.5 * (a[0] + a[1])
    if family == "TruncatedNormal":
        loc, scale, low, high = a
        lo, hi = special.ndtr((low - loc) / scale), special.ndtr((high - loc) / scale)
        return float(min(max(loc + scale * special.ndtri(0.5 * (lo + hi)), low), high))
    raise PriorError(f"unknown prior family {family!r}; accepted: {one_of(FAMILIES)}")


# Published Chinchilla fits, as priors on the ``chinchilla`` law's parameters.
# Standard errors: Epoch's bootstrap SEs (Besiroglu et al. 2024); Hoffmann et al. (2022)
# report no SEs, so their rounded Approach-3 values get Epoch-sized relative widths.
_PUBLISHED: dict[str, dict[str, tuple[float, float]]] = {
    "epoch": {"E": (1.817, 0.026), "A": (482.01, 124.5), "B": (2085.43, 1293.3),
              "alpha": (0.3478, 0.015), "beta": (0.3658, 0.021)},
    "hoffmann": {"E": (1.6934, 0.026), "A": (406.4, 124.5), "B": (410.7, 254.7),
                 "alpha": (0.33917084, 0.015), "beta": (0.2849083, 0.021)},
}


def from_published(name: str, *, inflate: float = 1.0) -> dict[str, Prior]:
    """Priors for the ``chinchilla`` law centred on a published fit.

    Parameters
    ----------
    name : {"epoch", "hoffmann"}
        ``"epoch"``: Besiroglu et al. (2024) MLE and bootstrap standard errors;
        ``"hoffmann"``: Hoffmann et al. (2022) Approach 3 (unrounded TeX values).
    inflate : float, default 1.0
        Multiply every standard error by this factor (``> 1`` for a weaker prior).

    Returns
    -------
    dict of str to Prior
        LogNormal priors whose median is the published value and whose log-scale width
        is the relative standard error: ``{"E": ..., "A": ..., "B": ..., "alpha": ...,
        "beta": ...}``.
    """
    key = name.lower()
    if key not in _PUBLISHED:
        raise PriorError(f"unknown published fit {name!r}; accepted: {one_of(_PUBLISHED)}")
    if not inflate > 0:
        raise PriorError(f"inflate must be positive, got {inflate!r}")
    out = {}
    for param, (value, se) in _PUBLISHED[key].items():
        out[param] = Prior("LogNormal", math.log(value), inflate * se / value)
    return out
