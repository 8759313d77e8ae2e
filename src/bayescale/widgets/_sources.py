"""Where the extrapolation view's numbers come from: posterior draws or a fit.

A source answers two questions for the view, always in the coordinates of the x axis:
``curve(grid, levels)`` (median and one ``(lower, upper)`` pair per credible level) and
``readout(x, level)`` (the interval at the target). Python computes; the front end only
draws what these return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BAND_KINDS", "Curve", "DrawsSource", "FitSource", "SliceSpec", "band_kind_label",
           "quantile_curve", "split_band_kind"]

#: What a band can describe, as the view's ``band_kind`` values: the law's mean curve or a
#: new observation (law + noise), each optionally with the fit's calibrated discrepancy
#: (its misfit beyond the data); ``Fit.predict(kind=..., discrepancy=...)`` draws them.
BAND_KINDS = ("predictive+discrepancy", "mean+discrepancy", "predictive", "mean")
_KIND_WORDS = {"predictive": "new observation", "mean": "mean curve"}


def split_band_kind(value: str) -> tuple[str, bool]:
    """Split a band kind: ``"mean+discrepancy"`` -> ``("mean", True)``."""
    if value not in BAND_KINDS:
        raise ValueError(f"band kind must be one of {list(BAND_KINDS)}, got {value!r}")
    kind, _, disc = value.partition("+")
    return kind, bool(disc)


def band_kind_label(value: str) -> str:
    """What a band kind means in words: ``"new observation + discrepancy"``, ..."""
    kind, disc = split_band_kind(value)
    return _KIND_WORDS[kind] + (" + discrepancy" if disc else "")


@dataclass(frozen=True)
class Curve:
    """Median and nested equal-tailed intervals over a grid."""

    grid: np.ndarray
    median: np.ndarray
    bands: dict[float, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SliceSpec:
    """How a two-input law is cut to one x axis.

    ``mode`` is ``""`` (one-input law), ``"fixed"`` (``input`` held at ``value``) or
    ``"compute_optimal"`` (follow the compute-optimal path in ``C``).
    """

    mode: str = ""
    input: str = ""
    value: float | None = None


def quantile_curve(grid: np.ndarray, draws: np.ndarray, levels: Sequence[float]) -> Curve:
    """Median and equal-tailed intervals of ``draws`` (``(num_draws, len(grid))``)."""
    qs = [0.5]
    for lev in levels:
        qs += [(1 - lev) / 2, (1 + lev) / 2]
    q = np.quantile(np.asarray(draws, dtype=float), qs, axis=0)
    bands = {float(lev): (q[1 + 2 * i], q[2 + 2 * i]) for i, lev in enumerate(levels)}
    return Curve(np.asarray(grid, dtype=float), q[0], bands)


@dataclass
class DrawsSource:
    """Posterior draws on a fixed grid, e.g. from another tool.

    Parameters
    ----------
    grid : array_like
        Increasing x values, shape ``(n,)``.
    draws : array_like
        Draws of y at each grid value, shape ``(num_draws, n)``.
    log_x : bool
        Interpolate the read-out in ``log x``.
    """

    grid: np.ndarray
    draws: np.ndarray
    log_x: bool = True
    regrid: bool = field(default=False, init=False)
    readout_kind: str = field(default="", init=False)

    def curve(self, grid: np.ndarray, levels: Sequence[float], spec: SliceSpec) -> Curve:
        """Quantiles on the stored grid (``grid`` is ignored: draws exist only there)."""
        return quantile_curve(self.grid, self.draws, levels)

    def readout(self, x: float, level: float, spec: SliceSpec) -> dict[str, Any]:
        """Interval at ``x``, interpolating each draw between grid values."""
        t = np.log if self.log_x else np.asarray
        col = np.array([np.interp(t(x), t(self.grid), d) for d in self.draws])
        c = quantile_curve(np.array([x]), col[:, None], [level])
        lo, hi = c.bands[float(level)]
        return {"median": float(c.median[0]), "lower": float(lo[0]), "upper": float(hi[0])}


class FitSource:
    """Bands and read-outs computed from a :class:`~bayescale.Fit`.

    Uses ``fit.predict_draws`` when the fit has it (one draw matrix serves every level),
    otherwise ``fit.predict(ci_prob=...)`` once per level; ``fit.compute_optimal`` for
    the compute-optimal path of a two-input law.
    """

    regrid = True

    def __init__(self, fit: Any, *, kind: str = "predictive", readout_kind: str = "predictive",
                 discrepancy: bool = True, seed: int = 0, heldout: Any = None) -> None:
        for name, k in (("kind", kind), ("readout_kind", readout_kind)):
            if k not in ("predictive", "mean"):
                raise ValueError(f"{name} must be 'predictive' or 'mean', got {k!r}")
        self.fit, self.kind, self.readout_kind = fit, kind, readout_kind
        #: whether the fit has a calibrated discrepancy that bands may include
        self.has_discrepancy = getattr(fit, "discrepancy", None) is not None
        self.discrepancy = bool(discrepancy) and self.has_discrepancy
        self.seed, self.heldout = seed, heldout
        self.columns: tuple[str, ...] = tuple(fit.x)
        if heldout is not None:
            missing = [c for c in (*self.columns, fit.y) if c not in heldout]
            if missing:
                raise ValueError(f"heldout lacks the fit's columns {missing}")

    # ---- band kinds ----------------------------------------------------------------
    def band_kinds(self, spec: SliceSpec) -> list[str]:
        """The band kinds this fit can draw on a slice (the compute-optimal path: mean only)."""
        kinds = [k for k in BAND_KINDS if self.has_discrepancy or "+" not in k]
        if spec.mode == "compute_optimal":
            kinds = [k for k in kinds if k.startswith("mean")]
        return kinds

    def band_kind(self) -> str:
        """The current kind as a ``band_kind`` value."""
        return self.kind + ("+discrepancy" if self.discrepancy else "")

    def set_band_kind(self, value: str) -> None:
        """Draw bands of ``value`` (one of :data:`BAND_KINDS` the fit can draw)."""
        kind, disc = split_band_kind(value)
        if disc and not self.has_discrepancy:
            raise ValueError(f"band kind {value!r} needs a fit with a calibrated discrepancy")
        self.kind, self.discrepancy = kind, disc

    def readout_label(self, spec: SliceSpec) -> str:
        """What the read-out's interval describes, in words (the mean on the optimal path)."""
        kind = "mean" if spec.mode == "compute_optimal" else self.readout_kind
        return band_kind_label(kind + ("+discrepancy" if self.discrepancy else ""))

    def _disc(self) -> dict[str, bool]:
        # fits without a discrepancy (and test doubles) take no such keyword
        return {"discrepancy": self.discrepancy} if self.has_discrepancy else {}

    # ---- axes ----------------------------------------------------------------------
    def x_column(self, spec: SliceSpec) -> str:
        """Name of the x axis for a slice."""
        if len(self.columns) == 1:
            return self.columns[0]
        if spec.mode == "compute_optimal":
            return "C"
        return next(c for c in self.columns if c != spec.input)

    def observed(self, spec: SliceSpec, data: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Observed points (or those of ``data``) in x-axis coordinates."""
        data = self.fit.data if data is None else data
        y = np.asarray(data[self.fit.y], dtype=float)
        col = self.x_column(spec)
        if col in data:
            return np.asarray(data[col], dtype=float), y
        n, d = (np.asarray(data[c], dtype=float) for c in self.columns)
        return 6.0 * n * d, y  # C = 6 N D on the compute-optimal path

    # ---- numbers -------------------------------------------------------------------
    def _inputs(self, x: np.ndarray, spec: SliceSpec) -> dict[str, np.ndarray]:
        if len(self.columns) == 1:
            return {self.columns[0]: x}
        other = self.x_column(spec)
        return {other: x, spec.input: np.full_like(x, float(spec.value or np.nan))}

    def curve(self, grid: np.ndarray, levels: Sequence[float], spec: SliceSpec,
              kind: str | None = None) -> Curve:
        """Median and bands over ``grid`` for each level (of ``kind``, default ``self.kind``)."""
        grid, kind = np.asarray(grid, dtype=float), kind or self.kind
        if spec.mode == "compute_optimal":
            bands, median = {}, None
            for lev in levels:
                f = self.fit.compute_optimal(C=grid, ci_prob=lev, **self._disc())
                f = f[f["quantity"] == "loss"].sort_values("C")
                median = np.asarray(f["median"], dtype=float) if median is None else median
                bands[float(lev)] = (np.asarray(f["lower"], float), np.asarray(f["upper"], float))
            return Curve(grid, median if median is not None else np.full_like(grid, np.nan), bands)
        inputs = self._inputs(grid, spec)
        if hasattr(self.fit, "predict_draws"):
            draws = self.fit.predict_draws(kind=kind, seed=self.seed, **self._disc(), **inputs)
            return quantile_curve(grid, draws, levels)
        bands, median = {}, None
        for lev in levels:
            f = self.fit.predict(ci_prob=lev, kind=kind, **self._disc(), **inputs)
            median = np.asarray(f["median"], float) if median is None else median
            bands[float(lev)] = (np.asarray(f["lower"], float), np.asarray(f["upper"], float))
        return Curve(grid, median if median is not None else np.full_like(grid, np.nan), bands)

    def readout(self, x: float, level: float, spec: SliceSpec) -> dict[str, Any]:
        """Interval at ``x`` (with ``N_opt``, ``D_opt`` on the compute-optimal path)."""
        if spec.mode == "compute_optimal":
            f = self.fit.compute_optimal(C=np.array([x]), ci_prob=level, **self._disc())
            rows = {r["quantity"]: r for r in f.to_dict("records")}
            out = {k: float(rows["loss"][k]) for k in ("median", "lower", "upper")}
            keys = ("median", "lower", "upper")
            out["details"] = [{"name": q, **{k: float(rows[q][k]) for k in keys}}
                              for q in ("N_opt", "D_opt") if q in rows]
            return out
        c = self.curve(np.array([x]), [level], spec, kind=self.readout_kind)
        lo, hi = c.bands[float(level)]
        return {"median": float(c.median[0]), "lower": float(lo[0]), "upper": float(hi[0])}
