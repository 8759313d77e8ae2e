"""ArviZ export and netCDF save/load of fits (JSON metadata, never pickle).

A saved fit is a netCDF4/HDF5 file with two groups, ``posterior`` and ``sample_stats``
(arrays of shape ``(chain, draw)`` or ``(chain,)``), and its metadata as JSON in the root
attribute ``bayescale``: the law (registry name and options, formula, or a custom law's
name), likelihood, priors, data, settings, posterior mode, timings, discrepancy, the
format version and an integrity digest. The digest is a sha256 over the canonical JSON of
the rest of the metadata and the name, dtype, shape and bytes of every stored array, so a
file edited, truncated or corrupted after it was saved does not load. :func:`load` also
checks that the metadata matches the draws (the law's and likelihood's parameter names,
equal shapes, the data's lengths, bounded law options, priors that parse), opens regular
files only, and turns every failure into one :class:`~bayescale._errors.FitFileError`
naming the file and what is wrong. The digest guards against accidents (a flipped bit, a
hand edit), not against someone who rewrites the file and its digest; what the checks
after it reject, they reject either way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import warnings
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError, BayescaleWarning, FitFileError
from bayescale.data import Dataset
from bayescale.discrepancy import Discrepancy
from bayescale.engine._data import make_stats, pad
from bayescale.engine._potential import log_likelihood_points
from bayescale.engine._space import make_space
from bayescale.laws import _registry
from bayescale.laws._formula import from_formula
from bayescale.laws._law import Law
from bayescale.priors import Prior

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._fit import Fit

__all__ = ["FitFileWarning", "load", "pointwise_log_likelihood", "save", "to_datatree"]

#: 1: no digest (still loads, with a warning); 2: digest over metadata and arrays.
FORMAT_VERSION = 2
_KNOWN_VERSIONS = (1, 2)
#: The sampler statistics a fit may carry; the first four are required.
_STATS = ("diverging", "n_steps", "acceptance_rate", "step_size", "lp", "energy")
#: Bounds on the options of registered law factories stored in a file: building a law is
#: cheap only for small ones (``bnsl`` with a million breaks would not finish).
_OPTION_BOUNDS = {"n_breaks": (1, 8), "n_pools": (1, 32)}
_MAX_TREE_DEPTH = 30


class FitFileWarning(BayescaleWarning):
    """A saved fit loaded, but could not be fully verified (an old format version)."""


def pointwise_log_likelihood(fit: Fit) -> np.ndarray:
    """Log density of each observation under each draw, ``(chain, draw, n)``."""
    space = make_space(fit.law, fit.likelihood, fit.priors)
    data = pad(fit.dataset, size=fit.dataset.n)
    flat = {k: jnp.asarray(np.asarray(v).reshape(-1)) for k, v in fit.posterior.items()}
    f = jax.jit(jax.vmap(lambda p: log_likelihood_points(space, p, data)))
    ll = np.asarray(f(flat))
    c = fit.num_chains
    return ll.reshape(c, -1, fit.dataset.n)


def to_datatree(fit: Fit) -> Any:
    """ArviZ DataTree with posterior, sample_stats, log_likelihood and observed_data."""
    import arviz as az  # imports matplotlib: kept out of `bs.load`

    stats = {k: np.asarray(v) for k, v in fit.sample_stats.items() if k != "step_size"}
    stats["tree_depth"] = np.floor(np.log2(np.asarray(fit.sample_stats["n_steps"]) + 1))
    obs = {fit.y: fit.dataset.y}
    return az.from_dict(
        {"posterior": {k: np.asarray(v) for k, v in fit.posterior.items()},
         "sample_stats": stats,
         "log_likelihood": {fit.y: fit.log_likelihood()},
         "observed_data": obs},
        dims={fit.y: ["obs"]},
        attrs={"/": {"bayescale_law": fit.law.name,
                     "bayescale_likelihood": fit.likelihood.name}},
    )


#: Registered law factories: the options that their laws' keys carry, in order.
_FACTORY_OPTIONS = {"bnsl": ("n_breaks",), "sigmoid_accuracy": ("floor", "increasing"),
                    "data_filtering": ("n_pools",)}


def _law_spec(law: Law) -> dict[str, Any]:
    if law.key and law.key[0] == "formula":
        return {"kind": "formula", "formula": law.key[1], "inputs": list(law.key[2]),
                "priors": {k: v.to_dict() for k, v in law.key[3]}, "name": law.name}
    if law.key and law.key[0] == "law" and law.key[1] in _FACTORY_OPTIONS:
        names = _FACTORY_OPTIONS[law.key[1]]
        return {"kind": "registry", "name": law.key[1],
                "options": dict(zip(names, law.key[2:2 + len(names)], strict=True))}
    if law.name in _registry.names() and _registry.get(law.name) is law:
        return {"kind": "registry", "name": law.name, "options": {}}
    return {"kind": "custom", "name": law.name, "formula": law.formula}


def _check_options(name: str, options: Any) -> dict[str, Any]:
    if not isinstance(options, dict):
        raise FitFileError(f"the options of law {name!r} are not a mapping: {options!r}")
    allowed = _FACTORY_OPTIONS.get(name, ())
    bad = sorted(set(options) - set(allowed))
    if bad:
        raise FitFileError(f"law {name!r} takes the options {list(allowed)}, the file "
                           f"gives {bad}")
    for key, value in options.items():
        if key in _OPTION_BOUNDS:
            lo, hi = _OPTION_BOUNDS[key]
            if (isinstance(value, bool) or not isinstance(value, Integral)
                    or not lo <= value <= hi):
                raise FitFileError(f"law {name!r}: option {key}={value!r} is out of the "
                                   f"range a saved fit may hold (an integer {lo}..{hi})")
        elif key == "floor" and not (isinstance(value, Real) and not isinstance(value, bool)
                                     and 0 <= value < 1):
            raise FitFileError(f"law {name!r}: option floor={value!r} must be in [0, 1)")
        elif key == "increasing" and not isinstance(value, bool):
            raise FitFileError(f"law {name!r}: option increasing={value!r} must be a bool")
    return options


def _law_from_spec(spec: dict[str, Any], law: Law | None) -> Law:
    if law is not None:
        if not isinstance(law, Law):
            raise BayescaleError(f"law= must be a bayescale Law, got {type(law).__name__}")
        return law
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str | None):
        raise FitFileError(f"the law is not described by a mapping with a name: {spec!r}")
    kind = spec.get("kind")
    if kind in ("registry", "custom") and not isinstance(spec.get("name"), str):
        raise FitFileError(f"the {kind} law is stored without its name")
    if kind == "registry":
        return _registry.get(spec["name"], **_check_options(spec["name"],
                                                            spec.get("options", {})))
    if kind == "formula":
        if not isinstance(spec.get("formula"), str) or not isinstance(spec.get("inputs"),
                                                                      list):
            raise FitFileError("the formula law is stored without its formula or inputs")
        priors = spec.get("priors", {})
        if not isinstance(priors, dict):
            raise FitFileError(f"the formula's priors are not a mapping: {priors!r}")
        priors = {k: _prior(k, v) for k, v in priors.items()}
        return from_formula(spec["formula"], name=spec.get("name"),
                            inputs=tuple(spec["inputs"]), priors=priors or None)
    if kind == "custom":
        raise FitFileError(f"this file holds a fit of the custom law {spec['name']!r}, which "
                           "is not in the registry; pass it: bs.load(path, law=my_law)")
    raise FitFileError(f"unknown kind of law {kind!r}; accepted: 'registry', 'formula', "
                       "'custom'")


def _prior(name: Any, spec: Any) -> Prior:
    if not isinstance(name, str) or not isinstance(spec, dict):
        raise FitFileError(f"the prior of {name!r} is not a prior description: {spec!r}")
    try:
        if not isinstance(spec.get("args"), list) or not isinstance(spec.get("family"), str):
            raise TypeError("a family name and a list of arguments are needed")
        return Prior.from_dict(spec)
    except (BayescaleError, KeyError, TypeError, ValueError) as exc:
        raise FitFileError(f"the prior of {name!r} does not parse ({exc})") from None


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


def _stored_stats(fit: Fit) -> dict[str, np.ndarray]:
    return {k: (np.asarray(v).astype(np.int8) if np.asarray(v).dtype == bool
                else np.asarray(v)) for k, v in fit.sample_stats.items()}


def save(fit: Fit, path: str | os.PathLike) -> None:
    """Write ``fit`` to ``path`` (netCDF4/HDF5 via h5netcdf)."""
    import xarray as xr

    path = Path(path)
    meta = {
        "format_version": FORMAT_VERSION,
        "law": _law_spec(fit.law),
        "likelihood": fit.likelihood.name,
        "likelihood_spec": _lik.likelihood_spec(fit.likelihood),
        "priors": {k: v.to_dict() for k, v in fit.priors.items()},
        "dataset": fit.dataset.to_dict(),
        "settings": dict(fit.settings),
        "mode": dict(fit.mode),
        "timing": dict(fit.timing),
        "discrepancy": None if fit.discrepancy is None else fit.discrepancy.to_dict(),
    }
    meta = json.loads(json.dumps(meta))  # the form load reads back (tuples become lists)
    posterior = {k: np.asarray(v) for k, v in fit.posterior.items()}
    stats = _stored_stats(fit)
    meta["digest"] = _digest(meta, {"posterior": posterior, "sample_stats": stats})
    post = xr.Dataset({k: (("chain", "draw"), v) for k, v in posterior.items()})
    sstats = xr.Dataset({k: ((("chain", "draw") if np.ndim(v) == 2 else ("chain",)), v)
                         for k, v in stats.items()})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": sstats})
    tree.attrs["bayescale"] = json.dumps(meta)
    tmp = path.with_name(path.name + ".tmp")
    tree.to_netcdf(tmp, engine="h5netcdf")
    os.replace(tmp, path)  # never leave a half-written file in place of a good one


# ---- load ----------------------------------------------------------------------------
def load(path: str | os.PathLike, *, law: Law | None = None) -> Fit:
    """Read a fit written by :meth:`Fit.save`.

    The file is verified before use: its format version, its integrity digest (files of
    format version 1 have none: they load with a :class:`FitFileWarning`), and that the
    metadata matches the draws.

    Parameters
    ----------
    path : str or PathLike
        The file.
    law : Law, optional
        Needed only for fits of custom (unregistered) laws.

    Returns
    -------
    Fit

    Raises
    ------
    FitFileError
        (a :class:`BayescaleError`) for a missing, unreadable, malformed, modified or
        inconsistent file; the message names the file and what is wrong.
    """
    try:
        shown = repr(os.fspath(path))
    except TypeError:
        raise FitFileError(f"path must be a str or os.PathLike, got {type(path).__name__}"
                           ) from None
    try:
        return _load(Path(path), law, shown)
    except FitFileError as exc:
        if str(exc).startswith(shown):
            raise
        raise FitFileError(f"{shown}: {exc}") from None
    except BayescaleError as exc:  # a law, prior, likelihood or data error while rebuilding
        raise FitFileError(f"{shown}: {exc}") from None
    except Exception as exc:  # anything that a malformed file can make a library raise
        raise FitFileError(f"{shown} is not a valid bayescale fit ({type(exc).__name__}: "
                           f"{str(exc)[:300]})") from None


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


def _load(path: Path, law: Law | None, shown: str) -> Fit:
    import xarray as xr

    from bayescale.result._fit import Fit

    blob = _read_bytes(path, shown)
    if not blob.startswith(b"\x89HDF\r\n\x1a\n"):
        raise FitFileError(f"{shown} is not a netCDF4/HDF5 file (truncated, or another "
                           "kind of file)")
    try:
        tree = xr.open_datatree(io.BytesIO(blob), engine="h5netcdf", decode_cf=False)
        with tree:
            tree = tree.load()
    except Exception as exc:
        raise FitFileError(f"{shown} is not a readable netCDF file ({type(exc).__name__}: "
                           f"{str(exc)[:300]})") from None
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
    return _build(meta, arrays, law, Fit)


def _build(meta: dict[str, Any], arrays: dict[str, dict[str, tuple]], law: Law | None,
           fit_cls: type) -> Fit:
    """The Fit the checked metadata and arrays describe (every mismatch raises)."""
    for key in ("law", "priors", "dataset", "settings"):
        if key not in meta:
            raise FitFileError(f"the metadata has no {key!r} entry")
    # files written before likelihood_spec existed hold the name only ("binomial_14042"
    # parses back; the name rounds item counts to 6 significant digits)
    try:
        likelihood = _lik.spec_to_likelihood(
            meta.get("likelihood_spec", {"name": meta.get("likelihood")}))
    except BayescaleError as exc:
        raise FitFileError(f"it holds a fit whose likelihood this version of bayescale "
                           f"cannot rebuild: {exc}") from None
    if "likelihood" in meta and meta["likelihood"] != likelihood.name:
        raise FitFileError(f"the likelihood is named {meta['likelihood']!r} and described "
                           f"as {likelihood.name!r}")
    law_obj = _law_from_spec(meta["law"], law)
    names = tuple(law_obj.param_names) + tuple(likelihood.noise_names)
    posterior = _posterior(arrays["posterior"], names, law_obj, likelihood)
    chains, draws = next(iter(posterior.values())).shape
    stats = _sample_stats(arrays["sample_stats"], chains, draws)
    priors = meta["priors"]
    if not isinstance(priors, dict):
        raise FitFileError(f"the priors are not a mapping: {priors!r}")
    unknown = sorted(set(priors) - set(names))
    if unknown:
        raise FitFileError(f"priors for {unknown}, which are not parameters of this fit "
                           f"({list(names)})")
    priors = {k: _prior(k, v) for k, v in priors.items()}
    dataset = _dataset(meta["dataset"], law_obj, likelihood)
    settings = _settings(meta["settings"], chains)
    mode = _floats(meta.get("mode") or {}, "mode", names)
    timing = _floats(meta.get("timing") or {}, "timing", None)
    return fit_cls(law=law_obj, likelihood=likelihood, priors=priors, dataset=dataset,
                   posterior=posterior, sample_stats=stats, settings=settings, mode=mode,
                   timing=timing, discrepancy=_discrepancy(meta.get("discrepancy")))


def _posterior(arrays: dict[str, tuple], names: tuple[str, ...], law: Law,
               likelihood: Any) -> dict[str, np.ndarray]:
    if set(arrays) != set(names):
        missing, extra = sorted(set(names) - set(arrays)), sorted(set(arrays) - set(names))
        raise FitFileError(
            f"the draws do not match the model: law {law.name!r} with likelihood "
            f"{likelihood.name!r} has the parameters {list(names)}"
            + (f"; missing from the draws: {missing}" if missing else "")
            + (f"; in the draws but not in the model: {extra}" if extra else ""))
    shapes = set()
    for name, (dims, a) in arrays.items():
        if tuple(dims) != ("chain", "draw") or a.ndim != 2 or a.dtype.kind != "f":
            raise FitFileError(f"the draws of {name!r} are not a (chain, draw) array of "
                               f"floats (dims {tuple(dims)}, dtype {a.dtype})")
        shapes.add(a.shape)
    if len(shapes) != 1 or min(next(iter(shapes))) < 1:
        raise FitFileError(f"the draws have unequal or empty shapes {sorted(shapes)}")
    return {k: arrays[k][1] for k in names}


def _sample_stats(arrays: dict[str, tuple], chains: int, draws: int
                  ) -> dict[str, np.ndarray]:
    missing = [k for k in _STATS[:4] if k not in arrays]
    extra = sorted(set(arrays) - set(_STATS))
    if missing or extra:
        raise FitFileError(f"the sampler statistics should be {list(_STATS)} (the first "
                           f"four required); missing {missing}, unknown {extra}")
    out = {}
    for name, (dims, a) in arrays.items():
        want = ("chain",) if name == "step_size" else ("chain", "draw")
        shape = (chains,) if name == "step_size" else (chains, draws)
        if tuple(dims) != want or a.shape != shape or a.dtype.kind not in "biuf":
            raise FitFileError(f"the sampler statistic {name!r} has dims {tuple(dims)}, "
                               f"shape {a.shape} and dtype {a.dtype}; expected {want}, "
                               f"{shape}, numbers")
        out[name] = a.astype(bool) if name == "diverging" else a
    return out


def _dataset(spec: Any, law: Law, likelihood: Any) -> Dataset:
    if not isinstance(spec, dict) or not {"x", "y", "x_columns", "y_column"} <= set(spec):
        raise FitFileError("the stored data are not a mapping of x, y, x_columns, y_column")
    x, cols = spec["x"], spec["x_columns"]
    if not isinstance(x, dict) or tuple(x) != tuple(law.inputs):
        raise FitFileError(f"the stored data have the inputs "
                           f"{list(x) if isinstance(x, dict) else x!r}; law {law.name!r} "
                           f"takes {list(law.inputs)}")
    if (not isinstance(cols, list) or len(cols) != len(law.inputs)
            or not all(isinstance(c, str) for c in cols)
            or not isinstance(spec["y_column"], str)):
        raise FitFileError("the stored data's column names are malformed")
    try:
        y = np.asarray(spec["y"], dtype=float)
        xs = {k: np.asarray(v, dtype=float) for k, v in x.items()}
    except (TypeError, ValueError) as exc:
        raise FitFileError(f"the stored data are not numbers ({exc})") from None
    if y.ndim != 1 or y.size < 1:
        raise FitFileError(f"the stored response has shape {y.shape}; expected (n,), n >= 1")
    for k, v in xs.items():
        if v.shape != y.shape:
            raise FitFileError(f"the stored input {k!r} has {v.size} value(s) for "
                               f"{y.size} response value(s)")
        if not np.all(np.isfinite(v)):
            raise FitFileError(f"the stored input {k!r} holds non-finite values")
        if k in (law.positive_inputs or ()) and np.any(v <= 0):
            raise FitFileError(f"the stored input {k!r} holds values <= 0, which law "
                               f"{law.name!r} takes the logarithm of")
    if not np.all(np.isfinite(y)):
        raise FitFileError("the stored response holds non-finite values")
    if likelihood.log_scale and np.any(y <= 0):
        raise FitFileError(f"the stored response holds values <= 0, which likelihood "
                           f"{likelihood.name!r} takes the logarithm of")
    dataset = Dataset(xs, y, tuple(cols), spec["y_column"])
    make_stats(dataset)
    return dataset


def _settings(settings: Any, chains: int) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise FitFileError(f"the settings are not a mapping: {settings!r}")
    depth = settings.get("max_tree_depth", 10)
    if isinstance(depth, bool) or not isinstance(depth, Integral) or not (
            1 <= depth <= _MAX_TREE_DEPTH):
        raise FitFileError(f"setting max_tree_depth={depth!r} is not an integer "
                           f"1..{_MAX_TREE_DEPTH}")
    n = settings.get("num_chains", chains)
    if n != chains:
        raise FitFileError(f"setting num_chains={n!r}, but the draws have {chains} chain(s)")
    return settings


def _floats(values: Any, what: str, names: tuple[str, ...] | None) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise FitFileError(f"the {what} is not a mapping: {values!r}")
    for k, v in values.items():
        if names is not None and k not in names:
            raise FitFileError(f"the {what} names {k!r}, not a parameter of this fit")
        if not isinstance(v, Real) or isinstance(v, bool):
            raise FitFileError(f"the {what} of {k!r} is {v!r}, not a number")
    return values


def _discrepancy(spec: Any) -> Discrepancy | None:
    if spec is None:
        return None
    try:
        return Discrepancy.from_dict(spec)
    except BayescaleError as exc:
        raise FitFileError(str(exc)) from None
