"""Model comparison by PSIS-LOO (ArviZ) and model-averaged predictions."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.analysis._lfo_stacking import compare_lfo

__all__ = ["PARETO_K_MAX", "compare", "model_average"]

#: Pareto k above which a point's PSIS-LOO estimate is unreliable.
PARETO_K_MAX = 0.7


def _named(fits: Any, names: Sequence[str] | None) -> dict[str, Any]:
    from bayescale.result import Fit

    if isinstance(fits, Mapping):
        if names is not None:
            raise BayescaleError("pass names= only with a list of fits (a dict names them)")
        out = {str(k): v for k, v in fits.items()}
    else:
        fits = list(fits)
        if names is None:
            names = [getattr(getattr(f, "law", None), "name", "fit") for f in fits]
            if len(set(names)) < len(names):
                names = [f"{n}_{i}" for i, n in enumerate(names)]
        names = [str(n) for n in names]
        if len(names) != len(fits):
            raise BayescaleError(f"got {len(names)} name(s) for {len(fits)} fit(s)")
        if len(set(names)) != len(names):
            raise BayescaleError(f"names must be unique, got {names}")
        out = dict(zip(names, fits, strict=True))
    bad = [k for k, v in out.items() if not isinstance(v, Fit)]
    if bad:
        raise BayescaleError(f"every entry must be a bayescale Fit; not a Fit: {bad}")
    return out


def compare(fits: Sequence[Any] | Mapping[str, Any], *, names: Sequence[str] | None = None,
            method: str = "stacking") -> pd.DataFrame:
    """Compare fits of the same data by PSIS-LOO (ArviZ): ELPD, differences, weights.

    Parameters
    ----------
    fits : sequence of Fit or dict of str to Fit
        At least two fits of the same observations (same response values, same order).
    names : sequence of str, optional
        Model names (default: the laws' names, numbered if they repeat).
    method : {"stacking", "BB-pseudo-BMA", "pseudo-BMA", "lfo"}
        How ArviZ computes the ``weight`` column from PSIS-LOO, or ``"lfo"``: rank and
        stack the laws by their leave-future-out forecasts of the points beyond cuts of
        the data (what an extrapolation asks; see
        :mod:`bayescale.analysis._lfo_stacking`), with columns ``rank``, ``elpd``,
        ``elpd_diff``, ``weight``, ``n_points``, ``n_splits``.

    Returns
    -------
    DataFrame
        One row per model, best first (index ``model``): ``rank``, ``elpd`` (LOO
        expected log pointwise predictive density, on the scale of ``y``), ``se``,
        ``p`` (effective number of parameters), ``elpd_diff`` (to the best) and its
        standard error ``dse``, ``weight``, ``pareto_k_max`` and ``n_bad_k`` (points
        with Pareto k > 0.7).

    Warns
    -----
    DiagnosticWarning
        When some points have Pareto k > 0.7 (their LOO estimates are unreliable; use
        K-fold cross-validation or a more robust likelihood for those models).
    """
    import arviz as az

    from bayescale.result import DiagnosticWarning

    methods = ("stacking", "BB-pseudo-BMA", "pseudo-BMA", "lfo")
    if method not in methods:
        raise BayescaleError(f"method must be one of {methods}, got {method!r}")
    named = _named(fits, names)
    if len(named) < 2:
        raise BayescaleError(f"compare needs at least two fits, got {len(named)}")
    ref_name, ref = next(iter(named.items()))
    for k, f in named.items():
        y0, y1 = ref.dataset.y, f.dataset.y
        if y0.shape != y1.shape or not np.allclose(y0, y1, rtol=1e-12, atol=0):
            raise BayescaleError(f"LOO compares fits of the same observations; {k!r} has "
                                 f"{y1.size} responses that differ from {ref_name!r}'s "
                                 f"{y0.size}")
    if method == "lfo":
        return compare_lfo(named)
    loos, bad, kmax = {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ's own Pareto-k notes; ours follow
        for k, f in named.items():
            loos[k] = az.loo(f.to_arviz(), pointwise=True, var_name=f.y)
            pk = np.asarray(loos[k].pareto_k)
            bad[k], kmax[k] = int(np.sum(pk > PARETO_K_MAX)), float(np.max(pk))
        table = az.compare(loos, method=method, round_to="none")
    flagged = {k: n for k, n in bad.items() if n}
    if flagged:
        n_obs = ref.dataset.n
        desc = "; ".join(f"{k!r}: {n} of {n_obs}" for k, n in flagged.items())
        warnings.warn(f"PSIS-LOO: points with Pareto k > {PARETO_K_MAX} ({desc}): their "
                      "leave-one-out estimates are unreliable, so ELPD differences "
                      "involving these models are approximate; check with K-fold "
                      "cross-validation or a backtest", DiagnosticWarning, stacklevel=2)
    cols = ["rank", "elpd", "se", "p", "elpd_diff", "dse", "weight"]
    out = table[cols].astype({"rank": int}).copy()
    out["pareto_k_max"] = [kmax[k] for k in out.index]
    out["n_bad_k"] = [bad[k] for k in out.index]
    out.index.name = "model"
    return out


def _weights(weights: Any, names: list[str]) -> np.ndarray:
    if isinstance(weights, pd.DataFrame):
        if "weight" not in weights.columns:
            raise BayescaleError("a DataFrame of weights needs a 'weight' column (as from "
                                 "compare)")
        weights = weights["weight"]
    if isinstance(weights, Mapping | pd.Series):
        missing = [n for n in names if n not in weights]
        if missing:
            raise BayescaleError(f"weights lack model(s) {missing}; they name "
                                 f"{[str(k) for k in weights.keys()]}")
        weights = [weights[n] for n in names]
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != len(names):
        raise BayescaleError(f"got {w.size} weight(s) for {len(names)} fit(s)")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise BayescaleError(f"weights must be finite, >= 0 and not all 0, got {w.tolist()}")
    return w / w.sum()


def model_average(fits: Sequence[Any] | Mapping[str, Any], weights: Any, *,
                  ci_prob: float = 0.9, kind: str = "predictive", num_draws: int | None = None,
                  seed: int = 0, names: Sequence[str] | None = None,
                  **inputs: Any) -> pd.DataFrame:
    """Quantiles of the weighted mixture of the fits' posterior-predictive draws.

    Parameters
    ----------
    fits : sequence of Fit or dict of str to Fit
        The models.
    weights : sequence of float, dict, Series, DataFrame or str
        One weight per fit (normalised), or the output of :func:`compare` (its
        ``weight`` column, matched by model name), or a :func:`compare` method name
        (``"stacking"``, ``"lfo"``, ...) to compute the weights here.
    ci_prob : float
        Mass of the equal-tailed interval.
    kind : {"predictive", "mean"}
        New observations (default) or the laws' curves.
    num_draws : int, optional
        Size of the mixture sample (default: the largest fit's draw count).
    seed : int
        Seed of the predictive noise and of the mixture sampling.
    names : sequence of str, optional
        Model names when ``fits`` is a list (to match a ``compare`` table).
    **inputs : array_like
        Input values, by data column or law input name (every fit must accept them).

    Returns
    -------
    DataFrame
        Input columns, ``mean``, ``median``, ``lower``, ``upper``.
    """
    from bayescale.result._predict import quantile_frame, resolve_inputs

    named = _named(fits, names)
    if isinstance(weights, str):
        weights = compare(named, method=weights)
    w = _weights(weights, list(named))
    fit_list = list(named.values())
    total = num_draws if num_draws is not None else max(f.num_draws for f in fit_list)
    if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 1:
        raise BayescaleError(f"num_draws must be a positive integer, got {num_draws!r}")
    counts = np.floor(w * total).astype(int)
    order = np.argsort(-(w * total - counts))
    counts[order[: total - counts.sum()]] += 1          # largest remainders
    rng = np.random.default_rng(seed)
    parts = []
    for i, (f, c) in enumerate(zip(fit_list, counts, strict=True)):
        if c == 0:
            continue
        d = f.predict_draws(kind=kind, seed=seed + i, **inputs)
        parts.append(d[rng.choice(d.shape[0], size=c, replace=c > d.shape[0])])
    _, columns = resolve_inputs(fit_list[0].law, fit_list[0].x, inputs)
    return quantile_frame(columns, np.concatenate(parts), ci_prob)
