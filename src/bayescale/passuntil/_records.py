"""Validated containers for PassUntil records and repeated-sampling counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import DataError
from bayescale.passuntil._checks import bad_row, column, frozen, labels, numeric, unique


@dataclass(frozen=True, eq=False)
class PassUntilRecords:
    """PassUntil records: sample until ``r`` passes, recording the attempts ``K``.

    One row per (model size ``N``, test instance). A run that reached the cap ``K_max``
    with fewer than ``r`` passes is right-censored (``censored=True``, ``K == K_max``);
    its likelihood is ``P(X < r | K_max, p)``, never a zero pass rate.

    Parameters
    ----------
    N : array_like of float
        Model size (parameters) per record, finite and positive.
    instance : array_like
        Test-instance label per record; the same label at several sizes is the same
        instance (its parameters are shared across sizes).
    r : array_like of int
        Target number of passes (>= 1).
    K : array_like of int
        Attempts used: the attempt of the ``r``-th pass, or ``K_max`` when censored.
    K_max : array_like of int
        Attempt cap (>= ``K``).
    censored : array_like of bool, optional
        Whether the cap was hit with fewer than ``r`` passes. Default: ``K == K_max``
        (a run whose ``r``-th pass came exactly at the cap is then read as censored, the
        cautious reading).

    Raises
    ------
    bayescale.DataError
        Naming the column, the row and what is accepted.
    """

    N: np.ndarray
    instance: np.ndarray
    r: np.ndarray
    K: np.ndarray
    K_max: np.ndarray
    censored: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        cols = _validate_records(
            self.N, self.instance, self.r, self.K, self.K_max, self.censored, None, {}
        )
        for key, value in cols.items():
            object.__setattr__(self, key, frozen(value))

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        N: str = "N",
        instance: str = "instance",
        r: str = "r",
        K: str = "K",
        K_max: str | int = "K_max",
        censored: str | None = "censored",
    ) -> PassUntilRecords:
        """Build records from a DataFrame, one row per (size, instance) run.

        Parameters
        ----------
        df : pandas.DataFrame
            The records.
        N, instance, r, K : str
            Column names of the model size, instance label, target passes and attempts.
        K_max : str or int
            Column name of the attempt cap, or one cap for every row.
        censored : str or None
            Column name of the censoring flag. If ``None`` or absent from ``df``, a row
            is censored when ``K == K_max``.

        Returns
        -------
        PassUntilRecords
        """
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}.")
        if len(df) == 0:
            raise DataError("the DataFrame has no rows; PassUntil records need at least one.")
        names = {"N": N, "instance": instance, "r": r, "K": K}
        get = {key: column(df, col, key) for key, col in names.items()}
        if isinstance(K_max, str):
            get["K_max"] = column(df, K_max, "K_max")
            names["K_max"] = K_max
        else:
            get["K_max"] = np.full(len(df), K_max)
            names["K_max"] = "K_max"
        cens = None
        if censored is not None and censored in df.columns:
            cens = df[censored].to_numpy()
            names["censored"] = censored
        cols = _validate_records(
            get["N"], get["instance"], get["r"], get["K"], get["K_max"], cens, df.index, names
        )
        return cls(**cols)

    def __len__(self) -> int:
        return int(self.N.size)

    @property
    def sizes(self) -> np.ndarray:
        """Sorted distinct model sizes."""
        return np.unique(self.N)

    @property
    def instances(self) -> tuple[Any, ...]:
        """Distinct instance labels, in order of first appearance."""
        return unique(self.instance)

    @property
    def n_censored(self) -> int:
        """Number of right-censored records."""
        return int(self.censored.sum())

    def pu(self, *, unbiased: bool = False) -> np.ndarray:
        """Per-record PassUntil estimate ``r/K`` (NaN where censored).

        Parameters
        ----------
        unbiased : bool
            Use ``(r-1)/(K-1)`` (requires ``r >= 2`` everywhere).

        Returns
        -------
        numpy.ndarray
        """
        from bayescale.passuntil._estimators import pu_estimate

        out = np.full(len(self), np.nan)
        ok = ~self.censored
        out[ok] = pu_estimate(self.r[ok], self.K[ok], unbiased=unbiased)
        return out

    def to_dataframe(self) -> pd.DataFrame:
        """Return the records as a DataFrame (columns as the constructor's arguments)."""
        return pd.DataFrame(
            {
                "N": self.N,
                "instance": self.instance,
                "r": self.r,
                "K": self.K,
                "K_max": self.K_max,
                "censored": self.censored,
            }
        )

    def __repr__(self) -> str:
        return (
            f"PassUntilRecords({len(self)} records, {len(self.instances)} instances, "
            f"{self.sizes.size} sizes, {self.n_censored} censored)"
        )


def _validate_records(N, instance, r, K, K_max, censored, index, names) -> dict[str, np.ndarray]:
    def nm(key: str) -> str:
        return names.get(key, key)

    n_arr = numeric(nm("N"), N, index, integer=False)
    size = n_arr.size
    if n_arr.ndim != 1 or size == 0:
        raise DataError(f"{nm('N')!r} must be a non-empty 1-d array, got shape {n_arr.shape}.")
    bad_row(nm("N"), n_arr, n_arr <= 0, "finite positive model sizes", index)
    arrays = {}
    for key, val in (("r", r), ("K", K), ("K_max", K_max)):
        arr = numeric(nm(key), val, index, integer=True)
        if arr.shape != (size,):
            raise DataError(f"{nm(key)!r} has shape {arr.shape}; expected ({size},) like N.")
        bad_row(nm(key), arr, arr < 1, "integers >= 1", index)
        arrays[key] = arr
    r_a, k_a, kmax_a = arrays["r"], arrays["K"], arrays["K_max"]
    bad_row(nm("K"), k_a, k_a > kmax_a, f"attempts no larger than the cap {nm('K_max')!r}", index)
    if censored is None:
        cens = k_a == kmax_a
    else:
        raw = np.asarray(censored, dtype=object)
        ok = np.array([isinstance(v, bool | np.bool_) or v in (0, 1) for v in raw], dtype=bool)
        bad_row(nm("censored"), raw, ~ok, "booleans (True/False or 1/0)", index)
        cens = raw.astype(bool)
        if cens.shape != (size,):
            raise DataError(f"{nm('censored')!r} has shape {cens.shape}; expected ({size},).")
        bad_row(nm("K"), k_a, cens & (k_a != kmax_a), "the cap K_max on censored rows", index)
    bad_row(nm("K"), k_a, ~cens & (k_a < r_a), f"at least {nm('r')!r} attempts", index)
    inst = labels(nm("instance"), instance, size, index)
    return {"N": n_arr, "instance": inst, "r": r_a, "K": k_a, "K_max": kmax_a, "censored": cens}
