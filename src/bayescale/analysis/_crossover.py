"""Scaling-law crossover: where, and how likely, one curve overtakes another."""

from __future__ import annotations

import html
import warnings
from numbers import Real
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale._format import format_number
from bayescale.analysis._curves import curve_draws

__all__ = ["CrossingLocation", "CrossoverResult", "Winner", "crossover"]


class CrossingLocation(NamedTuple):
    """Posterior of the first crossing scale among the draws that cross."""

    median: float
    lower: float
    upper: float
    ci_prob: float
    prob_cross: float


class Winner(NamedTuple):
    """The more probable winner at one scale and its posterior probability."""

    label: str
    prob: float


def _check_over(over: Any) -> tuple[str, float, float]:
    if not (isinstance(over, tuple | list) and len(over) == 3 and isinstance(over[0], str)):
        raise BayescaleError(f"over must be (name, lo, hi), e.g. ('C', 1e18, 1e25); got {over!r}")
    for which, v in (("lo", over[1]), ("hi", over[2])):
        if isinstance(v, bool | np.bool_) or not isinstance(v, Real):
            raise BayescaleError(f"over needs numbers for lo and hi, e.g. ('C', 1e18, 1e25); "
                                 f"got {which}={v!r} (a {type(v).__name__})")
    shown = [repr(v) if len(repr(v)) <= 40 else repr(v)[:37] + "..." for v in over[1:]]
    try:
        lo, hi = float(over[1]), float(over[2])
    except OverflowError:   # an integer too large for a float
        lo = hi = float("inf")
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        raise BayescaleError(f"over needs finite 0 < lo < hi, got lo={shown[0]}, hi={shown[1]}")
    return over[0], lo, hi


def _resample(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Indices 0..n-1 in random order, repeated (each reshuffled) up to ``size``."""
    reps = -(-size // n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:size]


def _joint_id(obj: Any) -> Any:
    return (getattr(obj, "settings", None) or {}).get("joint_id")


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


class CrossoverResult:
    """Posterior comparison of two curves over a range of one axis (immutable).

    Built by :func:`crossover`. ``A`` beats ``B`` where its curve is lower
    (``better="lower"``, losses) or higher (``better="higher"``, accuracy, coverage).

    Attributes
    ----------
    over : str
        Name of the axis.
    grid : numpy.ndarray
        Log-spaced points of the axis, ``(num_points,)``.
    draws : mapping
        Paired draws ``{"a": ..., "b": ...}``, each ``(num_draws, num_points)``.
    better, labels, ci_prob, kind, paired
        Settings (``paired``: ``"joint"`` when both curves come from one joint
        posterior, else ``"independent"``).
    response : str or None
        The compared quantity's column (the fits' ``y``, e.g. ``"loss"``), if recorded.
    """

    __slots__ = ("_adv", "_first", "better", "ci_prob", "draws", "grid", "kind", "labels",
                 "over", "paired", "response")

    def __init__(self, *, over: str, grid: np.ndarray, a: np.ndarray, b: np.ndarray,
                 better: str, labels: tuple[str, str], ci_prob: float, kind: str,
                 paired: str, response: str | None = None) -> None:
        sets = object.__setattr__
        a, b = _ro(a), _ro(b)
        adv = _ro(b - a if better == "lower" else a - b)   # > 0 where A beats B
        lg = np.log(grid)
        d0, d1 = adv[:, :-1], adv[:, 1:]
        cross = d0 * d1 < 0
        has, j, rows = cross.any(axis=1), np.argmax(cross, axis=1), np.arange(adv.shape[0])
        d0j, d1j = d0[rows, j], d1[rows, j]
        t = np.where(has, d0j / np.where(has, d0j - d1j, 1.0), 0.0)  # in (0, 1) if crossing
        first = np.where(has, np.exp(lg[j] + t * (lg[j + 1] - lg[j])), np.nan)
        for k, v in (("over", over), ("grid", _ro(grid)), ("better", better),
                     ("labels", tuple(labels)), ("ci_prob", float(ci_prob)), ("kind", kind),
                     ("paired", paired), ("draws", MappingProxyType({"a": a, "b": b})),
                     ("_adv", adv), ("_first", _ro(first)), ("response", response)):
            sets(self, k, v)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"CrossoverResult is immutable; cannot set {name!r}")

    # ---- per-draw quantities ---------------------------------------------------
    def _at(self, arr: np.ndarray, x: Any) -> tuple[np.ndarray, np.ndarray]:
        xs = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
        lo, hi = self.grid[0], self.grid[-1]
        bad = xs[~(np.isfinite(xs) & (xs >= lo * (1 - 1e-9)) & (xs <= hi * (1 + 1e-9)))]
        if bad.size:
            raise BayescaleError(f"{self.over}={bad[0]!r} is outside the compared range "
                                 f"[{lo:.6g}, {hi:.6g}]")
        lg = np.log(self.grid)
        lx = np.clip(np.log(xs), lg[0], lg[-1])
        j = np.clip(np.searchsorted(lg, lx) - 1, 0, lg.size - 2)
        w = (lx - lg[j]) / (lg[j + 1] - lg[j])
        return xs, arr[:, j] * (1 - w) + arr[:, j + 1] * w

    @property
    def crossing_draws(self) -> np.ndarray:
        """First crossing scale of every draw (NaN where the curves do not cross)."""
        return self._first

    @property
    def prob_cross(self) -> float:
        """Posterior probability of at least one sign change of A - B inside the range."""
        return float(np.mean(np.isfinite(self._first)))

    def prob_better(self, x: Any) -> np.ndarray:
        """Posterior probability that A beats B at each ``x`` (log-grid interpolation)."""
        _, adv = self._at(self._adv, x)
        return np.mean(adv > 0, axis=0) + 0.5 * np.mean(adv == 0, axis=0)

    def gap(self, x: Any = None, ci_prob: float | None = None) -> pd.DataFrame:
        """Posterior of the difference A - B: columns ``over``, median, lower, upper."""
        p = self.ci_prob if ci_prob is None else _check_prob(ci_prob)
        xs, d = self._at(self.draws["a"] - self.draws["b"], self.grid if x is None else x)
        lo, med, hi = np.quantile(d, [(1 - p) / 2, 0.5, (1 + p) / 2], axis=0)
        return pd.DataFrame({self.over: xs, "median": med, "lower": lo, "upper": hi,
                             "prob_better": self.prob_better(xs)})

    def curves(self, ci_prob: float | None = None) -> pd.DataFrame:
        """Median and interval of each curve on the grid (long format, column ``curve``)."""
        p = self.ci_prob if ci_prob is None else _check_prob(ci_prob)
        frames = []
        for key, label in zip(("a", "b"), self.labels, strict=True):
            lo, med, hi = np.quantile(self.draws[key], [(1 - p) / 2, 0.5, (1 + p) / 2], axis=0)
            frames.append(pd.DataFrame({self.over: self.grid, "curve": label, "median": med,
                                        "lower": lo, "upper": hi}))
        return pd.concat(frames, ignore_index=True)

    def location(self, ci_prob: float = 0.9) -> CrossingLocation:
        """Median and equal-tailed interval of the first crossing among crossing draws.

        The crossing of each draw is found by linear interpolation of the sign change in
        ``log(over)``. All values are NaN when no draw crosses.
        """
        p = _check_prob(ci_prob)
        x = self._first[np.isfinite(self._first)]
        if x.size == 0:
            return CrossingLocation(np.nan, np.nan, np.nan, p, 0.0)
        lo, med, hi = np.exp(np.quantile(np.log(x), [(1 - p) / 2, 0.5, (1 + p) / 2]))
        return CrossingLocation(float(med), float(lo), float(hi), p, self.prob_cross)

    def winner_at(self, x_target: float) -> Winner:
        """The more probable winner at ``x_target`` and its probability (>= 0.5)."""
        if np.ndim(x_target) != 0:
            raise BayescaleError(f"winner_at takes one value, got {x_target!r}")
        p = float(self.prob_better(x_target)[0])
        return Winner(self.labels[0], p) if p >= 0.5 else Winner(self.labels[1], 1 - p)

    # ---- display ---------------------------------------------------------------
    def summary(self) -> pd.Series:
        """Headline numbers: crossing probability and location, winners at both ends."""
        loc, crossing = self.location(self.ci_prob), np.isfinite(self._first)
        ahead = float(np.mean(self._adv[crossing, 0] > 0)) if crossing.any() else np.nan
        ends = {}
        for x in (self.grid[0], self.grid[-1]):
            w = self.winner_at(x)
            ends[f"winner_at_{format_number(x, 4)}"] = f"{w.label} ({format_number(w.prob, 3)})"
        p = f"{self.ci_prob:g}"
        return pd.Series({"prob_cross": self.prob_cross, "location_median": loc.median,
                          f"location_lower_{p}": loc.lower, f"location_upper_{p}": loc.upper,
                          f"prob_{self.labels[0]}_ahead_before_crossing": ahead, **ends,
                          "num_draws": self._adv.shape[0], "paired": self.paired,
                          "kind": self.kind}, name="crossover", dtype=object)

    def __repr__(self) -> str:
        loc = self.location(self.ci_prob)
        f = format_number
        return (f"<CrossoverResult {self.labels[0]} vs {self.labels[1]} over {self.over} in "
                f"[{f(self.grid[0], 4)}, {f(self.grid[-1], 4)}]: P(cross) = "
                f"{f(self.prob_cross, 3)}, first crossing {f(loc.median, 4)} "
                f"[{f(loc.lower, 4)}, {f(loc.upper, 4)}]>")

    def _repr_html_(self) -> str:
        return table_html(f"Crossover: {self.labels[0]} vs {self.labels[1]} over {self.over} "
                          f"({self.better} is better)", self.summary())

    def widget(self, **kwargs: Any) -> Any:
        """Interactive view (``bayescale.widgets.CrossoverWidget``)."""
        from bayescale.result._upward import resolve  # the widgets sit above analysis

        try:
            cls = resolve("crossover_widget")
        except AttributeError:
            raise ImportError("bayescale.widgets.CrossoverWidget is not available in this "
                              "version; use .summary(), .gap() and .curves()") from None
        return cls.from_result(self, **kwargs)


def table_html(title: str, values: pd.Series) -> str:
    """Static, escaped two-column HTML table."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(_fmt(v))}</td></tr>"
                   for k, v in values.items())
    return (f'<div class="bayescale-analysis"><p><b>{e(title)}</b></p>'
            f"<table><tbody>{rows}</tbody></table></div>")


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "–" if v != v else format_number(v, 4)
    return str(v)


def _check_prob(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p < 1:
        raise BayescaleError(f"ci_prob must be a number in (0, 1), got {p!r}")
    return float(p)


def crossover(fit_a: Any, fit_b: Any, over: tuple[str, float, float] = ("C", 1e18, 1e25), *,
              better: str = "lower", num_points: int = 200, ci_prob: float = 0.9,
              kind: str = "mean", seed: int = 0,
              labels: tuple[str, str] = ("A", "B")) -> CrossoverResult:
    """Posterior probability that A beats B along an axis, and where they cross.

    Parameters
    ----------
    fit_a, fit_b : Fit, CoverageFit or (CoverageFit, model)
        The two curves: fits of one-input laws on a common axis, fits of laws of ``N``
        and ``D`` (compared by their loss along the compute-optimal path, ``over`` naming
        ``"C"``), or coverage fits against ``k``. See :func:`curve_draws`.
    over : (str, float, float)
        Axis name and range, compared on ``num_points`` log-spaced points.
    better : {"lower", "higher"}
        ``"lower"`` for losses, ``"higher"`` for accuracy or coverage.
    num_points : int
        Grid size (>= 3).
    ci_prob : float
        Mass of the intervals of :meth:`~CrossoverResult.gap` and the summary.
    kind : {"mean", "predictive"}
        Compare the laws' curves (default) or new noisy measurements.
    seed : int
        Seed of the pairing (and of predictive noise). Draws of two separate fits are
        paired by independent random resampling (each fit's draws shuffled, repeated
        if needed) to the larger draw count; the two views of one :func:`fit_joint`
        are paired draw by draw, which keeps their posterior correlation.
    labels : (str, str)
        Names of A and B in the output.

    Returns
    -------
    CrossoverResult
    """
    name, lo, hi = _check_over(over)
    if better not in ("lower", "higher"):
        raise BayescaleError(f"better must be 'lower' or 'higher', got {better!r}")
    if kind not in ("mean", "predictive"):
        raise BayescaleError(f"kind must be 'mean' or 'predictive', got {kind!r}")
    if isinstance(num_points, bool) or not isinstance(num_points, int) or num_points < 3:
        raise BayescaleError(f"num_points must be an integer >= 3, got {num_points!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BayescaleError(f"seed must be an integer >= 0, got {seed!r}")
    ci_prob = _check_prob(ci_prob)
    if len(labels) != 2 or labels[0] == labels[1]:
        raise BayescaleError(f"labels must be two different names, got {labels!r}")
    grid = np.geomspace(lo, hi, num_points)
    da = curve_draws(fit_a, name, grid, kind=kind, seed=seed, which="fit_a")
    db = curve_draws(fit_b, name, grid, kind=kind, seed=seed + 1, which="fit_b")
    rng = np.random.default_rng(seed)
    joint = _joint_id(fit_a) is not None and _joint_id(fit_a) == _joint_id(fit_b)
    if joint and da.shape[0] == db.shape[0]:
        ia = ib = rng.permutation(da.shape[0])
    else:
        size = max(da.shape[0], db.shape[0])
        ia, ib = _resample(rng, da.shape[0], size), _resample(rng, db.shape[0], size)
    da, db = da[ia], db[ib]
    ok = np.all(np.isfinite(da), axis=1) & np.all(np.isfinite(db), axis=1)
    if not ok.all():
        if not ok.any():
            raise BayescaleError("every paired draw has non-finite curve values on the grid")
        from bayescale.result import DiagnosticWarning

        warnings.warn(f"crossover: dropped {int((~ok).sum())} of {ok.size} paired draws with "
                      "non-finite curve values (overflow); check the fits' diagnostics",
                      DiagnosticWarning, stacklevel=2)
        da, db = da[ok], db[ok]
    return CrossoverResult(over=name, grid=grid, a=da, b=db, better=better,
                           labels=(str(labels[0]), str(labels[1])), ci_prob=ci_prob,
                           kind=kind, paired="joint" if joint else "independent",
                           response=_response(fit_a) or _response(fit_b))


def _response(obj: Any) -> str | None:
    """The fit's response column (``fit.y``), if it records one."""
    obj = obj[0] if isinstance(obj, tuple) else obj
    y = getattr(obj, "y", None)
    return y if isinstance(y, str) else None
