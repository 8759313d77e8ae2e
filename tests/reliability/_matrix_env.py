"""Drivers and shared objects of the bad-input matrix (``test_bad_input_matrix.py``).

The table of rows stays in the test module, where a reader sees it. Here is what runs a
row on each surface (the command line, the magics) and what the module's fixture ``env``
yields (:func:`matrix_env`): one small real fit, the files the rows read, the IPython
shell, and results built from synthetic draws (no sampling).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

import bayescale as bs
from bayescale import cli, likelihoods
from bayescale._errors import BayescaleError
from bayescale.data import Dataset
from bayescale.passuntil._coverage_model import DERIVED, CoverageDesign
from bayescale.passuntil._result import TaskDesign
from bayescale.result import DiagnosticWarning, Fit, FitCollection
from bayescale.result._posterior import Posterior

__all__ = ["Rejected", "matrix_env", "no_sampling", "run_cli", "run_magic"]


class Rejected(Exception):
    """The command line's argument parser refused the value (exit status 2, usage)."""


# ---- the drivers --------------------------------------------------------------------
def no_sampling(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("sampling started: the input was not refused before the fit")


def run_cli(env: Any, argv: list[str]) -> Any:
    """Run the command line; raise what the command raised (its class is the row's)."""
    argv = [a.format(**env.paths) for a in argv]
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        try:
            args = cli.build_parser().parse_args(argv)
        except SystemExit as exc:
            assert exc.code == 2
            raise Rejected(err.getvalue()) from None
        rc = cli.main(argv)
    if rc == 0:
        return rc
    said = err.getvalue()
    assert rc == 2 and said.startswith(f"bayescale {args.command}: error: "), said
    with redirect_stdout(io.StringIO()):
        try:
            getattr(cli, f"_cmd_{args.command}")(args)
        except BayescaleError as exc:
            exc.add_note(said)  # what the user saw, checked for the value too
            raise
    raise AssertionError(f"exit status {rc} but the command raised nothing: {said}")


def run_magic(env: Any, line: str, cell: str | None) -> Any:
    from IPython.utils.capture import capture_output

    with capture_output():
        if cell is None:
            return env.ip.run_line_magic("bayescale", line)
        return env.ip.run_cell_magic("bayescale", line, cell)


def matrix_env(tmp_path_factory: Any) -> Iterator[SimpleNamespace]:
    """What the rows run on (the test module's ``env`` fixture yields it)."""
    from IPython.terminal.interactiveshell import TerminalInteractiveShell
    from IPython.testing.globalipapp import start_ipython

    tmp = tmp_path_factory.mktemp("matrix")
    df = bs.datasets.example("saturating")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticWarning)  # one chain: no R-hat
        fit = bs.fit(df, "saturating_power", x="C", y="loss", num_chains=1, num_warmup=50,
                     num_samples=50, seed=0, progress=False)
    paths = {"dir": str(tmp), "csv": str(tmp / "runs.csv"), "fit": str(tmp / "fit.nc"),
             "truncated": str(tmp / "truncated.nc"), "empty": str(tmp / "empty.csv"),
             "bad_csv": str(tmp / "bad.csv"), "binary": str(tmp / "binary.csv"),
             "fifo": str(tmp / "fifo.csv"), "parquet": str(tmp / "runs.parquet")}
    df.to_csv(paths["csv"], index=False)
    fit.save(paths["fit"])
    data = (tmp / "fit.nc").read_bytes()
    (tmp / "truncated.nc").write_bytes(data[: len(data) // 2])
    (tmp / "empty.csv").write_text("")
    (tmp / "bad.csv").write_text("C,loss\n1e18,abc\n2e18,3.1\n")
    (tmp / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01" * 8)
    (tmp / "runs.parquet").write_text("C,loss\n1e18,3.1\n")  # a CSV under a Parquet name
    os.mkfifo(tmp / "fifo.csv")
    ip = start_ipython() or TerminalInteractiveShell.instance()  # one shell per process
    ip.run_line_magic("load_ext", "bayescale")
    rng = np.random.default_rng(0)
    counts = pd.DataFrame({"model": "m", "problem": np.arange(60), "n": 200,
                           "c": rng.binomial(200, rng.beta(0.3, 3.0, size=60))})
    ip.user_ns.update(df=df, sat=fit, counts=counts)
    two = pd.concat([df.assign(curve="a"), df.assign(curve="b")], ignore_index=True)
    short = pd.concat([df.assign(curve="a"), df.head(2).assign(curve="b")], ignore_index=True)

    def bad(column: str, row: int, value: Any) -> pd.DataFrame:
        out = df.copy().astype({column: object})
        out.loc[row, column] = value
        return out

    yield SimpleNamespace(df=df, fit=fit, chin=_chinchilla_fit(), paths=paths, ip=ip,
                          two=two, short=short, bad=bad, many=_collection(fit),
                          task=_passuntil_fit(), cover=_coverage_fit())
    for name in ("df", "sat", "counts"):
        ip.user_ns.pop(name, None)


def _chinchilla_fit() -> Fit:
    """A fit of ``chinchilla`` from draws around Epoch's values (no sampling)."""
    law, lik = bs.laws.get("chinchilla"), likelihoods.get("normal_log")
    truth = bs.datasets.example_truth("chinchilla")
    rng = np.random.default_rng(1)
    post = {k: truth[k] * np.exp(0.02 * rng.standard_normal((2, 50))) for k in law.param_names}
    post["sigma"] = np.full((2, 50), 0.01) + 0.001 * rng.random((2, 50))
    n, d = np.logspace(8, 10, 12), np.logspace(10, 12, 12)
    y = truth["E"] + truth["A"] / n ** truth["alpha"] + truth["B"] / d ** truth["beta"]
    stats = {"diverging": np.zeros((2, 50), bool), "n_steps": np.full((2, 50), 7),
             "acceptance_rate": np.full((2, 50), 0.9), "step_size": np.full(2, 0.1)}
    return Fit(law=law, likelihood=lik, priors={}, posterior=post, sample_stats=stats,
               dataset=Dataset({"N": n, "D": d}, y, ("N", "D"), "loss"),
               settings={"num_chains": 2})


def _collection(fit: Fit) -> FitCollection:
    """Two curves, each the shared fit's draws (no sampling)."""
    def twice(m):
        return {k: np.stack([v, v]) for k, v in m.items()}

    return FitCollection(keys=["a", "b"], law=fit.law, likelihood=fit.likelihood,
                         priors=fit.priors, datasets=[fit.dataset] * 2,
                         posterior=twice(fit.posterior), sample_stats=twice(fit.sample_stats),
                         settings=dict(fit.settings), timing={}, _warn=False)


def _draws(rng: np.random.Generator, loc: float, scale: float, *shape: int) -> np.ndarray:
    return loc + scale * rng.standard_normal((2, 50, *shape))


def _posterior(samples: dict[str, np.ndarray], dims: dict[str, tuple]) -> Posterior:
    return Posterior(samples, np.zeros((2, 50), bool), dims,
                     {"n_steps": np.full((2, 50), 7)}, {"max_tree_depth": 10})


def _passuntil_fit() -> bs.passuntil.PassUntilFit:
    """A task-law fit of 4 simulated instances, from synthetic draws (no sampling)."""
    pu, sizes = bs.passuntil, [1e8, 3e8, 1e9]
    recs = pu.simulate(pu.task_law(sizes, np.full(4, 200.0), np.full(4, 0.3)), N=sizes, r=2,
                       K_max=100_000, seed=1)
    design = TaskDesign.from_records(recs, curvature=False, kappa_sd=0.5)
    rng, s = np.random.default_rng(1), design.n_instances
    samples = {"mu_F0": _draws(rng, 1.0, 0.1), "mu_log_alpha": _draws(rng, -1.2, 0.1),
               "sigma_F0": np.abs(_draws(rng, 0.5, 0.05)),
               "sigma_log_alpha": np.abs(_draws(rng, 0.2, 0.02)),
               "rho": _draws(rng, 0.0, 0.1), "F0": _draws(rng, 1.0, 0.1, s),
               "log_alpha": _draws(rng, -1.2, 0.1, s)}
    dims = {k: (("instance", design.instances),) for k in ("F0", "log_alpha")}
    return pu.PassUntilFit(records=recs, posterior=_posterior(samples, dims), design=design)


def _coverage_fit() -> bs.passuntil.CoverageFit:
    """A beta coverage fit of two models, from synthetic draws (no sampling)."""
    pu, models = bs.passuntil, ["small", "large"]
    p = np.random.default_rng(2).beta(0.3, 3.0, size=(2, 50))
    counts = pu.simulate_counts(p, n=20, model=models, seed=1)
    design = CoverageDesign("beta", False, counts.models, counts.sizes, 0.0)
    rng, names = np.random.default_rng(3), (*design.params, *DERIVED["beta"])
    samples = {k: np.abs(_draws(rng, 0.5, 0.05, 2)) for k in names}
    dims = {k: (("model", design.models),) for k in names}
    return pu.CoverageFit(counts=counts, posterior=_posterior(samples, dims), design=design)
