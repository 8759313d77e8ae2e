"""An on-disk cache of traced samplers (``jax.export``), so a fresh process skips tracing.

JAX's persistent compilation cache skips XLA compilation, but Python still traces
NumPyro's NUTS (seconds) in every new process. For laws with a stable identity (registry
laws and formulas) the traced program is exported once to StableHLO and stored next to
the compilation cache, keyed by the law, likelihood, priors, argument shapes, settings and
the versions of JAX, NumPyro and bayescale's own engine sources.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jax
import numpyro

from bayescale.engine._space import Space

__all__ = ["aot", "arg_signature", "arg_specs", "prefetch", "stable_space_key"]

_MEM: dict[str, Callable[..., Any]] = {}


@cache
def _source_hash() -> str:
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if path.parts[-2] in ("engine", "laws") or path.name in ("likelihoods.py", "priors.py"):
            h.update(path.read_bytes())
    return h.hexdigest()


def _cache_dir() -> Path | None:
    if os.environ.get("BAYESCALE_JAX_CACHE", "1") == "0":
        return None
    base = jax.config.jax_compilation_cache_dir
    return Path(base) / "bayescale-export" if base else None


def stable_space_key(space: Space) -> str | None:
    """A process-independent identity of the sampling space, or None if there is none."""
    from bayescale.laws import _registry

    law = space.law
    if law.key and law.key[0] == "formula":
        ident = repr(law.key)
    elif law.key[:2] == ("law", "bnsl") or (law.name in _registry.names()
                                            and _registry.get(law.name) is law):
        ident = repr(("registry", law.name, law.key[2] if law.key[:2] == ("law", "bnsl")
                      else None))
    else:
        return None
    return repr((ident, space.likelihood.name, space.user_priors))


def arg_signature(args: tuple) -> tuple[Any, tuple]:
    """``(treedef, ((shape, dtype name), ...))`` of ``args``: what a compiled program keys on."""
    leaves, treedef = jax.tree_util.tree_flatten(args)
    sig = tuple((tuple(x.shape), str(jax.numpy.dtype(x.dtype))) if hasattr(x, "dtype") else
                (tuple(jax.numpy.shape(x)), str(jax.numpy.result_type(x))) for x in leaves)
    return treedef, sig


def arg_specs(treedef: Any, sig: tuple) -> Any:
    """The ``jax.ShapeDtypeStruct`` placeholders of a signature, in its tree."""
    return jax.tree_util.tree_unflatten(treedef, [jax.ShapeDtypeStruct(s, d) for s, d in sig])


def _digest(tag: str, key: str, treedef: Any, sig: tuple) -> str:
    return hashlib.sha256(repr((tag, key, str(treedef), sig, jax.__version__,
                                numpyro.__version__, _source_hash())).encode()).hexdigest()


def _load(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        return jax.export.deserialize(bytearray(path.read_bytes()))
    except Exception:  # a corrupt or stale entry is re-exported
        return None


def _runner(exported: Any, compiled: Any = None) -> Callable[..., Any]:
    call = jax.jit(exported.call)

    def runner(*a: Any) -> Any:
        leaves = jax.tree_util.tree_leaves(a)
        if compiled is not None:
            try:
                return compiled(*leaves)
            except TypeError:  # arguments typed unlike the prefetched program's
                pass
        return call(*leaves)

    return runner


_POOL: list[Any] = []
_PENDING: dict[str, Any] = {}


def _prefetch_one(digest: str, path: Path, sig: tuple) -> Callable[..., Any] | None:
    exported = _load(path)
    if exported is None:
        return None
    shapes = [jax.ShapeDtypeStruct(s, d) for s, d in sig]
    compiled = jax.jit(exported.call).lower(*shapes).compile()
    return _runner(exported, compiled)


def prefetch(tag: str, key: str | None, args: tuple) -> None:
    """Start loading (and compiling) an exported program in a background thread.

    A later :func:`aot` call with the same ``tag``, ``key`` and argument shapes picks it
    up. Loading a sampler's executable takes a few tenths of a second, mostly in XLA,
    which overlaps with the optimisation that runs meanwhile. Does nothing for a program
    that has not been exported yet (tracing stays on the calling thread).

    Parameters
    ----------
    tag : str
        The program's kind (``"init"``, ``"nuts"``).
    key : str or None
        Its identity (see :func:`stable_space_key`); None: nothing to load.
    args : tuple
        The arguments it will be called with, or ``jax.ShapeDtypeStruct`` placeholders.
    """
    directory = _cache_dir()
    if key is None or directory is None:
        return
    treedef, sig = arg_signature(args)
    digest = _digest(tag, key, treedef, sig)
    if digest in _MEM or digest in _PENDING:
        return
    path = directory / f"{tag}-{digest[:40]}.jaxexport"
    if not path.exists():
        return
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="bayescale-load"))
    _PENDING[digest] = _POOL[0].submit(_prefetch_one, digest, path, sig)


def aot(tag: str, key: str | None, fn: Callable[..., Any], args: tuple) -> Callable[..., Any]:
    """Return ``fn`` itself, or an exported equivalent loaded from (or saved to) disk."""
    directory = _cache_dir()
    if key is None or directory is None:
        return fn
    treedef, sig = arg_signature(args)
    digest = _digest(tag, key, treedef, sig)
    if digest in _MEM:
        return _MEM[digest]
    pending = _PENDING.pop(digest, None)
    if pending is not None:
        try:
            runner = pending.result()
        except Exception:  # loading is an optimisation; load again below
            runner = None
        if runner is not None:
            _MEM[digest] = runner
            return runner
    path = directory / f"{tag}-{digest[:40]}.jaxexport"
    exported = _load(path)
    if exported is None:
        def flat(*xs):
            return fn(*jax.tree_util.tree_unflatten(treedef, xs))

        try:
            shapes = [jax.ShapeDtypeStruct(s, d) for s, d in sig]
            exported = jax.export.export(jax.jit(flat))(*shapes)
            directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(exported.serialize())
            os.replace(tmp, path)
        except Exception as exc:  # export is an optimisation; fall back to tracing
            if os.environ.get("BAYESCALE_DEBUG_EXPORT"):
                raise
            del exc
            return fn
    runner = _runner(exported)
    _MEM[digest] = runner
    return runner
