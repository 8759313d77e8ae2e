"""Turn each raw dataset file into a tidy DataFrame with numeric ``N``, ``D``, ``C`` columns.

Every function takes the DataFrame as read from the file and returns a new one; none
mutates its input. Units: ``N`` parameters, ``D`` training tokens, ``C`` training FLOPs
(``6 N D`` unless the source gives FLOPs), all as ``float64``. A missing column or an
unparseable value raises ``ValueError`` naming it; the loader adds the file's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmbt])(?![a-z])", re.IGNORECASE)
EPOCH_EXCLUDED = 5  # Epoch (Besiroglu et al. 2024) drop the 5 highest-loss runs


def require(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``ValueError`` if any of ``columns`` is missing from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise BayescaleError(f"missing column(s) {missing}; found {list(df.columns)}")


def parse_size(value: object) -> float:
    """Parse a count such as ``'70M'``, ``'Pythia 2.8B'``, ``'1.3b'``, ``'85B'`` or ``7e7``.

    Parameters
    ----------
    value : object
        A number, or a string holding a number with a ``K``/``M``/``B``/``T`` suffix
        (case-insensitive, thousands / millions / billions / trillions).

    Returns
    -------
    float
        The count.

    Raises
    ------
    ValueError
        If no count can be read from ``value``.
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    match = _SIZE.search(text)
    if match is None:
        raise BayescaleError(
            f"cannot read a count from {value!r}; expected a number, optionally with a "
            "K/M/B/T suffix, such as '70M', '2.8B' or 'Pythia 1.4B'"
        )
    return float(match.group(1)) * _SUFFIX[match.group(2).lower()]


def _sizes(column: pd.Series) -> pd.Series:
    """Parse a column of counts with :func:`parse_size`, each distinct value once."""
    lookup = {v: parse_size(v) for v in column.unique()}
    return column.map(lookup).astype("float64")


def _numeric(df: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as ``float64``; ``ValueError`` naming the first bad value."""
    try:
        return pd.to_numeric(df[column], errors="raise").astype("float64")
    except (ValueError, TypeError) as err:
        raise BayescaleError(f"column {column!r} is not numeric: {err}") from None


def _integers(df: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as ``int64``; ``ValueError`` if a value is missing or fractional."""
    values = _numeric(df, column)
    bad = values.isna() | (values != values.round())
    if bad.any():
        raise BayescaleError(f"column {column!r} must hold integers; got {values[bad].iloc[0]!r}")
    return values.astype("int64")


def _with_ndc(
    df: pd.DataFrame, n: pd.Series, d: pd.Series | None, c: pd.Series | None = None
) -> pd.DataFrame:
    """Copy ``df`` and append ``N``, ``D`` and ``C`` (``6 N D`` when ``c`` is None)."""
    out = df.copy()
    out["N"] = n.astype("float64")
    if d is not None:
        out["D"] = d.astype("float64")
        out["C"] = (6.0 * out["N"] * out["D"]) if c is None else c.astype("float64")
    return out


# --- chinchilla-epoch ---------------------------------------------------------------


def chinchilla_svg(raw: pd.DataFrame) -> pd.DataFrame:
    """``N, D, C, loss, epoch_excluded`` from Epoch's SVG extraction (row order kept)."""
    require(raw, ["Model Size", "Training FLOP", "loss"])
    n = _numeric(raw, "Model Size")
    c = _numeric(raw, "Training FLOP")
    loss = _numeric(raw, "loss")
    excluded = np.zeros(len(raw), dtype=bool)
    excluded[np.argsort(-loss.to_numpy(), kind="stable")[:EPOCH_EXCLUDED]] = True
    return pd.DataFrame(
        {"N": n, "D": c / (6.0 * n), "C": c, "loss": loss, "epoch_excluded": excluded}
    ).reset_index(drop=True)


def chinchilla_model_parameters(raw: pd.DataFrame) -> pd.DataFrame:
    """Hoffmann et al. Table A9 with ``N`` = reported parameters (count, not millions)."""
    require(raw, ["Reported Parameters (M)"])
    return _with_ndc(raw, _numeric(raw, "Reported Parameters (M)") * 1e6, None)


def chinchilla_fits(raw: pd.DataFrame) -> pd.DataFrame:
    """Schaeffer et al.'s refits; the unnamed first column becomes ``parameter``."""
    first = raw.columns[0]
    return raw.rename(columns={first: "parameter"}) if first.startswith("Unnamed") else raw.copy()


# --- llmonkeys-pythia-math ------------------------------------------------------------


def monkeys_counts(raw: pd.DataFrame) -> pd.DataFrame:
    """``model, N, problem, n, c``: samples drawn and correct per (model, MATH problem)."""
    require(raw, ["model", "problem_idx", "n_samples", "n_correct"])
    return pd.DataFrame(
        {
            "model": raw["model"],
            "N": _sizes(raw["model"]),
            "problem": _integers(raw, "problem_idx"),
            "n": _integers(raw, "n_samples"),
            "c": _integers(raw, "n_correct"),
        }
    )


def monkeys_counts_from_parquet(raw: pd.DataFrame) -> pd.DataFrame:
    """Rebuild ``per_problem_counts.csv``'s raw table from the upstream parquet (k = 1)."""
    require(raw, ["Model", "Benchmark", "Problem Idx", "Num. Samples Total",
                  "Num. Samples Correct", "Scaling Parameter"])
    rows = raw[raw["Scaling Parameter"] == 1]
    return pd.DataFrame({"model": rows["Model"].to_numpy(),
                         "benchmark": rows["Benchmark"].to_numpy(),
                         "problem_idx": rows["Problem Idx"].to_numpy(),
                         "n_samples": rows["Num. Samples Total"].to_numpy(),
                         "n_correct": rows["Num. Samples Correct"].to_numpy()})


def monkeys_coverage(raw: pd.DataFrame) -> pd.DataFrame:
    """``model, N, k, coverage``: mean pass@k over the 128 problems."""
    require(raw, ["model", "k", "coverage"])
    return pd.DataFrame(
        {
            "model": raw["model"],
            "N": _sizes(raw["model"]),
            "k": _integers(raw, "k"),
            "coverage": _numeric(raw, "coverage"),
        }
    )


def monkeys_pass_at_k(raw: pd.DataFrame) -> pd.DataFrame:
    """``model, N, problem, n, c, k, pass_at_k`` from Schaeffer et al.'s parquet."""
    cols = [
        "Model",
        "Problem Idx",
        "Num. Samples Total",
        "Num. Samples Correct",
        "Scaling Parameter",
        "Score",
    ]
    require(raw, cols)
    return pd.DataFrame(
        {
            "model": raw["Model"].astype(str),
            "N": _sizes(raw["Model"].astype(str)),
            "problem": _integers(raw, "Problem Idx"),
            "n": _integers(raw, "Num. Samples Total"),
            "c": _integers(raw, "Num. Samples Correct"),
            "k": _integers(raw, "Scaling Parameter"),
            "pass_at_k": _numeric(raw, "Score"),
        }
    )


# --- obsscaling, pythia-evals, bnsl ---------------------------------------------------


def obsscaling(raw: pd.DataFrame) -> pd.DataFrame:
    """Keep the table; add ``N``, ``D``, ``C`` where size, data or FLOPs columns exist."""
    require(raw, ["Model"])
    out = raw.copy()
    for src, dst, scale in (
        ("Model Size (B)", "N", 1e9),
        ("Pretraining Data Size (T)", "D", 1e12),
        ("FLOPs (1E21)", "C", 1e21),
    ):
        if src in out.columns:
            out[dst] = _numeric(out, src) * scale
    return out


def pythia_evals(raw: pd.DataFrame) -> pd.DataFrame:
    """Keep the table; ``N`` = nominal parameters, ``D`` = tokens seen, ``C = 6 N D``."""
    require(raw, ["params_nominal", "tokens"])
    return _with_ndc(raw, _numeric(raw, "params_nominal"), _numeric(raw, "tokens"))


def bnsl(raw: pd.DataFrame) -> pd.DataFrame:
    """``x`` (training-set size), ``y`` (test cross-entropy), ``split`` (fit/extrapolate)."""
    require(raw, ["training_dataset_size", "test_cross_entropy", "split"])
    return pd.DataFrame(
        {
            "x": _numeric(raw, "training_dataset_size"),
            "y": _numeric(raw, "test_cross_entropy"),
            "split": raw["split"].astype(str),
        }
    )


# --- datablations ---------------------------------------------------------------------


def _drop_index(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.drop(columns=["index"]) if "index" in raw.columns else raw


def datablations_losses(raw: pd.DataFrame) -> pd.DataFrame:
    """Learning curves; ``D`` = tokens seen, ``U`` = unique tokens, ``C = 6 N D``.

    The file's ``flops`` column is not ``6 N D`` (it falls as tokens rise), so ``C`` is
    recomputed.
    """
    require(raw, ["num_params", "token_num", "tokens_per_epoch", "loss"])
    out = _with_ndc(_drop_index(raw), _sizes(raw["num_params"]), _numeric(raw, "token_num"))
    out["U"] = _sizes(raw["tokens_per_epoch"])
    return out


def datablations_contour_raw(raw: pd.DataFrame) -> pd.DataFrame:
    """Tidy the IsoLoss-grid final losses; add ``U = token_num / epochs`` and ``loss``.

    The file's ``tokens_per_epoch`` is a constant 1.5e9 (wrong), hence ``U`` is recomputed.
    """
    require(raw, ["num_params", "token_num", "epochs", "openLM_loss"])
    out = _with_ndc(_drop_index(raw), _sizes(raw["num_params"]), _numeric(raw, "token_num"))
    out["U"] = out["D"] / _numeric(raw, "epochs")
    out["loss"] = _numeric(raw, "openLM_loss")
    return out


def datablations_contour_clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Tidy the cleaned final-loss grid: ``D`` total and ``U`` unique tokens, ``C = 6 N D``."""
    require(raw, ["num_params", "total_tokens", "unique_tokens", "loss"])
    out = _with_ndc(raw, _numeric(raw, "num_params"), _numeric(raw, "total_tokens"))
    out["U"] = _numeric(raw, "unique_tokens")
    return out


def datablations_code(raw: pd.DataFrame) -> pd.DataFrame:
    """4.2B models on C4 + code mixtures; ``D`` = tokens seen, ``C = 6 N D``."""
    require(raw, ["num_params", "token_num", "loss"])
    return _with_ndc(_drop_index(raw), _sizes(raw["num_params"]), _numeric(raw, "token_num"))


# --- lr-schedule-loss-curves ----------------------------------------------------------


def lr_schedule_gpt(raw: pd.DataFrame) -> pd.DataFrame:
    """``schedule, step, loss, lr`` (``loss`` = per-step training loss)."""
    require(raw, ["schedule", "step", "train_loss", "lr"])
    return pd.DataFrame(
        {
            "schedule": raw["schedule"].astype(str),
            "step": _integers(raw, "step"),
            "loss": _numeric(raw, "train_loss"),
            "lr": _numeric(raw, "lr"),
        }
    )


def opt_trajectories(raw: pd.DataFrame) -> pd.DataFrame:
    """OPT checkpoints; ``N`` from ``model_size``, ``D = 10**num_token``, ``C = 10**flops``."""
    require(raw, ["model_size", "num_token", "flops", "ppl"])
    return _with_ndc(
        raw,
        _sizes(raw["model_size"]),
        10.0 ** _numeric(raw, "num_token"),
        10.0 ** _numeric(raw, "flops"),
    )
