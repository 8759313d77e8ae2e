"""The PassUntil view: PU against N, and log(-log PU) against log N with emergence.

Top: per-instance lines, the task-level band and predicted points. Bottom: log(-log PU)
against log N with the emergence class.

Python computes everything; ``js/src/passuntil.js`` draws it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anywidget
import numpy as np
import traitlets as t

from bayescale.widgets import _bundle, _traits
from bayescale.widgets._export import Exports
from bayescale.widgets._quiet import quiet

__all__ = ["PassUntilWidget"]

_TINY = 1e-300
#: Keywords of :meth:`PassUntilWidget.from_fit` besides the view's traits.
_OPTIONS = ("predict_N", "ci_prob", "num_grid", "max_instances", "rope")
#: Traits that ``from_fit`` computes from the fit, with what to pass instead.
_COMPUTED = {
    "grid_n": "pass num_grid=", "task_median": "it comes from the fit",
    "task_band": "pass ci_prob=", "instances": "pass max_instances=",
    "observed": "they are the fit's records", "predict_n": "pass predict_N=",
    "predicted": "pass predict_N=", "f_median": "it comes from the fit",
    "f_band": "pass ci_prob=", "f_observed": "they are the fit's records",
    "f_predicted": "pass predict_N=", "emergence": "pass rope=",
}


def _compact(values: Any) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


def _loglog(pu: Any) -> np.ndarray:
    """F = log(-log PU), PU clipped into (0, 1)."""
    p = np.clip(np.asarray(pu, dtype=float), _TINY, 1 - 1e-15)
    return np.log(-np.log(p))


def _check_interval_rows(name: str, rows: Any, *, positive: bool) -> list[dict[str, float]]:
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, Mapping) or not {"x", "median", "lower", "upper"} <= set(r):
            raise t.TraitError(f"{name}[{i}] must be a dict with keys 'x', 'median', 'lower', "
                               f"'upper'")
        x = _traits.check_numbers(f"{name}[{i}].x", [r["x"]], positive=True)[0]
        med, lo, hi = _traits.check_numbers(f"{name}[{i}]", [r["median"], r["lower"], r["upper"]],
                                            positive=positive)
        if not lo <= med <= hi:
            raise t.TraitError(f"{name}[{i}] needs lower <= median <= upper, got "
                               f"{lo!r}, {med!r}, {hi!r}")
        out.append({"x": x, "median": med, "lower": lo, "upper": hi})
    return out


class PassUntilWidget(Exports, anywidget.AnyWidget):
    """PassUntil task-law fit: PU against N, and log(-log PU) against log N.

    Top, on log axes: thin per-instance median lines, the task-level band and median,
    observed r/K, predicted points with intervals at larger N. Bottom: log(-log PU)
    against log N with the emergence class and its probability.

    Build one with :meth:`from_fit` (or ``passuntil_fit.widget()``); with a fit attached,
    changing ``ci_prob`` or ``predict_n`` recomputes.
    """

    _esm = _bundle.esm()
    _css = _bundle.css()
    _view = t.Unicode("passuntil").tag(sync=True)

    grid_n = t.List(help="Increasing model sizes N of the curves.").tag(sync=True)
    task_median = t.List(help="Task-level posterior median PU at each grid_n.").tag(sync=True)
    task_band = t.Dict(help="Task-level interval {level, lower, upper} on grid_n."
                       ).tag(sync=True)
    instances = t.List(help="Per instance {name, median}: instance-level median PU on "
                       "grid_n.").tag(sync=True)
    observed = t.List(help="Observed r/K per uncensored record {x, y}.").tag(sync=True)
    predict_n = t.List(help="Sizes N of the predicted points.").tag(sync=True)
    predicted = t.List(help="Task-level prediction {x, median, lower, upper} per predict_n."
                       ).tag(sync=True)
    f_median = t.List(help="log(-log PU) of the task median on grid_n.").tag(sync=True)
    f_band = t.Dict(help="log(-log PU) interval {level, lower, upper} on grid_n."
                    ).tag(sync=True)
    f_observed = t.List(help="log(-log r/K) per uncensored record {x, y}.").tag(sync=True)
    f_predicted = t.List(help="log(-log PU) of the predicted points {x, median, lower, "
                         "upper}.").tag(sync=True)
    emergence = t.Dict(help="{label, meaning, prob, probs}; {} for a fit without the "
                       "curvature term.").tag(sync=True)
    ci_prob = _traits.CiProb(0.9, help="Credible level of the band and intervals.").tag(sync=True)
    theme = t.Enum(("auto", "light", "dark"), "auto", help="Colour theme.").tag(sync=True)
    height = _traits.Height(560, low=240, help="Height of both panels in pixels.").tag(sync=True)
    width = _traits.Width(help="Width in pixels; 0 fills the output area.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        _traits.check_constructor(type(self), kwargs)
        super().__init__(**kwargs)
        self._fit: Any = None
        self._num_grid = 60
        self._max_instances = 60
        self._busy = False
        self._init_exports()
        self.observe(self._on_settings, names=["ci_prob", "predict_n"])

    # ---- validation ----------------------------------------------------------------
    def _n(self) -> int:
        return len(self.grid_n)

    @t.validate("grid_n")
    def _v_grid(self, p: dict) -> list[float]:
        return _traits.check_numbers("grid_n", p["value"], increasing=True, positive=True)

    @t.validate("task_median", "f_median")
    def _v_line(self, p: dict) -> list[float]:
        name = p["trait"].name
        v = _traits.check_numbers(name, p["value"], positive=name == "task_median")
        if v and len(v) != self._n():
            raise t.TraitError(f"{name} has {len(v)} values but grid_n has {self._n()}")
        if name == "task_median" and any(x > 1 for x in v):
            raise t.TraitError("task_median holds probabilities and must be <= 1")
        return v

    @t.validate("task_band", "f_band")
    def _v_band(self, p: dict) -> dict:
        name, v = p["trait"].name, p["value"]
        if not v:
            return {}
        (b,) = _traits.check_bands([v]) if isinstance(v, Mapping) else (None,)
        if b is None:
            raise t.TraitError(f"{name} must be {{'level', 'lower', 'upper'}} or {{}}")
        if len(b["lower"]) != self._n():
            raise t.TraitError(f"{name} has {len(b['lower'])} values but grid_n has {self._n()}")
        if name == "task_band" and any(x <= 0 or x > 1 for x in b["lower"] + b["upper"]):
            raise t.TraitError("task_band holds probabilities in (0, 1]")
        return b

    @t.validate("instances")
    def _v_instances(self, p: dict) -> list[dict]:
        out = []
        for i, s in enumerate(p["value"]):
            if not isinstance(s, Mapping) or not {"name", "median"} <= set(s):
                raise t.TraitError(f"instances[{i}] must be a dict with keys 'name', 'median'")
            med = _traits.check_numbers(f"instances[{i}].median", s["median"], positive=True)
            if len(med) != self._n():
                raise t.TraitError(f"instances[{i}] has {len(med)} values but grid_n has "
                                   f"{self._n()}")
            out.append({"name": str(s["name"]), "median": med})
        return out

    @t.validate("observed", "f_observed")
    def _v_points(self, p: dict) -> list[dict]:
        return _traits.check_points(p["trait"].name, p["value"])

    @t.validate("predict_n")
    def _v_predict_n(self, p: dict) -> list[float]:
        v = _traits.check_numbers("predict_n", p["value"], positive=True)
        if len(v) > 20:
            raise t.TraitError(f"predict_n takes at most 20 sizes, got {len(v)}")
        return sorted(set(v))

    @t.validate("predicted")
    def _v_predicted(self, p: dict) -> list[dict]:
        return _check_interval_rows("predicted", p["value"], positive=True)

    @t.validate("f_predicted")
    def _v_f_predicted(self, p: dict) -> list[dict]:
        return _check_interval_rows("f_predicted", p["value"], positive=False)

    @t.validate("emergence")
    def _v_emergence(self, p: dict) -> dict:
        v = dict(p["value"])
        if not v:
            return v
        if not {"label", "prob"} <= set(v):
            raise t.TraitError(f"emergence needs keys 'label' and 'prob' (or be {{}}), got "
                               f"{sorted(v)}")
        prob = v["prob"]
        if not isinstance(prob, int | float) or not 0 <= prob <= 1:
            raise t.TraitError(f"emergence.prob must be a probability, got {prob!r}")
        return v

    # ---- construction --------------------------------------------------------------
    @classmethod
    def from_fit(cls, fit: Any, predict_N: Sequence[float] | None = None, **kwargs: Any
                 ) -> PassUntilWidget:
        """View of a :class:`~bayescale.passuntil.PassUntilFit`.

        Parameters
        ----------
        fit : PassUntilFit
            The task-law fit.
        predict_N : sequence of float, optional
            Sizes of the predicted points (default: 2, 4 and 8 times the largest size).
        ci_prob : float
            Level of the band and the intervals.
        num_grid : int
            Number of grid sizes of the curves (the grid reaches the largest predicted N).
        max_instances : int
            Most instance lines drawn (the first ones of the fit).
        rope : float
            Region of practical equivalence of the emergence class.
        **kwargs
            Any trait of the view: ``height``, ``width``, ``theme``, ``layout``.

        Raises
        ------
        ViewKeywordError
            (a ``TypeError`` and a ``BayescaleError``) for any other keyword, or for a
            trait computed from the fit; the message lists the accepted ones.
        """
        options, traits = _traits.split_keywords(
            f"{cls.__name__}.from_fit", {"predict_N": predict_N, **kwargs}, options=_OPTIONS,
            traits=_traits.view_traits(cls, anywidget.AnyWidget), computed=_COMPUTED)
        ci_prob, num_grid = options.get("ci_prob", 0.9), options.get("num_grid", 60)
        max_instances, rope = options.get("max_instances", 60), options.get("rope", 0.1)
        if isinstance(num_grid, bool) or not isinstance(num_grid, int) or num_grid < 2:
            raise ValueError(f"num_grid must be an integer >= 2, got {num_grid!r}")
        sizes = np.asarray(fit.records.sizes, dtype=float)
        pred = (sizes.max() * np.array([2.0, 4.0, 8.0])) if predict_N is None else predict_N
        view = cls(**traits)
        view._fit, view._num_grid, view._max_instances = fit, num_grid, int(max_instances)
        rec = fit.records
        ok = ~np.asarray(rec.censored, dtype=bool) & (np.asarray(rec.r) < np.asarray(rec.K))
        est = np.asarray(rec.r, float)[ok] / np.asarray(rec.K, float)[ok]
        xs = np.asarray(rec.N, float)[ok]
        emergence = {}
        if fit.design.curvature:
            e = fit.emergence(rope)
            emergence = {"label": e.label, "meaning": e.meaning,
                         "prob": float(e.probs[e.label]),
                         "probs": {k: float(v) for k, v in e.probs.items()}, "rope": e.rope}
        with view.hold_trait_notifications(), quiet(view):
            view.ci_prob = float(ci_prob)
            view.predict_n = [float(v) for v in np.atleast_1d(np.asarray(pred, dtype=float))]
            view.observed = [{"x": x, "y": y} for x, y in zip(_compact(xs), _compact(est),
                                                               strict=True)]
            view.f_observed = [{"x": x, "y": y} for x, y in
                               zip(_compact(xs), _compact(_loglog(est)), strict=True)]
            view.emergence = emergence
        view.refresh()
        return view

    def refresh(self) -> None:
        """Recompute curves, band and predicted points from the fit (needs one)."""
        fit = self._fit
        if fit is None:
            return
        sizes = np.asarray(fit.records.sizes, dtype=float)
        top = max(sizes.max(), max(self.predict_n, default=sizes.max()))
        grid = np.geomspace(sizes.min(), top * 1.05, self._num_grid)
        p = self.ci_prob
        qs = [0.5, (1 - p) / 2, (1 + p) / 2]
        task = np.quantile(fit.predict_draws(grid, level="task"), qs, axis=0)
        task = np.clip(task, _TINY, 1.0)
        inst = np.clip(np.median(fit.predict_draws(grid, level="instance"), axis=0), _TINY, 1.0)
        names = list(fit.design.instances)[: self._max_instances]
        rows = []
        if self.predict_n:
            pd_ = np.clip(np.quantile(fit.predict_draws(self.predict_n, level="task"), qs,
                                      axis=0), _TINY, 1.0)
            rows = [(float(n), *map(float, pd_[:, i])) for i, n in enumerate(self.predict_n)]
        with self.hold_sync(), quiet(self):
            self.task_median, self.task_band, self.instances, self.f_median, self.f_band = (
                [], {}, [], [], {})
            self.grid_n = _compact(grid)
            self.task_median = _compact(task[0])
            self.task_band = {"level": p, "lower": _compact(task[1]),
                              "upper": _compact(task[2])}
            self.instances = [{"name": str(n), "median": _compact(inst[:, i])}
                              for i, n in enumerate(names)]
            # F = log(-log PU) falls as PU rises: the upper PU bound is the lower F bound
            self.f_median = _compact(_loglog(task[0]))
            self.f_band = {"level": p, "lower": _compact(_loglog(task[2])),
                           "upper": _compact(_loglog(task[1]))}
            self.predicted = [{"x": n, "median": m, "lower": lo, "upper": hi}
                              for n, m, lo, hi in rows]
            self.f_predicted = [
                {"x": n, "median": float(_loglog(m)), "lower": float(_loglog(hi)),
                 "upper": float(_loglog(lo))} for n, m, lo, hi in rows]

    def export_title(self) -> str:
        """Title of exported images: the task law and, when fitted, its emergence class."""
        label = (self.emergence or {}).get("label")
        return "PassUntil: task pass rate PU(N)" + (f", {label} emergence" if label else "")

    def _on_settings(self, _change: dict) -> None:
        if self._busy:
            return
        self.refresh()
