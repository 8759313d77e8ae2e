"""An on-disk cache of traced samplers (``jax.export``), so a fresh process skips tracing.

JAX's persistent compilation cache skips XLA compilation, but Python still traces
NumPyro's NUTS (seconds) in every new process. For laws with a stable identity (registry
laws and formulas) the traced program is exported once to StableHLO and stored next to
the compilation cache, keyed by the law, likelihood, priors, argument shapes, settings and
the versions of JAX, NumPyro and bayescale's own engine sources.

Every entry is verified before use. A file is a header then the serialised program::

    MAGIC (16 bytes) | format version (u32, big-endian) | header length (u32) |
    header (canonical JSON: the payload's size and sha256, the full key text) | payload

The key text is everything the file name's digest is a hash of (law identity or formula,
likelihood, priors, argument tree and shapes, sampler settings, library versions), so a
file renamed or swapped in from another entry is recognised, as is a flipped bit or a
truncation anywhere. An entry that fails a check, or that JAX cannot deserialise, is
ignored with a :class:`~bayescale._errors.CacheWarning` naming the file and the reason;
the program is traced again and the entry rewritten. Entries are written to a temporary
file in the same folder and moved into place (``os.replace``), so a reader never sees a
half-written entry, whichever processes fill the cache at once or die mid-write. A cache
folder that cannot be written (read-only, disk full) costs a warning, never the fit.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import struct
import threading
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jax
import numpyro

from bayescale._errors import CacheWarning
from bayescale.engine._space import Space

__all__ = ["aot", "arg_signature", "arg_specs", "prefetch", "stable_space_key"]

#: First bytes of every entry.
MAGIC = b"bayescale-jaxexp"
#: Version of the entry layout (1: bare serialised program, before verification).
FORMAT_VERSION = 2
_PREFIX = struct.Struct(">II")  # format version, header length
#: Headers hold a key of a few kB; anything far larger is not an entry.
_MAX_HEADER = 1 << 24

_MEM: dict[str, Callable[..., Any]] = {}
_WARNED: set[tuple[str, str]] = set()
_WARN_LOCK = threading.Lock()


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


def _key_text(tag: str, key: str, treedef: Any, sig: tuple) -> str:
    """The canonical text of an entry's identity; its sha256 names the file."""
    return repr((tag, key, str(treedef), sig, jax.__version__, numpyro.__version__,
                 _source_hash()))


def _digest(tag: str, key: str, treedef: Any, sig: tuple) -> str:
    return hashlib.sha256(_key_text(tag, key, treedef, sig).encode()).hexdigest()


def _entry_path(directory: Path, tag: str, digest: str) -> Path:
    return directory / f"{tag}-{digest[:40]}.jaxexport"


# ---- the entry format ----------------------------------------------------------------
def _header_bytes(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode("ascii")


def encode_entry(key_text: str, payload: bytes) -> bytes:
    """An entry file's bytes: the verified header, then ``payload``."""
    header = _header_bytes({"key": key_text, "payload_bytes": len(payload),
                            "payload_sha256": hashlib.sha256(payload).hexdigest()})
    return MAGIC + _PREFIX.pack(FORMAT_VERSION, len(header)) + header + payload


class _BadEntry(Exception):
    """An entry that must not be used; the message says why."""


def decode_entry(blob: bytes, key_text: str) -> bytes:
    """The payload of an entry for ``key_text``; raises :class:`_BadEntry` saying why not."""
    start = len(MAGIC) + _PREFIX.size
    if len(blob) < start:
        raise _BadEntry(f"truncated ({len(blob)} bytes, shorter than the header)")
    if blob[:len(MAGIC)] != MAGIC:
        raise _BadEntry("not a bayescale export entry (bad magic bytes; an old or "
                        "foreign file)")
    version, size = _PREFIX.unpack_from(blob, len(MAGIC))
    if version != FORMAT_VERSION:
        raise _BadEntry(f"entry format version {version}, this bayescale reads "
                        f"{FORMAT_VERSION}")
    if size > _MAX_HEADER or start + size > len(blob):
        raise _BadEntry("truncated or corrupt header")
    raw = blob[start:start + size]
    try:
        header = json.loads(raw.decode("ascii"))
        ok = (isinstance(header, dict) and set(header) == {"key", "payload_bytes",
                                                           "payload_sha256"}
              and _header_bytes(header) == raw)
    except (UnicodeDecodeError, ValueError, TypeError):
        ok = False
    if not ok:
        raise _BadEntry("corrupt header")
    if header["key"] != key_text:
        raise _BadEntry("it holds the program of another law, likelihood, prior or "
                        "argument signature than its name says (a renamed or swapped file)")
    payload = blob[start + size:]
    if len(payload) != header["payload_bytes"]:
        raise _BadEntry(f"payload of {len(payload)} bytes, the header says "
                        f"{header['payload_bytes']} (truncated or padded)")
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise _BadEntry("payload digest mismatch (corrupted)")
    return payload


def _warn(path: Path, reason: str) -> None:
    """Warn once per file and reason."""
    with _WARN_LOCK:
        if (str(path), reason) in _WARNED:
            return
        _WARNED.add((str(path), reason))
    warnings.warn(f"bayescale export cache: ignoring {str(path)!r}: {reason}; the program "
                  "is traced and compiled again (delete the folder to clear the cache)",
                  CacheWarning, stacklevel=4)


def _read(path: Path, key_text: str) -> tuple[Any, str | None]:
    """``(exported program or None, why the entry was rejected or None)``."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot be opened ({exc.strerror or exc})"
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None, "not a regular file"
            blob = f.read()
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    try:
        payload = decode_entry(blob, key_text)
    except _BadEntry as exc:
        return None, str(exc)
    try:
        return jax.export.deserialize(bytearray(payload)), None
    except Exception as exc:  # a verified payload that this JAX cannot read
        return None, f"JAX cannot deserialise it ({type(exc).__name__}: {exc})"[:500]


def _write(path: Path, key_text: str, payload: bytes) -> None:
    """Write an entry atomically (temporary file in the same folder, then os.replace)."""
    blob = encode_entry(key_text, payload)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: a fresh file of our own (mode 0o666 less the umask, like the entries
        # that JAX's compilation cache writes next to it)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o666)
    except OSError as exc:
        _warn_unwritable(path.parent, exc)
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _warn_unwritable(path.parent, exc)


def _warn_unwritable(directory: Path, exc: OSError) -> None:
    reason = exc.strerror or type(exc).__name__
    with _WARN_LOCK:
        if (str(directory), "write") in _WARNED:
            return
        _WARNED.add((str(directory), "write"))
    warnings.warn(f"bayescale export cache: cannot write to {str(directory)!r} ({reason}); "
                  "fits run without the cache (set BAYESCALE_JAX_CACHE_DIR to a writable "
                  "folder, or BAYESCALE_JAX_CACHE=0)", CacheWarning, stacklevel=5)


def _discard(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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


def _prefetch_one(path: Path, key_text: str, sig: tuple
                  ) -> tuple[Callable[..., Any] | None, str | None]:
    # runs in a worker thread: the reason for a rejection is warned about by aot()
    exported, reason = _read(path, key_text)
    if exported is None:
        return None, reason
    shapes = [jax.ShapeDtypeStruct(s, d) for s, d in sig]
    compiled = jax.jit(exported.call).lower(*shapes).compile()
    return _runner(exported, compiled), None


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
    key_text = _key_text(tag, key, treedef, sig)
    digest = hashlib.sha256(key_text.encode()).hexdigest()
    if digest in _MEM or digest in _PENDING:
        return
    path = _entry_path(directory, tag, digest)
    if not path.exists():
        return
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="bayescale-load"))
    _PENDING[digest] = _POOL[0].submit(_prefetch_one, path, key_text, sig)


def aot(tag: str, key: str | None, fn: Callable[..., Any], args: tuple) -> Callable[..., Any]:
    """Return ``fn`` itself, or an exported equivalent loaded from (or saved to) disk.

    An entry on disk is used only if it verifies (see the module's docstring); otherwise
    a :class:`~bayescale._errors.CacheWarning` says why, and the program is exported
    again from ``fn`` and the entry rewritten.
    """
    directory = _cache_dir()
    if key is None or directory is None:
        return fn
    treedef, sig = arg_signature(args)
    key_text = _key_text(tag, key, treedef, sig)
    digest = hashlib.sha256(key_text.encode()).hexdigest()
    if digest in _MEM:
        return _MEM[digest]
    path = _entry_path(directory, tag, digest)
    reason = None
    pending = _PENDING.pop(digest, None)
    if pending is not None:
        try:
            runner, reason = pending.result()
        except Exception:  # loading is an optimisation; load again below
            runner = None
        if runner is not None:
            _MEM[digest] = runner
            return runner
    exported = None
    if reason is None:
        exported, reason = _read(path, key_text)
    if reason is not None:
        _warn(path, reason)
        _discard(path)
    if exported is None:
        def flat(*xs):
            return fn(*jax.tree_util.tree_unflatten(treedef, xs))

        try:
            shapes = [jax.ShapeDtypeStruct(s, d) for s, d in sig]
            exported = jax.export.export(jax.jit(flat))(*shapes)
            payload = exported.serialize()
        except Exception:  # export is an optimisation; fall back to tracing
            if os.environ.get("BAYESCALE_DEBUG_EXPORT"):
                raise
            return fn
        _write(path, key_text, bytes(payload))
    runner = _runner(exported)
    _MEM[digest] = runner
    return runner
