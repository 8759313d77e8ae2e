"""Saved fits that were edited, damaged or are not files at all (issue 17, item 2).

``bs.load`` used to trust the metadata: a law name edited to ``power_law`` made
``predict(C=1e22)`` return 0.273 instead of 2.15 with ``E`` silently dropped, and an edited
formula, likelihood, dataset (3 y for 14 x) or garbage priors loaded too; of 300 single-bit
flips, 115 raised KeyError, JSONDecodeError or RuntimeError; a FIFO or a ``bnsl`` file
with a million breaks hung. Now every saved fit carries a format version and a digest
over its metadata and arrays, the metadata is checked against the draws, only regular
files are opened, and every failure is one ``FitFileError`` (a ``BayescaleError``) naming
the file. Each edit is tried twice: as is (the digest catches it) and re-signed with a
valid digest, as a buggy writer or a deliberate forger would (the checks after the digest
catch what does not fit the draws).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import bayescale as bs
from bayescale._errors import FitFileError
from bayescale.result import DiagnosticWarning

GROUPS = ("posterior", "sample_stats")


@pytest.fixture(scope="session")
def saved(tmp_path_factory) -> tuple[bs.result.Fit, Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticWarning)
        fit = bs.fit(bs.datasets.example("saturating"), "saturating_power", x="C", y="loss",
                     num_chains=2, num_warmup=200, num_samples=200, progress=False)
    path = tmp_path_factory.mktemp("tamper") / "fit.nc"
    fit.save(path)
    return fit, path


def _read(path: Path) -> tuple[dict, dict]:
    import xarray as xr

    with xr.open_datatree(path, engine="h5netcdf") as tree:
        tree = tree.load()
    meta = json.loads(tree.attrs["bayescale"])
    arrays = {g: {k: (v.dims, v.values) for k, v in tree[g].data_vars.items()} for g in GROUPS}
    return meta, arrays


def _write(dst: Path, meta: dict, arrays: dict, resign: bool) -> Path:
    import xarray as xr

    from bayescale.result._io import _digest

    if resign:
        meta["digest"] = _digest(meta, {g: {k: a for k, (_, a) in vs.items()}
                                        for g, vs in arrays.items()})
    tree = xr.DataTree.from_dict({g: xr.Dataset({k: (d, a) for k, (d, a) in vs.items()})
                                  for g, vs in arrays.items()})
    tree.attrs["bayescale"] = json.dumps(meta)
    tree.to_netcdf(dst, engine="h5netcdf")
    return dst


def _edited(src: Path, dst: Path, edit, resign: bool) -> Path:
    meta, arrays = _read(src)
    edit(meta, arrays)
    return _write(dst, meta, arrays, resign)


def _set(*keys_value):
    *keys, value = keys_value

    def edit(meta, arrays):
        d = meta
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value(d[keys[-1]]) if callable(value) else value
    return edit


def _drop_var(group, name):
    def edit(meta, arrays):
        del arrays[group][name]
    return edit


def _other_dims(name):
    def edit(meta, arrays):
        _, a = arrays["posterior"][name]
        arrays["posterior"][name] = (("chain", "step"), a[:, :-1])
    return edit


def _short_stats(meta, arrays):
    stats = arrays["sample_stats"]
    for k, (dims, a) in list(stats.items()):
        if a.ndim == 2:
            stats[k] = (dims, a[:, :-1])


EDITS = {
    # the repros
    "law-name-power_law": (_set("law", "name", "power_law"), "do not match the model"),
    "formula-same-params": (_set("law", {"kind": "formula", "formula": "loss ~ E + A * x**alpha",
                                         "inputs": ["x"], "priors": {}, "name": None}), None),
    "formula-other-params": (_set("law", {"kind": "formula", "formula": "loss ~ B * x**beta",
                                          "inputs": ["x"], "priors": {}, "name": None}),
                             "do not match the model"),
    "likelihood-normal_log": (lambda m, a: (m.update(likelihood="normal_log"),
                                            m.update(likelihood_spec={"name": "normal_log"})),
                              "do not match the model"),
    "likelihood-name-only": (_set("likelihood", "normal"), "likelihood is named"),
    "dataset-3-y-for-14-x": (_set("dataset", "y", lambda y: y[:3]), "for 3 response"),
    "dataset-nan-x": (_set("dataset", "x", "x", lambda x: [float("nan")] + x[1:]),
                      "non-finite"),
    "dataset-negative-y": (_set("dataset", "y", lambda y: [-1.0] + y[1:]), "<= 0"),
    "dataset-other-inputs": (_set("dataset", "x", lambda x: {"N": x["x"]}), "takes"),
    "priors-unknown-family": (_set("priors", {"E": {"family": "Garbage", "args": [1.0]}}),
                              "prior of 'E'"),
    "priors-not-a-mapping": (_set("priors", {"E": "garbage"}), "prior of 'E'"),
    "priors-bad-argument": (_set("priors", {"E": {"family": "Normal", "args": [0.0, -1.0]}}),
                            "prior of 'E'"),
    "priors-unknown-param": (_set("priors", {"zeta": {"family": "Normal", "args": [0, 1]}}),
                             "not parameters"),
    "priors-list": (_set("priors", [1, 2]), "not a mapping"),
    "removed-posterior-var": (_drop_var("posterior", "E"), "missing from the draws"),
    "removed-sample-stat": (_drop_var("sample_stats", "diverging"), "missing"),
    "other-draw-dims": (_other_dims("alpha"), "(chain, draw) array"),
    "stats-fewer-draws": (_short_stats, "expected ('chain', 'draw'), (2, 200)"),
    "bnsl-1e6-breaks": (_set("law", {"kind": "registry", "name": "bnsl",
                                     "options": {"n_breaks": 10**6}}), "n_breaks"),
    "bnsl-bad-option": (_set("law", {"kind": "registry", "name": "bnsl",
                                     "options": {"n_pools": 3}}), "takes the options"),
    "unknown-law-kind": (_set("law", "kind", "pickle"), "unknown kind"),
    "format-version-99": (_set("format_version", 99), "format version 99"),
    "format-version-string": (_set("format_version", "2"), "format version"),
    "max-tree-depth-huge": (_set("settings", "max_tree_depth", 10**9), "max_tree_depth"),
    "num-chains-mismatch": (_set("settings", "num_chains", 7), "num_chains"),
    "mode-garbage": (_set("mode", {"E": "x"}), "mode"),
    "discrepancy-garbage": (_set("discrepancy", {"axis": 3}), ""),
    "metadata-not-an-object": (lambda m, a: (m.clear(), m.update(format_version=2)), ""),
}


def _load_promptly(path: Path, timeout: float = 20.0, release=None, **kw):
    """``bs.load(path)`` in a thread: its result or exception, or a failure if it hangs
    (``release()`` is called until the thread ends, to unblock it)."""
    box = {}

    def run():
        try:
            box["fit"] = bs.load(path, **kw)
        except BaseException as exc:  # handed to the test
            box["exc"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        for _ in range(200 if release else 0):
            release()
            t.join(0.05)
            if not t.is_alive():
                break
        pytest.fail(f"bs.load({str(path)!r}) did not return within {timeout} s")
    return box


@pytest.mark.parametrize("resign", [False, True], ids=["as-edited", "re-signed"])
@pytest.mark.parametrize("case", list(EDITS))
def test_edited_file_is_rejected(saved, tmp_path, case, resign):
    fit, path = saved
    edit, match = EDITS[case]
    bad = _edited(path, tmp_path / f"{case}.nc", edit, resign)
    if case == "formula-same-params" and resign:
        # self-consistent: the same parameter names, a valid digest; it loads as what it
        # says it is (the digest is not a signature), and nothing is silently dropped
        back = bs.load(bad)
        assert back.law.key[0] == "formula" and back.param_names == fit.param_names
        return
    box = _load_promptly(bad)
    exc = box.get("exc")
    assert isinstance(exc, FitFileError), box
    assert str(bad) in str(exc)
    if not resign and not case.startswith("format-version"):
        assert "modified or damaged" in str(exc) or "metadata" in str(exc)
    elif match:
        assert match in str(exc), str(exc)


def test_power_law_repro_is_rejected(saved, tmp_path):
    """The issue's repro: predict(C=1e22) was 0.273 instead of 2.15, E dropped."""
    fit, path = saved
    good = float(fit.predict(C=1e22, kind="mean")["median"].iloc[0])
    bad = _edited(path, tmp_path / "power.nc", _set("law", "name", "power_law"), False)
    with pytest.raises(bs.BayescaleError, match=r"power\.nc' was modified or damaged"):
        bs.load(bad).predict(C=1e22, kind="mean")
    assert good == pytest.approx(float(bs.load(path).predict(C=1e22, kind="mean")
                                       ["median"].iloc[0]))


def test_version_1_file_loads_with_a_warning_and_is_still_checked(saved, tmp_path):
    from bayescale.result._io import FitFileWarning

    fit, path = saved

    def v1(meta, arrays):
        meta.pop("digest")
        meta["format_version"] = 1

    old = _edited(path, tmp_path / "v1.nc", v1, False)
    with pytest.warns(FitFileWarning, match="cannot be verified"):
        back = bs.load(old)
    for k in fit.posterior:
        assert np.array_equal(back.posterior[k], fit.posterior[k])
    worse = _edited(path, tmp_path / "v1-power.nc",
                    lambda m, a: (v1(m, a), m["law"].update(name="power_law")), False)
    with pytest.warns(FitFileWarning), pytest.raises(FitFileError, match="E"):
        bs.load(worse)


def test_a_removed_digest_is_not_a_version_1_file(saved, tmp_path):
    _, path = saved
    bad = _edited(path, tmp_path / "nodigest.nc", lambda m, a: m.pop("digest"), False)
    with pytest.raises(FitFileError, match="modified or damaged"):
        bs.load(bad)


@pytest.mark.parametrize("frac", [0.0, 1e-9, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99,
                                  0.999])
def test_truncated_file(saved, tmp_path, frac):
    _, path = saved
    blob = path.read_bytes()
    bad = tmp_path / "cut.nc"
    bad.write_bytes(blob[:int(len(blob) * frac) if frac else 0])
    box = _load_promptly(bad)
    assert isinstance(box.get("exc"), FitFileError), box
    assert str(bad) in str(box["exc"])


def _fingerprint(fit) -> tuple:
    """Everything a loaded fit holds: arrays bit for bit, and its metadata."""
    arrays = tuple((g, k, v.dtype.str, v.shape, v.tobytes())
                   for g, d in (("p", fit.posterior), ("s", fit.sample_stats))
                   for k, v in sorted(d.items()))
    meta = json.dumps({"law": [repr(fit.law.key), fit.law.name], "lik": fit.likelihood.name,
                       "priors": {k: v.to_dict() for k, v in fit.priors.items()},
                       "data": fit.dataset.to_dict(), "settings": dict(fit.settings),
                       "mode": dict(fit.mode), "timing": dict(fit.timing),
                       "disc": None if fit.discrepancy is None else fit.discrepancy.to_dict()},
                      sort_keys=True)
    return arrays, meta


N_FLIPS = 300


def test_single_bit_flips(saved, tmp_path):
    """Each flipped bit: a FitFileError naming the file, or a bit-identical fit."""
    fit, path = saved
    reference = _fingerprint(bs.load(path))
    assert reference == _fingerprint(fit)
    blob = path.read_bytes()
    rng = random.Random(17)
    outcomes = {"error": 0, "identical": 0}
    others = []
    bad = tmp_path / "flip.nc"
    for i in range(N_FLIPS):
        pos, bit = rng.randrange(len(blob)), rng.randrange(8)
        b = bytearray(blob)
        b[pos] ^= 1 << bit
        bad.write_bytes(bytes(b))
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                back = bs.load(bad)
        except FitFileError as exc:
            if str(bad) not in str(exc):
                others.append((i, pos, bit, f"error without the file name: {exc}"))
            else:
                outcomes["error"] += 1
        except BaseException as exc:  # anything else is the failure
            others.append((i, pos, bit, f"{type(exc).__name__}: {exc}"))
        else:
            if _fingerprint(back) == reference:
                outcomes["identical"] += 1
            else:
                others.append((i, pos, bit, "loaded, but not identical"))
        assert time.perf_counter() - t0 < 10, f"flip {i} at byte {pos} took too long"
    print(f"\n{N_FLIPS} single-bit flips of a {len(blob)}-byte file: "
          f"{outcomes['error']} FitFileError, {outcomes['identical']} bit-identical loads, "
          f"{len(others)} other")
    assert not others, others[:10]
    assert outcomes["error"] > 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_is_refused_promptly(tmp_path):
    fifo = tmp_path / "fit.nc"
    os.mkfifo(fifo)

    def release():  # unblock a reader that bs.load left waiting in open() for a writer
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    box = _load_promptly(fifo, timeout=10, release=release)
    assert isinstance(box.get("exc"), FitFileError), box
    assert "not a regular file" in str(box["exc"])


def test_directory_is_refused(tmp_path):
    with pytest.raises(FitFileError, match="is a folder"):
        bs.load(tmp_path)


def test_missing_file_and_not_a_fit(tmp_path):
    with pytest.raises(FitFileError, match="no such file"):
        bs.load(tmp_path / "missing.nc")
    junk = tmp_path / "junk.nc"
    junk.write_bytes(b"not a netCDF file at all" * 10)
    with pytest.raises(FitFileError, match="not a netCDF4/HDF5 file"):
        bs.load(junk)
    with pytest.raises(FitFileError, match="path must be"):
        bs.load(3.5)


def test_other_netcdf_file_is_refused(tmp_path):
    import xarray as xr

    other = tmp_path / "other.nc"
    xr.Dataset({"a": ("t", np.arange(3.0))}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(FitFileError, match=r"not a bayescale fit|groups"):
        bs.load(other)


def test_wrong_law_argument_is_checked(saved):
    _, path = saved
    with pytest.raises(FitFileError, match="do not match the model"):
        bs.load(path, law=bs.laws.get("power_law"))


def test_symlink_to_a_fit_loads(saved, tmp_path):
    fit, path = saved
    link = tmp_path / "link.nc"
    link.symlink_to(path)
    assert _fingerprint(bs.load(link)) == _fingerprint(fit)
