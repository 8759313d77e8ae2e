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

__all__ = ["aot", "stable_space_key"]

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


def aot(tag: str, key: str | None, fn: Callable[..., Any], args: tuple) -> Callable[..., Any]:
    """Return ``fn`` itself, or an exported equivalent loaded from (or saved to) disk."""
    directory = _cache_dir()
    if key is None or directory is None:
        return fn
    leaves, treedef = jax.tree_util.tree_flatten(args)
    sig = tuple((tuple(jax.numpy.shape(x)), str(jax.numpy.result_type(x))) for x in leaves)
    digest = hashlib.sha256(repr((tag, key, str(treedef), sig, jax.__version__,
                                  numpyro.__version__, _source_hash())).encode()).hexdigest()
    if digest in _MEM:
        return _MEM[digest]
    path = directory / f"{tag}-{digest[:40]}.jaxexport"
    exported = None
    if path.exists():
        try:
            exported = jax.export.deserialize(bytearray(path.read_bytes()))
        except Exception:  # a corrupt or stale entry is re-exported
            exported = None
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
    call = jax.jit(exported.call)

    def runner(*a: Any) -> Any:
        return call(*jax.tree_util.tree_leaves(a))

    _MEM[digest] = runner
    return runner
