"""Small validation helpers shared by the PassUntil modules."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError, DataError
from bayescale._values import flat_numbers, shown


def one_of(valid: Iterable[object]) -> str:
    """Format the accepted values for an error message."""
    return ", ".join(repr(v) for v in valid)


def check_choice(name: str, value: object, valid: Iterable[object]) -> None:
    """Raise a ``ValueError`` naming ``value`` unless it is one of ``valid``."""
    valid = tuple(valid)
    if value not in valid:
        raise ValueError(f"{name}={value!r} is not accepted; use one of {one_of(valid)}.")


def accept_prob(target_accept_prob: float, target_accept: float | None,
                default: float) -> float:
    """The NUTS target acceptance probability, from ``target_accept`` (deprecated) if given.

    ``target_accept`` is the old name of ``target_accept_prob`` (the name of ``bs.fit``):
    it still works, with a :class:`FutureWarning`; giving both is an error.
    """
    if target_accept is None:
        return target_accept_prob
    if target_accept_prob != default:
        raise BayescaleError("give target_accept_prob= only (target_accept= is its "
                             "deprecated old name)")
    warnings.warn("target_accept= is deprecated and will be removed; use "
                  "target_accept_prob= (the name bs.fit takes)", FutureWarning, stacklevel=3)
    return target_accept


def positive_array(name: str, values: object, *, integer: bool = False) -> np.ndarray:
    """Return ``values`` as a 1-d float (or int) array of finite positive numbers.

    ``values`` must be a number or a flat, non-empty sequence (or array) of numbers:
    strings (even ``"1e9"``), ``None``, booleans, mappings and nested lists are refused
    with a :class:`~bayescale.BayescaleError` naming ``name`` and the value.
    """
    kind = "positive integers" if integer else "finite positive numbers"
    eg = ("1", "[1, 10]") if integer else ("1e9", "[1e9, 1e10]")
    need = (f"{name} must be a number or a flat, non-empty list of {kind} (e.g. "
            f"{name}={eg[0]} or {name}={eg[1]}), got {shown(values)}")
    arr = flat_numbers(values, need)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if integer:
        bad |= arr != np.round(arr)
    if bad.any():
        idx = int(np.flatnonzero(bad)[0])
        raise BayescaleError(f"{name}[{idx}]={arr[idx]:g} is not accepted; {name} takes "
                             f"{kind}.")
    return arr.astype(np.int64) if integer else arr


def show(value: Any) -> str:
    """Return ``repr`` of a value, with NumPy scalars shown as Python scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def bad_row(name: str, values: np.ndarray, bad: np.ndarray, accepted: str, index=None) -> None:
    """Raise a :class:`~bayescale.DataError` for the first ``bad`` entry of column ``name``."""
    if not np.any(bad):
        return
    pos = int(np.flatnonzero(bad)[0])
    row = index[pos] if index is not None else pos
    n_bad = int(np.sum(bad))
    raise DataError(
        f"column {name!r}, row {row!r}: value {show(values[pos])} is not accepted "
        f"({n_bad} bad row{'s' if n_bad > 1 else ''}); {name!r} takes {accepted}."
    )


def frozen(arr: np.ndarray) -> np.ndarray:
    """Return a read-only copy of ``arr``."""
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


def column(df: pd.DataFrame, name: str, role: str) -> np.ndarray:
    if name not in df.columns:
        raise DataError(
            f"column {name!r} (the {role}) is not in the DataFrame; its columns are "
            f"{list(map(str, df.columns))}. Pass the right name, e.g. {role}={name!r}."
        )
    return df[name].to_numpy()


def numeric(name: str, values: Any, index: Any, *, integer: bool) -> np.ndarray:
    raw = np.asarray(values)
    try:
        arr = raw.astype(float)
    except (TypeError, ValueError):
        bad = np.array([not _is_number(v) for v in raw.ravel()])
        bad_row(name, raw.ravel(), bad, "numbers", index)
        raise
    accepted = "finite integers" if integer else "finite numbers"
    bad = ~np.isfinite(arr)
    if integer:
        bad |= np.where(np.isfinite(arr), arr != np.round(arr), False)
    bad_row(name, raw, bad, accepted, index)
    return arr.astype(np.int64) if integer else arr


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def labels(name: str, values: Any, size: int, index: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    if arr.shape != (size,):
        raise DataError(f"{name!r} has shape {arr.shape}; expected one label per row ({size}).")
    bad = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in arr], dtype=bool)
    bad_row(name, arr, bad, "non-missing labels (strings or integers)", index)
    return arr


def unique(labels: np.ndarray) -> tuple[Any, ...]:
    return tuple(pd.unique(pd.Series(labels, dtype=object)))
