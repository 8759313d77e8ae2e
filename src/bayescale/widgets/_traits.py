"""Validation of the views' trait values, with messages that say what is accepted.

Each function takes the proposed value and returns it normalised to plain JSON-able
Python (floats, lists, dicts), or raises :class:`traitlets.TraitError`.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

from traitlets import Float, HasTraits, Int, TraitError

from bayescale._errors import BayescaleError, one_of

__all__ = ["CiProb", "Height", "ViewKeywordError", "Width", "check_bands", "check_ci_prob",
           "check_constructor", "check_domain", "check_height", "check_levels", "check_numbers",
           "check_points", "check_target", "check_width", "same_length", "split_keywords",
           "view_traits"]

#: Traits of ipywidgets' DOMWidget that a view also takes by keyword (its layout box).
_BASE_TRAITS = ("layout",)


class ViewKeywordError(BayescaleError, TypeError):
    """A keyword that a view's constructor or ``from_fit`` does not take."""


def view_traits(cls: type[HasTraits], base: type[HasTraits]) -> list[str]:
    """Public synced traits that ``cls`` adds to ``base`` (its anywidget base), and layout."""
    inherited = set(base.class_trait_names())
    own = [n for n in cls.class_trait_names(sync=True)
           if not n.startswith("_") and n not in inherited]
    return sorted({*own, *_BASE_TRAITS})


def split_keywords(where: str, kwargs: Mapping[str, Any], *, options: Iterable[str],
                   traits: Iterable[str], computed: Mapping[str, str]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the keywords of a view's ``from_*`` into its own options and view traits.

    Parameters
    ----------
    where : str
        Name of the method, for messages (``"ExtrapolationWidget.from_fit"``).
    kwargs : mapping
        The keywords given.
    options : iterable of str
        The method's own keywords (taken first, even where a trait has the same name).
    traits : iterable of str
        The view's traits (see :func:`view_traits`).
    computed : mapping of str to str
        Traits the method computes, each with what to pass instead.

    Returns
    -------
    (dict, dict)
        The options and the traits.

    Raises
    ------
    ViewKeywordError
        For a computed trait or an unknown keyword; the message lists what is accepted.
    """
    opts, traits = set(options), set(traits) - set(computed)
    own, rest = {}, {}
    for k, v in kwargs.items():
        if k in opts:
            own[k] = v
        elif k in traits:
            rest[k] = v
        else:
            accepted = f"options {one_of(opts)}; view traits {one_of(traits)}"
            if k in computed:
                raise ViewKeywordError(f"{where}() computes {k!r} from its input and does not "
                                       f"take it ({computed[k]}); it accepts the {accepted}")
            near = difflib.get_close_matches(k, [*opts, *traits], n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ViewKeywordError(f"{where}() got an unexpected keyword argument {k!r}{hint}; "
                                   f"it accepts the {accepted}")
    return own, rest


def check_constructor(cls: type[HasTraits], kwargs: Mapping[str, Any]) -> None:
    """Raise :class:`ViewKeywordError` for a constructor keyword that is not a trait."""
    names = set(cls.class_trait_names())
    for k in kwargs:
        if k not in names:
            public = sorted(n for n in cls.class_trait_names(sync=True) if not n.startswith("_"))
            near = difflib.get_close_matches(k, public, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ViewKeywordError(f"{cls.__name__}() got an unexpected keyword argument "
                                   f"{k!r}{hint}; it takes the traits {one_of(public)}")


def _float(name: str, v: Any, *, positive: bool = False) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TraitError(f"{name} must be a number, got {v!r}") from None
    if not math.isfinite(f):
        raise TraitError(f"{name} must be finite, got {f!r}")
    if positive and f <= 0:
        raise TraitError(f"{name} must be > 0 on a log axis, got {f!r}")
    return f


def check_numbers(name: str, values: Iterable[Any], *, increasing: bool = False,
                  positive: bool = False) -> list[float]:
    """Finite floats (strictly increasing, positive where asked)."""
    out = [_float(f"{name}[{i}]", v, positive=positive) for i, v in enumerate(values)]
    if increasing and any(b <= a for a, b in itertools.pairwise(out)):
        i = next(i for i in range(1, len(out)) if out[i] <= out[i - 1])
        raise TraitError(f"{name} must be strictly increasing; {name}[{i}] = {out[i]!r} "
                         f"follows {out[i - 1]!r}")
    return out


def check_levels(values: Iterable[Any]) -> list[float]:
    """Credible levels: 1 to 6 distinct probabilities in (0, 1), returned ascending."""
    out = [_float(f"ci_levels[{i}]", v) for i, v in enumerate(values)]
    if not 1 <= len(out) <= 6:
        raise TraitError(f"ci_levels needs 1 to 6 levels, got {len(out)} (e.g. [0.5, 0.8, 0.95])")
    for v in out:
        if not 0 < v < 1:
            raise TraitError(f"ci_levels must be probabilities strictly between 0 and 1, got "
                             f"{v!r} (e.g. [0.5, 0.8, 0.95])")
    if len(set(out)) != len(out):
        raise TraitError(f"ci_levels must be distinct, got {out}")
    return sorted(out)


def check_ci_prob(value: float) -> float:
    """Check a credible level: strictly between 0 and 1."""
    if not 0 < value < 1:
        raise TraitError(f"ci_prob must be strictly between 0 and 1, got {value!r}")
    return value


def check_height(value: int, low: int) -> int:
    """Check a view's height in pixels: between ``low`` and 2000."""
    if not low <= value <= 2000:
        raise TraitError(f"height must be between {low} and 2000 pixels, got {value}")
    return value


def check_width(value: int) -> int:
    """Check a view's width in pixels: 0 (fill the output area) or 320 to 4000."""
    if value != 0 and not 320 <= value <= 4000:
        raise TraitError(f"width must be 0 (fill the output area) or between 320 and 4000 "
                         f"pixels, got {value}")
    return value


class CiProb(Float):
    """A credible-level trait: a float strictly between 0 and 1."""

    def validate(self, obj: Any, value: Any) -> float:
        return check_ci_prob(super().validate(obj, value))


class Height(Int):
    """A view's height in pixels: an int between ``low`` and 2000."""

    def __init__(self, default_value: int, *, low: int, **kwargs: Any) -> None:
        super().__init__(default_value, **kwargs)
        self.low = low

    def validate(self, obj: Any, value: Any) -> int:
        return check_height(super().validate(obj, value), self.low)


class Width(Int):
    """A view's width in pixels: 0 (fill the output area) or an int from 320 to 4000."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(0, **kwargs)

    def validate(self, obj: Any, value: Any) -> int:
        return check_width(super().validate(obj, value))


def check_points(name: str, values: Iterable[Any]) -> list[dict[str, float]]:
    """Points as ``{"x": ..., "y": ...}`` dicts (also accepts ``(x, y)`` pairs)."""
    out = []
    for i, p in enumerate(values):
        if isinstance(p, Mapping):
            if not {"x", "y"} <= set(p):
                raise TraitError(f"{name}[{i}] needs keys 'x' and 'y', got {sorted(p)}")
            x, y = p["x"], p["y"]
        elif isinstance(p, (tuple, list)) and len(p) == 2:
            x, y = p
        else:
            raise TraitError(f"{name}[{i}] must be {{'x': ..., 'y': ...}} or (x, y), got {p!r}")
        out.append({"x": _float(f"{name}[{i}].x", x), "y": _float(f"{name}[{i}].y", y)})
    return out


def check_bands(values: Iterable[Any]) -> list[dict[str, Any]]:
    """Bands as ``{"level", "lower", "upper"}`` with ``lower <= upper``, widest first."""
    out = []
    for i, b in enumerate(values):
        if not isinstance(b, Mapping) or not {"level", "lower", "upper"} <= set(b):
            got = sorted(b) if isinstance(b, Mapping) else repr(b)
            raise TraitError(f"bands[{i}] must be a dict with keys 'level', 'lower', 'upper', "
                             f"got {got}")
        level = _float(f"bands[{i}].level", b["level"])
        if not 0 < level < 1:
            raise TraitError(f"bands[{i}].level must be in (0, 1), got {level!r}")
        lo = check_numbers(f"bands[{i}].lower", b["lower"])
        hi = check_numbers(f"bands[{i}].upper", b["upper"])
        if len(lo) != len(hi):
            raise TraitError(f"bands[{i}]: lower has {len(lo)} values but upper has {len(hi)}")
        bad = [j for j, (a, c) in enumerate(zip(lo, hi, strict=True)) if a > c + 1e-12 * abs(c)]
        if bad:
            j = bad[0]
            raise TraitError(f"bands[{i}]: lower[{j}] = {lo[j]!r} is above upper[{j}] = {hi[j]!r}")
        out.append({"level": level, "lower": lo, "upper": hi})
    return sorted(out, key=lambda b: -b["level"])


def check_domain(name: str, value: Iterable[Any]) -> list[float]:
    """Check an axis range: ``[lo, hi]`` with ``lo < hi``, or ``[]`` for automatic."""
    out = [_float(f"{name}[{i}]", v) for i, v in enumerate(value)]
    if out and (len(out) != 2 or out[0] >= out[1]):
        raise TraitError(f"{name} must be [] (automatic) or [lo, hi] with lo < hi, got {out}")
    return out


def check_target(value: Any, log_x: bool) -> float | None:
    """Check the target: ``None`` or a finite number (> 0 on a log axis)."""
    return None if value is None else _float("target_x", value, positive=log_x)


def same_length(grid: list[float], median: list[float], bands: list[dict[str, Any]]) -> None:
    """Raise unless the median and every band have one value per grid value."""
    if median and len(median) != len(grid):
        raise TraitError(f"median has {len(median)} values but grid_x has {len(grid)}")
    for i, b in enumerate(bands):
        if len(b["lower"]) != len(grid):
            raise TraitError(f"bands[{i}] has {len(b['lower'])} values but grid_x has {len(grid)}")
