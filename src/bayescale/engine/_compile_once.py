"""Jitted functions compiled once per argument signature, whichever thread asks first.

``fit_many`` runs its batches in threads, one per CPU core. Two threads that call a
fresh ``jax.jit`` function at the same time each compile it (the lanes sampler: ~2.7 s of
a core each); here the second waits for the first's executable. The compilation can also
start ahead of the call (:meth:`CompileOnce.prefetch`), in the background, while the
batch computes its initial values. (:mod:`bayescale.engine._export` keeps traced programs
across processes; this keeps executables within one, keyed by the same signature.)
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from bayescale.engine._export import arg_signature, arg_specs

__all__ = ["CompileOnce"]


class CompileOnce:
    """A ``jax.jit`` function, compiled ahead of time once per argument signature.

    Parameters
    ----------
    jitted : jax.stages.Wrapped
        The jitted function. Its arguments must be arrays (NumPy or JAX) or pytrees of
        them, placed on the default device.
    """

    def __init__(self, jitted: Any) -> None:
        self._jitted = jitted
        self._lock = threading.Lock()
        self._compiled: dict[tuple[Any, ...], Future] = {}

    def _future(self, key: tuple[Any, ...]) -> tuple[Future, bool]:
        with self._lock:
            fut = self._compiled.get(key)
            if fut is not None:
                return fut, False
            fut = self._compiled[key] = Future()
            return fut, True

    def _compile(self, fut: Future, key: tuple[Any, ...]) -> None:
        try:
            fut.set_result(self._jitted.lower(*arg_specs(*key)).compile())
        except BaseException as exc:  # the waiting callers see it; a later call retries
            with self._lock:
                self._compiled.pop(key, None)
            fut.set_exception(exc)

    def prefetch(self, *args: Any) -> None:
        """Start compiling for arguments shaped like ``args`` in a background thread."""
        key = arg_signature(args)
        fut, mine = self._future(key)
        if mine:
            threading.Thread(target=self._compile, args=(fut, key), daemon=True).start()

    def __call__(self, *args: Any) -> Any:
        key = arg_signature(args)
        fut, mine = self._future(key)
        if mine:
            self._compile(fut, key)
        return fut.result()(*args)
