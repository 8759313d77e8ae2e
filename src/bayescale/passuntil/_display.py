"""Shared display helpers: credible-band plots (the HTML is :mod:`bayescale.result._html`'s)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def new_axes(ax: Any = None) -> Any:
    """Return ``ax`` or a fresh pyplot Axes."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(6, 4))
    return ax


def band(ax: Any, x: np.ndarray, table: pd.DataFrame, *, label: str, color: Any = None) -> Any:
    """Draw the ``median`` line and the ``lower``-``upper`` band of a prediction table."""
    (line,) = ax.plot(x, table["median"], color=color, label=f"{label} (median)")
    ax.fill_between(x, table["lower"], table["upper"], color=line.get_color(), alpha=0.25)
    return line
