"""Backtests on public data: Chinchilla (Epoch's 240 points) and BNSL 4-digit addition.

1. Chinchilla: fit the Chinchilla law ``L = E + A/N^alpha + B/D^beta`` to the runs with
   ``N < 1e9`` (Bayesian, ``bs.backtest``), predict the runs with ``N >= 1e9``; print
   RMSLE of the predictive median, coverage of the 50/80/90/95% intervals, the mean
   squared miscalibration (levels 0.5 ... 0.99) and the mean log predictive density.
   Baseline, in the same run: the least-squares Huber point fit of Hoffmann et al. /
   Epoch (``log L = LSE(a - alpha log N, b - beta log D, e)``, summed Huber(1e-3) of
   the log residuals, L-BFGS-B from the 4,500-start grid of LAWS.md section 1c), with
   its held-out RMSLE.
2. BNSL 4-digit addition: 1-break BNSL fitted to the first 14 points, predicting the
   last 3 (reference point refit: RMSLE 0.011); plus PSIS-LOO of bnsl / power_law /
   saturating_power on all 17 points (``bs.compare``).

RMSLE is on ``log(1 + y)`` throughout (the BNSL convention).

Usage::

    python benchmarks/bench_backtest.py [--samples 1000] [--skip-bnsl]
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

import bayescale as bs

DELTA = 1e-3


def _huber_objective(theta: np.ndarray, log_n: np.ndarray, log_d: np.ndarray,
                     log_l: np.ndarray) -> tuple[float, np.ndarray]:
    a, b, e, alpha, beta = theta
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    pred = logsumexp(terms, axis=0)
    r = pred - log_l
    small = np.abs(r) <= DELTA
    loss = np.where(small, 0.5 * r**2, DELTA * (np.abs(r) - 0.5 * DELTA)).sum()
    dr = np.where(small, r, DELTA * np.sign(r))
    w = np.exp(terms - pred)                     # softmax weights of the three terms
    grad = np.array([np.sum(dr * w[0]), np.sum(dr * w[1]), np.sum(dr * w[2]),
                     -np.sum(dr * w[0] * log_n), -np.sum(dr * w[1] * log_d)])
    return float(loss), grad


def huber_fit(n: np.ndarray, d: np.ndarray, loss: np.ndarray) -> dict[str, float]:
    """Hoffmann/Epoch point fit: summed Huber(1e-3) on log L, L-BFGS-B, grid starts."""
    args = (np.log(n), np.log(d), np.log(loss))
    best = None
    grid = itertools.product(np.arange(0, 30, 5.0), np.arange(0, 30, 5.0),
                             np.arange(-1, 1.5, 0.5), np.arange(0, 2.5, 0.5),
                             np.arange(0, 2.5, 0.5))
    for a, b, e, alpha, beta in grid:
        res = minimize(_huber_objective, np.array([a, b, e, alpha, beta]), args=args,
                       jac=True, method="L-BFGS-B")
        if best is None or res.fun < best.fun:
            best = res
    a, b, e, alpha, beta = best.x
    return {"A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)),
            "alpha": float(alpha), "beta": float(beta), "objective": float(best.fun)}


def rmsle(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.log1p(pred) - np.log1p(y)) ** 2)))


def chinchilla(samples: int) -> None:
    d = bs.datasets.load("chinchilla-epoch")
    d = d[~d["epoch_excluded"]].reset_index(drop=True)
    t0 = time.perf_counter()
    bt = bs.analysis.backtest(d, "chinchilla", x=["N", "D"], y="loss", train="N < 1e9",
                              num_chains=4, num_warmup=samples, num_samples=samples,
                              progress=False)
    t_bayes = time.perf_counter() - t0
    train, test = d[bt.train], d[~bt.train]
    t0 = time.perf_counter()
    p = huber_fit(train["N"].to_numpy(), train["D"].to_numpy(), train["loss"].to_numpy())
    t_huber = time.perf_counter() - t0
    pred = p["E"] + p["A"] / test["N"] ** p["alpha"] + p["B"] / test["D"] ** p["beta"]
    print(f"Chinchilla (Epoch, {len(d)} points): fit N < 1e9 ({bt.n_train} runs), predict "
          f"N >= 1e9 ({bt.n_test} runs)")
    print(f"  bayescale (chinchilla, student_t_log, 4 x {samples} draws, {t_bayes:.1f} s, "
          f"diagnostics {'ok' if bt.fit.ok else 'NOT ok'}):")
    print(f"    RMSLE of predictive median   {bt.rmsle:.5f}")
    print("    coverage " + ", ".join(f"{lv:.0%}: {c:.3f}" for lv, c in bt.coverage.items()))
    print("    calibration levels " + ", ".join(
        f"{lv:g}: {c:.3f}" for lv, c in zip(bt.calibration["level"], bt.calibration["coverage"],
                                            strict=True)))
    print(f"    mean squared miscalibration  {bt.miscalibration:.5f}")
    print(f"    mean log predictive density  {bt.mean_lpd:.4f}")
    s = bt.fit.summary()
    print("    posterior medians " + ", ".join(f"{k} {s.loc[k, 'median']:.4g}" for k in
                                                ("E", "A", "B", "alpha", "beta")))
    print(f"  Huber(1e-3) point fit, 4,500 L-BFGS-B starts ({t_huber:.1f} s): "
          + ", ".join(f"{k} {p[k]:.4g}" for k in ("E", "A", "B", "alpha", "beta")))
    point = rmsle(pred.to_numpy(), test["loss"].to_numpy())
    print(f"    RMSLE of the point prediction {point:.5f} (bayescale / Huber = "
          f"{bt.rmsle / point:.3f})")


def bnsl(samples: int) -> None:
    data = bs.datasets.load("bnsl-4digit-addition")
    train = (data["split"] == "fit").to_numpy()
    settings = {"num_chains": 4, "num_warmup": samples, "num_samples": samples,
                "progress": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bs.result.DiagnosticWarning)
        bt = bs.analysis.backtest(data, "bnsl", x="x", y="y", train=train, **settings)
        fits = {name: bs.fit(data, name, x="x", y="y", **settings)
                for name in ("bnsl", "power_law", "saturating_power")}
        table = bs.analysis.compare(fits)
    print("BNSL 4-digit addition: fit first 14 points, predict last 3")
    print(f"  RMSLE of predictive median {bt.rmsle:.5f} (reference point refit 0.0109); "
          + ", ".join(f"x={x:.0f}: {m:.4f} (true {y:.4f})" for x, m, y in
                      zip(bt.table["x"], bt.table["median"], bt.table["y"], strict=True)))
    print("  coverage " + ", ".join(f"{lv:.0%}: {c:.3f}" for lv, c in bt.coverage.items())
          + f"; miscalibration {bt.miscalibration:.4f}; mean LPD {bt.mean_lpd:.3f}")
    print("  PSIS-LOO on all 17 points:")
    print("    " + table.round(4).to_string().replace("\n", "\n    "))
    for w in caught:
        print(f"  warning: {str(w.message)[:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--skip-bnsl", action="store_true")
    args = parser.parse_args()
    chinchilla(args.samples)
    if not args.skip_bnsl:
        bnsl(args.samples)


if __name__ == "__main__":
    main()
