"""The crossover view: two fitted curves with bands, and P(A better than B) against scale.

Python computes everything (quantile bands, probabilities, the crossing-location
histogram on the log axis); ``js/src/crossover.js`` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import anywidget
import numpy as np
import traitlets as t

from bayescale.widgets import _bundle, _traits
from bayescale.widgets._export import Exports

__all__ = ["CrossoverWidget"]

#: Keywords of :meth:`CrossoverWidget.from_result` besides the view's traits.
_OPTIONS = ("ci_prob", "num_bins")
#: Traits that ``from_result`` computes from the result, with what to pass instead.
_COMPUTED = {
    "grid_x": "it is the result's grid", "curves": "pass ci_prob=",
    "prob_better": "it comes from the result", "prob_cross": "it comes from the result",
    "location": "pass ci_prob=", "crossing_hist": "pass num_bins=",
    "labels": "pass labels= to bayescale.crossover",
    "better": "pass better= to bayescale.crossover",
}
#: Attributes of a result (or of its fits) that may name the compared quantity.
_RESPONSE_ATTRS = ("response", "y_label", "y")


def response_name(result: Any) -> str | None:
    """The compared quantity's name (the fits' ``y``, e.g. ``"loss"``), where the result says."""
    for obj in (result, *(getattr(result, k, None) for k in ("fit_a", "fits"))):
        for attr in _RESPONSE_ATTRS:
            v = getattr(obj, attr, None)
            if isinstance(v, str) and v:
                return v
        if isinstance(obj, tuple | list) and obj:
            return response_name(obj[0])
    return None


def _compact(values: Any) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


def _finite_or_none(v: float) -> float | None:
    return float(f"{v:.6g}") if math.isfinite(v) else None


def _prob(name: str, v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise t.TraitError(f"{name} must be a probability, got {v!r}") from None
    if not 0 <= f <= 1:
        raise t.TraitError(f"{name} must be a probability in [0, 1], got {f!r}")
    return f


class CrossoverWidget(Exports, anywidget.AnyWidget):
    """Two fitted curves compared: bands on top, P(A better than B) below.

    The lower panel has the 0.5 line, the crossing-location density and ``prob_cross``.

    Build one with :meth:`from_result` (or ``crossover_result.widget()``); with a result
    attached, changing ``ci_prob`` recomputes the bands.
    """

    _esm = _bundle.esm()
    _css = _bundle.css()
    _view = t.Unicode("crossover").tag(sync=True)

    x_label = t.Unicode("x", help="Name of the compared axis.").tag(sync=True)
    y_label = t.Unicode("y", help="Name of the compared quantity.").tag(sync=True)
    labels = t.List(t.Unicode(), ["A", "B"], help="Names of curve A and curve B.").tag(sync=True)
    better = t.Enum(("lower", "higher"), "lower", help="Which direction wins.").tag(sync=True)
    grid_x = t.List(help="Increasing, positive values of the axis.").tag(sync=True)
    curves = t.List(help="Per curve: {label, median, lower, upper} on grid_x.").tag(sync=True)
    ci_prob = _traits.CiProb(0.9, help="Credible level of the curves' bands.").tag(sync=True)
    prob_better = t.List(help="P(A better than B) at each grid_x.").tag(sync=True)
    prob_cross = t.Float(0.0, help="P(the curves cross inside the range).").tag(sync=True)
    location = t.Dict(help="First crossing: {median, lower, upper, ci_prob} (None when no "
                      "draw crosses).").tag(sync=True)
    crossing_hist = t.Dict({"edges": [], "density": []},
                           help="Histogram of the first crossing on the log axis: edges "
                           "(increasing) and density (per unit log10 x, of all draws)."
                           ).tag(sync=True)
    theme = t.Enum(("auto", "light", "dark"), "auto", help="Colour theme.").tag(sync=True)
    height = _traits.Height(460, low=200, help="Height of both panels in pixels.").tag(sync=True)
    width = _traits.Width(help="Width in pixels; 0 fills the output area.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        _traits.check_constructor(type(self), kwargs)
        super().__init__(**kwargs)
        self._result: Any = None
        self._init_exports()
        self.observe(self._on_ci, names="ci_prob")

    # ---- validation ----------------------------------------------------------------
    @t.validate("grid_x")
    def _v_grid(self, p: dict) -> list[float]:
        return _traits.check_numbers("grid_x", p["value"], increasing=True, positive=True)

    @t.validate("labels")
    def _v_labels(self, p: dict) -> list[str]:
        v = list(p["value"])
        if len(v) != 2 or v[0] == v[1]:
            raise t.TraitError(f"labels must be two different names, got {v!r}")
        return v

    @t.validate("curves")
    def _v_curves(self, p: dict) -> list[dict]:
        out = []
        n = len(self.grid_x)
        for i, c in enumerate(p["value"]):
            if not isinstance(c, Mapping) or not {"label", "median", "lower", "upper"} <= set(c):
                raise t.TraitError(f"curves[{i}] must be a dict with keys 'label', 'median', "
                                   f"'lower', 'upper'")
            cols = {k: _traits.check_numbers(f"curves[{i}].{k}", c[k])
                    for k in ("median", "lower", "upper")}
            for k, v in cols.items():
                if len(v) != n:
                    raise t.TraitError(f"curves[{i}].{k} has {len(v)} values but grid_x has {n}")
            if any(lo > hi + 1e-12 * abs(hi) for lo, hi in zip(cols["lower"], cols["upper"],
                                                                strict=True)):
                raise t.TraitError(f"curves[{i}]: lower is above upper somewhere")
            out.append({"label": str(c["label"]), **cols})
        if len(out) > 2:
            raise t.TraitError(f"curves holds at most two curves, got {len(out)}")
        return out

    @t.validate("prob_better")
    def _v_pb(self, p: dict) -> list[float]:
        v = [_prob(f"prob_better[{i}]", x) for i, x in enumerate(p["value"])]
        if v and len(v) != len(self.grid_x):
            raise t.TraitError(f"prob_better has {len(v)} values but grid_x has "
                               f"{len(self.grid_x)}")
        return v

    @t.validate("prob_cross")
    def _v_pc(self, p: dict) -> float:
        return _prob("prob_cross", p["value"])

    @t.validate("location")
    def _v_location(self, p: dict) -> dict:
        v = dict(p["value"])
        if not v:
            return v
        if not {"median", "lower", "upper"} <= set(v):
            raise t.TraitError(f"location needs keys 'median', 'lower', 'upper' (or be {{}}), "
                               f"got {sorted(v)}")
        for k in ("median", "lower", "upper"):
            if v[k] is not None and not (isinstance(v[k], int | float) and v[k] > 0
                                         and math.isfinite(v[k])):
                raise t.TraitError(f"location.{k} must be a positive number or None, got "
                                   f"{v[k]!r}")
        return v

    @t.validate("crossing_hist")
    def _v_hist(self, p: dict) -> dict:
        v = p["value"]
        if not isinstance(v, Mapping) or set(v) != {"edges", "density"}:
            raise t.TraitError("crossing_hist must be {'edges': [...], 'density': [...]}")
        edges = _traits.check_numbers("crossing_hist.edges", v["edges"], increasing=True,
                                      positive=True)
        dens = _traits.check_numbers("crossing_hist.density", v["density"])
        if (edges or dens) and len(edges) != len(dens) + 1:
            raise t.TraitError(f"crossing_hist needs one more edge than densities, got "
                               f"{len(edges)} edges and {len(dens)} densities")
        if any(d < 0 for d in dens):
            raise t.TraitError("crossing_hist.density must be >= 0")
        return {"edges": edges, "density": dens}

    # ---- construction --------------------------------------------------------------
    @classmethod
    def from_result(cls, result: Any, **kwargs: Any) -> CrossoverWidget:
        """View of a :class:`~bayescale.analysis.CrossoverResult`.

        Parameters
        ----------
        result : CrossoverResult
            The comparison (``grid``, ``curves``, ``prob_better``, ``prob_cross``,
            ``location``, ``crossing_draws``).
        ci_prob : float, optional
            Level of the bands and of the location interval (default: the result's).
        num_bins : int
            Bins of the crossing-location histogram over the range (log-spaced); 30.
        **kwargs
            Any trait of the view: ``height``, ``width``, ``theme``, ``y_label`` (default:
            the fits' response, e.g. ``"loss"``, where the result records it, else
            ``"y"``), ``x_label``, ``layout``.

        Raises
        ------
        ViewKeywordError
            (a ``TypeError`` and a ``BayescaleError``) for any other keyword; the message
            lists the accepted ones.
        """
        options, traits = _traits.split_keywords(
            f"{cls.__name__}.from_result", kwargs, options=_OPTIONS,
            traits=_traits.view_traits(cls, anywidget.AnyWidget), computed=_COMPUTED)
        num_bins, ci_prob = options.get("num_bins", 30), options.get("ci_prob")
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 2:
            raise ValueError(f"num_bins must be an integer >= 2, got {num_bins!r}")
        traits = {"x_label": str(result.over), "y_label": response_name(result) or "y",
                  **traits}
        view = cls(labels=list(result.labels), better=result.better, **traits)
        view._result = result
        grid = np.asarray(result.grid, dtype=float)
        first = np.asarray(result.crossing_draws, dtype=float)
        edges = np.geomspace(grid[0], grid[-1], num_bins + 1)
        counts, _ = np.histogram(first[np.isfinite(first)], bins=edges)
        width = np.diff(np.log10(edges))
        density = counts / max(first.size, 1) / width
        with view.hold_trait_notifications():
            view.grid_x = _compact(grid)
            view.prob_better = [min(1.0, max(0.0, v)) for v in _compact(result.prob_better(grid))]
            view.prob_cross = float(result.prob_cross)
            view.crossing_hist = {"edges": _compact(edges), "density": _compact(density)}
        view.ci_prob = float(result.ci_prob if ci_prob is None else ci_prob)
        view.refresh()
        return view

    def refresh(self) -> None:
        """Recompute the bands and the location interval at ``ci_prob`` (needs a result)."""
        if self._result is None:
            return
        r = self._result
        df = r.curves(self.ci_prob)
        curves = []
        for label in r.labels:
            part = df[df["curve"] == label]
            curves.append({"label": str(label), "median": _compact(part["median"]),
                           "lower": _compact(part["lower"]), "upper": _compact(part["upper"])})
        loc = r.location(self.ci_prob)
        self.curves = curves
        self.location = {"median": _finite_or_none(loc.median),
                         "lower": _finite_or_none(loc.lower),
                         "upper": _finite_or_none(loc.upper), "ci_prob": self.ci_prob}

    def export_title(self) -> str:
        """Title of exported images: ``"A vs B: loss against C"``."""
        a, b = (list(self.labels) + ["A", "B"])[:2]
        return f"{a} vs {b}: {self.y_label} against {self.x_label}"

    def _on_ci(self, _change: dict) -> None:
        self.refresh()
