"""The ``bayescale`` command line: ``fit``, ``demo`` and ``laws``."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from bayescale._format import format_number

__all__ = ["main"]

#: Significant digits of table columns that need more than the default three.
_COLUMN_DIGITS = {"r_hat": 4}


def parse_predict(text: str | None) -> dict[str, np.ndarray]:
    """Parse ``NAME=VALUE[,NAME=VALUE...]`` into arrays per name (repeats append)."""
    if not text:
        return {}
    out: dict[str, list[float]] = {}
    for part in text.split(","):
        if "=" not in part:
            raise ValueError(f"--predict expects NAME=VALUE[,NAME=VALUE...], got {part!r}")
        k, v = part.split("=", 1)
        try:
            out.setdefault(k.strip(), []).append(float(v))
        except ValueError:
            raise ValueError(f"--predict: {v!r} is not a number (in {part!r})") from None
    return {k: np.asarray(v) for k, v in out.items()}


def format_table(frame: pd.DataFrame, index: bool = True) -> str:
    """A frame as text, numbers by :func:`~bayescale._format.format_number`.

    Float columns get three significant digits (``r_hat`` four), ``ess_bulk`` and
    integer columns print as integers.
    """
    formatters = {}
    for col in frame.columns:
        if col == "ess_bulk":
            formatters[col] = lambda v: "NaN" if v != v else f"{v:.0f}"
        elif pd.api.types.is_float_dtype(frame[col]):
            digits = _COLUMN_DIGITS.get(str(col), 3)
            formatters[col] = lambda v, d=digits: format_number(v, d)
    return frame.to_string(index=index, formatters=formatters)


def _cmd_laws(args: argparse.Namespace) -> int:
    from bayescale import laws

    for name in laws.names():
        law = laws.get(name)
        print(f"{name:18s} {law.formula}")
        print(f"{'':18s} inputs: {', '.join(law.inputs)}; params: "
              f"{', '.join(law.param_names)}")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    import bayescale as bs

    if bool(args.law) == bool(args.formula):
        raise ValueError("give exactly one of --law NAME or --formula 'y ~ ...'")
    law = args.law or args.formula
    x = [c.strip() for c in args.x.split(",")] if args.x else None
    predict = parse_predict(args.predict)
    fit = bs.fit(args.file, law, x=x, y=args.y, likelihood=args.likelihood,
                 num_samples=args.samples, num_warmup=args.warmup, num_chains=args.chains,
                 seed=args.seed, progress=not args.quiet)
    _print_fit(fit)
    if predict:
        print("\nPosterior predictive (90% intervals):")
        print(format_table(fit.predict(ci_prob=0.9, **predict), index=False))
    if args.out:
        fit.save(args.out)
        print(f"\nsaved fit to {args.out}")
    if args.plot:
        _save_plot(fit, args.plot)
    return 0


def _print_fit(fit) -> None:
    from bayescale.result._calibration import calibration_text

    cols = ["median", "lower", "upper", "r_hat", "ess_bulk"]
    print(f"{fit.law.name}: {fit.law.formula}  [{fit.likelihood.name}, {fit.dataset.n} points]")
    print(format_table(fit.summary(ci_prob=0.9)[cols]))
    d = fit.diagnostics()
    print(f"divergences {d['divergences']}, max R-hat {format_number(d['max_r_hat'], 4)}, "
          f"min bulk ESS {d['min_ess_bulk']:.0f}, "
          f"{format_number(d['mean_leapfrog_steps'])} leapfrog steps/draw, "
          f"{format_number(d['timing'].get('total_s', float('nan')))} s")
    print(calibration_text(fit.discrepancy))


def _save_plot(fit, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = fit.plot()
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    print(f"wrote {path}")


def _cmd_demo(args: argparse.Namespace) -> int:
    import bayescale as bs

    data = bs.datasets.example("chinchilla", seed=args.seed)
    print(f"Built-in example: {len(data)} Chinchilla-like runs generated from Epoch's fit "
          "(Besiroglu et al. 2024), Student-t noise on log loss.\n")
    fit = bs.fit(data, "chinchilla", x=["N", "D"], y="loss", num_samples=args.samples,
                 num_warmup=args.warmup, seed=args.seed, progress=not args.quiet)
    _print_fit(fit)
    truth = bs.datasets.example_truth("chinchilla")
    print("\nTrue values: "
          + ", ".join(f"{k}={format_number(truth[k])}" for k in fit.law.param_names))
    print("\nCompute-optimal allocation at Chinchilla's budget C = 5.76e23 FLOPs "
          "(90% intervals):")
    co = fit.compute_optimal(C=5.76e23, ci_prob=0.9)
    print(format_table(co[["quantity", "median", "lower", "upper"]], index=False))
    print("\nExtrapolation along the compute-optimal path (loss, 90% intervals):")
    budgets = np.array([1e22, 1e23, 5.76e23, 1e24, 1e25])
    loss = fit.compute_optimal(C=budgets, ci_prob=0.9)
    co_loss = loss[loss.quantity == "loss"][["C", "median", "lower", "upper"]]
    print(format_table(co_loss, index=False))
    print("\nLoss of Chinchilla itself (N = 70e9, D = 1.4e12), posterior predictive:")
    print(format_table(fit.predict(N=70e9, D=1.4e12), index=False))
    _save_plot(fit, args.plot)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="bayescale", description="Bayesian scaling laws.")
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit a law to a CSV file")
    f.add_argument("file", help="CSV (or Parquet) file with one row per run")
    f.add_argument("--law", help="registered law name (see `bayescale laws`)")
    f.add_argument("--formula", help="custom law, e.g. 'loss ~ E + A / N**alpha'")
    f.add_argument("--x", help="input column(s), comma-separated, in the law's order")
    f.add_argument("--y", required=False, help="response column")
    f.add_argument("--likelihood", default=None)
    f.add_argument("--predict", help="NAME=VALUE[,NAME=VALUE...] points to predict")
    f.add_argument("--out", help="save the fit to this netCDF file")
    f.add_argument("--plot", help="write a PNG plot here")
    d = sub.add_parser("demo", help="fit the built-in Chinchilla-like example")
    d.add_argument("--plot", default="bayescale-demo.png", help="PNG output path")
    for q in (f, d):
        q.add_argument("--samples", type=int, default=1000)
        q.add_argument("--warmup", type=int, default=1000)
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--quiet", action="store_true", help="no progress bar")
    f.add_argument("--chains", type=int, default=4)
    sub.add_parser("laws", help="list the registered laws with their formulas")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from bayescale._errors import BayescaleError

    args = build_parser().parse_args(argv)
    handlers = {"fit": _cmd_fit, "demo": _cmd_demo, "laws": _cmd_laws}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            return handlers[args.command](args)
    except (BayescaleError, ValueError, FileNotFoundError) as exc:
        print(f"bayescale {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
