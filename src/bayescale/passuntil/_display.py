"""Shared display helpers: credible-band plots and static HTML reprs."""

from __future__ import annotations

import html
from collections.abc import Mapping
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


def html_repr(title: str, facts: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> str:
    """Return static, escaped HTML: a title, a list of facts and titled tables."""
    items = "".join(
        f"<li><b>{html.escape(str(k))}</b>: {html.escape(_fmt(v))}</li>" for k, v in facts.items()
    )
    parts = [f"<div><h4>{html.escape(title)}</h4><ul>{items}</ul>"]
    for name, table in tables.items():
        parts.append(f"<p><b>{html.escape(name)}</b></p>")
        parts.append(table.to_html(float_format=lambda v: f"{v:.4g}", escape=True, border=0))
    parts.append("</div>")
    return "".join(parts)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
