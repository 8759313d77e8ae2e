"""Suspending a view's own recomputation while several of its traits change."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["quiet"]


@contextlib.contextmanager
def quiet(view: Any) -> Iterator[None]:
    """Set ``view._busy`` for the block, so that its observers skip recomputing."""
    view._busy = True
    try:
        yield
    finally:
        view._busy = False
