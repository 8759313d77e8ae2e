"""ArviZ export of fits, and ``bs.load``: JSON metadata beside the draws, never pickle.

A fit's file holds the law (registry name and options, formula, or a custom law's name),
likelihood, priors, data, settings, posterior mode, timings and discrepancy
(:func:`fit_meta`), in the one format of every result (:mod:`bayescale.result._file`:
the format version, the integrity digest, the verified reading). :func:`load` also
checks, for a fit, that the metadata matches the draws (the law's and likelihood's
parameter names, equal shapes, the data's lengths, bounded law options, priors that
parse; :mod:`._fit_file`), and turns every failure into one
:class:`~bayescale._errors.FitFileError` naming the file and what is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError, FitFileError
from bayescale.engine._data import pad
from bayescale.engine._potential import log_likelihood_points
from bayescale.engine._space import make_space
from bayescale.laws._law import Law
from bayescale.result._file import FORMAT_VERSION, FitFileWarning, _digest, read, write
from bayescale.result._law_spec import _law_spec

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._base import Result

__all__ = ["FORMAT_VERSION", "FitFileWarning", "_digest", "fit_meta", "load",
           "pointwise_log_likelihood", "save", "to_datatree"]


def pointwise_log_likelihood(fit: Any) -> np.ndarray:
    """Log density of each observation under each draw, ``(chain, draw, n)``."""
    space = make_space(fit.law, fit.likelihood, fit.priors)
    data = pad(fit.dataset, size=fit.dataset.n)
    flat = {k: jnp.asarray(np.asarray(v).reshape(-1)) for k, v in fit.posterior.items()}
    f = jax.jit(jax.vmap(lambda p: log_likelihood_points(space, p, data)))
    ll = np.asarray(f(flat))
    c = fit.num_chains
    return ll.reshape(c, -1, fit.dataset.n)


def to_datatree(fit: Any) -> Any:
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

def fit_meta(fit: Any) -> dict[str, Any]:
    """What a fit's file stores beside its draws (the format adds version and digest)."""
    return {
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


def save(fit: Result, path: str | os.PathLike) -> None:
    """Write ``fit`` (any result) to ``path`` (netCDF4/HDF5 via h5netcdf)."""
    write(fit, path)


# ---- load ----------------------------------------------------------------------------
def load(path: str | os.PathLike, *, law: Law | None = None) -> Result:
    """Read a result written by ``save``: a Fit, PassUntilFit, CoverageFit or JointFit.

    The file is verified before use: its format version, its integrity digest (files of
    format version 1 have none: they load with a :class:`FitFileWarning`), and that the
    metadata matches the draws.

    Parameters
    ----------
    path : str or PathLike
        The file.
    law : Law, optional
        Needed only for fits of custom (unregistered) laws (for a JointFit: the law of
        its two curves).

    Returns
    -------
    Fit, PassUntilFit, CoverageFit or JointFit
        The kind that was saved.

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
        return read(Path(path), law, shown)
    except FitFileError as exc:
        if str(exc).startswith(shown):
            raise
        raise FitFileError(f"{shown}: {exc}") from None
    except BayescaleError as exc:  # a law, prior, likelihood or data error while rebuilding
        raise FitFileError(f"{shown}: {exc}") from None
    except Exception as exc:  # anything that a malformed file can make a library raise
        raise FitFileError(f"{shown} is not a valid bayescale fit ({type(exc).__name__}: "
                           f"{str(exc)[:300]})") from None
