"""Padding to size buckets, data summaries and the data pytree the samplers take."""

from __future__ import annotations

from typing import Any

import numpy as np

from bayescale.data import Dataset, bucket
from bayescale.priors import DataStats

__all__ = ["bucket", "make_stats", "pad"]


def _scalar(value: float) -> np.ndarray:
    # NumPy, not JAX arrays: jitted functions take them as they are (same abstract value,
    # no recompilation), and making a JAX array per summary costs ~60 us (fit_many makes
    # thousands); jnp.asarray would even compile a tiny program per shape and dtype
    return np.asarray(value, dtype=np.float64)


def make_stats(ds: Dataset) -> DataStats:
    """Summaries used by data-scaled default priors and by the re-centring."""
    y = ds.y
    med = float(np.median(y))
    mad = float(np.median(np.abs(y - med))) * 1.4826
    scale = max(mad, 1e-3 * max(abs(med), 1e-12), float(np.std(y)) * 0.1, 1e-12)
    ymin = float(np.min(y))
    # inputs that may be <= 0 (bit counts, annealing areas) are not log-centred
    lx = {k: np.log(v) if np.all(v > 0) else np.zeros(1) for k, v in ds.x.items()}
    return DataStats(
        y_min=_scalar(ymin if ymin > 0 else max(abs(med), 1e-12)),
        y_median=_scalar(med if med > 0 else max(abs(med), 1e-12)),
        y_scale=_scalar(scale),
        log_x0={k: _scalar(float(np.mean(v))) for k, v in lx.items()},
        log_x_halfspan={k: _scalar(max(0.5 * float(np.ptp(v)), 0.5)) for k, v in lx.items()},
    )


def pad(ds: Dataset, size: int | None = None) -> dict[str, Any]:
    """The data pytree (NumPy arrays): inputs, response and mask padded to the bucket size.

    Padded rows hold the geometric-mean input and the median response (finite
    values) and are masked out of the likelihood.
    """
    n = ds.n
    size = bucket(n) if size is None else size
    mask = np.zeros(size)
    mask[:n] = 1.0
    x = {}
    for k, v in ds.x.items():
        fill = float(np.exp(np.mean(np.log(v)))) if np.all(v > 0) else float(np.median(v))
        x[k] = np.concatenate([v, np.full(size - n, fill)]).astype(np.float64)
    y = np.concatenate([ds.y, np.full(size - n, float(np.median(ds.y)))]).astype(np.float64)
    return {"x": x, "y": y, "mask": mask, "stats": make_stats(ds)}
