"""Backtests: fit the small scales, score the held-out large scales."""

from __future__ import annotations

import ast
import operator
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd
from scipy.special import logsumexp

from bayescale._errors import BayescaleError
from bayescale.analysis._crossover import table_html
from bayescale.analysis._pit import pit_values
from bayescale.data import as_frame
from bayescale.result import fit as fit_fn
from bayescale.result import fit_many

__all__ = ["CALIBRATION_LEVELS", "BacktestCollection", "BacktestResult", "backtest",
           "backtest_many", "parse_rule"]

#: Central-interval levels of the mean squared miscalibration (NSL-PFN, Lee et al. 2025).
CALIBRATION_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne}  # the only operators a rule may use
_GRAMMAR = ("column names, numbers, comparisons (<, <=, >, >=, ==, !=), 'and', 'or' and "
            "parentheses, e.g. 'N < 1e9 and D >= 2e10'")


def _operand(node: ast.AST, frame: pd.DataFrame, rule: str) -> tuple[Any, bool]:
    if isinstance(node, ast.Name):
        if node.id not in frame.columns:
            raise BayescaleError(f"train rule {rule!r}: unknown column {node.id!r}; columns "
                                 f"are {[str(c) for c in frame.columns]}")
        return frame[node.id].to_numpy(), True
    sign = -1.0 if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)):
        return sign * float(node.value), False
    raise BayescaleError(f"train rule {rule!r}: {ast.unparse(node)!r} is not a column or a "
                         f"number; accepted: {_GRAMMAR}")


def _mask(node: ast.AST, frame: pd.DataFrame, rule: str) -> np.ndarray:
    if isinstance(node, ast.BoolOp):
        f = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return f.reduce([_mask(v, frame, rule) for v in node.values])
    if isinstance(node, ast.Compare):
        bad = [type(op).__name__ for op in node.ops if type(op) not in _CMP]
        if bad:
            raise BayescaleError(f"train rule {rule!r}: operator {bad[0]} is not accepted; "
                                 f"accepted: {_GRAMMAR}")
        items = [_operand(n, frame, rule) for n in (node.left, *node.comparators)]
        out = np.ones(len(frame), dtype=bool)
        for op, (lv, lc), (rv, rc) in zip(node.ops, items[:-1], items[1:], strict=True):
            if not (lc or rc):
                raise BayescaleError(f"train rule {rule!r}: a comparison needs a column")
            out &= np.asarray(_CMP[type(op)](lv, rv), dtype=bool)
        return out
    raise BayescaleError(f"train rule {rule!r}: {type(node).__name__} is not accepted; "
                         f"accepted: {_GRAMMAR}")


def parse_rule(rule: str, data: Any) -> np.ndarray:
    """Boolean mask of the rows of ``data`` that satisfy a rule such as ``"N < 1e9"``.

    Parameters
    ----------
    rule : str
        Parsed with :mod:`ast`, never evaluated: column names, numbers, the comparisons
        ``< <= > >= == !=`` (chains such as ``1e8 < N < 1e9`` allowed), ``and``, ``or``
        and parentheses.
    data : DataFrame, mapping or path
        The rows.

    Returns
    -------
    numpy.ndarray of bool
    """
    if not isinstance(rule, str):
        raise BayescaleError(f"a rule must be a string, got {type(rule).__name__}")
    try:
        tree = ast.parse(rule.strip(), mode="eval")
    except SyntaxError:
        raise BayescaleError(f"cannot parse train rule {rule!r}; accepted: {_GRAMMAR}") from None
    return _mask(tree.body, as_frame(data), rule)


def _train_mask(train: Any, frame: pd.DataFrame) -> np.ndarray:
    mask = parse_rule(train, frame) if isinstance(train, str) else np.asarray(train)
    if mask.dtype != bool or mask.shape != (len(frame),):
        raise BayescaleError(f"train must be a rule string or a boolean mask of {len(frame)} "
                             f"rows; got dtype {mask.dtype}, shape {mask.shape}")
    if (n_train := int(mask.sum())) in (0, len(frame)):
        raise BayescaleError(f"train selects {n_train} of {len(frame)} rows; a backtest needs "
                             "rows on both sides")
    return mask


def _levels(ci_levels: Sequence[float]) -> tuple[float, ...]:
    if not (lv := tuple(float(v) for v in ci_levels)) or not all(0 < v < 1 for v in lv):
        raise BayescaleError(f"ci_levels must be numbers in (0, 1), got {ci_levels!r}")
    return lv


class BacktestResult:
    """Scores of one backtest (immutable).

    Attributes
    ----------
    fit : Fit
        The fit of the training rows.
    table : DataFrame
        Held-out rows: inputs, ``y``, predictive ``median``, ``lower_<l>``/``upper_<l>``
        per level, ``lpd`` (log predictive density of the point) and ``pit`` (share of
        the predictive draws below the observation; uniform when calibrated, see
        :func:`bayescale.analysis.plot_pit`).
    rmsle, coverage, miscalibration, mean_lpd : float, mapping, float, float
        The scores described in :func:`backtest` (``coverage`` keyed by level).
    interval_score, crps : mapping, float
        Mean interval (Winkler) score per level and mean CRPS of the predictive draws,
        on ``log y`` for log-scale likelihoods (else on ``y``); lower is better, and
        neither can be improved by widening the bands beyond what the errors need.
    calibration : DataFrame
        Coverage at the levels 0.5 ... 0.99 of the miscalibration metric.
    n_train, n_test, train : int, int, ndarray of bool or None
        Training and held-out row counts, and the training mask over the input rows.
    """

    __slots__ = ("calibration", "coverage", "crps", "fit", "interval_score", "mean_lpd",
                 "miscalibration", "n_test", "n_train", "rmsle", "table", "train")

    def __init__(self, **values: Any) -> None:
        for k in self.__slots__:
            object.__setattr__(self, k, values[k])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"BacktestResult is immutable; cannot set {name!r}")

    def summary(self) -> pd.Series:
        """Headline scores as a Series."""
        out = {"n_train": self.n_train, "n_test": self.n_test, "rmsle": self.rmsle}
        out |= {f"coverage_{lv:g}": c for lv, c in self.coverage.items()}
        out |= {"miscalibration": self.miscalibration, "mean_lpd": self.mean_lpd}
        out |= {f"interval_score_{lv:g}": v for lv, v in self.interval_score.items()}
        out["crps"] = self.crps
        return pd.Series(out, name="backtest", dtype=float)

    def __repr__(self) -> str:
        cov = ", ".join(f"{lv:.0%}: {c:.2f}" for lv, c in self.coverage.items())
        return (f"<BacktestResult {self.fit.law.name}: {self.n_train} train, {self.n_test} "
                f"held out; RMSLE {self.rmsle:.4g}, coverage {cov}, miscalibration "
                f"{self.miscalibration:.4f}, mean LPD {self.mean_lpd:.4g}>")

    def _repr_html_(self) -> str:
        return table_html(f"Backtest of {self.fit.law.name}", self.summary())


def _proper_scores(draws: np.ndarray, y: np.ndarray, levels: Sequence[float], *, log: bool
                   ) -> tuple[dict[float, float], float]:
    """Mean interval (Winkler) score per level and mean CRPS, on ``log y`` when ``log``."""
    import scoringrules as sr

    with np.errstate(divide="ignore", invalid="ignore"):
        f, obs = (np.log(draws), np.log(y)) if log else (draws, y)
    f = np.where(np.isfinite(f), f, np.nan)
    iscore = {}
    for lv in levels:
        lo, hi = np.nanquantile(f, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
        iscore[lv] = float(np.mean(sr.interval_score(obs, lo, hi, 1 - lv, backend="numpy")))
    crps = float(np.mean(sr.crps_ensemble(obs, f.T, m_axis=-1, nan_policy="omit",
                                          backend="numpy")))
    return iscore, crps


def score(fit: Any, test: pd.DataFrame, *, ci_levels: Sequence[float] = (0.5, 0.8, 0.9, 0.95),
          seed: int = 0, train: np.ndarray | None = None) -> BacktestResult:
    """Score a fit's posterior predictive on held-out rows (see :func:`backtest`)."""
    levels = _levels(ci_levels)
    inputs, y = {c: test[c].to_numpy(float) for c in fit.x}, test[fit.y].to_numpy(float)
    draws = fit.predict_draws(kind="predictive", seed=seed, **inputs)
    mu, lik = fit.predict_draws(kind="mean", seed=seed, **inputs), fit.likelihood
    noise = {k: jnp.asarray(np.asarray(fit.posterior[k]).reshape(-1, 1)) for k in
             lik.noise_names}
    lm = jnp.log(jnp.asarray(mu)) if lik.log_scale else jnp.asarray(mu)
    ll = np.asarray(lik.log_prob(jnp.asarray(y)[None, :], lm, jnp.asarray(mu), noise))
    lpd = logsumexp(ll, axis=0) - np.log(ll.shape[0])
    med = np.median(draws, axis=0)
    table = test[[*fit.x, fit.y]].reset_index(drop=True).assign(median=med)
    cover = {}
    for lv in sorted(set(levels) | set(CALIBRATION_LEVELS)):
        lo, hi = np.quantile(draws, [(1 - lv) / 2, (1 + lv) / 2], axis=0)
        cover[lv] = float(np.mean((y >= lo) & (y <= hi)))
        if lv in levels:
            table[f"lower_{lv:g}"], table[f"upper_{lv:g}"] = lo, hi
    table["lpd"] = lpd
    table["pit"] = pit_values(draws, y, seed=seed)
    iscore, crps = _proper_scores(draws, y, levels, log=lik.log_scale)
    calib = pd.DataFrame({"level": CALIBRATION_LEVELS,
                          "coverage": [cover[lv] for lv in CALIBRATION_LEVELS]})
    with np.errstate(invalid="ignore"):
        rmsle = float(np.sqrt(np.mean((np.log1p(med) - np.log1p(y)) ** 2)))
    return BacktestResult(
        fit=fit, table=table, rmsle=rmsle,
        coverage=MappingProxyType({lv: cover[lv] for lv in levels}), calibration=calib,
        miscalibration=float(np.mean((calib["coverage"] - calib["level"]) ** 2)),
        mean_lpd=float(np.mean(lpd)), n_train=int(fit.dataset.n), n_test=len(test),
        interval_score=MappingProxyType(iscore), crps=crps,
        train=None if train is None else np.asarray(train).copy())


def backtest(data: Any, law: Any, *, x: str | Sequence[str] | None = None,
             y: str | None = None, train: str | Any = "N < 1e9",
             ci_levels: Sequence[float] = (0.5, 0.8, 0.9, 0.95), seed: int = 0,
             **fit_kwargs: Any) -> BacktestResult:
    """Fit the training rows, predict the held-out rows and score the predictions.

    Parameters
    ----------
    data : DataFrame, mapping or path
        All rows.
    law : Law or str
        The law (registry name, formula or :class:`~bayescale.Law`).
    x, y
        Input column(s) and response column, as in :func:`bayescale.fit`.
    train : str or array_like of bool
        Training rows: a rule such as ``"N < 1e9"`` (see :func:`parse_rule`; parsed,
        never evaluated) or a boolean mask. The other rows are held out.
    ci_levels : sequence of float
        Central predictive intervals whose coverage is reported.
    seed : int
        Seed of the fit and of the predictive draws.
    **fit_kwargs
        Passed to :func:`bayescale.fit` (``likelihood``, ``priors``, ``num_samples``...).

    Returns
    -------
    BacktestResult
        RMSLE of the predictive median (on ``log(1 + y)``, the BNSL convention), coverage
        of each level, mean squared miscalibration over the levels 0.5, 0.6, 0.7, 0.8,
        0.9, 0.95, 0.99 (NSL-PFN), mean log predictive density of the held-out points
        (``log mean_s p(y_i | theta_s)``, the likelihood's density averaged over draws),
        mean interval score per level and CRPS (``scoringrules``). Predictions include
        the fit's discrepancy beyond the data (pass ``discrepancy=False`` to fit
        without it).
    """
    frame = as_frame(data)
    mask, levels = _train_mask(train, frame), _levels(ci_levels)
    f = fit_fn(frame[mask].reset_index(drop=True), law, x=x, y=y, seed=seed, **fit_kwargs)
    return score(f, frame[~mask], ci_levels=levels, seed=seed, train=mask)


class BacktestCollection:
    """Backtests of many curves (immutable): ``results[key]`` and :meth:`summary`."""

    def __init__(self, results: dict[Any, BacktestResult], fits: Any) -> None:
        object.__setattr__(self, "results", MappingProxyType(dict(results)))
        object.__setattr__(self, "fits", fits)  # the FitCollection of the training parts

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"BacktestCollection is immutable; cannot set {name!r}")

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, key: Any) -> BacktestResult:
        return self.results[key]

    def summary(self) -> pd.DataFrame:
        """One row per curve (index ``curve``) with the scores of :class:`BacktestResult`."""
        return pd.DataFrame({k: r.summary() for k, r in self.results.items()}).T.rename_axis(
            "curve")

    def mean(self) -> pd.Series:
        """Scores averaged over curves (points pooled for coverage and LPD)."""
        s = self.summary()
        out = {"curves": float(len(s)), "rmsle_mean": float(s["rmsle"].mean()),
               "rmsle_median": float(s["rmsle"].median())}
        out |= {c: float(np.average(s[c].astype(float), weights=s["n_test"])) for c in s.columns
                if c.startswith(("coverage_", "interval_score_"))
                or c in ("miscalibration", "mean_lpd", "crps")}
        return pd.Series(out, name="backtest_many")

    def __repr__(self) -> str:
        return f"<BacktestCollection of {len(self)} curves: {self.mean().round(4).to_dict()}>"


def backtest_many(data: Any, law: Any, *, by: str, x: str | Sequence[str] | None = None,
                  y: str | None = None, train: str | Any = "N < 1e9",
                  ci_levels: Sequence[float] = (0.5, 0.8, 0.9, 0.95), seed: int = 0,
                  **fit_kwargs: Any) -> BacktestCollection:
    """Backtest one law on many curves, fitting all training parts in one vectorised call.

    Parameters
    ----------
    data : DataFrame or path
        All curves in one table.
    law, x, y, train, ci_levels, seed
        As in :func:`backtest`; a rule applies per curve, a mask to the rows of ``data``.
    by : str
        Column naming the curve of each row.
    **fit_kwargs
        Passed to :func:`bayescale.fit_many` (``num_chains``, ``batch_size``, ...).

    Returns
    -------
    BacktestCollection
    """
    frame = as_frame(data).reset_index(drop=True)
    if by not in frame.columns:
        raise BayescaleError(f"by column {by!r} is not in the data; columns are "
                             f"{[str(c) for c in frame.columns]}")
    mask, levels = _train_mask(train, frame), _levels(ci_levels)
    train_parts, test_parts = {}, {}
    for key, idx in frame.groupby(by, sort=True).groups.items():
        m = mask[np.asarray(idx)]
        if m.all() or not m.any():
            raise BayescaleError(f"curve {key!r}: train selects {int(m.sum())} of {m.size} "
                                 "rows; every curve needs rows on both sides")
        g = frame.loc[idx].reset_index(drop=True)
        train_parts[key], test_parts[key] = g[m].reset_index(drop=True), g[~m]
    fits = fit_many(train_parts, law, x=x, y=y, seed=seed, **fit_kwargs)
    results = {k: score(fits[k], test_parts[k], ci_levels=levels, seed=seed)
               for k in train_parts}
    return BacktestCollection(results, fits)
