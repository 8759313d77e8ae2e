"""How ``fit_many`` groups curves: one frame per curve, padded sizes, equal batches.

The batch layout decides which calls share a compiled computation: curves are padded to
one size bucket, split into equal batches (at least one per CPU core), and each batch is
padded to a shape that other curve counts reuse.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.data import as_frame
from bayescale.engine._data import bucket

__all__ = ["batch_threads", "curve_bucket", "equal_batches", "split_curves", "stack_trees"]


def split_curves(data: Any, by: str | Sequence[Any] | Mapping[Any, Any] | None
                 ) -> tuple[list[Any], list[pd.DataFrame]]:
    """Split ``data`` into (keys, frames) by a column, or take a list/dict of frames."""
    if isinstance(data, Mapping) and not isinstance(by, str) and all(
            isinstance(v, pd.DataFrame) for v in data.values()):
        return list(data.keys()), [as_frame(v) for v in data.values()]
    if isinstance(data, list | tuple):
        return list(range(len(data))), [as_frame(v) for v in data]
    frame = as_frame(data)
    if by is None:
        raise BayescaleError("fit_many needs by=COLUMN (or a list or dict of DataFrames)")
    if isinstance(by, str) and by not in frame.columns:
        raise BayescaleError(f"by column {by!r} is not in the data; columns are "
                             f"{[str(c) for c in frame.columns]}")
    groups = list(frame.groupby(by, sort=True))
    return [k for k, _ in groups], [g.reset_index(drop=True) for _, g in groups]


def stack_trees(trees: list[Any]) -> Any:
    """Stack pytrees of NumPy arrays along a new leading axis, as JAX arrays."""
    return jax.tree_util.tree_map(lambda *xs: jnp.asarray(np.stack(xs)), *trees)


def curve_bucket(n: int) -> int:
    """Padded curve length: multiples of 4 up to 16, then :func:`bucket`'s sizes.

    Short curves are the common case here, and every padded row costs a likelihood term.
    """
    return 4 * -(-n // 4) if n <= 16 else bucket(n)


def batch_threads(n_batches: int, n_dev: int) -> int:
    """Batches run at once in this process: one per CPU core on a single CPU device."""
    if n_dev > 1 or jax.default_backend() != "cpu":
        return 1
    return max(1, min(n_batches, os.cpu_count() or 1))


def equal_batches(n: int, batch: int, parts: int = 1) -> tuple[list[list[int]], int]:
    """Split ``n`` curves into equal batches of at most ``batch``; the padded batch shape.

    At least ``parts`` batches when there are curves enough (one per CPU core that runs
    batches side by side). Equal batches (1,000 curves at 512: 500 + 500, not 512 + 488)
    share one compiled call; the shape is rounded up (to a multiple of 8, of 32 above
    256 curves) so that another number of curves usually reuses it too. Padding rows
    repeat a real curve and are dropped.
    """
    n_batches = max(-(-n // batch), min(parts, -(-n // 8)))
    per = -(-n // n_batches)
    step = 32 if per > 256 else 8
    shape = min(batch, step * -(-per // step))
    return [list(range(i, min(i + per, n))) for i in range(0, n, per)], shape
