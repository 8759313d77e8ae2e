"""Axis layout of the extrapolation view: grids, points and defaults per slice."""

from __future__ import annotations

from typing import Any

import numpy as np

from bayescale.widgets._sources import FitSource, SliceSpec

__all__ = ["axis_traits", "default_slice", "make_grid"]

_MAX_DECADES = 40.0


def default_slice(source: FitSource, mode: str | None, value: float | None) -> SliceSpec:
    """Choose the initial slice of a law's inputs.

    None for one input; for laws of (N, D) the compute-optimal path in C = 6 N D, as
    ``fit.plot()`` draws them; otherwise the second input held at the median of its data
    (``value`` overrides the held value).
    """
    if len(source.columns) == 1:
        return SliceSpec()
    if len(source.columns) != 2:
        raise ValueError(f"the view shows laws of one or two inputs, not {source.columns}")
    law_inputs = set(getattr(getattr(source.fit, "law", None), "inputs", ()))
    optimal = law_inputs == {"N", "D"} and hasattr(source.fit, "compute_optimal")
    mode = mode or ("compute_optimal" if optimal else "fixed")
    if mode not in ("fixed", "compute_optimal"):
        raise ValueError(f"slice_mode must be 'fixed' or 'compute_optimal', got {mode!r}")
    held = source.columns[1]
    if value is None:
        value = float(np.median(np.asarray(source.fit.data[held], dtype=float)))
    return SliceSpec(mode, held, float(value))


def axis_traits(source: FitSource, spec: SliceSpec, *, log_x: bool, extrapolate: float,
                target_x: float | str | None) -> tuple[dict[str, Any], tuple[float, float]]:
    """Traits that depend on the x axis (label, points, target) and the base grid range."""
    x, y = source.observed(spec)
    ok = np.isfinite(x) & np.isfinite(y) & ((x > 0) if log_x else True)
    if not ok.any():
        raise ValueError("no observed point can be placed on the x axis")
    lo, hi = float(x[ok].min()), float(x[ok].max())
    if log_x:
        base = (lo / 2.0, hi * max(float(extrapolate), 1.0))
    else:
        w = (hi - lo) or abs(hi) or 1.0
        base = (lo - 0.05 * w, hi + max(float(extrapolate), 0.0) ** 0.5 * w)
    if target_x == "auto":
        target_x = hi * 10.0 if log_x else hi + 0.5 * (hi - lo)
    traits: dict[str, Any] = {
        "x_label": source.x_column(spec),
        "points": [{"x": float(a), "y": float(b)} for a, b in zip(x[ok], y[ok], strict=True)],
        "heldout_points": [],
        "target_x": target_x,
        "x_domain": [],
        "y_domain": [],
        "inputs": list(source.columns) if len(source.columns) == 2 else [],
        "slice_mode": spec.mode,
        "slice_input": spec.input,
        "slice_value": spec.value,
    }
    if source.heldout is not None:
        hx, hy = source.observed(spec, source.heldout)
        keep = np.isfinite(hx) & np.isfinite(hy) & ((hx > 0) if log_x else True)
        traits["heldout_points"] = [{"x": float(a), "y": float(b)}
                                    for a, b in zip(hx[keep], hy[keep], strict=True)]
    return traits, base


def make_grid(base: tuple[float, float], target: float | None, domain: list[float],
              log: bool, n: int) -> np.ndarray:
    """Make a grid over ``base``, stretched to the target and the visible range.

    Where the visible range is a small part of the whole, ``n // 2`` extra values are
    placed inside it so that a zoomed-in view stays smooth.
    """
    lo, hi = base
    if target is not None and (target > 0 or not log):
        lo = min(lo, target / 1.5 if log else target)
        hi = max(hi, target * 1.5 if log else target)
    if len(domain) == 2:
        lo, hi = min(lo, domain[0]), max(hi, domain[1])
    if log:
        lo = max(lo, hi / 10**_MAX_DECADES)
        grid = np.geomspace(lo, hi, n)
        zoomed_in = len(domain) == 2 and domain[0] > 0 and (
            np.log(domain[1] / domain[0]) < np.log(hi / lo) / 4)
        if zoomed_in:
            grid = np.union1d(grid, np.geomspace(domain[0], domain[1], n // 2))
    else:
        grid = np.linspace(lo, hi, n)
        if len(domain) == 2 and (domain[1] - domain[0]) < (hi - lo) / 4:
            grid = np.union1d(grid, np.linspace(domain[0], domain[1], n // 2))
    return grid
