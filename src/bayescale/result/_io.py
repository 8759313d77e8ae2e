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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError, BayescaleWarning, FitFileError
from bayescale.engine._data import pad
from bayescale.engine._potential import log_likelihood_points
from bayescale.engine._space import make_space
from bayescale.laws._law import Law
from bayescale.result._fit_file import _build
from bayescale.result._law_spec import _law_spec

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._fit import Fit

__all__ = ["FitFileWarning", "load", "pointwise_log_likelihood", "save", "to_datatree"]

#: 1: no digest (still loads, with a warning); 2: digest over metadata and arrays.
FORMAT_VERSION = 2
_KNOWN_VERSIONS = (1, 2)


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
    """ArviZ DataTree: posterior, sample_stats, log_likelihood, posterior_predictive, observed_data.

    ``posterior_predictive`` holds one replicated data set per posterior draw: new
    observations at the observed inputs drawn from the fit's likelihood (fixed seed 0,
    so the group is the same on every call; no extrapolation drift, as in
    ``log_likelihood``), with the dims of ``observed_data`` (``chain``, ``draw``,
    ``obs``), so that ArviZ's predictive checks (``az.plot_ppc_dist``, ``az.loo_pit``)
    run on it.
    """
    import arviz as az  # imports matplotlib: kept out of `bs.load`

    stats = {k: np.asarray(v) for k, v in fit.sample_stats.items() if k != "step_size"}
    stats["tree_depth"] = np.floor(np.log2(np.asarray(fit.sample_stats["n_steps"]) + 1))
    obs = {fit.y: fit.dataset.y}
    num_chains = np.asarray(next(iter(fit.posterior.values()))).shape[0]
    rep = fit.predict_draws(kind="predictive", seed=0, discrepancy=False,
                            **fit.dataset.x)
    rep = np.asarray(rep, dtype=float).reshape(num_chains, -1, fit.dataset.n)
    return az.from_dict(
        {"posterior": {k: np.asarray(v) for k, v in fit.posterior.items()},
         "sample_stats": stats,
         "log_likelihood": {fit.y: fit.log_likelihood()},
         "posterior_predictive": {fit.y: rep},
         "observed_data": obs},
        dims={fit.y: ["obs"]},
        attrs={"/": {"bayescale_law": fit.law.name,
                     "bayescale_likelihood": fit.likelihood.name}},
    )

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
