"""The on-disk export cache verifies what it reads (issue 17, item 1).

One corrupted ``bayescale-export/*.jaxexport`` file used to break every later fit of that
law and size (``JaxRuntimeError: Failed to deserialize StableHLO``), and two formula laws
with equal shapes were served each other's program if their files were swapped (a
silently different posterior). Now every entry carries a digest of its payload and the
full key text: a flipped bit, a truncation, a swapped or foreign file, a stray temporary
file of a killed writer and a read-only folder each cost at most a ``CacheWarning`` and a
re-export, and the draws equal those of a fit that never saw a cache, bit for bit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import bayescale as bs
from bayescale._errors import CacheWarning
from bayescale.engine import _export
from bayescale.result import DiagnosticWarning

LAW_A = "loss ~ E + A / C**alpha"
LAW_B = "loss ~ E + A / C**(2*alpha)"  # the same parameters and shapes, other curves
KW = dict(x="C", y="loss", num_chains=2, num_warmup=150, num_samples=150, seed=3,
          progress=False, discrepancy=False)


def _fresh_process_state() -> None:
    """Forget the exported programs this process holds, as a new process would."""
    _export._MEM.clear()
    _export._PENDING.clear()


def _fit(law: str, cache: Path | None, monkeypatch) -> tuple[dict, list]:
    """Fit ``law`` with the export cache in ``cache`` (None: no cache at all)."""
    monkeypatch.setattr(_export, "_cache_dir", lambda: cache)
    _fresh_process_state()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DiagnosticWarning)
        fit = bs.fit(bs.datasets.example("saturating"), law, **KW)
    _fresh_process_state()
    got = [w for w in caught if issubclass(w.category, CacheWarning)]
    return {k: np.asarray(v) for k, v in fit.posterior.items()}, got


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
        and a[k].tobytes() == b[k].tobytes() for k in a)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Draws without a cache, and a cache filled by a first fit of each law."""
    mp = pytest.MonkeyPatch()
    try:
        base = {law: _fit(law, None, mp)[0] for law in (LAW_A, LAW_B)}
        filled = tmp_path_factory.mktemp("filled") / "bayescale-export"
        for law in (LAW_A, LAW_B):
            draws, got = _fit(law, filled, mp)
            assert not got, [str(w.message) for w in got]
            assert _same(draws, base[law]), "a fit that fills the cache changed the draws"
    finally:
        mp.undo()
    assert not _same(base[LAW_A], base[LAW_B])
    return base, filled


def _entries(cache: Path, tag: str = "nuts") -> list[Path]:
    return sorted(cache.glob(f"{tag}-*.jaxexport"))


def _copy(filled: Path, tmp_path: Path) -> Path:
    cache = tmp_path / "bayescale-export"
    shutil.copytree(filled, cache)
    return cache


def _header(path: Path) -> dict:
    import json

    blob = path.read_bytes()
    head = len(_export.MAGIC) + 8
    size = int.from_bytes(blob[head - 4:head], "big")
    return json.loads(blob[head:head + size])


def _entry_of(cache: Path, law: str, tag: str = "nuts") -> Path:
    """The entry of ``law``: the one whose key text holds its canonical formula."""
    from bayescale.laws._formula import from_formula

    canon = from_formula(law).key[1]
    hits = [p for p in _entries(cache, tag) if canon in _header(p)["key"]]
    assert len(hits) == 1, (canon, [_header(p)["key"][:300] for p in _entries(cache, tag)])
    return hits[0]


def test_a_cache_hit_reads_verified_entries(reference, tmp_path, monkeypatch):
    base, filled = reference
    cache = _copy(filled, tmp_path)
    for p in _entries(cache, "*"):
        assert p.read_bytes().startswith(_export.MAGIC)
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert not got and _same(draws, base[LAW_A])


@pytest.mark.parametrize("where", ["magic", "version", "header", "payload-start",
                                   "payload-middle", "payload-end"])
def test_a_flipped_bit_is_detected_and_the_entry_rebuilt(reference, tmp_path, monkeypatch,
                                                         where):
    base, filled = reference
    cache = _copy(filled, tmp_path)
    path = _entry_of(cache, LAW_A)
    blob = bytearray(path.read_bytes())
    head = len(_export.MAGIC) + 8
    header_len = int.from_bytes(blob[len(_export.MAGIC) + 4:head], "big")
    start = head + header_len
    pos = {"magic": 3, "version": len(_export.MAGIC) + 3, "header": head + header_len // 2,
           "payload-start": start + 5, "payload-middle": (start + len(blob)) // 2,
           "payload-end": len(blob) - 3}[where]
    blob[pos] ^= 0x10
    path.write_bytes(bytes(blob))
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and str(path) in str(got[0].message)
    assert _same(draws, base[LAW_A])
    # the entry was rewritten: the next process reads it without a word
    assert path.read_bytes().startswith(_export.MAGIC)
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert not got and _same(draws, base[LAW_A])


@pytest.mark.parametrize("keep", [0, 7, 30, 200, -1000, -1])
def test_a_truncated_entry_is_detected(reference, tmp_path, monkeypatch, keep):
    base, filled = reference
    cache = _copy(filled, tmp_path)
    path = _entry_of(cache, LAW_A)
    blob = path.read_bytes()
    path.write_bytes(blob[:keep] if keep >= 0 else blob[:len(blob) + keep])
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and "truncated" in str(got[0].message)
    assert _same(draws, base[LAW_A])


def test_swapped_entries_of_two_formulas_are_not_served(reference, tmp_path, monkeypatch):
    base, filled = reference
    cache = _copy(filled, tmp_path)
    for tag in ("nuts", "init"):
        a, b = _entry_of(cache, LAW_A, tag), _entry_of(cache, LAW_B, tag)
        blob_a, blob_b = a.read_bytes(), b.read_bytes()
        a.write_bytes(blob_b)
        b.write_bytes(blob_a)
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert got and all("another law" in str(w.message) for w in got)
    assert _same(draws, base[LAW_A])
    draws, got = _fit(LAW_B, cache, monkeypatch)
    assert _same(draws, base[LAW_B])


def test_a_pre_verification_entry_is_replaced(reference, tmp_path, monkeypatch):
    """A bare serialised program (the old layout) under an entry's name is not trusted."""
    base, filled = reference
    cache = _copy(filled, tmp_path)
    a, b = _entry_of(cache, LAW_A), _entry_of(cache, LAW_B)
    blob = b.read_bytes()
    a.write_bytes(blob[len(_export.MAGIC) + 8 + int.from_bytes(
        blob[len(_export.MAGIC) + 4:len(_export.MAGIC) + 8], "big"):])
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and "magic" in str(got[0].message)
    assert _same(draws, base[LAW_A])


def test_a_killed_writer_leaves_nothing_that_is_read(reference, tmp_path, monkeypatch):
    """A writer killed mid-write leaves a partial temporary file (never read) or, with a
    non-atomic writer, a truncated entry (rejected)."""
    base, filled = reference
    cache = _copy(filled, tmp_path)
    path = _entry_of(cache, LAW_A)
    blob = path.read_bytes()
    (cache / f".{path.name}.999999-0123456789ab.tmp").write_bytes(blob[:len(blob) // 3])
    init = _entry_of(cache, LAW_A, "init")
    init.write_bytes(init.read_bytes()[:len(init.read_bytes()) // 2])
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and str(init) in str(got[0].message)
    assert _same(draws, base[LAW_A])


def test_a_directory_in_place_of_an_entry(reference, tmp_path, monkeypatch):
    base, filled = reference
    cache = _copy(filled, tmp_path)
    path = _entry_of(cache, LAW_A)
    path.unlink()
    path.mkdir()
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert got and _same(draws, base[LAW_A])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind (not root)")
def test_read_only_cache_runs_without_it(reference, tmp_path, monkeypatch):
    base, _ = reference
    cache = tmp_path / "bayescale-export"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        draws, got = _fit(LAW_A, cache, monkeypatch)
    finally:
        cache.chmod(0o755)
    assert len(got) == 1 and "cannot write" in str(got[0].message)
    assert _same(draws, base[LAW_A])


@pytest.mark.parametrize("errno_name", ["EROFS", "ENOSPC", "EACCES"])
def test_unwritable_or_full_cache_runs_without_it(reference, tmp_path, monkeypatch,
                                                 errno_name):
    """A read-only file system, a full disk or no permission (simulated: root ignores
    modes): one warning, the fit goes on."""
    import errno

    base, _ = reference
    cache = tmp_path / "bayescale-export"
    real_open = os.open

    def failing_open(path, flags, *a, **k):
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            code = getattr(errno, errno_name)
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(_export.os, "open", failing_open)
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and "cannot write" in str(got[0].message)
    assert _same(draws, base[LAW_A])
    assert not list(cache.glob("*"))


def test_disk_full_mid_write_leaves_no_entry(reference, tmp_path, monkeypatch):
    import errno

    base, _ = reference
    cache = tmp_path / "bayescale-export"
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd, mode="r", *a, **k):
        f = real_fdopen(fd, mode, *a, **k)
        return Full(f) if "w" in mode else f

    monkeypatch.setattr(_export.os, "fdopen", fdopen)
    draws, got = _fit(LAW_A, cache, monkeypatch)
    assert len(got) == 1 and "No space" in str(got[0].message)
    assert _same(draws, base[LAW_A])
    assert not list(cache.glob("*")) and not list(cache.glob(".*"))


_CHILD = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    import bayescale as bs
    from bayescale._errors import CacheWarning
    warnings.simplefilter("ignore")
    warnings.simplefilter("error", CacheWarning)
    fit = bs.fit(bs.datasets.example("saturating"), sys.argv[2], **eval(sys.argv[3]))
    np.savez(sys.argv[1], **{k: np.asarray(v) for k, v in fit.posterior.items()})
""")


def _child(out: Path, cache_root: Path) -> subprocess.Popen:
    env = dict(os.environ, JAX_PLATFORMS="cpu", BAYESCALE_JAX_CACHE_DIR=str(cache_root))
    env.pop("BAYESCALE_JAX_CACHE", None)
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(out), LAW_A, repr(KW)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_two_processes_fill_an_empty_cache_at_once(reference, tmp_path):
    base, _ = reference
    root = tmp_path / "jax"
    procs = [_child(tmp_path / f"p{i}.npz", root) for i in range(2)]
    for p in procs:
        out, _ = p.communicate(timeout=600)
        assert p.returncode == 0, out.decode()[-3000:]
    cache = root / "bayescale-export"
    assert _entries(cache) and not list(cache.glob(".*.tmp"))
    for i in range(2):
        got = dict(np.load(tmp_path / f"p{i}.npz"))
        assert _same(got, base[LAW_A])
    # a third process reads what they left, without a warning (CacheWarning is an error)
    p = _child(tmp_path / "p2.npz", root)
    out, _ = p.communicate(timeout=600)
    assert p.returncode == 0, out.decode()[-3000:]
    assert _same(dict(np.load(tmp_path / "p2.npz")), base[LAW_A])
