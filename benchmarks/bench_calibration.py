"""Extrapolation calibration on every public split: bayescale old/new against LS baselines.

One table over every extrapolation split the shared data allow (``BAYESCALE_DATA``), plus
simulated families whose generating law is not the fitted one. Rows are (group, split,
method); the methods, on the same splits in the same run:

* ``old``: ``bs.analysis.backtest(..., discrepancy=False)`` (law + noise bands);
* ``new``: the same with the default ``discrepancy=True`` (leave-future-out drift);
* ``ls_boot``: least squares of the same law on ``log y`` (scipy, multi-start from the
  ``old`` fit's posterior median and mode, the law's own guess and perturbations; plain,
  then soft_l1) with residual-bootstrap predictive draws (200 refits x 10 residuals);
* ``conformal``: split-conformal least squares on ``|log residual|``: LS on the earlier
  ~70% of the training rows (by the extrapolation axis), scores on the later ~30%,
  intervals = LS on all training rows ± the conformal quantile; turned into an ensemble
  of draws so that CRPS is defined (levels above n/(n+1), infinite in exact split
  conformal, are capped at the largest score);
* ``new_along`` (datablations only): ``new`` with ``along="U"``; the default drift axis
  of ``data_constrained`` is N x D, along which an epochs split does not move;
* ``new_interp``: the interpolation check, ``new`` fitted to the split's training rows
  but every 4th interior row (by the split's axis), scored on those rows.

Every method is scored by the same function (``_calib_baselines.score_draws``) from its
predictive draws of ``y`` at the held-out points: RMSLE of the median on ``log(1 + y)``,
coverage 50/80/90/95%, miscalibration (mean squared over 0.5 ... 0.99), interval score at
90% and CRPS, both on ``log y``. For bayescale the draws are
``fit.predict_draws(kind="predictive", seed=seed, ...)`` of the backtest's fit, checked
against the ``BacktestResult``'s own numbers.

Splits: Chinchilla by N (< 1e9) and by C (< 1e21); Pythia final-step evaluations fitted
<= 2.8B, predicting 6.9B and 12B; datablations final losses and the IsoLoss grid, fitted
epochs <= 4 (``data_constrained``); ObsScaling benchmarks vs FLOPs (fit <= 84e21);
learning-rate-schedule loss curves (first 60% of steps, ``lr_anneal``); Large Language
Monkeys coverage vs k (fit k <= 100, predict k >= 1000); BNSL 4-digit addition (first 14 points);
simulated broken / decaying-exponent / AR(1)-noise curves (first 60% of log x).

Usage::

    BAYESCALE_DATA=/path/to/shared/datasets python benchmarks/bench_calibration.py \
        [--quick] [--groups chinchilla,pythia,...] [--csv PATH] [--warmup 500] \
        [--samples 500] [--chains 4] [--boot 200] [--sim-curves 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _calib_baselines import (
    CALIBRATION_LEVELS,
    LeastSquares,
    conformal_direct_coverage,
    conformal_draws,
    conformal_quantile,
    ls_bootstrap_draws,
    score_draws,
    starts_from,
)

import bayescale as bs

GROUPS = ("chinchilla", "pythia", "datablations", "obsscaling", "lr_schedule", "llmonkeys",
          "bnsl", "simulated")
METHODS = ("old", "new", "ls_boot", "conformal")
METRICS = ("rmsle", "cov50", "cov80", "cov90", "cov95", "miscal", "is90", "crps")
#: (group, method, PIT values of the held-out points) of every scored split
PITS: list[tuple[str, str, np.ndarray]] = []
#: the "new" fit of every split, for stacking across laws fitted to the same data
NEW_FITS: list[tuple[Split, Any]] = []
#: laws stacked on the splits of these groups (fitted here when the split has no fit)
STACK_LAWS = {"bnsl": ("bnsl", "saturating_power"),
              "simulated": ("saturating_power", "bnsl")}


@dataclass
class Split:
    """One extrapolation split: the rows (train + test only), the mask and the fit setup."""

    group: str
    name: str
    data: pd.DataFrame
    train: np.ndarray
    law: Any
    x: list[str]
    y: str
    axis: str                        # extrapolation axis (orders the conformal split)
    fit_kwargs: dict[str, Any] = field(default_factory=dict)
    along: str | None = None         # extra ``new_along`` row when set


# ---------------------------------------------------------------------------------------
# splits
# ---------------------------------------------------------------------------------------
def _split(group, name, data, train, law, x, y, axis, **kw) -> Split:
    data = data.reset_index(drop=True)
    return Split(group, name, data, np.asarray(train, dtype=bool), law, list(x), y, axis, **kw)


def chinchilla_splits(quick: bool) -> tuple[list[Split], list[str]]:
    d = bs.datasets.load("chinchilla-epoch")
    d = d[~d["epoch_excluded"]].reset_index(drop=True)
    d["C"] = 6.0 * d["N"] * d["D"]
    out = [_split("chinchilla", "by_N<1e9", d, d["N"] < 1e9, "chinchilla", ["N", "D"], "loss",
                  "N")]
    if not quick:
        out.append(_split("chinchilla", "by_C<1e21", d, d["C"] < 1e21, "chinchilla",
                          ["N", "D"], "loss", "C"))
    return out, []


_PYTHIA_TASKS = (  # (task, metric, response, law)
    ("lambada_openai", "ppl", "ppl", "saturating_power"),
    ("arc_easy", "acc", "err", "saturating_power"),
    ("piqa", "acc", "acc", "sigmoid_floor0.5"),
)


def pythia_splits(quick: bool) -> tuple[list[Split], list[str]]:
    d = bs.datasets.load("pythia-evals")
    d = d[d["shots"] == 0]
    d = d[d["step"] == d.groupby("model")["step"].transform("max")]
    out = []
    for deduped in (False, True):
        for task, metric, resp, law in _PYTHIA_TASKS:
            g = d[(d["task"] == task) & (d["metric"] == metric) & (d["deduped"] == deduped)]
            g = g.groupby("N", as_index=False)["value"].mean().sort_values("N")
            g["ppl"] = g["value"]
            g["acc"] = g["value"]
            g["err"] = 1.0 - g["value"]
            law_obj = (bs.laws.get("sigmoid_accuracy", floor=0.5) if law.startswith("sigmoid")
                       else law)
            tag = f"{task}_{resp}{'_dedup' if deduped else ''}"
            # 5-6 training sizes: a 3-parameter law + Student-t (5 dims) needs 6 points,
            # so the Gaussian on log y (4 dims) is used for every Pythia split
            out.append(_split("pythia", tag, g, g["N"] <= 2.8e9, law_obj, ["N"], resp, "N",
                              fit_kwargs={"likelihood": "normal_log"}))
    if quick:
        out = out[:1]
    return out, ["pythia: 5-shot evaluations not used (only a few tasks have them); the "
                 "0-shot final-step accuracy of 3 tasks x {standard, deduped} are the splits"]


def datablations_splits(quick: bool) -> tuple[list[Split], list[str]]:
    law = "data_constrained"
    out = []
    lc = bs.datasets.load("datablations")
    last = lc.sort_values("token_num").groupby(["data", "num_params", "epochs"]).tail(1)
    for data_name in ("c4", "oscar"):
        g = last[last["data"] == data_name].copy()
        g["D"] = g["token_num"].astype(float)
        g["U"] = g["tokens_per_epoch"].astype(float)
        out.append(_split("datablations", f"final_{data_name}_ep<=4", g, g["epochs"] <= 4, law,
                          ["N", "D", "U"], "loss", "epochs", along="U"))
    c = bs.datasets.load("datablations", file="contour")
    out.append(_split("datablations", "contour_c4_ep<=4", c, c["epochs"] <= 4, law,
                      ["N", "D", "U"], "loss", "epochs", along="U"))
    if quick:
        out = out[:1]
    return out, ["datablations: a one-input law per model size is not fitted: each size has "
                 "only 4 runs with epochs <= 4, fewer than a 3-parameter law + noise needs "
                 "(5-6 points); the data_constrained law on all sizes at once is used"]


_OBS = (("MMLU", 0.25), ("ARC-C", 0.25), ("HellaSwag", 0.25), ("GSM8K", 0.0))


def obsscaling_splits(quick: bool) -> tuple[list[Split], list[str]]:
    d = bs.datasets.load("obsscaling")
    d = d.rename(columns={"FLOPs (1E21)": "F"})
    out, notes = [], []
    for bench, floor in _OBS[:1] if quick else _OBS:
        g = d[["Model", "F", bench]].dropna()
        dropped = int((g[bench] <= 0).sum())
        g = g[g[bench] > 0].rename(columns={bench: "score"})
        if dropped:
            notes.append(f"obsscaling {bench}: {dropped} models with score 0 dropped (log y)")
        out.append(_split("obsscaling", f"{bench}_F<=84", g, g["F"] <= 84,
                          bs.laws.get("sigmoid_accuracy", floor=floor), ["F"], "score", "F"))
    return out, notes


def lr_schedule_splits(quick: bool) -> tuple[list[Split], list[str]]:
    from bayescale.laws._lr_anneal import lr_anneal_frame

    d = bs.datasets.load("lr-schedule-loss-curves")
    out = []
    for sched in ("cosine", "wsd", "811")[:1] if quick else ("cosine", "wsd", "811"):
        g = d[d["schedule"] == sched].sort_values("step")
        n = int(g["step"].max()) + 1
        block = (n - 1000) // 60
        # 60 block means from step 1000, with the areas S1, S2 of the whole schedule
        c = lr_anneal_frame(g["lr"].to_numpy(), g["loss"].to_numpy(), block=block,
                            start=1000)
        out.append(_split("lr_schedule", f"{sched}_first60%", c,
                          (c["step"] + block <= 0.6 * n).to_numpy(), "lr_anneal",
                          ["S1", "S2"], "loss", "step"))
    return out, ["lr_schedule: each run's own later 40% is predicted from its first 60% "
                 "with the schedule-aware lr_anneal law (inputs: the areas S1, S2 of the "
                 "known schedule; drift axis S1). The README protocol (fit cosine, predict "
                 "WSD/step-decay) is a transfer across schedules, not an extrapolation. A "
                 "one-input law in step cannot see the LR drops coming (WSD and 811 drop "
                 "at 80%): with saturating_power the same splits cover 0.35 at 90%"]


def llmonkeys_splits(quick: bool) -> tuple[list[Split], list[str]]:
    d = bs.datasets.load("llmonkeys-pythia-math", file="coverage")
    d = d[(d["k"] <= 100) | (d["k"] >= 1000)].copy()
    d["neglogcov"] = -np.log(d["coverage"])
    models = sorted(d["model"].unique(), key=lambda m: d.loc[d["model"] == m, "N"].iloc[0])
    out = []
    for m in models[3:4] if quick else models:
        g = d[d["model"] == m]
        out.append(_split("llmonkeys", f"{m.replace('Pythia ', '')}_k<=100", g, g["k"] <= 100,
                          "saturating_power", ["k"], "neglogcov", "k"))
    return out, ["llmonkeys: -log coverage vs k with saturating_power (-log coverage -> "
                 "-log of the solvable fraction); k in (100, 1000) neither fitted nor scored. "
                 "The across-N protocol (fit 70M-1B) is skipped: 4 sizes are too few points",
                 ]


def bnsl_splits(quick: bool) -> tuple[list[Split], list[str]]:
    d = bs.datasets.load("bnsl-4digit-addition")
    train = (d["split"] == "fit").to_numpy()
    laws = ("bnsl",) if quick else ("bnsl", "saturating_power")
    return [_split("bnsl", f"first14_{law}", d, train, law, ["x"], "y", "x") for law in laws], []


_SIM_FAMILIES = ("broken", "decay", "ar1")


def simulate(family: str, seed: int) -> pd.DataFrame:
    """24 points over 4 decades of x; the truth is not a saturating power law."""
    rng = np.random.default_rng([seed, _SIM_FAMILIES.index(family), 2025])
    x = np.logspace(2, 6, 24)
    t = np.log10(x / x[0])                           # decades from the first point
    e, r0, a0 = rng.uniform(1.5, 2.2), rng.uniform(1.5, 3.0), rng.uniform(0.3, 0.6)
    ln10 = np.log(10.0)
    if family == "broken":   # local exponent falls from a0 to a0 - dc past a smooth break
        dc, tb, f = rng.uniform(0.5, 0.8) * a0, rng.uniform(2.0, 3.0), 0.3
        log_r = np.log(r0) - a0 * t * ln10 + dc * f * np.logaddexp(0.0, (t - tb) / f) * ln10
    elif family == "decay":  # local exponent a0 exp(-t / lam): flattens sooner
        lam = rng.uniform(1.5, 3.0)
        log_r = np.log(r0) - a0 * lam * (1 - np.exp(-t / lam)) * ln10
    else:                    # the fitted law, but AR(1) log-normal noise (rho 0.9, sd 2%)
        log_r = np.log(r0) - a0 * t * ln10
    mean = e + np.exp(log_r)
    if family == "ar1":
        rho, sd = 0.9, 0.02
        eps = np.empty(x.size)
        eps[0] = sd * rng.standard_normal()
        for i in range(1, x.size):
            eps[i] = rho * eps[i - 1] + sd * np.sqrt(1 - rho**2) * rng.standard_normal()
    else:
        eps = 0.01 * rng.standard_normal(x.size)
    return pd.DataFrame({"x": x, "y": mean * np.exp(eps)})


def simulated_splits(quick: bool, n_curves: int) -> tuple[list[Split], list[str]]:
    out = []
    fams = _SIM_FAMILIES[:2] if quick else _SIM_FAMILIES
    for fam in fams:
        for seed in range(1 if quick else n_curves):
            d = simulate(fam, seed)
            train = np.log10(d["x"]) <= 2 + 0.6 * 4
            out.append(_split("simulated", f"{fam}_s{seed}", d, train, "saturating_power",
                              ["x"], "y", "x"))
    return out, []


# ---------------------------------------------------------------------------------------
# methods
# ---------------------------------------------------------------------------------------
@dataclass
class Context:
    settings: dict[str, Any]
    boot: int
    seed: int
    interp: bool = True


def _inputs(sp: Split, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {c: frame[c].to_numpy(float) for c in sp.x}


def _law_inputs(law, sp: Split, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {inp: frame[c].to_numpy(float) for inp, c in zip(law.inputs, sp.x, strict=True)}


def run_bayes(sp: Split, ctx: Context, *, discrepancy: bool, along: str | None = None
              ) -> tuple[dict[str, float], str, Any]:
    kw = dict(ctx.settings, **sp.fit_kwargs)
    if along is not None:
        kw["along"] = along
    bt = bs.analysis.backtest(sp.data, sp.law, x=sp.x, y=sp.y, train=sp.train,
                              discrepancy=discrepancy, seed=ctx.seed, **kw)
    test = sp.data[~sp.train]
    draws = bt.fit.predict_draws(kind="predictive", seed=ctx.seed, **_inputs(sp, test))
    s = score_draws(draws, test[sp.y].to_numpy(float), log=bt.fit.likelihood.log_scale)
    ref = {"rmsle": bt.rmsle, "miscal": bt.miscalibration, "is90": bt.interval_score[0.9],
           "crps": bt.crps} | {f"cov{round(lv * 100)}": c for lv, c in bt.coverage.items()}
    diff = max(abs(s[k] - v) for k, v in ref.items())
    notes = []
    if not diff < 1e-9:
        notes.append(f"MISMATCH vs BacktestResult (max |diff| {diff:.2g})")
    if not bt.fit.ok:
        d = bt.fit.diagnostics()
        notes.append(f"diag: div={d['divergences']} rhat={d['max_r_hat']:.3f} "
                     f"ess={d['min_ess_bulk']:.0f} depth_hits={d['tree_depth_hits']}")
    if discrepancy:
        cal = bt.fit.calibration()
        a = cal.attrs
        notes.append(f"lfo={len(cal)} m={a.get('drift_mean', np.nan):+.3g} "
                     f"tau={a.get('drift_tau', np.nan):.3g}")
    return s, "; ".join(notes), bt


def _ls_setup(sp: Split, fits: list[Any], rng: np.random.Generator):
    law = bs.laws.get(sp.law) if isinstance(sp.law, str) else sp.law
    ls = LeastSquares(law)
    train = sp.data[sp.train]
    x, ly = _law_inputs(law, sp, train), np.log(train[sp.y].to_numpy(float))
    centres = []
    for f in fits:
        if f is not None:
            centres.append({k: float(np.median(np.asarray(f.posterior[k])))
                            for k in law.param_names})
            centres.append(dict(f.mode))
    if law.guess is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                centres.append({k: float(v) for k, v in law.guess(x, np.exp(ly)).items()})
        except Exception:
            pass
    return law, ls, x, ly, starts_from(ls, centres, rng)


def run_ls_boot(sp: Split, ctx: Context, fits: list[Any]) -> tuple[dict[str, float], str, Any]:
    rng = np.random.default_rng([ctx.seed, 11])
    law, ls, x, ly, starts = _ls_setup(sp, fits, rng)
    theta, f_scale = ls.fit(x, ly, starts)
    test = sp.data[~sp.train]
    draws, failed = ls_bootstrap_draws(ls, x, ly, _law_inputs(law, sp, test), theta, f_scale,
                                       rng, n_boot=ctx.boot)
    s = score_draws(draws, test[sp.y].to_numpy(float), log=True)
    note = f"{len(starts)} starts; f_scale {f_scale:.2g}"
    if failed:
        note += f"; {failed}/{ctx.boot} refits failed"
    return s, note, (ls, law, x, ly, theta, f_scale, starts)


def run_conformal(sp: Split, ctx: Context, ls_state: Any) -> tuple[dict[str, float], str]:
    ls, law, x, ly, theta_all, _, starts = ls_state
    train = sp.data[sp.train].reset_index(drop=True)
    n, p = len(train), len(law.param_names)
    n_cal = max(2, round(0.3 * n))
    if n - n_cal < p + 1:
        n_cal = n - p - 1
    if n_cal < 1:
        raise RuntimeError(f"{n} training rows: too few for an early fit of {p} parameters "
                           "plus a calibration part")
    order = np.argsort(train[sp.axis].to_numpy(float), kind="stable")
    early, late = order[: n - n_cal], order[n - n_cal:]
    x_e = {k: v[early] for k, v in x.items()}
    x_l = {k: v[late] for k, v in x.items()}
    rng = np.random.default_rng([ctx.seed, 12])
    st = [theta_all, *starts] + [theta_all + 0.3 * rng.standard_normal(p) for _ in range(3)]
    theta_e, _ = ls.fit(x_e, ly[early], st)
    scores = np.abs(ly[late] - ls.log_mean(theta_e, x_l))
    test = sp.data[~sp.train]
    centre = ls.log_mean(theta_all, _law_inputs(law, sp, test))
    y = test[sp.y].to_numpy(float)
    draws = conformal_draws(centre, scores)
    s = score_draws(draws, y, log=True)
    direct = conformal_direct_coverage(centre, scores, np.log(y), (0.5, 0.8, 0.9, 0.95))
    capped = [lv for lv in CALIBRATION_LEVELS if conformal_quantile(scores, lv)[1]]
    note = f"{n - n_cal} fit / {n_cal} calibration rows"
    if capped:
        note += f"; levels >= {min(capped):g} capped at max score"
    bad = [lv for lv, c in direct.items() if abs(c - s[f"cov{round(lv * 100)}"]) > 1e-9]
    if bad:
        note += f"; ensemble vs exact coverage differ at {bad}"
    return s, note


def _caught(ws: list[warnings.WarningMessage]) -> str:
    seen = []
    for w in ws:
        msg = f"{w.category.__name__}: {str(w.message).splitlines()[0][:110]}"
        if msg not in seen:
            seen.append(msg)
    return " | ".join(seen)


def run_split(sp: Split, ctx: Context) -> tuple[list[dict[str, Any]], list[str]]:
    base = {"group": sp.group, "split": sp.name, "n_train": int(sp.train.sum()),
            "n_test": int((~sp.train).sum())}
    rows, warns = [], []
    fits: dict[str, Any] = {}
    ls_state = None

    def attempt(method: str, fn: Callable[[], tuple[dict[str, float], str]]) -> None:
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                scores, note = fn()
                status = "ok"
            except Exception as exc:
                scores = dict.fromkeys(METRICS, np.nan)
                status = "FAILED"
                note = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}" if str(
                    exc) else type(exc).__name__
                if os.environ.get("BENCH_TRACEBACK"):
                    traceback.print_exc()
        pit = scores.pop("_pit", None)
        if pit is not None:
            PITS.append((sp.group, method, np.asarray(pit, dtype=float)))
        rows.append(base | {"method": method, **scores, "secs": time.perf_counter() - t0,
                            "status": status, "note": note})
        if ws:
            warns.append(f"{sp.group}/{sp.name}/{method}: {_caught(ws)}")

    def bayes(method: str, disc: bool, along: str | None = None):
        def fn():
            s, note, bt = run_bayes(sp, ctx, discrepancy=disc, along=along)
            fits[method] = bt.fit
            if method == "new":
                NEW_FITS.append((sp, bt.fit))
            return s, note
        return fn

    def ls_fn():
        nonlocal ls_state
        s, note, ls_state = run_ls_boot(sp, ctx, [fits.get("old"), fits.get("new")])
        return s, note

    def conf_fn():
        if ls_state is None:
            raise RuntimeError("no least-squares fit (ls_boot failed)")
        return run_conformal(sp, ctx, ls_state)

    attempt("old", bayes("old", False))
    attempt("new", bayes("new", True))
    attempt("ls_boot", ls_fn)
    attempt("conformal", conf_fn)
    if sp.along:
        attempt("new_along", bayes("new_along", True, sp.along))
    if ctx.interp:
        isp = interpolation_split(sp)
        if isp is not None:
            base = base | {"n_train": int(isp.train.sum()), "n_test": int((~isp.train).sum())}
            attempt("new_interp", lambda: run_bayes(isp, ctx, discrepancy=True)[:2])
    return rows, warns


def interpolation_split(sp: Split) -> Split | None:
    """Inside the data's range: every 4th interior training row held out, the rest fitted.

    The held-out rows lie strictly inside the training rows' range on the split's axis
    (the first and last rows are always fitted), so the bands there are interpolation
    bands: a discrepancy that widens bands beyond the data must leave them as they are.
    """
    data = sp.data[sp.train].reset_index(drop=True)
    order = np.argsort(data[sp.axis].to_numpy(float), kind="stable")
    held = order[1:-1][1::4]
    train = np.ones(len(data), dtype=bool)
    train[held] = False
    if held.size == 0 or train.sum() < 6:
        return None
    return Split(sp.group, sp.name, data, train, sp.law, sp.x, sp.y, sp.axis,
                 dict(sp.fit_kwargs))


# ---------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------
def print_table(df: pd.DataFrame) -> None:
    show = df.copy()
    for c in ("rmsle", "miscal", "is90", "crps"):
        show[c] = show[c].map(lambda v: "nan" if pd.isna(v) else f"{v:.4f}")
    for c in ("cov50", "cov80", "cov90", "cov95"):
        show[c] = show[c].map(lambda v: "nan" if pd.isna(v) else f"{v:.2f}")
    show["secs"] = show["secs"].map(lambda v: f"{v:.1f}")
    show["note"] = [("FAILED: " if s == "FAILED" else "") + str(n)[:90]
                    for s, n in zip(show["status"], show["note"], strict=True)]
    cols = ["group", "split", "method", "n_train", "n_test", *METRICS, "secs", "note"]
    with pd.option_context("display.width", 250, "display.max_colwidth", 95,
                           "display.max_rows", 1000):
        print(show[cols].to_string(index=False))


def pooled(df: pd.DataFrame, label: str) -> None:
    d = df[df["method"].isin(METHODS)]
    ok = d.pivot_table(index=["group", "split"], columns="method", values="status",
                       aggfunc=lambda s: (s == "ok").all())
    ok = ok.reindex(columns=list(METHODS)).fillna(False).astype(bool)
    complete = ok.index[ok.all(axis=1)]
    if not len(complete):
        print(f"\n{label}: no split where all four methods succeeded")
        return
    d = d.set_index(["group", "split"]).loc[complete].reset_index()
    print(f"\n{label}: {len(complete)} splits where all four methods succeeded "
          f"({int(d[d['method'] == 'old']['n_test'].sum())} held-out points; "
          f"{len(ok) - len(complete)} split(s) left out)")

    def wmean(g, col):
        return float(np.average(g[col], weights=g["n_test"]))

    rows = {}
    for m in METHODS:
        g = d[d["method"] == m]
        pooled_cov = {lv: wmean(g, f"cov{round(lv * 100)}") for lv in CALIBRATION_LEVELS}
        rows[m] = {"cov90": wmean(g, "cov90"), "miscal": wmean(g, "miscal"),
                   "miscal_floor": wmean(g, "miscal_floor"),
                   "miscal_pooled": float(np.mean([(c - lv) ** 2 for lv, c in
                                                   pooled_cov.items()])),
                   "is90": wmean(g, "is90"), "crps": wmean(g, "crps")}
    ref = {k: d[d["method"] == k].set_index(["group", "split"]) for k in
           ("old", "ls_boot", "conformal")}
    for m in METHODS:
        g = d[d["method"] == m].set_index(["group", "split"])
        rows[m]["is90/ls_boot"] = rows[m]["is90"] / rows["ls_boot"]["is90"]
        rows[m]["is90/conformal"] = rows[m]["is90"] / rows["conformal"]["is90"]
        rows[m]["med split is90/ls_boot"] = float(np.median(g["is90"] / ref["ls_boot"]["is90"]))
        rows[m]["med split rmsle/old"] = float(np.median(g["rmsle"] / ref["old"]["rmsle"]))
    tab = pd.DataFrame(rows).T
    print("  pooled (weighted by n_test): cov90, miscal (mean of the splits'), miscal_floor "
          "(what the method's\n  own predictive, taken as the truth, would score: the floor "
          "of a calibrated forecaster\n  with these splits' sizes and within-curve "
          "dependence), miscal_pooled (of the pooled\n  coverage at 0.5 ... 0.99), is90, "
          "crps; ratios of pooled is90 means;\n  median over splits of per-split "
          "is90/ls_boot and rmsle/old")
    with pd.option_context("display.width", 250):
        print("  " + tab.round(4).to_string().replace("\n", "\n  "))
    per_group = d.groupby(["group", "method"]).apply(
        lambda g: np.average(g["cov90"], weights=g["n_test"]), include_groups=False
    ).unstack("method").reindex(columns=list(METHODS))
    print("  90% coverage per group (weighted by n_test):")
    print("  " + per_group.round(3).to_string().replace("\n", "\n  "))


def _mixture(fits: list[Any], weights: np.ndarray, x: dict[str, np.ndarray], seed: int
             ) -> np.ndarray:
    """Predictive draws of the weighted mixture of fits (largest-remainder counts)."""
    draws = [f.predict_draws(kind="predictive", seed=seed, **x) for f in fits]
    total = max(d.shape[0] for d in draws)
    counts = np.floor(weights * total).astype(int)
    counts[np.argsort(-(weights * total - counts))[: total - counts.sum()]] += 1
    rng = np.random.default_rng(seed)
    return np.concatenate([d[rng.choice(d.shape[0], size=c, replace=c > d.shape[0])]
                           for d, c in zip(draws, counts, strict=True) if c])


def stack_section(ctx: Context) -> pd.DataFrame:
    """Stack the laws of STACK_LAWS on each data split: by LFO forecasts and by PSIS-LOO."""
    by_data: dict[tuple, dict[str, Any]] = {}
    for sp, f in NEW_FITS:
        if sp.group in STACK_LAWS:
            key = (sp.group, id(sp.data), sp.train.tobytes())  # one entry per data split
            by_data.setdefault(key, {"sp": sp, "fits": {}})["fits"][sp.law] = f
    rows = []
    for entry in by_data.values():
        sp, fits = entry["sp"], entry["fits"]
        group, name = sp.group, sp.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for law in STACK_LAWS[group]:
                if law not in fits:
                    fits[law] = run_bayes(Split(sp.group, sp.name, sp.data, sp.train, law,
                                                sp.x, sp.y, sp.axis, dict(sp.fit_kwargs)),
                                          ctx, discrepancy=True)[2].fit
            test = sp.data[~sp.train]
            y = test[sp.y].to_numpy(float)
            x = _inputs(sp, test)
            for law in STACK_LAWS[group]:
                rows.append({"group": group, "split": name, "method": law, "n_test": len(y),
                             "weight": "", **score_draws(fits[law].predict_draws(
                                 kind="predictive", seed=ctx.seed, **x), y)})
            for method in ("lfo", "stacking"):
                try:
                    tab = bs.compare(fits, method=method)
                    w = tab["weight"].reindex(list(fits)).to_numpy(float)
                    sc = score_draws(_mixture(list(fits.values()), w, x, ctx.seed), y)
                    wtxt = " ".join(f"{k}={v:.2f}" for k, v in zip(fits, w, strict=True))
                except Exception as exc:
                    sc, wtxt = dict.fromkeys(METRICS, np.nan), f"FAILED {exc}"[:60]
                rows.append({"group": group, "split": name, "n_test": len(y),
                             "method": f"stack_{'lfo' if method == 'lfo' else 'loo'}",
                             "weight": wtxt, **sc})
    out = pd.DataFrame(rows)
    if len(out):
        out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
        print("\nSTACKING across laws (issue 16, item 5): each law's new default, and their "
              "mixture\nweighted by leave-future-out stacking (stack_lfo) or by PSIS-LOO "
              "stacking (stack_loo):")
        cols = ["group", "split", "method", "n_test", "rmsle", "cov50", "cov90", "miscal",
                "is90", "crps", "weight"]
        with pd.option_context("display.width", 250, "display.max_colwidth", 60):
            print("  " + out[cols].round(4).to_string(index=False).replace("\n", "\n  "))
        pooled_rows = out.groupby("method").apply(lambda g: pd.Series(
            {c: np.average(g[c], weights=g["n_test"]) for c in ("rmsle", "cov90", "miscal",
                                                                 "is90", "crps")}),
            include_groups=False)
        print("  pooled over these splits (weighted by n_test):")
        print("  " + pooled_rows.round(4).to_string().replace("\n", "\n  "))
    return out


def pit_report(path: str) -> None:
    """Uniformity of the pooled real-data PIT values per method, and their histograms."""
    real = {m: np.concatenate([p for g, mm, p in PITS if mm == m and g != "simulated"])
            for m in METHODS if any(mm == m and g != "simulated" for g, mm, _ in PITS)}
    if not real:
        return
    print("\nPIT of the real-data held-out points (uniform when calibrated; below_5 and "
          "above_95 are 0.05 each\nwhen calibrated; above_95 > below_5: the truth lies above "
          "the band more often):")
    tab = pd.DataFrame({m: bs.analysis.uniformity(p) for m, p in real.items()}).T
    print("  " + tab.round(3).to_string().replace("\n", "\n  "))
    if path:
        import matplotlib

        matplotlib.use("Agg")
        ax = bs.plot_pit(real, bins=10)
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
        print(f"  histograms written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1-2 splits per group")
    parser.add_argument("--groups", default=",".join(GROUPS),
                        help=f"comma-separated subset of {','.join(GROUPS)}")
    parser.add_argument("--csv", default=None, help="write the full table here")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--boot", type=int, default=200, help="bootstrap refits")
    parser.add_argument("--sim-curves", type=int, default=3, help="curves per family")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pit", default="bench_calibration_pit.png",
                        help="PNG of the pooled real-data PIT histograms ('' for none)")
    parser.add_argument("--no-stack", action="store_true",
                        help="skip stacking across laws (fits one more law per simulated "
                             "split)")
    parser.add_argument("--no-interp", action="store_true",
                        help="skip the interpolation check (held-out rows inside the data)")
    args = parser.parse_args()
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {unknown}; choose from {', '.join(GROUPS)}")
    t_start = time.perf_counter()
    load0 = os.getloadavg()
    print(f"load average at start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} "
          f"({os.cpu_count()} CPUs); bayescale {bs.__version__} from {Path(bs.__file__).parent}; "
          f"BAYESCALE_DATA={os.environ.get('BAYESCALE_DATA', '(unset)')}")
    print(f"settings: {args.chains} chains x {args.warmup} warmup + {args.samples} draws, "
          f"{args.boot} bootstrap refits, seed {args.seed}{', QUICK' if args.quick else ''}")
    ctx = Context({"num_chains": args.chains, "num_warmup": args.warmup,
                   "num_samples": args.samples, "progress": False}, args.boot, args.seed,
                  not args.no_interp)
    builders = {"chinchilla": chinchilla_splits, "pythia": pythia_splits,
                "datablations": datablations_splits, "obsscaling": obsscaling_splits,
                "lr_schedule": lr_schedule_splits, "llmonkeys": llmonkeys_splits,
                "bnsl": bnsl_splits,
                "simulated": lambda q: simulated_splits(q, args.sim_curves)}
    rows, warns, notes = [], [], []
    for g in [g for g in GROUPS if g in groups]:
        try:
            splits, skip = builders[g](args.quick)
        except Exception as exc:
            notes.append(f"{g}: SKIPPED, could not build splits: {type(exc).__name__}: {exc}")
            continue
        notes += skip
        for sp in splits:
            t0 = time.perf_counter()
            r, w = run_split(sp, ctx)
            rows += r
            warns += w
            print(f"  [{time.perf_counter() - t_start:6.0f} s] {sp.group}/{sp.name}: "
                  f"{time.perf_counter() - t0:.1f} s "
                  + ", ".join(f"{x['method']} cov90={x['cov90']:.2f}" for x in r), flush=True)
    df = pd.DataFrame(rows)
    print()
    print_table(df)
    if args.csv:
        df.to_csv(args.csv, index=False)
        print(f"\nfull table written to {args.csv}")
    real = df[df["group"] != "simulated"]
    sim = df[df["group"] == "simulated"]
    if len(real):
        pooled(real, "REAL-DATA splits")
    if len(sim):
        pooled(sim, "SIMULATED splits")
    interp = real[real["method"] == "new_interp"]
    if len(interp):
        ok = interp[interp["status"] == "ok"]
        cov = float(np.average(ok["cov90"], weights=ok["n_test"])) if len(ok) else np.nan
        print(f"\nINTERPOLATION (every 4th interior training row held out, new default): "
              f"{len(ok)} real-data splits, {int(ok['n_test'].sum())} points, pooled 90% "
              f"coverage {cov:.3f} (target 0.85-0.97); per group:")
        per = ok.groupby("group").apply(lambda g: np.average(g["cov90"], weights=g["n_test"]),
                                        include_groups=False)
        print("  " + per.round(3).to_string().replace("\n", "\n  "))
    along = df[df["method"] == "new_along"]
    if len(along):
        print("\nnew_along (datablations, drift along U) vs new:")
        for _, r in along.iterrows():
            n = df[(df["split"] == r["split"]) & (df["method"] == "new")].iloc[0]
            print(f"  {r['split']}: cov90 {n['cov90']:.2f} -> {r['cov90']:.2f}, is90 "
                  f"{n['is90']:.4f} -> {r['is90']:.4f}, rmsle {n['rmsle']:.4f} -> "
                  f"{r['rmsle']:.4f} ({r['status']})")
    if PITS:
        pit_report(args.pit)
    if not args.no_stack:
        stack_section(ctx)
    if notes:
        print("\nnotes on the splits:")
        for n in notes:
            print(f"  - {n}")
    fails = df[df["status"] != "ok"]
    if len(fails):
        print("\nfailures:")
        for _, r in fails.iterrows():
            print(f"  - {r['group']}/{r['split']}/{r['method']}: {r['note']}")
    if warns:
        print("\nwarnings raised (deduplicated per split and method):")
        for w in warns:
            print(f"  - {w}")
    load1 = os.getloadavg()
    print(f"\nload average at end: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; total time "
          f"{time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
