"""ArviZ export and netCDF save/load of fits (JSON metadata, never pickle)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError
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

__all__ = ["load", "pointwise_log_likelihood", "save", "to_datatree"]

FORMAT_VERSION = 1


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


def _law_from_spec(spec: dict[str, Any], law: Law | None) -> Law:
    if law is not None:
        return law
    if spec["kind"] == "registry":
        return _registry.get(spec["name"], **spec.get("options", {}))
    if spec["kind"] == "formula":
        priors = {k: Prior.from_dict(v) for k, v in spec.get("priors", {}).items()}
        return from_formula(spec["formula"], name=spec.get("name"),
                            inputs=tuple(spec["inputs"]), priors=priors or None)
    raise BayescaleError(f"this file holds a fit of the custom law {spec['name']!r}, which "
                         "is not in the registry; pass it: bs.load(path, law=my_law)")


def save(fit: Fit, path: str | os.PathLike) -> None:
    """Write ``fit`` to ``path`` (netCDF4/HDF5 via h5netcdf)."""
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
    post = xr.Dataset({k: (("chain", "draw"), np.asarray(v)) for k, v in fit.posterior.items()})
    stats = xr.Dataset({
        k: ((("chain", "draw") if np.ndim(v) == 2 else ("chain",)),
            np.asarray(v).astype(np.int8) if v.dtype == bool else np.asarray(v))
        for k, v in fit.sample_stats.items()})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    tree.attrs["bayescale"] = json.dumps(meta)
    tmp = path.with_name(path.name + ".tmp")
    tree.to_netcdf(tmp, engine="h5netcdf")
    os.replace(tmp, path)  # never leave a half-written file in place of a good one


def load(path: str | os.PathLike, *, law: Law | None = None) -> Fit:
    """Read a fit written by :meth:`Fit.save`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    law : Law, optional
        Needed only for fits of custom (unregistered) laws.

    Returns
    -------
    Fit
    """
    from bayescale.result._fit import Fit

    path = Path(path)
    if not path.exists():
        raise BayescaleError(f"no such file: {str(path)!r}")
    try:
        tree = xr.open_datatree(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise BayescaleError(f"{str(path)!r} is not a readable netCDF file: {exc}") from None
    with tree:
        tree = tree.load()
    if "bayescale" not in tree.attrs:
        raise BayescaleError(f"{str(path)!r} is not a bayescale fit (no metadata)")
    meta = json.loads(tree.attrs["bayescale"])
    posterior = {k: v.values for k, v in tree["posterior"].data_vars.items()}
    stats = {}
    for name, v in tree["sample_stats"].data_vars.items():
        v = v.values
        stats[name] = v.astype(bool) if name == "diverging" else v
    dataset = Dataset.from_dict(meta["dataset"])
    make_stats(dataset)  # validates the stored data
    # files written before likelihood_spec existed hold the name only ("binomial_14042"
    # parses back; the name rounds item counts to 6 significant digits)
    try:
        likelihood = _lik.spec_to_likelihood(
            meta.get("likelihood_spec", {"name": meta.get("likelihood")}))
    except BayescaleError as exc:
        raise BayescaleError(f"{str(path)!r} holds a fit whose likelihood this version of "
                             f"bayescale cannot rebuild: {exc}") from None
    return Fit(law=_law_from_spec(meta["law"], law),
               likelihood=likelihood,
               priors={k: Prior.from_dict(v) for k, v in meta["priors"].items()},
               dataset=dataset, posterior=posterior, sample_stats=stats,
               settings=meta["settings"], mode=meta.get("mode"), timing=meta.get("timing"),
               discrepancy=_discrepancy(meta.get("discrepancy"), path))


def _discrepancy(spec: Any, path: Path) -> Discrepancy | None:
    if spec is None:
        return None
    try:
        return Discrepancy.from_dict(spec)
    except BayescaleError as exc:
        raise BayescaleError(f"{str(path)!r}: {exc}") from None
