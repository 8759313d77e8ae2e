"""Validation of a saved fit's contents: the metadata must match the draws."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError, FitFileError
from bayescale.data import Dataset
from bayescale.discrepancy import Discrepancy
from bayescale.engine._data import make_stats
from bayescale.laws._law import Law
from bayescale.result._law_spec import _law_from_spec, _prior

if TYPE_CHECKING:  # pragma: no cover
    from bayescale.result._posterior import Posterior

__all__ = ["_build", "model_meta", "model_posterior"]

#: The sampler statistics a fit may carry; the first four are required.
_STATS = ("diverging", "n_steps", "acceptance_rate", "step_size", "lp", "energy")
_MAX_TREE_DEPTH = 30


def _build(meta: dict[str, Any], arrays: dict[str, dict[str, tuple]], law: Law | None,
           fit_cls: type) -> Any:
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
                   timing=timing, discrepancy=_discrepancy(meta.get("discrepancy"), law_obj))


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


def _discrepancy(spec: Any, law: Law) -> Discrepancy | None:
    if spec is None:
        return None
    try:
        disc = Discrepancy.from_dict(spec)
    except BayescaleError as exc:
        raise FitFileError(str(exc)) from None
    used = set(disc.axis) | {k for c in disc.coords for k, _ in c}
    if not used <= set(law.inputs) or len(disc.coords) > 8:
        raise FitFileError(f"the discrepancy acts along {sorted(used)} ({len(disc.coords)} "
                           f"coordinates), which must be inputs of the law "
                           f"{list(law.inputs)} (at most 8 coordinates)")
    return disc


# ---- the posterior of a model's sites (PassUntil, coverage) -------------------------
def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def model_meta(post: Posterior) -> dict[str, Any]:
    """What a model posterior's file stores beside its draws: sites' dims, settings, timing."""
    return {"sites": {k: [[d, [_plain(v) for v in labs]] for d, labs in post.dims.get(k, ())]
                      for k in post.samples},
            "settings": dict(post.settings), "timing": dict(post.timing)}


def model_posterior(meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                    expected: dict[str, tuple[int, ...]]) -> Posterior:
    """The :class:`Posterior` of a model's file, checked against the sites ``expected``.

    ``expected`` maps each site to its shape beyond ``(chain, draw)``.
    """
    from bayescale.result._posterior import Posterior

    sites, draws = meta.get("sites"), arrays["posterior"]
    if not isinstance(sites, dict) or set(sites) != set(draws) or set(draws) != set(expected):
        raise FitFileError(f"the draws hold the sites {sorted(draws)}; this fit has "
                           f"{sorted(expected)}")
    shapes = set()
    for name, (_, a) in draws.items():
        if a.ndim < 2 or a.dtype.kind != "f" or a.shape[2:] != tuple(expected[name]):
            raise FitFileError(f"the draws of {name!r} have shape {a.shape} and dtype "
                               f"{a.dtype}; expected (chain, draw, *{tuple(expected[name])}) "
                               "floats")
        shapes.add(a.shape[:2])
    if len(shapes) != 1 or min(next(iter(shapes))) < 1:
        raise FitFileError(f"the draws have unequal or empty shapes {sorted(shapes)}")
    chains, n = next(iter(shapes))
    stats = _sample_stats(arrays["sample_stats"], chains, n)
    dims = {}
    for name, spec in sites.items():
        if not isinstance(spec, list) or not all(
                isinstance(d, list) and len(d) == 2 and isinstance(d[0], str)
                and isinstance(d[1], list) for d in spec):
            raise FitFileError(f"the dims of site {name!r} are malformed: {spec!r}")
        if spec:
            dims[name] = tuple((d, tuple(labs)) for d, labs in spec)
    settings = _settings(meta.get("settings"), chains)
    timing = _floats(meta.get("timing") or {}, "timing", None)
    return Posterior({k: a for k, (_, a) in draws.items()}, stats.pop("diverging"), dims,
                     stats, settings, timing)
