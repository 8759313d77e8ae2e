"""Validation of the views' trait values, with messages that say what is accepted.

Each function takes the proposed value and returns it normalised to plain JSON-able
Python (floats, lists, dicts), or raises :class:`traitlets.TraitError`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

from traitlets import Float, Int, TraitError

__all__ = ["CiProb", "Height", "check_bands", "check_ci_prob", "check_domain", "check_height",
           "check_levels", "check_numbers", "check_points", "check_target", "same_length"]


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
