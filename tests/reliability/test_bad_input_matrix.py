"""The bad-input matrix (issue 17): careless and hostile input through every surface.

Each row below is one input, given to the API (``bs.fit``, ``fit.predict``,
``fit.summary``, ``bs.compute_optimal``, ``bs.load``, ``Prior``, formula laws,
``bs.fit_many``, ``bs.crossover``), the command line (``bayescale.cli.main``) or the
``%bayescale`` magics. A row ends either in the error class it names, whose message must
contain the bad value (the last column), or, where the class is ``OK``, in a correct
result that the row's check confirms. The columns are::

    id   surface   call   expected class (or OK)   the bad value, as the message says it

``Rejected`` is the command line's argument parser refusing a value (exit status 2 and
the usage on stderr). For a command line error (exit status 2 and ``bayescale CMD:
error: ...``) the row names the class that the command raised. The magics end in
IPython's ``UsageError``; for the command line and the magics ``bs.fit`` is replaced by a
function that fails the test, so every one of their rows is refused before any sampling.

Rows marked ``known_bug`` would be bugs found by this matrix and not yet fixed: strict
``xfail`` on the raw exception they raise today, so they turn red (and must be unmarked)
once fixed. None is left: the nine there were are fixed at their source and are normal
rows, with more rows on the same bugs.

The matrix shares one small fit (one chain, 50 + 50 draws); a fit of ``chinchilla`` for
``compute_optimal``, a ``FitCollection`` of that small fit twice, a ``PassUntilFit`` and a
``CoverageFit`` are built from synthetic draws (no sampling).
"""

# ruff: noqa: E501  (the matrix is a table: one row per line)

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

import bayescale as bs
from bayescale._errors import BayescaleError, DataError, FitFileError, LawError, PriorError
from bayescale.laws import from_formula
from bayescale.result import DiagnosticWarning

from ._matrix_env import Rejected, matrix_env, no_sampling, run_cli, run_magic

OK = None  # the row ends in a correct result
TINY = {"num_chains": 1, "num_warmup": 20, "num_samples": 20, "progress": False}
SMALL = {"num_chains": 1, "num_warmup": 50, "num_samples": 50, "seed": 0}  # the shared fit's
SAT = ("saturating_power",)
XY = {"x": "C", "y": "loss"}
B = ["--x", "C", "--y", "loss"]  # the command line's columns
LAW = "fit df --law saturating_power --x C --y loss"  # the line magic's fit
CELL = "data: df\nlaw: saturating_power\nx: C\ny: loss\n"


@dataclass(frozen=True)
class Row:
    id: str
    surface: str  # "api", "cli" or "magic"
    call: Callable[[Any], Any]
    expect: type[BaseException] | None
    value: str | None = None  # what the message must contain
    check: Callable[[Any], bool] | None = None  # for OK rows: is the result right?
    marks: tuple = field(default=())


def api(id_, call, expect, value=None, check=None):
    return Row(id_, "api", call, expect, value, check)


def cmd(id_, argv, expect, value=None, check=None):
    return Row(id_, "cli", lambda e: run_cli(e, argv), expect, value, check)


def magic(id_, line, expect, value=None, check=None, cell=None):
    return Row(id_, "magic", lambda e: run_magic(e, line, cell), expect, value, check)


def known_bug(row, raises, where):
    """A row that fails today with ``raises`` (a bug in ``where``, outside this change)."""
    return Row(row.id, row.surface, row.call, row.expect, row.value, row.check,
               (pytest.mark.xfail(raises=raises, strict=True, reason=f"bug in {where}"),))


def _frame_ok(frame: pd.DataFrame, n: int) -> bool:
    q = frame[["lower", "median", "upper"]].to_numpy()
    return len(frame) == n and np.isfinite(q).all() and (q[:, 0] <= q[:, 1]).all() and (
        q[:, 1] <= q[:, 2]).all()


# ---- the matrix ----------------------------------------------------------------------
# id                      call                                                        expected       bad value
CASES: list[Row] = [
    # bs.fit: data, columns, law, likelihood and sampler settings (all refused before sampling)
    api("fit-x-typo",          lambda e: bs.fit(e.df, *SAT, x="CC", y="loss", **TINY),   DataError,     "'CC'"),
    api("fit-y-typo",          lambda e: bs.fit(e.df, *SAT, x="C", y="losss", **TINY),   DataError,     "'losss'"),
    api("fit-law-dash",        lambda e: bs.fit(e.df, "saturating-power", **XY, **TINY), LawError,      "'saturating-power'"),
    api("fit-law-typo",        lambda e: bs.fit(e.df, "saturating_pow", **XY, **TINY),   LawError,      "'saturating_pow'"),
    api("fit-law-int",         lambda e: bs.fit(e.df, 3, **XY, **TINY),                  LawError,      "int"),
    api("fit-likelihood",      lambda e: bs.fit(e.df, *SAT, **XY, likelihood="gaussianish", **TINY), BayescaleError, "'gaussianish'"),
    api("fit-chains-0",        lambda e: bs.fit(e.df, *SAT, **XY, **{**TINY, "num_chains": 0}),      BayescaleError, "got 0"),
    api("fit-chains-float",    lambda e: bs.fit(e.df, *SAT, **XY, **{**TINY, "num_chains": 1.5}),    BayescaleError, "1.5"),
    api("fit-samples-str",     lambda e: bs.fit(e.df, *SAT, **XY, **{**TINY, "num_samples": "many"}), BayescaleError, "'many'"),
    api("fit-warmup-neg",      lambda e: bs.fit(e.df, *SAT, **XY, **{**TINY, "num_warmup": -1}),     BayescaleError, "-1"),
    api("fit-seed-str",        lambda e: bs.fit(e.df, *SAT, **XY, seed="a", **TINY),     BayescaleError, "'a'"),
    api("fit-target-accept",   lambda e: bs.fit(e.df, *SAT, **XY, target_accept_prob=1.5, **TINY), BayescaleError, "1.5"),
    api("fit-num-starts-0",    lambda e: bs.fit(e.df, *SAT, **XY, num_starts=0, **TINY), BayescaleError, "got 0"),
    api("fit-along-unknown",   lambda e: bs.fit(e.df, *SAT, **XY, along="ZZ", **TINY),   BayescaleError, "'ZZ'"),
    api("fit-discrepancy-str", lambda e: bs.fit(e.df, *SAT, **XY, discrepancy="no", **TINY), BayescaleError, "'no'"),
    api("fit-tree-depth-0",    lambda e: bs.fit(e.df, *SAT, **XY, max_tree_depth=0, **TINY), BayescaleError, "got 0"),
    api("fit-tree-depth-31",   lambda e: bs.fit(e.df, *SAT, **XY, max_tree_depth=31, **TINY), BayescaleError, "got 31"),
    api("fit-tree-depth-float", lambda e: bs.fit(e.df, *SAT, **XY, max_tree_depth=10.0, **TINY), BayescaleError, "got 10.0"),
    api("fit-target-accept-str", lambda e: bs.fit(e.df, *SAT, **XY, target_accept_prob="0.8", **TINY), BayescaleError, "'0.8'"),
    api("fit-target-accept-bool", lambda e: bs.fit(e.df, *SAT, **XY, target_accept_prob=True, **TINY), BayescaleError, "True"),
    api("fit-dense-mass-str",  lambda e: bs.fit(e.df, *SAT, **XY, dense_mass="yes", **TINY), BayescaleError, "'yes'"),
    api("fit-progress-str",    lambda e: bs.fit(e.df, *SAT, **XY, **{**TINY, "progress": "no"}), BayescaleError, "'no'"),
    api("fit-numpy-settings",  lambda e: (e.fit, bs.fit(e.df, *SAT, **XY, **SMALL, dense_mass=np.True_, progress=np.False_, target_accept_prob=np.float64(0.8), max_tree_depth=np.int64(10))), OK,
        check=lambda fits: all(np.array_equal(*(f.posterior[k] for f in fits)) for k in fits[0].posterior)),
    api("fit-nan-y",           lambda e: bs.fit(e.bad("loss", 3, np.nan), *SAT, **XY, **TINY),  DataError, "nan"),
    api("fit-string-x",        lambda e: bs.fit(e.bad("C", 2, "big"), *SAT, **XY, **TINY),      DataError, "'big'"),
    api("fit-negative-y-log",  lambda e: bs.fit(e.bad("loss", 1, -0.5), *SAT, **XY, **TINY),    DataError, "-0.5"),
    api("fit-negative-x-log",  lambda e: bs.fit(e.bad("C", 1, -5.0), *SAT, **XY, **TINY),       DataError, "-5.0"),
    api("fit-identical-x",     lambda e: bs.fit(e.df.assign(C=1e20), *SAT, **XY, **TINY),       DataError, "1e+20"),
    api("fit-two-rows",        lambda e: bs.fit(e.df.head(2), *SAT, **XY, **TINY),              DataError, "2 data point"),
    api("fit-data-int",        lambda e: bs.fit(42, *SAT, **XY, **TINY),                 DataError,     "int"),
    api("fit-data-missing-file", lambda e: bs.fit("nope.csv", *SAT, **XY, **TINY),       DataError,     "'nope.csv'"),
    api("fit-data-folder",     lambda e: bs.fit(e.paths["dir"], *SAT, **XY, **TINY),   DataError,     "is a folder"),
    api("fit-data-empty-csv",  lambda e: bs.fit(e.paths["empty"], *SAT, **XY, **TINY), DataError,     "empty.csv' is empty"),
    api("fit-data-binary",     lambda e: bs.fit(e.paths["binary"], *SAT, **XY, **TINY), DataError,    "binary.csv' is not a text CSV"),
    api("fit-data-fifo",       lambda e: bs.fit(e.paths["fifo"], *SAT, **XY, **TINY),  DataError,     "fifo.csv' is not a regular file"),
    api("fit-data-bad-parquet", lambda e: bs.fit(e.paths["parquet"], *SAT, **XY, **TINY), DataError,  "runs.parquet' cannot be read as Parquet"),
    api("fit-prior-unknown",   lambda e: bs.fit(e.df, *SAT, **XY, priors={"gamma": bs.Prior("Normal", 0, 1)}, **TINY), PriorError, "'gamma'"),
    api("fit-prior-not-prior", lambda e: bs.fit(e.df, *SAT, **XY, priors={"alpha": 3}, **TINY), PriorError, "got 3"),
    api("fit-priors-list",     lambda e: bs.fit(e.df, *SAT, **XY, priors=[1], **TINY),  PriorError,    "got [1] (a list)"),
    # formula laws (bs.fit and from_formula)
    api("formula-attribute",   lambda e: bs.fit(e.df, "loss ~ E + os.system(C)", **TINY),  LawError, "'os.system'"),
    api("formula-dunder",      lambda e: bs.fit(e.df, "loss ~ E + C.__class__", **TINY),   LawError, "C.__class__"),
    api("formula-div-zero",    lambda e: bs.fit(e.df, "loss ~ E + A/C**alpha + 0**-1", **TINY), LawError, "0 ** (-1)"),
    api("formula-complex",     lambda e: bs.fit(e.df, "loss ~ E + A/C**alpha + 0*(0-1)**0.5", **TINY), LawError, "(0 - 1) ** 0.5"),
    api("formula-overflow",    lambda e: bs.fit(e.df, "loss ~ E + A/C**alpha * 2**1024", **TINY), LawError, "2 ** 1024"),
    api("formula-400-digits",  lambda e: bs.fit(e.df, "loss ~ E + A/C**alpha + " + "9" * 400, **TINY), LawError, "99999999"),
    api("formula-surrogate",   lambda e: bs.fit(e.df, "loss ~ E + A/C**\ud800", **TINY),   LawError, "'\\ud800'"),
    api("formula-empty-rhs",   lambda e: bs.fit(e.df, "loss ~ ", **TINY),                  LawError, "'loss ~ '"),
    api("formula-no-input",    lambda e: bs.fit(e.df, "loss ~ E + A/Z**alpha", **TINY),    LawError, "'loss ~ E + A/Z**alpha'"),
    api("formula-response-col", lambda e: bs.fit(e.df, "lossy ~ E + A/C**alpha", **TINY),  DataError, "'lossy'"),
    api("formula-inputs-unused", lambda e: from_formula("loss ~ E + A/C**alpha", inputs=["Z"]), LawError, "['Z']"),
    api("formula-inputs-int",  lambda e: from_formula("loss ~ E + A/C**alpha", inputs=3),  LawError, "got 3"),
    api("formula-name-int",    lambda e: from_formula("loss ~ E + A/C**alpha", name=3),    LawError, "got 3"),
    api("formula-prior-unknown", lambda e: from_formula("y ~ E + A/C**alpha", priors={"zeta": bs.Prior("Normal", 0, 1)}), LawError, "'zeta'"),
    api("formula-prior-not-prior", lambda e: from_formula("y ~ E + A/C**alpha", priors={"E": 3}), LawError, "{'E': 3}"),
    api("formula-none",        lambda e: from_formula(None),                               LawError, "None"),
    api("formula-330-terms",   lambda e: from_formula("y ~ " + " + ".join(f"a{i}*C" for i in range(330))), OK,
        check=lambda law: law.inputs == ("C",) and len(law.param_names) == 330),
    # Prior(...)
    api("prior-negative-scale", lambda e: bs.Prior("LogNormal", -1, -0.5),   PriorError, "-0.5"),
    api("prior-zero-concentration", lambda e: bs.Prior("Gamma", 0, 1),       PriorError, "concentration=0"),
    api("prior-string-arg",    lambda e: bs.Prior("LogNormal", "a", 1),      PriorError, "'a'"),
    api("prior-empty-uniform", lambda e: bs.Prior("Uniform", 1, 0),          PriorError, "high=0"),
    api("prior-nan-scale",     lambda e: bs.Prior("Normal", 0, float("nan")), PriorError, "nan"),
    api("prior-inf-scale",     lambda e: bs.Prior("HalfNormal", float("inf")), PriorError, "inf"),
    api("prior-bool-arg",      lambda e: bs.Prior("Normal", True, 1),        PriorError, "True"),
    api("prior-arity",         lambda e: bs.Prior("Beta", 2),                PriorError, "got 1"),
    api("prior-family",        lambda e: bs.Prior("Garbage", 1),             PriorError, "'Garbage'"),
    api("prior-family-int",    lambda e: bs.Prior(3, 1),                     PriorError, "3"),
    api("prior-list-arg",      lambda e: bs.Prior("Normal", [0, 1], 1),      PriorError, "loc=[0, 1] is not a single number"),
    api("prior-array-arg",     lambda e: bs.Prior("HalfNormal", np.array([1.0, 2.0])), PriorError, "array([1., 2.])"),
    api("prior-numpy-scalars", lambda e: bs.Prior("Normal", np.float64(0), np.array(1.0)), OK,
        check=lambda p: p.family == "Normal" and len(p.args) == 2),
    # fit.predict / predict_draws (issue 17, item 2)
    api("predict-string",      lambda e: e.fit.predict(C="abc"),             BayescaleError, "'abc'"),
    api("predict-numeric-string", lambda e: e.fit.predict(C="1e20"),         BayescaleError, "'1e20'"),
    api("predict-nested",      lambda e: e.fit.predict(C=[[1e20, 2e20]]),    BayescaleError, "[[1e+20, 2e+20]]"),
    api("predict-ragged",      lambda e: e.fit.predict(C=[[1e20], [1e20, 3.0]]), BayescaleError, "[[1e+20], [1e+20, 3.0]]"),
    api("predict-none",        lambda e: e.fit.predict(C=None),              BayescaleError, "None"),
    api("predict-dict",        lambda e: e.fit.predict(C={"a": 1}),          BayescaleError, "{'a': 1}"),
    api("predict-empty",       lambda e: e.fit.predict(C=[]),                BayescaleError, "[]"),
    api("predict-bool",        lambda e: e.fit.predict(C=True),              BayescaleError, "True"),
    api("predict-complex",     lambda e: e.fit.predict(C=1 + 2j),            BayescaleError, "(1+2j)"),
    api("predict-none-in-list", lambda e: e.fit.predict(C=[1e20, None]),     BayescaleError, "None"),
    api("predict-mixed-list",  lambda e: e.fit.predict(C=[1e20, "x"]),       BayescaleError, "'x'"),
    api("predict-nan",         lambda e: e.fit.predict(C=[1e20, np.nan]),    BayescaleError, "nan"),
    api("predict-inf",         lambda e: e.fit.predict(C=np.inf),            BayescaleError, "inf"),
    api("predict-negative",    lambda e: e.fit.predict(C=-1),                BayescaleError, "-1"),
    api("predict-unknown-name", lambda e: e.fit.predict(Q=1e20),             BayescaleError, "'Q'"),
    api("predict-ci-string",   lambda e: e.fit.predict(C=1e21, ci_prob="0.9"), BayescaleError, "'0.9'"),
    api("predict-ci-one",      lambda e: e.fit.predict(C=1e21, ci_prob=1.0), BayescaleError, "1.0"),
    api("predict-kind",        lambda e: e.fit.predict(C=1e21, kind="foo"),  BayescaleError, "'foo'"),
    api("predict-seed-negative", lambda e: e.fit.predict(C=1e21, seed=-1),   BayescaleError, "-1"),
    api("predict-seed-string", lambda e: e.fit.predict(C=1e21, seed="a"),    BayescaleError, "'a'"),
    api("predict-discrepancy-str", lambda e: e.fit.predict(C=1e21, discrepancy="no"), BayescaleError, "'no'"),
    api("predict-draws-string", lambda e: e.fit.predict_draws(C="abc"),      BayescaleError, "'abc'"),
    api("predict-unequal-lengths", lambda e: e.chin.predict(N=[1e9, 2e9, 3e9], D=[1e11, 2e11]), BayescaleError, "N: 3 values"),
    api("predict-list",        lambda e: e.fit.predict(C=[1e20, 1e21]),      OK, check=lambda f: _frame_ok(f, 2)),
    api("predict-series",      lambda e: e.fit.predict(C=pd.Series([1e20, 1e21, 1e22])), OK, check=lambda f: _frame_ok(f, 3)),
    api("predict-broadcast",   lambda e: e.chin.predict(N=[1e9, 2e9, 3e9], D=1e11), OK, check=lambda f: _frame_ok(f, 3)),
    # fit.summary (issue 17, item 1)
    api("summary-ci-string",   lambda e: e.fit.summary(ci_prob="0.9"),       BayescaleError, "'0.9'"),
    api("summary-ci-zero",     lambda e: e.fit.summary(ci_prob=0),           BayescaleError, "got 0"),
    api("summary-ci-nan",      lambda e: e.fit.summary(ci_prob=float("nan")), BayescaleError, "nan"),
    api("summary-ci-bool",     lambda e: e.fit.summary(ci_prob=True),        BayescaleError, "True"),
    api("summary-ci-list",     lambda e: e.fit.summary(ci_prob=[0.9]),       BayescaleError, "[0.9]"),
    api("summary-var-unknown", lambda e: e.fit.summary(var_names=["zzz"]),   BayescaleError, "'zzz'"),
    api("summary-var-int",     lambda e: e.fit.summary(var_names=3),         BayescaleError, "got 3"),
    api("summary-ci-numpy",    lambda e: e.fit.summary(ci_prob=np.float32(0.5)), OK,
        check=lambda s: (s["lower"] <= s["upper"]).all() and len(s) == 5),
    # FitCollection.summary
    api("collection-ci-string", lambda e: e.many.summary(ci_prob="0.9"),     BayescaleError, "'0.9'"),
    api("collection-ci-one",   lambda e: e.many.summary(ci_prob=1),          BayescaleError, "got 1"),
    api("collection-ci-none",  lambda e: e.many.summary(ci_prob=None),       BayescaleError, "None"),
    api("collection-summary",  lambda e: e.many.summary(ci_prob=0.5),        OK,
        check=lambda s: len(s) == 10 and (s["lower"] <= s["upper"]).all()),
    # PassUntilFit.predict(N=...) and CoverageFit.predict(k=...)
    api("passuntil-n-string",  lambda e: e.task.predict(N="1e9"),            BayescaleError, "N must be a number or a flat"),
    api("passuntil-n-string-value", lambda e: e.task.predict(N="1e9"),       BayescaleError, "'1e9'"),
    api("passuntil-n-none",    lambda e: e.task.predict(N=None),             BayescaleError, "got None"),
    api("passuntil-n-bool",    lambda e: e.task.predict(N=True),             BayescaleError, "got True"),
    api("passuntil-n-nested",  lambda e: e.task.predict(N=[[1e8, 1e9]]),     BayescaleError, "[[100000000.0, 1000000000.0]]"),
    api("passuntil-n-strings", lambda e: e.task.predict(N=["1e8", "1e9"]),   BayescaleError, "['1e8', '1e9']"),
    api("passuntil-n-negative", lambda e: e.task.predict(N=[1e9, -1]),       BayescaleError, "N[1]=-1"),
    api("passuntil-n-empty",   lambda e: e.task.predict(N=[]),               BayescaleError, "got []"),
    api("passuntil-n-draws",   lambda e: e.task.predict_draws(N="1e9"),      BayescaleError, "'1e9'"),
    api("passuntil-n-list",    lambda e: e.task.predict(N=[1e8, 1e9]),       OK, check=lambda f: _frame_ok(f, 2)),
    api("passuntil-n-array",   lambda e: e.task.predict(N=np.array([3e8])),  OK, check=lambda f: _frame_ok(f, 1)),
    api("coverage-k-string",   lambda e: e.cover.predict(k="10"),            BayescaleError, "k must be a number or a flat"),
    api("coverage-k-none",     lambda e: e.cover.predict(k=None),            BayescaleError, "got None"),
    api("coverage-k-nested",   lambda e: e.cover.predict(k=[[1, 10]]),       BayescaleError, "[[1, 10]]"),
    api("coverage-k-mixed",    lambda e: e.cover.predict(k=[1, None]),       BayescaleError, "[1, None]"),
    api("coverage-k-list",     lambda e: e.cover.predict(k=[1, 10, 100]),    OK, check=lambda f: _frame_ok(f, 6)),
    # compute_optimal (a law of N and D)
    api("optimal-not-nd",      lambda e: bs.compute_optimal(e.fit, C=1e22),  BayescaleError, "'saturating_power'"),
    api("optimal-not-a-fit",   lambda e: bs.compute_optimal(e.df, C=1e22),   BayescaleError, "DataFrame"),
    api("optimal-empty",       lambda e: bs.compute_optimal(e.chin, C=[]),   BayescaleError, "[]"),
    api("optimal-string",      lambda e: bs.compute_optimal(e.chin, C="1e22"), BayescaleError, "'1e22'"),
    api("optimal-bool",        lambda e: bs.compute_optimal(e.chin, C=True), BayescaleError, "True"),
    api("optimal-nested",      lambda e: bs.compute_optimal(e.chin, C=[[1e22]]), BayescaleError, "[[1e+22]]"),
    api("optimal-negative",    lambda e: bs.compute_optimal(e.chin, C=-1.0), BayescaleError, "-1.0"),
    api("optimal-ci-string",   lambda e: bs.compute_optimal(e.chin, C=1e22, ci_prob="0.9"), BayescaleError, "'0.9'"),
    api("optimal-flops-string", lambda e: bs.compute_optimal(e.chin, C=1e22, flops_per_token="6"), BayescaleError, "'6'"),
    api("optimal-flops-zero",  lambda e: bs.compute_optimal(e.chin, C=1e22, flops_per_token=0), BayescaleError, "got 0"),
    api("optimal-discrepancy-str", lambda e: bs.compute_optimal(e.chin, C=1e22, discrepancy="no"), BayescaleError, "'no'"),
    api("optimal-budgets",     lambda e: bs.compute_optimal(e.chin, C=[1e22, 1e24]), OK,
        check=lambda f: _frame_ok(f, 10) and (f.loc[f.quantity == "N_opt", "median"].diff().dropna() > 0).all()),
    # bs.load
    api("load-missing",        lambda e: bs.load(e.paths["dir"] + "/nope.nc"), FitFileError, "nope.nc"),
    api("load-folder",         lambda e: bs.load(e.paths["dir"]),            FitFileError, "is a folder"),
    api("load-int",            lambda e: bs.load(42),                        FitFileError, "int"),
    api("load-not-netcdf",     lambda e: bs.load(e.paths["csv"]),            FitFileError, "runs.csv"),
    api("load-truncated",      lambda e: bs.load(e.paths["truncated"]),      FitFileError, "truncated.nc"),
    api("load-law-string",     lambda e: bs.load(e.paths["fit"], law="saturating_power"), FitFileError, "str"),
    api("load-round-trip",     lambda e: bs.load(e.paths["fit"]),            OK,
        check=lambda f: f.law.name == "saturating_power" and f.num_draws == 50),
    # bs.fit_many
    api("many-by-unknown",     lambda e: bs.fit_many(e.two, *SAT, by="nope", **XY, **TINY), BayescaleError, "'nope'"),
    api("many-strategy",       lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, strategy="fastest", **TINY), BayescaleError, "'fastest'"),
    api("many-batch-string",   lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, batch_size="2", **TINY), BayescaleError, "'2'"),
    api("many-law-dash",       lambda e: bs.fit_many(e.two, "saturating-power", by="curve", **XY, **TINY), LawError, "'saturating-power'"),
    api("many-short-curve",    lambda e: bs.fit_many(e.short, *SAT, by="curve", **XY, **TINY), DataError, "curve 'b'"),
    api("many-by-int",         lambda e: bs.fit_many(e.two, *SAT, by=3, **XY, **TINY),   BayescaleError, "got 3 (a int)"),
    api("many-client-str",     lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, client="dask", **TINY), BayescaleError, "got 'dask'"),
    api("many-batch-zero",     lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, batch_size=0, **TINY), BayescaleError, "got 0"),
    api("many-tree-depth-31",  lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, max_tree_depth=31, **TINY), BayescaleError, "got 31"),
    api("many-target-accept-str", lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, target_accept_prob="0.8", **TINY), BayescaleError, "'0.8'"),
    api("many-dense-mass-str", lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, dense_mass="yes", **TINY), BayescaleError, "'yes'"),
    api("many-priors-list",    lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, priors=[1], **TINY), PriorError, "got [1]"),
    api("many-starts-0",       lambda e: bs.fit_many(e.two, *SAT, by="curve", **XY, num_starts=0, **TINY), BayescaleError, "got 0"),
    # bs.crossover
    api("crossover-over-short", lambda e: bs.crossover(e.fit, e.fit, over=("C", 1e18)),       BayescaleError, "('C', 1e+18)"),
    api("crossover-over-reversed", lambda e: bs.crossover(e.fit, e.fit, over=("C", 1e25, 1e18)), BayescaleError, "lo=1e+25"),
    api("crossover-better",    lambda e: bs.crossover(e.fit, e.fit, better="sideways"),    BayescaleError, "'sideways'"),
    api("crossover-points",    lambda e: bs.crossover(e.fit, e.fit, num_points="200"),     BayescaleError, "'200'"),
    api("crossover-ci-string", lambda e: bs.crossover(e.fit, e.fit, ci_prob="0.9"),        BayescaleError, "'0.9'"),
    api("crossover-not-a-fit", lambda e: bs.crossover(e.fit, e.df),                        BayescaleError, "DataFrame"),
    api("crossover-over-string", lambda e: bs.crossover(e.fit, e.fit, over=("C", "a", 1e25)), BayescaleError, "lo='a' (a str)"),
    api("crossover-over-none", lambda e: bs.crossover(e.fit, e.fit, over=("C", 1e18, None)), BayescaleError, "hi=None"),
    api("crossover-over-bool", lambda e: bs.crossover(e.fit, e.fit, over=("C", True, 1e25)), BayescaleError, "lo=True"),
    api("crossover-over-huge-int", lambda e: bs.crossover(e.fit, e.fit, over=("C", 10**400, 1e25)), BayescaleError, "lo=1000000000"),
    api("crossover-same-fit",  lambda e: bs.crossover(e.fit, e.fit, over=("C", 1e18, 1e25), num_points=20), OK,
        check=lambda r: isinstance(r, bs.analysis.CrossoverResult)),
    # the command line (bs.fit is never reached)
    cmd("cli-missing-file",    ["fit", "{dir}/nope.csv", "--law", *SAT, *B],     DataError,      "nope.csv"),
    cmd("cli-folder",          ["fit", "{dir}", "--law", *SAT, *B],              BayescaleError, "is a folder"),
    cmd("cli-law-dash",        ["fit", "{csv}", "--law", "saturating-power", *B], LawError,      "'saturating-power'"),
    cmd("cli-law-and-formula", ["fit", "{csv}", "--law", *SAT, "--formula", "loss ~ E", *B], BayescaleError, "exactly one of --law"),
    cmd("cli-x-typo",          ["fit", "{csv}", "--law", *SAT, "--x", "CC", "--y", "loss"], DataError, "'CC'"),
    cmd("cli-y-typo",          ["fit", "{csv}", "--law", *SAT, "--x", "C", "--y", "losss"], DataError, "'losss'"),
    cmd("cli-predict-no-value", ["fit", "{csv}", "--law", *SAT, *B, "--predict", "C"], BayescaleError, "'C'"),
    cmd("cli-predict-word",    ["fit", "{csv}", "--law", *SAT, *B, "--predict", "C=big"], BayescaleError, "'big'"),
    cmd("cli-predict-unknown", ["fit", "{csv}", "--law", *SAT, *B, "--predict", "Q=1"], BayescaleError, "['Q']"),
    cmd("cli-out-folder",      ["fit", "{csv}", "--law", *SAT, *B, "--out", "{dir}"], BayescaleError, "is a folder"),
    cmd("cli-out-no-folder",   ["fit", "{csv}", "--law", *SAT, *B, "--out", "/nonexistent/f.nc"], BayescaleError, "'/nonexistent'"),
    cmd("cli-plot-no-folder",  ["fit", "{csv}", "--law", *SAT, *B, "--plot", "/nonexistent/f.png"], BayescaleError, "'/nonexistent'"),
    cmd("cli-formula-attribute", ["fit", "{csv}", "--formula", "loss ~ E + os.system(C)", "--x", "C"], LawError, "'os.system'"),
    cmd("cli-bad-cell",        ["fit", "{bad_csv}", "--law", *SAT, *B],          DataError,      "'abc'"),
    cmd("cli-empty-csv",       ["fit", "{empty}", "--law", *SAT, *B],            DataError,      "empty.csv' is empty"),
    cmd("cli-binary",          ["fit", "{binary}", "--law", *SAT, *B],           DataError,      "binary.csv' is not a text CSV"),
    cmd("cli-predict-nan",     ["fit", "{csv}", "--law", *SAT, *B, "--predict", "C=nan"], BayescaleError, "'C' = nan"),
    cmd("cli-predict-negative", ["fit", "{csv}", "--law", *SAT, *B, "--predict", "C=-5"], BayescaleError, "'C' = -5.0"),
    cmd("cli-predict-zero",    ["fit", "{csv}", "--law", *SAT, *B, "--predict", "C=1e20,C=0"], BayescaleError, "'C' = 0.0"),
    cmd("cli-chains-0",        ["fit", "{csv}", "--law", *SAT, *B, "--chains", "0"], Rejected, "got 0"),
    cmd("cli-samples-word",    ["fit", "{csv}", "--law", *SAT, *B, "--samples", "many"], Rejected, "'many'"),
    cmd("cli-seed-negative",   ["fit", "{csv}", "--law", *SAT, *B, "--seed", "-1"], Rejected, "got -1"),
    cmd("cli-likelihood",      ["fit", "{csv}", "--law", *SAT, *B, "--likelihood", "gaussain"], Rejected, "'gaussain'"),
    cmd("cli-command",         ["fitt", "{csv}"],                                Rejected,       "'fitt'"),
    cmd("cli-demo-plot-folder", ["demo", "--plot", "/nonexistent/d.png"],        BayescaleError, "'/nonexistent'"),
    cmd("cli-laws",            ["laws"],                                         OK, check=lambda rc: rc == 0),
    # the %bayescale magics (bs.fit is never reached)
    magic("magic-undefined-frame", "fit nope --law saturating_power --x C --y loss", UsageError, "'nope'"),
    magic("magic-command",     "fitt df",                                        UsageError, "'fitt'"),
    magic("magic-samples-word", LAW + " --samples many",                         UsageError, "'many'"),
    magic("magic-seed-negative", LAW + " --seed -3",                             UsageError, "-3"),
    magic("magic-law-dash",    "fit df --law saturating-power --x C --y loss",   UsageError, "'saturating-power'"),
    magic("magic-x-typo",      "fit df --law saturating_power --x CC --y loss",  UsageError, "'CC'"),
    magic("magic-predict-word", LAW + " --predict C=big",                        UsageError, "'big'"),
    magic("magic-predict-unknown", LAW + " --predict Q=1",                       UsageError, "['Q']"),
    magic("magic-out-name",    LAW + " -o 1bad",                                 UsageError, "'1bad'"),
    magic("magic-likelihood",  LAW + " --likelihood gaussianish",                UsageError, "'gaussianish'"),
    magic("magic-formula-attribute", 'fit df "loss ~ E + os.system(C)" --x C',   UsageError, "'os.system'"),
    magic("magic-data-is-fit", "fit sat --law saturating_power --x C --y loss",  UsageError, "Fit"),
    magic("magic-crossover-range", "crossover sat sat --over C=a:b",             UsageError, "'a:b'"),
    magic("magic-crossover-better", "crossover sat sat --over C=1e18:1e25 --better sideways", UsageError, "'sideways'"),
    magic("magic-crossover-axis", "crossover sat sat --over Q=1e18:1e25",        UsageError, "'Q'"),
    magic("magic-crossover-out-name", "crossover sat sat --over C=1e18:1e25 --no-widget -o 1bad", UsageError, "'1bad'"),
    magic("magic-crossover-out-keyword", "crossover sat sat --over C=1e18:1e25 --no-widget -o class", UsageError, "'class'"),
    magic("magic-passuntil-out-name", "passuntil counts -o 1bad",                UsageError, "'1bad'"),
    magic("magic-predict-nan", LAW + " --predict C=nan",                         UsageError, "'C' = nan"),
    magic("magic-predict-negative", LAW + " --predict C=-5",                     UsageError, "'C' = -5.0"),
    magic("magic-passuntil-law", "passuntil counts --law gamma",                 UsageError, "'gamma'"),
    magic("magic-passuntil-column", "passuntil counts --n samples",              UsageError, "'samples'"),
    magic("magic-laws-extra",  "laws extra",                                     UsageError, "['extra']"),
    magic("magic-cell-prior-arity", "", UsageError, "got 1", cell=CELL + "priors: alpha = Beta(2)"),
    magic("magic-cell-prior-string", "", UsageError, "'a'", cell=CELL + "priors: alpha = Normal('a', 1)"),
    magic("magic-cell-prior-scale", "", UsageError, "-1", cell=CELL + "priors: alpha = Normal(0, -1)"),
    magic("magic-cell-prior-keyword", "", UsageError, "scale=3", cell=CELL + "priors: alpha = Normal(0, 1, scale=3)"),
    magic("magic-cell-prior-tuple", "", UsageError, "(0, 1)", cell=CELL + "priors: alpha = Normal((0, 1), 1)"),
    magic("magic-cell-key",    "", UsageError, "'model'", cell="data: df\nmodel: saturating_power"),
    magic("magic-cell-predict-negative", "", UsageError, "'C' = -5.0", cell=CELL + "predict: C = -5"),
    magic("magic-laws",        "laws",                                           OK,
          check=lambda t: isinstance(t, pd.DataFrame) and "chinchilla" in t.index),
]


# ---- the tests ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from matrix_env(tmp_path_factory)


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=r.marks) for r in CASES])
def test_bad_input(env, monkeypatch, row: Row) -> None:
    if row.surface in ("cli", "magic"):
        monkeypatch.setattr(bs, "fit", no_sampling)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticWarning)  # one chain: no R-hat
        if row.expect is OK:
            result = row.call(env)
            assert row.check(result), result
            return
        with pytest.raises(row.expect) as info:
            row.call(env)
    text = str(info.value) + "".join(getattr(info.value, "__notes__", []))
    assert row.value in text, text
    if row.surface == "cli" and row.expect is not Rejected:
        assert row.value in info.value.__notes__[0]  # as the user saw it on stderr
    if row.surface == "api" or (row.surface == "cli" and row.expect is not Rejected):
        assert isinstance(info.value, BayescaleError)


def test_the_matrix() -> None:
    """At least 60 rows, through each surface; ids unique (the tally is in the report)."""
    assert len(CASES) >= 60
    assert len({r.id for r in CASES}) == len(CASES)
    by_surface = Counter(r.surface for r in CASES)
    assert min(by_surface[s] for s in ("api", "cli", "magic")) >= 10, by_surface
