"""The extrapolation view: nested credible bands, median, points and a target read-out.

JS side: ``js/src/extrapolation.js`` (model typed in ``js/src/model.js``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anywidget
import numpy as np
import traitlets as t

from bayescale.widgets import _bundle, _traits
from bayescale.widgets._export import Exports
from bayescale.widgets._layout import axis_traits, default_slice, make_grid
from bayescale.widgets._quiet import quiet
from bayescale.widgets._sources import (
    BAND_KINDS,
    DrawsSource,
    FitSource,
    SliceSpec,
    band_kind_label,
)

__all__ = ["ExtrapolationWidget"]

DEFAULT_LEVELS = (0.5, 0.8, 0.95)
_RECOMPUTE = ("ci_levels", "slice_mode", "slice_input", "slice_value")
#: Keywords of :meth:`ExtrapolationWidget.use_fit` (``from_fit`` takes them too).
_USE_FIT = ("ci_levels", "target_x", "kind", "readout_kind", "discrepancy", "heldout",
            "extrapolate", "num_grid", "slice_mode", "slice_value")
#: Traits that ``from_fit`` computes from the fit, with what to pass instead.
_FIT_COMPUTED = {
    "grid_x": "pass extrapolate= or num_grid=", "median": "it comes from the fit",
    "bands": "pass ci_levels= or kind=", "points": "they are the fit's data",
    "heldout_points": "pass heldout=", "target_readout": "pass target_x=",
    "inputs": "they are the law's inputs", "slice_input": "pass slice_mode= and slice_value=",
    "band_kinds": "they are the kinds the fit can draw; pass kind= and discrepancy=",
    "status": "the view sets it",
}


def _compact(values: np.ndarray) -> list[float]:
    """Six significant digits: plenty for a chart, a third of the JSON."""
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


class ExtrapolationWidget(Exports, anywidget.AnyWidget):
    """Posterior median and nested credible bands over a grid reaching past the data.

    Build one with :meth:`from_fit` (or ``fit.widget()``) or :meth:`from_draws`; with a
    source attached, Python recomputes the bands when ``ci_levels``, the slice or the
    visible range change, and the read-out when ``target_x`` changes.
    """

    _esm = _bundle.esm()
    _css = _bundle.css()
    _view = t.Unicode("extrapolation").tag(sync=True)

    x_label = t.Unicode("x", help="Name of the x axis (the law's input).").tag(sync=True)
    y_label = t.Unicode("y", help="Name of the y axis (the response).").tag(sync=True)
    band_label = t.Unicode("", help="What the bands are, e.g. 'new observation + "
                           "discrepancy' ('' reads 'credible').").tag(sync=True)
    band_kind = t.Unicode("", help="What the bands describe, one of band_kinds: "
                          "'predictive' (a new observation), 'mean' (the law's mean curve), "
                          "either with '+discrepancy'; '' for views of raw draws."
                          ).tag(sync=True)
    band_kinds = t.List(t.Unicode(), help="The band kinds the fit can draw (the view offers "
                        "them when there are two or more).").tag(sync=True)
    log_x = t.Bool(True, help="Log-scaled x axis.").tag(sync=True)
    log_y = t.Bool(False, help="Log-scaled y axis (from_fit: on when every y > 0, as in "
                   "fit.plot()).").tag(sync=True)
    grid_x = t.List(help="Increasing x values of the median and bands.").tag(sync=True)
    median = t.List(help="Posterior median at each grid_x.").tag(sync=True)
    bands = t.List(help="Nested intervals: {level, lower, upper}, widest first."
                   ).tag(sync=True)
    ci_levels = t.List(list(DEFAULT_LEVELS),
                       help="Credible levels of the bands, ascending.").tag(sync=True)
    points = t.List(help="Observed points {x, y}.").tag(sync=True)
    heldout_points = t.List(help="Held-out points {x, y}, drawn apart.").tag(sync=True)
    target_x = t.Float(None, allow_none=True, help="Extrapolation target on the x axis."
                       ).tag(sync=True)
    target_readout = t.Dict(help="Interval at the target: {x, median, lower, upper, level}."
                            ).tag(sync=True)
    x_domain = t.List(help="Visible x range [lo, hi]; [] = automatic. The view "
                      "writes it after zoom/pan.").tag(sync=True)
    y_domain = t.List(help="Visible y range [lo, hi]; [] = automatic.").tag(sync=True)
    theme = t.Enum(("auto", "light", "dark"), "auto", help="Colour theme.").tag(sync=True)
    height = _traits.Height(360, low=120, help="Height of the chart in pixels.").tag(sync=True)
    width = _traits.Width(help="Width of the chart in pixels; 0 fills the output area."
                          ).tag(sync=True)
    inputs = t.List(t.Unicode(), help="The law's inputs (two: a slice control is shown)."
                    ).tag(sync=True)
    slice_mode = t.Enum(("", "fixed", "compute_optimal"), "",
                        help="Two-input laws: hold slice_input fixed, or follow the "
                        "compute-optimal path in C.").tag(sync=True)
    slice_input = t.Unicode("", help="The input held fixed when slice_mode is 'fixed'."
                            ).tag(sync=True)
    slice_value = t.Float(None, allow_none=True, help="Value of the fixed input.").tag(sync=True)
    status = t.Unicode("", help="A short message shown instead of the read-out.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        _traits.check_constructor(type(self), kwargs)
        super().__init__(**kwargs)
        self._source: FitSource | DrawsSource | None = None
        self._base_range: tuple[float, float] | None = None
        self._num_grid, self._extrapolate, self._busy = 200, 100.0, False
        self._init_exports()
        self.observe(self._on_settings, names=list(_RECOMPUTE))
        self.observe(self._on_target, names="target_x")
        self.observe(self._on_domain, names="x_domain")
        self.observe(self._on_band_kind, names="band_kind")

    # ---- validation ----------------------------------------------------------------
    @t.validate("ci_levels")
    def _v_levels(self, p: dict) -> list[float]:
        return _traits.check_levels(p["value"])

    @t.validate("grid_x")
    def _v_grid(self, p: dict) -> list[float]:
        grid = _traits.check_numbers("grid_x", p["value"], increasing=True, positive=self.log_x)
        _traits.same_length(grid, self.median, self.bands)
        return grid

    @t.validate("median")
    def _v_median(self, p: dict) -> list[float]:
        median = _traits.check_numbers("median", p["value"])
        _traits.same_length(self.grid_x, median, [])
        return median

    @t.validate("bands")
    def _v_bands(self, p: dict) -> list[dict]:
        bands = _traits.check_bands(p["value"])
        _traits.same_length(self.grid_x, [], bands)
        return bands

    @t.validate("points", "heldout_points")
    def _v_points(self, p: dict) -> list[dict]:
        return _traits.check_points(p["trait"].name, p["value"])

    @t.validate("x_domain", "y_domain")
    def _v_domain(self, p: dict) -> list[float]:
        return _traits.check_domain(p["trait"].name, p["value"])

    @t.validate("band_kind")
    def _v_band_kind(self, p: dict) -> str:
        value, kinds = p["value"], self.band_kinds
        if value == "" and not kinds:
            return value
        if value not in (kinds or BAND_KINDS):
            raise t.TraitError(f"band_kind must be one of {kinds or list(BAND_KINDS)} for this "
                               f"view, got {value!r}")
        return value

    @t.validate("target_x")
    def _v_target(self, p: dict) -> float | None:
        return _traits.check_target(p["value"], self.log_x)

    @t.validate("slice_value")
    def _v_slice_value(self, p: dict) -> float | None:
        return _traits.check_target(p["value"], True) if p["value"] is not None else None

    # ---- construction --------------------------------------------------------------
    @classmethod
    def from_fit(cls, fit: Any, **kwargs: Any) -> ExtrapolationWidget:
        """View of a :class:`~bayescale.Fit`.

        Keywords are those of :meth:`use_fit` (``ci_levels``, ``target_x``, ``kind``, ...)
        and any trait of the view (``height``, ``width``, ``theme``, ``log_y``,
        ``y_label``, ``x_domain``, ``layout``, ...); a trait given here wins over what
        the fit would set (``fit.widget(y_label="val loss")``).

        Raises
        ------
        ViewKeywordError
            (a ``TypeError`` and a ``BayescaleError``) for any other keyword, or for a
            trait computed from the fit (``grid_x``, ``bands``, ...); the message lists
            the accepted keywords.
        """
        options, traits = _traits.split_keywords(
            f"{cls.__name__}.from_fit", kwargs, options=_USE_FIT,
            traits=_traits.view_traits(cls, anywidget.AnyWidget), computed=_FIT_COMPUTED)
        y = np.asarray(fit.data[fit.y], dtype=float)
        log_y = bool(np.all(y[np.isfinite(y)] > 0))  # as fit.plot() chooses
        view = cls(**{"y_label": str(fit.y), "log_y": log_y, **traits})
        view.use_fit(fit, **options)
        for k, v in traits.items():  # labels and ranges that use_fit laid out
            setattr(view, k, v)
        return view

    @classmethod
    def from_draws(cls, grid_x: Sequence[float], draws: Any, *, points: Any = (),
                   heldout_points: Any = (), **traits: Any) -> ExtrapolationWidget:
        """View of posterior draws of y, shape ``(num_draws, len(grid_x))``, on a grid."""
        view = cls(points=list(points), heldout_points=list(heldout_points), **traits)
        view._source = DrawsSource(np.asarray(grid_x, float), np.asarray(draws, float), view.log_x)
        view.refresh()
        return view

    def use_fit(self, fit: Any, *, ci_levels: Sequence[float] | None = None,
                target_x: float | str | None = "auto", kind: str = "predictive",
                readout_kind: str = "predictive", discrepancy: bool = True,
                heldout: Any = None, extrapolate: float = 100.0, num_grid: int = 200,
                slice_mode: str | None = None, slice_value: float | None = None) -> None:
        """Show ``fit`` (replacing what the view showed) and recompute.

        Parameters
        ----------
        fit : Fit
            The fit (``law``, ``x``, ``y``, ``data``, ``predict`` and, for two-input
            laws, ``compute_optimal``).
        ci_levels : sequence of float, optional
            Credible levels of the bands (default: the current ``ci_levels``).
        target_x : float, "auto" or None
            Extrapolation target; ``"auto"``: ten times the largest observed x.
        kind : {"predictive", "mean"}
            Bands of new observations (default, as ``fit.plot()``) or of the law's mean
            curve; the view offers the other (``band_kind``).
        readout_kind : {"predictive", "mean"}
            What the target's interval describes (default: a new observation there).
        discrepancy : bool
            Include the fit's calibrated discrepancy in bands and read-out (default, as
            ``fit.predict``; no effect for fits without one).
        heldout : DataFrame, optional
            Held-out observations with the fit's columns, drawn apart.
        extrapolate : float
            How far the grid reaches past the data: a factor on a log axis.
        num_grid : int
            Number of grid values.
        slice_mode : {"fixed", "compute_optimal"}, optional
            Two-input laws only (default ``"fixed"``, holding the second input at the
            median of its data unless ``slice_value`` is given).
        slice_value : float, optional
            The held input's value.
        """
        source = FitSource(fit, kind=kind, readout_kind=readout_kind, discrepancy=discrepancy,
                           heldout=heldout)
        spec = default_slice(source, slice_mode, slice_value)
        traits, base = axis_traits(source, spec, log_x=self.log_x, extrapolate=extrapolate,
                                   target_x=target_x)
        if ci_levels is not None:
            traits["ci_levels"] = list(ci_levels)
        self._source, self._base_range = source, base
        self._num_grid, self._extrapolate = int(num_grid), float(extrapolate)
        with self.hold_sync(), quiet(self), self.hold_trait_notifications():
            self.median, self.bands = [], []
            for k, v in traits.items():
                setattr(self, k, v)
            self.y_label = str(fit.y)
            self._show_band_kind(source, spec)
        self.refresh()

    def _show_band_kind(self, source: FitSource, spec: SliceSpec) -> None:
        """Offer the kinds the slice allows, keep the current one if allowed, label it."""
        kinds = source.band_kinds(spec)
        if source.band_kind() not in kinds:  # the optimal path has mean curves only
            same = "mean" + ("+discrepancy" if source.discrepancy else "")
            source.set_band_kind(same if same in kinds else kinds[0])
        self.band_kinds = kinds
        self.band_kind = source.band_kind()
        self.band_label = band_kind_label(source.band_kind())

    # ---- recomputation -------------------------------------------------------------
    def _spec(self) -> SliceSpec:
        return SliceSpec(self.slice_mode, self.slice_input, self.slice_value)

    def refresh(self, grid: Sequence[float] | None = None) -> None:
        """Recompute median, bands and read-out from the source (no-op without one)."""
        if self._source is None:
            return
        if grid is None and self._source.regrid and self._base_range is not None:
            grid = make_grid(self._base_range, self.target_x, self.x_domain, self.log_x,
                             self._num_grid)
        c = self._source.curve(np.asarray(grid if grid is not None else [], float),
                               self.ci_levels, self._spec())
        bands = [{"level": lev, "lower": _compact(lo), "upper": _compact(hi)}
                 for lev, (lo, hi) in c.bands.items()]
        with self.hold_sync(), self.hold_trait_notifications():
            self.grid_x = _compact(c.grid)
            self.median = _compact(c.median)
            self.bands = bands
        self._update_readout()

    def _update_readout(self) -> None:
        if self._source is None or self.target_x is None:
            self.target_readout = {}
            return
        level = max(self.ci_levels)
        r = self._source.readout(self.target_x, level, self._spec())
        kind = (self._source.readout_label(self._spec()) if isinstance(self._source, FitSource)
                else "")
        self.target_readout = {"x": self.target_x, "level": level, "kind": kind, **r}

    def _on_settings(self, change: dict) -> None:
        if self._busy:
            return
        if change["name"] in ("slice_mode", "slice_input") and isinstance(self._source, FitSource):
            self._reslice(self._source)
        self.refresh()

    def _reslice(self, source: FitSource) -> None:
        """Lay out the new axis after a slice change: points, label, target, held value."""
        if self.slice_mode == "compute_optimal":
            spec = SliceSpec("compute_optimal")
        else:
            held = self.slice_input if self.slice_input in source.columns else source.columns[1]
            spec = SliceSpec("fixed", held, float(np.median(source.fit.data[held])))
        traits, self._base_range = axis_traits(source, spec, log_x=self.log_x,
                                               extrapolate=self._extrapolate, target_x="auto")
        with self.hold_sync(), quiet(self):
            for k, v in traits.items():
                setattr(self, k, v)
            self._show_band_kind(source, spec)

    def _on_band_kind(self, change: dict) -> None:
        if self._busy or not isinstance(self._source, FitSource) or not change["new"]:
            return
        if change["new"] == self._source.band_kind():
            return
        self._source.set_band_kind(change["new"])
        self.band_label = band_kind_label(change["new"])
        self.refresh()

    def _on_target(self, change: dict) -> None:
        if self._busy:
            return
        grid = self.grid_x
        t_x = change["new"]
        if t_x is not None and grid and self._source is not None and self._source.regrid and (
                t_x > grid[-1] or t_x < grid[0]):
            self.refresh()
        else:
            self._update_readout()

    def _on_domain(self, change: dict) -> None:
        if self._busy:
            return
        d, grid = change["new"], self.grid_x
        if self._source is None or not self._source.regrid or not d or len(grid) < 2:
            return
        f = np.log if self.log_x and d[0] > 0 else np.asarray
        slack = 0.05 * float(f(grid[-1]) - f(grid[0]))  # ignore the view's own padding
        if float(f(grid[0]) - f(d[0])) > slack or float(f(d[1]) - f(grid[-1])) > slack:
            self.refresh()

    # ---- export ------------------------------------------------------------------
    def export_title(self) -> str:
        """Title of exported images: the law and its formula (as ``fit.plot()``), else the axes."""
        fit = getattr(self._source, "fit", None)
        law = getattr(fit, "law", None)
        formula = getattr(law, "formula", "")
        if law is not None:
            return f"{law.name}: {formula}" if formula else str(law.name)
        return f"{self.y_label} against {self.x_label}"
