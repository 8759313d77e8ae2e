"""Progress reporting for long runs: tqdm in terminals and notebooks, off in CI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bayescale._config import is_ci

__all__ = ["progress_bar", "progress_enabled"]


def progress_enabled(progress: bool | None) -> bool:
    """Resolve ``progress=None`` (auto): on, except when ``CI`` is set."""
    if progress is None:
        return not is_ci()
    return bool(progress)


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool) -> Iterator[Any]:
    """Yield ``update(position)``; a no-op when disabled.

    The bar opens in a *compiling* phase (no rate, no ETA: the first sampler step comes
    only once XLA has compiled the program, tens of seconds on a cold start) and turns
    into the *sampling* phase at the first update, its clock restarted then, so that
    the rate and the ETA measure sampling alone.
    """
    if not enabled:
        yield lambda pos: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=f"{desc}: compiling", file=sys.stderr, leave=False,
               mininterval=0.1, bar_format="{desc} ({elapsed})")
    sampling = False

    def update(pos: int) -> None:
        nonlocal sampling
        if not sampling:
            sampling = True
            bar.bar_format = None            # tqdm's default: bar, rate, ETA
            bar.set_description(f"{desc}: sampling", refresh=False)
            bar.reset(total=total)           # the clock starts with the sampling
        pos = min(int(pos), total)
        if pos > bar.n:
            bar.update(pos - bar.n)

    try:
        yield update
    finally:
        update(total)
        bar.close()
