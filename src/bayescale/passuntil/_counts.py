"""Validated container for repeated-sampling counts (n samples, c correct per problem)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import DataError
from bayescale.passuntil._checks import bad_row, column, frozen, labels, numeric, unique


@dataclass(frozen=True, eq=False)
class PassCounts:
    """Repeated-sampling counts: per (model, problem), ``c`` correct of ``n`` samples.

    Parameters
    ----------
    model : array_like
        Model label per row.
    problem : array_like
        Problem label per row.
    n : array_like of int
        Samples drawn (>= 1).
    c : array_like of int
        Correct samples (0 <= c <= n).
    N : array_like of float, optional
        Model size per row (one value per model); needed to fit across sizes.

    Raises
    ------
    bayescale.DataError
        Naming the column, the row and what is accepted.
    """

    model: np.ndarray
    problem: np.ndarray
    n: np.ndarray
    c: np.ndarray
    N: np.ndarray | None = None

    def __post_init__(self) -> None:
        cols = _validate_counts(self.model, self.problem, self.n, self.c, self.N, None, {})
        for key, value in cols.items():
            object.__setattr__(self, key, None if value is None else frozen(value))

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        model: str | None = "model",
        problem: str = "problem",
        n: str = "n",
        c: str = "c",
        N: str | None = None,
    ) -> PassCounts:
        """Build counts from a DataFrame, one row per (model, problem).

        Parameters
        ----------
        df : pandas.DataFrame
            The counts.
        model : str or None
            Column of model labels; ``None`` for a single model (labelled ``"model"``).
        problem, n, c : str
            Columns of the problem label, samples drawn and correct samples.
        N : str or None
            Column of model sizes (needed by ``fit_coverage(..., across=True)``).

        Returns
        -------
        PassCounts
        """
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}.")
        if len(df) == 0:
            raise DataError("the DataFrame has no rows; counts need at least one.")
        names = {"problem": problem, "n": n, "c": c}
        get = {key: column(df, col, key) for key, col in names.items()}
        if model is None:
            get["model"] = np.full(len(df), "model", dtype=object)
        else:
            get["model"], names["model"] = column(df, model, "model"), model
        get["N"] = None if N is None else column(df, N, "N")
        if N is not None:
            names["N"] = N
        cols = _validate_counts(
            get["model"], get["problem"], get["n"], get["c"], get["N"], df.index, names
        )
        return cls(**cols)

    def __len__(self) -> int:
        return int(self.n.size)

    @property
    def models(self) -> tuple[Any, ...]:
        """Distinct model labels, in order of first appearance."""
        return unique(self.model)

    @property
    def sizes(self) -> np.ndarray | None:
        """Model size per entry of :attr:`models` (``None`` without sizes)."""
        if self.N is None:
            return None
        return np.array([self.N[self.model == m][0] for m in self.models])

    def subset(self, models: Any) -> PassCounts:
        """Return the counts of the given model label(s), in the data's order.

        Parameters
        ----------
        models : label or sequence of labels
            Models to keep; each must be one of :attr:`models`.

        Returns
        -------
        PassCounts
        """
        wanted = [models] if np.ndim(models) == 0 else list(models)
        unknown = [m for m in wanted if m not in self.models]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown!r}; the counts hold {list(self.models)}.")
        keep = np.isin(self.model, np.asarray(wanted, dtype=object))
        return PassCounts(
            self.model[keep],
            self.problem[keep],
            self.n[keep],
            self.c[keep],
            None if self.N is None else self.N[keep],
        )

    def thin(self, k: int, *, seed: int = 0) -> PassCounts:
        """Subsample each problem's samples down to ``k`` without replacement.

        The correct count of the subsample is hypergeometric: exactly what a budget of
        ``k`` samples per problem would have observed. Rows with ``n <= k`` are kept.

        Parameters
        ----------
        k : int
            Samples to keep per problem (>= 1).
        seed : int
            Seed of the subsampling.

        Returns
        -------
        PassCounts
        """
        if not (isinstance(k, int | np.integer) and k >= 1):
            raise ValueError(f"k={k!r} must be an integer >= 1 (samples kept per problem).")
        rng = np.random.default_rng(seed)
        keep = np.minimum(self.n, k)
        c_new = rng.hypergeometric(self.c, self.n - self.c, keep)
        return PassCounts(self.model, self.problem, keep, c_new, self.N)

    def coverage(self, k: Any) -> pd.DataFrame:
        """Empirical coverage (mean unbiased pass@k over problems) per model.

        Parameters
        ----------
        k : int or sequence of int
            Attempts; each must not exceed the problems' ``n``.

        Returns
        -------
        pandas.DataFrame
            Columns ``model``, ``k``, ``coverage``, ``n_problems``.
        """
        from bayescale.passuntil._estimators import pass_at_k

        ks = np.atleast_1d(np.asarray(k, dtype=np.int64))
        rows = []
        for m in self.models:
            sel = self.model == m
            if ks.max() > self.n[sel].min():
                raise ValueError(
                    f"k={int(ks.max())} exceeds the {int(self.n[sel].min())} samples of a "
                    f"problem of model {m!r}; the unbiased estimator needs k <= n."
                )
            vals = pass_at_k(self.n[sel][:, None], self.c[sel][:, None], ks[None, :])
            for kk, v in zip(ks, vals.mean(axis=0), strict=True):
                rows.append({"model": m, "k": int(kk), "coverage": v, "n_problems": sel.sum()})
        return pd.DataFrame(rows)

    def to_dataframe(self) -> pd.DataFrame:
        """Return the counts as a DataFrame (``model``, ``problem``, ``n``, ``c``, ``N``)."""
        out = {"model": self.model, "problem": self.problem, "n": self.n, "c": self.c}
        if self.N is not None:
            out["N"] = self.N
        return pd.DataFrame(out)

    def __repr__(self) -> str:
        return f"PassCounts({len(self)} rows, {len(self.models)} models)"


def _validate_counts(model, problem, n, c, N, index, names) -> dict[str, Any]:
    def nm(key: str) -> str:
        return names.get(key, key)

    n_arr = numeric(nm("n"), n, index, integer=True)
    size = n_arr.size
    if n_arr.ndim != 1 or size == 0:
        raise DataError(f"{nm('n')!r} must be a non-empty 1-d array, got shape {n_arr.shape}.")
    bad_row(nm("n"), n_arr, n_arr < 1, "integers >= 1 (samples drawn)", index)
    c_arr = numeric(nm("c"), c, index, integer=True)
    if c_arr.shape != (size,):
        raise DataError(f"{nm('c')!r} has shape {c_arr.shape}; expected ({size},) like n.")
    bad_row(nm("c"), c_arr, (c_arr < 0) | (c_arr > n_arr), f"integers in 0..{nm('n')}", index)
    model_a = labels(nm("model"), model, size, index)
    problem_a = labels(nm("problem"), problem, size, index)
    dup = pd.DataFrame({"m": model_a, "p": problem_a}).duplicated().to_numpy()
    bad_row(nm("problem"), problem_a, dup, "one row per (model, problem)", index)
    n_size = None
    if N is not None:
        n_size = numeric(nm("N"), N, index, integer=False)
        if n_size.shape != (size,):
            raise DataError(f"{nm('N')!r} has shape {n_size.shape}; expected ({size},).")
        bad_row(nm("N"), n_size, n_size <= 0, "finite positive model sizes", index)
        for m in unique(model_a):
            vals = n_size[model_a == m]
            bad_row(nm("N"), vals, vals != vals[0], f"one size per model (model {m!r})", None)
    return {"model": model_a, "problem": problem_a, "n": n_arr, "c": c_arr, "N": n_size}
