"""The ``bayescale`` command line: ``fit``, ``demo`` and ``laws``."""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
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
            raise BayescaleError(f"--predict expects NAME=VALUE[,NAME=VALUE...], got {part!r}")
        k, v = part.split("=", 1)
        try:
            out.setdefault(k.strip(), []).append(float(v))
        except ValueError:
            raise BayescaleError(f"--predict: {v!r} is not a number (in {part!r})") from None
    return {k: np.asarray(v) for k, v in out.items()}


def check_before_fit(data: object, law: object, *, x: Sequence[str] | None, y: str | None,
                     likelihood: str | None, predict: dict[str, np.ndarray]) -> None:
    """Validate data, law, likelihood and ``--predict`` before any sampling.

    Runs what :func:`bayescale.fit` validates first (``bs.engine.prepare``: it compiles
    nothing) and checks that every name to predict at is an input of the fit and every
    value lies in the law's input domain (finite; > 0 where the law takes a logarithm),
    with every input given: what ``fit.predict`` checks, so that a typo costs no fit.
    """
    from bayescale.engine import prepare
    from bayescale.result._predict import check_inputs

    space, ds = prepare(data, law, x=x, y=y, likelihood=likelihood, priors=None)
    known = set(ds.x_columns) | set(space.law.inputs)
    unknown = [k for k in predict if k not in known]
    if unknown:
        raise BayescaleError(f"cannot predict at {unknown}: this fit takes "
                             f"{list(ds.x_columns)} (law inputs {list(space.law.inputs)})")
    if predict:
        check_inputs(space.law, ds.x_columns, predict)


def check_output_path(path: str, what: str) -> None:
    """Reject an output path whose folder is missing or not writable, before the fit."""
    import os
    from pathlib import Path

    p = Path(path).expanduser()
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise BayescaleError(f"{what} {path!r} is a folder; give a file name")
    if not parent.is_dir():
        raise BayescaleError(f"{what} {path!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise BayescaleError(f"{what} {path!r}: folder {str(parent)!r} is not writable")


#: ``bs.fit`` keywords and the option (or cell key) that sets each from the command line
#: and the magics, with the placeholder shown for ``keyword=...``.
_OPTIONS = {"x": ("x", "COLS"), "y": ("y", "COL"), "likelihood": ("likelihood", "NAME"),
            "num_samples": ("samples", "N"), "num_warmup": ("warmup", "N"),
            "num_chains": ("chains", "N"), "seed": ("seed", "INT")}
_KEYWORD = re.compile(r"\b(" + "|".join(_OPTIONS) + r")=(\.\.\.|'[^']*'|\"[^\"]*\"|\[[^\]]*\]"
                      r"|[\w.+-]+)")


def speak_options(message: str, form: str = "option") -> str:
    """Say ``bs.fit`` keywords in a message as the command line's options.

    ``"name the response column with y=..., e.g. y='loss'"`` reads
    ``"... with --y COL, e.g. --y loss"`` (``form="option"``) or
    ``"... with y: COL, e.g. y: loss"`` (``form="cell"``, the cell magic's keys).
    """
    def say(m: re.Match) -> str:
        option, placeholder = _OPTIONS[m.group(1)]
        value = m.group(2)
        if value == "...":
            value = placeholder
        elif value[0] in "'\"":
            value = value[1:-1]
        elif value[0] == "[":
            value = ",".join(v.strip(" '\"") for v in value[1:-1].split(","))
        return f"--{option} {value}" if form == "option" else f"{option}: {value}"

    return _KEYWORD.sub(say, message)


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


#: "Author et al. (2020)", "Author and Other 2017": the papers a law's description cites
_CITATION = re.compile(r"[A-Z][\w'\-]+(?: (?:et al\.|and [A-Z][\w'\-]+))?,? "
                       r"\(?(?:19|20)\d{2}[a-z]?\)?")


def law_sources(description: str) -> str:
    """The papers cited in a law's description, in order, as ``"Author et al. 2020"``."""
    found = (m.replace("(", "").replace(")", "") for m in _CITATION.findall(description))
    return "; ".join(dict.fromkeys(found)) or "-"


def _cmd_laws(args: argparse.Namespace) -> int:
    from bayescale import laws

    for name in laws.names():
        law = laws.get(name)
        print(f"{name:20s} {law.formula}")
        print(f"{'':20s} inputs: {', '.join(law.inputs)}; params: "
              f"{', '.join(law.param_names)}")
        print(f"{'':20s} source: {law_sources(law.description)}")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    import bayescale as bs

    if bool(args.law) == bool(args.formula):
        raise BayescaleError("give exactly one of --law NAME or --formula 'y ~ ...'")
    law = args.law or args.formula
    x = [c.strip() for c in args.x.split(",")] if args.x else None
    predict = parse_predict(args.predict)
    for path, what in ((args.out, "--out"), (args.plot, "--plot")):
        if path:
            check_output_path(path, what)
    check_before_fit(args.file, law, x=x, y=args.y, likelihood=args.likelihood,
                     predict=predict)
    fit = bs.fit(args.file, law, x=x, y=args.y, likelihood=args.likelihood,
                 num_samples=args.samples, num_warmup=args.warmup, num_chains=args.chains,
                 seed=args.seed, progress=not args.quiet)
    if args.out:  # saved first, so that nothing later can lose the fit
        fit.save(args.out)
        print(f"saved fit to {args.out}")
    _print_fit(fit)
    if predict:
        print("\nPosterior predictive (90% intervals):")
        print(format_table(fit.predict(ci_prob=0.9, **predict), index=False))
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

    if args.plot:  # before the fit: a bad folder costs no sampling
        check_output_path(args.plot, "--plot")
    data = bs.datasets.example("chinchilla", seed=args.seed)
    print(f"Built-in example: {len(data)} Chinchilla-like runs generated from Epoch's fit "
          "(Besiroglu et al. 2024), Student-t noise on log loss.\n")
    fit = bs.fit(data, "chinchilla", x=["N", "D"], y="loss", num_samples=args.samples,
                 num_warmup=args.warmup, num_chains=args.chains, seed=args.seed,
                 progress=not args.quiet)
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


def _count(low: int):
    """An argparse ``type``: an integer >= ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value
    parse.__name__ = f"integer >= {low}"
    return parse


def _likelihood(text: str) -> str:
    """An argparse ``type``: a likelihood name that :func:`bayescale.likelihoods.get` knows."""
    from bayescale import likelihoods

    try:
        likelihoods.get(text)
    except BayescaleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _likelihood_help() -> str:
    from bayescale import likelihoods

    return ("observation model: one of " + ", ".join(likelihoods.names()) + "; or "
            "binomial_<items> / beta_binomial_<items> for pass counts (default: "
            "student_t_log for positive laws such as losses, normal otherwise)")


def _sampler_options(q: argparse.ArgumentParser) -> None:
    """The sampler's options, shared by ``fit`` and ``demo``."""
    q.add_argument("--samples", type=_count(1), default=1000, metavar="N",
                   help="posterior draws per chain (default: %(default)s)")
    q.add_argument("--warmup", type=_count(0), default=1000, metavar="N",
                   help="warm-up (adaptation) steps per chain, discarded (default: "
                   "%(default)s)")
    q.add_argument("--chains", type=_count(1), default=4, metavar="N",
                   help="independent chains, for R-hat and ESS (default: %(default)s)")
    q.add_argument("--seed", type=_count(0), default=0, metavar="INT",
                   help="random seed; the same seed gives the same fit (default: "
                   "%(default)s)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="bayescale", description="Bayesian scaling laws.")
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit a law to a CSV file")
    f.add_argument("file", help="CSV (or Parquet) file with one row per run")
    f.add_argument("--law", metavar="NAME", help="registered law name (see `bayescale laws`)")
    f.add_argument("--formula", metavar="'Y ~ EXPR'",
                   help="custom law, e.g. 'loss ~ E + A / N**alpha'")
    f.add_argument("--x", metavar="COLS",
                   help="input column(s), comma-separated, in the law's order (default: the "
                   "law's input names)")
    f.add_argument("--y", metavar="COL",
                   help="response column (default: the left side of --formula)")
    f.add_argument("--likelihood", type=_likelihood, default=None, metavar="NAME",
                   help=_likelihood_help())
    f.add_argument("--predict", metavar="NAME=VALUE,...",
                   help="points to predict, e.g. N=7e10,D=1.4e12 (repeat a name for more)")
    f.add_argument("--out", metavar="PATH", help="save the fit to this netCDF file")
    f.add_argument("--plot", metavar="PATH", help="write a PNG plot here")
    d = sub.add_parser("demo", help="fit the built-in Chinchilla-like example")
    d.add_argument("--plot", default="bayescale-demo.png", metavar="PATH",
                   help="PNG output path (default: %(default)s)")
    for q in (f, d):
        _sampler_options(q)
    sub.add_parser("laws", help="list the registered laws with their formulas")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    handlers = {"fit": _cmd_fit, "demo": _cmd_demo, "laws": _cmd_laws}
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        # the user's command is the call site: no source line of bayescale's own
        print(f"bayescale {args.command}: {category.__name__}: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show
            return handlers[args.command](args)
    except (BayescaleError, ValueError, FileNotFoundError) as exc:
        print(f"bayescale {args.command}: error: {speak_options(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
