"""One validated container for the data a law is fitted to.

Errors name the column, the row and what is accepted.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import DataError

__all__ = ["Dataset", "as_dataset", "as_frame", "bucket"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Validated inputs and response.

    Attributes
    ----------
    x : dict of str to ndarray
        Inputs keyed by the law's input names (float64, finite, positive).
    y : ndarray
        Response (float64, finite; positive for log-scale likelihoods).
    x_columns : tuple of str
        The data column feeding each law input, in the law's input order.
    y_column : str
        Name of the response column.
    """

    x: dict[str, np.ndarray]
    y: np.ndarray
    x_columns: tuple[str, ...]
    y_column: str

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self.y.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """The data as a DataFrame with the original column names."""
        cols = {c: self.x[k] for k, c in zip(self.x, self.x_columns, strict=True)}
        cols[self.y_column] = self.y
        return pd.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"x": {k: v.tolist() for k, v in self.x.items()}, "y": self.y.tolist(),
                "x_columns": list(self.x_columns), "y_column": self.y_column}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Dataset:
        """Inverse of :meth:`to_dict`."""
        return cls({k: np.asarray(v, float) for k, v in d["x"].items()},
                   np.asarray(d["y"], float), tuple(d["x_columns"]), d["y_column"])


def as_frame(data: Any) -> pd.DataFrame:
    """Accept a DataFrame, a mapping of columns, a Dataset or a CSV/Parquet path."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Dataset):
        return data.to_frame()
    if isinstance(data, str | os.PathLike):
        return _read(Path(data))
    if isinstance(data, Mapping):
        try:
            return pd.DataFrame({k: np.asarray(v) for k, v in data.items()})
        except ValueError as exc:
            raise DataError(f"cannot build a table from the mapping: {exc}") from None
    raise DataError(f"data must be a pandas DataFrame, a mapping of columns or a CSV path, "
                    f"got {type(data).__name__}")


def _read(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a frame; every failure a DataError naming the path."""
    name = repr(str(path))
    if not path.exists():
        raise DataError(f"data file {name} does not exist")
    if path.is_dir():
        raise DataError(f"data file {name} is a folder; give a CSV or Parquet file")
    if not path.is_file():  # a FIFO or a device would block or never end
        raise DataError(f"data file {name} is not a regular file; give a CSV or Parquet "
                        "file")
    parquet = path.suffix.lower() == ".parquet"
    try:
        return pd.read_parquet(path) if parquet else pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"data file {name} is empty; give a CSV with a header row and "
                        "one row per run") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"data file {name} is not a text CSV file (byte {exc.start} is not "
                        "UTF-8); give a CSV or Parquet file") from None
    except (pd.errors.ParserError, OSError, ValueError) as exc:
        kind = "Parquet" if parquet else "CSV"
        raise DataError(f"data file {name} cannot be read as {kind}: {exc}") from None


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        cols = [str(c) for c in frame.columns]
        lower = {c.lower(): c for c in cols}
        close = difflib.get_close_matches(str(name).lower(), list(lower), n=1)
        hint = f" Did you mean {lower[close[0]]!r}?" if close else ""
        raise DataError(f"{role} column {name!r} is not in the data; columns are "
                        f"{cols}.{hint}")
    return frame[name]


def _show(value: Any) -> str:
    return repr(value.item() if hasattr(value, "item") else value)


def _numeric(series: pd.Series, name: str, *, positive: bool,
             why: str = "the law takes its logarithm") -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"column {name!r}, row {series.index[i]!r}: value "
                        f"{_show(series.iloc[i])} is not a finite number "
                        f"({int(bad.sum())} such row(s)); accepted: finite numbers")
    if positive and (values <= 0).any():
        i = int(np.flatnonzero(values <= 0)[0])
        raise DataError(f"column {name!r}, row {series.index[i]!r}: value {_show(values[i])} "
                        f"must be > 0 because {why} "
                        f"({int((values <= 0).sum())} such row(s))")
    return values


def as_dataset(data: Any, inputs: Sequence[str], *, x: str | Sequence[str] | None,
               y: str | None, positive_y: bool, min_points: int,
               positive_inputs: Sequence[str] | None = None) -> Dataset:
    """Validate data for a law with the given input names.

    Parameters
    ----------
    data : DataFrame, mapping, Dataset or path
        The observations.
    inputs : sequence of str
        The law's input names.
    x : str or sequence of str, optional
        Data columns feeding the law's inputs, in order. Defaults to the input names.
    y : str
        Response column.
    positive_y : bool
        Whether the response must be positive (log-scale likelihoods).
    min_points : int
        Minimum number of rows (number of free parameters + 1).
    positive_inputs : sequence of str, optional
        Inputs that must be > 0 (default: all).

    Returns
    -------
    Dataset
    """
    frame = as_frame(data)
    if isinstance(x, str):
        x = [c.strip() for c in x.split(",")] if "," in x else [x]
    x_cols = list(inputs) if x is None else list(x)
    if len(x_cols) != len(inputs):
        raise DataError(f"the law takes {len(inputs)} input(s) {list(inputs)}, but x names "
                        f"{len(x_cols)} column(s) {x_cols}; pass one column per input, "
                        "in the law's order")
    if y is None:
        raise DataError("name the response column with y=..., e.g. y='loss'")
    pos = set(inputs if positive_inputs is None else positive_inputs)
    xs = {inp: _numeric(_column(frame, col, "input"), col, positive=inp in pos)
          for inp, col in zip(inputs, x_cols, strict=True)}
    yv = _numeric(_column(frame, y, "response"), y, positive=positive_y,
                  why="the likelihood is on log y (use likelihood='normal' to fit y itself)")
    if yv.shape[0] < min_points:
        raise DataError(f"{yv.shape[0]} data point(s) cannot identify this model: it has "
                        f"{min_points - 1} free parameters (law + noise), so at least "
                        f"{min_points} points are needed")
    if all(np.unique(v).size == 1 for v in xs.values()):
        vals = ", ".join(f"{col} = {float(v[0]):g}" for col, v in zip(x_cols, xs.values(),
                                                                     strict=True))
        raise DataError(f"every row has the same inputs ({vals}): a law cannot learn how y "
                        "changes with x from one x; the data need at least 2 distinct "
                        "input values")
    return Dataset(xs, yv, tuple(x_cols), str(y))


def bucket(n: int) -> int:
    """Smallest bucket size >= n (16, 23, 32, 45, 64, ... ; steps of sqrt(2)).

    Data of ``n`` points are padded to this size (with a mask), so that data of similar
    size share compiled programs: the engine's samplers and the laws' starting-value
    polish alike.
    """
    size, k = 16, 0
    while size < n:
        k += 1
        size = int(math.ceil(16 * 2 ** (k / 2)))
    return size
