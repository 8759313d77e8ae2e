"""The file every result is saved to: format version, integrity digest, verified reading.

A saved result is a netCDF4/HDF5 file with two groups, ``posterior`` and
``sample_stats`` (arrays of shape ``(chain, draw, ...)`` or ``(chain,)``), and its
metadata as JSON in the root attribute ``bayescale``: what the result's kind stores
(:meth:`~bayescale.result._base.Result._file_meta`), its ``kind`` (absent for a
:class:`~bayescale.Fit`), the format version and an integrity digest. The digest is a
sha256 over the canonical JSON of the rest of the metadata and the name, dtype, shape and
bytes of every stored array, so a file edited, truncated or corrupted after it was saved
does not load. :func:`read` opens regular files only, checks the version and the digest,
then hands the metadata and arrays to the kind's ``_from_file``, which checks that they
match; :func:`bayescale.load` turns every failure into one
:class:`~bayescale._errors.FitFileError` naming the file and what is wrong. The digest
guards against accidents (a flipped bit, a hand edit), not against someone who rewrites
the file and its digest; what the checks after it reject, they reject either way.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import io
import json
import os
import stat
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bayescale._errors import BayescaleWarning, FitFileError, one_of

__all__ = ["FORMAT_VERSION", "KINDS", "FitFileWarning", "read", "write"]

#: 1: no digest (still loads, with a warning); 2: digest over metadata and arrays.
FORMAT_VERSION = 2
_KNOWN_VERSIONS = (1, 2)
#: A file's ``kind`` -> the ``"module:class"`` that rebuilds it, imported by name: the
#: PassUntil fits and JointFit build on this layer, which does not import them.
KINDS = {"fit": "bayescale.result._fit:Fit",
         "passuntil": "bayescale.passuntil._result:PassUntilFit",
         "coverage": "bayescale.passuntil._coverage_result:CoverageFit",
         "joint": "bayescale.analysis._joint:JointFit"}


class FitFileWarning(BayescaleWarning):
    """A saved fit loaded, but could not be fully verified (an old format version)."""


# ---- the integrity digest ----------------------------------------------------------
def _canonical(meta: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in meta.items() if k != "digest"}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _digest(meta: dict[str, Any], groups: dict[str, dict[str, np.ndarray]]) -> str:
    """sha256 over the canonical metadata (less the digest) and every stored array."""
    h = hashlib.sha256(b"bayescale-fit\0")
    h.update(_canonical(meta))
    for group in sorted(groups):
        for name in sorted(groups[group]):
            a = np.asarray(groups[group][name])
            a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
            h.update(b"\0" + json.dumps([group, name, a.dtype.str, list(a.shape)]).encode())
            h.update(a.tobytes())
    return "sha256:" + h.hexdigest()


def _stored_stats(stats: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: (np.asarray(v).astype(np.int8) if np.asarray(v).dtype == bool
                else np.asarray(v)) for k, v in stats.items()}


def _dims(name: str, shape: tuple[int, ...], spec: Any) -> tuple[str, ...]:
    named = [d for d, _ in spec] if spec and len(spec) == len(shape) - 2 else []
    return ("chain", "draw", *(named or [f"{name}_dim_{i}" for i in range(len(shape) - 2)]))


def write(result: Any, path: str | os.PathLike) -> None:
    """Write ``result`` to ``path`` (netCDF4/HDF5 via h5netcdf), atomically."""
    import xarray as xr

    path = Path(path)
    kind = type(result).file_kind
    meta = {"format_version": FORMAT_VERSION, **({} if kind == "fit" else {"kind": kind}),
            **result._file_meta()}
    meta = json.loads(json.dumps(meta))  # the form read gives back (tuples become lists)
    post = result._posterior()
    posterior = {k: np.asarray(v) for k, v in post.samples.items()}
    stats = _stored_stats(post.all_stats)
    meta["digest"] = _digest(meta, {"posterior": posterior, "sample_stats": stats})
    ds = xr.Dataset({k: (_dims(k, v.shape, post.dims.get(k)), v)
                     for k, v in posterior.items()})
    sstats = xr.Dataset({k: ((("chain", "draw") if np.ndim(v) == 2 else ("chain",)), v)
                         for k, v in stats.items()})
    tree = xr.DataTree.from_dict({"posterior": ds, "sample_stats": sstats})
    tree.attrs["bayescale"] = json.dumps(meta)
    tmp = path.with_name(path.name + ".tmp")
    tree.to_netcdf(tmp, engine="h5netcdf")
    os.replace(tmp, path)  # never leave a half-written file in place of a good one


# ---- read ----------------------------------------------------------------------------
def _read_bytes(path: Path, shown: str) -> bytes:
    """The whole file, opened only if it is a regular file (never a FIFO or device)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FitFileError(f"no such file: {shown}") from None
    except OSError as exc:
        raise FitFileError(f"{shown} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FitFileError(f"{shown} is {kind}; a saved fit is a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FitFileError(f"{shown} cannot be opened: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced since os.stat
            raise FitFileError(f"{shown} is not a regular file")
        return f.read()


@contextlib.contextmanager
def _quiet_half_built_files() -> Iterator[None]:
    """Drop the errors of h5netcdf's ``File.close`` on objects whose ``__init__`` failed.

    A damaged file can stop ``h5netcdf.File.__init__`` before it sets the attributes its
    ``close`` (run by ``__del__``) reads; the ``AttributeError`` would surface later as
    an unraisable exception in the user's session. Other unraisable errors pass on.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        where = getattr(unraisable.object, "__module__", "") or ""
        if not (isinstance(unraisable.exc_value, AttributeError)
                and where.startswith("h5netcdf")):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def read(path: Path, law: Any, shown: str) -> Any:
    """The verified result in ``path`` (``shown``: how errors name the file)."""
    import xarray as xr

    blob = _read_bytes(path, shown)
    if not blob.startswith(b"\x89HDF\r\n\x1a\n"):
        raise FitFileError(f"{shown} is not a netCDF4/HDF5 file (truncated, or another "
                           "kind of file)")
    try:
        tree = xr.open_datatree(io.BytesIO(blob), engine="h5netcdf", decode_cf=False)
        with tree:
            tree = tree.load()
    except Exception as exc:
        message = (f"{shown} is not a readable netCDF file ({type(exc).__name__}: "
                   f"{str(exc)[:300]})")
        with _quiet_half_built_files():
            exc.__traceback__ = None    # frees the half-built file objects here, quietly
            gc.collect()
        raise FitFileError(message) from None
    text = tree.attrs.get("bayescale")
    if not isinstance(text, str):
        raise FitFileError(f"{shown} is not a bayescale fit (no metadata)")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FitFileError(f"{shown}: the metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise FitFileError(f"{shown}: the metadata is not a JSON object")
    version = meta.get("format_version")
    if isinstance(version, bool) or version not in _KNOWN_VERSIONS:
        raise FitFileError(f"{shown} has format version {version!r}; this bayescale reads "
                           f"versions {list(_KNOWN_VERSIONS)} (a newer bayescale wrote it, "
                           "or the file is damaged)")
    groups = set(tree.children)
    if groups != {"posterior", "sample_stats"}:
        raise FitFileError(f"{shown} holds the groups {sorted(groups)}; a saved fit has "
                           "'posterior' and 'sample_stats'")
    arrays = {g: {k: (v.dims, v.values) for k, v in tree[g].data_vars.items()}
              for g in ("posterior", "sample_stats")}
    if version >= 2:
        digest = meta.get("digest")
        if digest != _digest(meta, {g: {k: a for k, (_, a) in vs.items()}
                                    for g, vs in arrays.items()}):
            raise FitFileError(f"{shown} was modified or damaged after it was saved: its "
                               "integrity digest does not match its contents")
    else:
        warnings.warn(f"{shown} was saved in format version 1, without an integrity digest: "
                      "it cannot be verified; save it again to add one",
                      FitFileWarning, stacklevel=4)
    kind = meta.get("kind", "fit")
    if not isinstance(kind, str) or kind not in KINDS:
        raise FitFileError(f"{shown} holds a result of kind {kind!r}; this bayescale reads "
                           f"{one_of(KINDS)}")
    module, _, name = KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)._from_file(meta, arrays, law)
