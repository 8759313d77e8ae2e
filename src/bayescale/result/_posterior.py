"""One posterior, read by one set of rules: the draws behind every result.

:class:`Posterior` holds draws ``(chain, draw, *site_shape)`` of named sites, the sampler's
statistics and settings. :func:`summary_frame` and :func:`Posterior.diagnostics` read it
for :class:`~bayescale.Fit` (scalar parameters) and for the PassUntil and coverage fits
(sites with labelled dimensions) alike: the same columns, the thresholds
(:data:`~bayescale.result._diagnostics.RHAT_MAX`, :data:`ESS_PER_CHAIN` per chain), the
problems and remedies, and the :class:`DiagnosticWarning` of :mod:`._diagnostics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale._quantiles import quantiles
from bayescale.engine._convergence import ess_tail, rank_diagnostics
from bayescale.engine._posterior import ModelPosterior
from bayescale.result import _diagnostics

__all__ = ["Posterior", "check_ci_prob", "frozen", "summary_frame"]

Dims = Mapping[str, tuple[tuple[str, Sequence[Any]], ...]]


def frozen(arrays: Mapping[str, Any]) -> MappingProxyType:
    """Read-only copies of ``arrays``, in a read-only mapping."""
    out = {}
    for k, v in arrays.items():
        a = np.array(v, copy=True)
        a.setflags(write=False)
        out[k] = a
    return MappingProxyType(out)


def check_ci_prob(ci_prob: Any) -> float:
    """``ci_prob`` as a float in (0, 1), or a :class:`BayescaleError` naming it.

    Only a real number is accepted (a Python or NumPy float or integer, or a 0-d array of
    one): a string such as ``"0.9"``, a bool, ``None``, NaN or a list is refused, not
    converted.
    """
    if isinstance(ci_prob, np.ndarray) and ci_prob.ndim == 0 and ci_prob.dtype.kind in "fiu":
        ci_prob = ci_prob.item()  # a NumPy 0-d array of a number is that number
    if isinstance(ci_prob, Real) and not isinstance(ci_prob, bool | np.bool_):
        value = float(ci_prob)
        if 0 < value < 1:
            return value
    shown = repr(ci_prob)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    kind = "" if isinstance(ci_prob, Real) else f" (a {type(ci_prob).__name__})"
    raise BayescaleError(f"ci_prob must be a float in (0, 1), e.g. 0.9; got {shown}{kind}")


def labels(name: str, shape: tuple[int, ...], spec: Sequence[Any]) -> list[str]:
    """One label per scalar of a site: ``name``, ``name[label]`` or ``name[i,j]``."""
    if not shape:
        return [name]
    if len(shape) == 1 and spec:
        return [f"{name}[{lab}]" for lab in spec[0][1]]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]


def summary_frame(samples: Mapping[str, np.ndarray], names: Sequence[str], dims: Dims,
                  conv: Mapping[str, Mapping[str, float]], ci_prob: float) -> pd.DataFrame:
    """Posterior summary, one row per scalar (sites of several values expanded).

    Columns ``mean``, ``sd``, ``median``, ``lower``, ``upper`` (the equal-tailed
    ``ci_prob`` interval), then ``conv``'s ``r_hat``, ``ess_bulk``, ``ess_tail``.
    Quantiles keep infinite draws infinite; non-finite draws are named by the
    diagnostics, not warned about here.
    """
    ci_prob = check_ci_prob(ci_prob)
    rows: dict[str, dict[str, float]] = {}
    for name in names:
        arr = np.asarray(samples[name], dtype=float)
        flat = arr.reshape(arr.shape[0] * arr.shape[1], -1)
        lo, med, hi = quantiles(flat, [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2])
        with np.errstate(invalid="ignore", over="ignore"):
            mean, sd = flat.mean(axis=0), flat.std(axis=0, ddof=1)
        for i, label in enumerate(labels(name, arr.shape[2:], dims.get(name, ()))):
            rows[label] = {"mean": mean[i], "sd": sd[i], "median": med[i], "lower": lo[i],
                           "upper": hi[i], **conv[label]}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "parameter"
    return frame


@dataclass(frozen=True, eq=False)
class Posterior:
    """Posterior draws ``(chain, draw, ...)`` of the sampled sites, and divergences.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        Draws per site, shaped ``(chain, draw, *site_shape)``.
    divergences : numpy.ndarray
        Divergent transitions, shaped ``(chain, draw)``.
    dims : mapping of str to tuple of (str, sequence)
        Per site, the name and labels of each non-sample dimension.
    sample_stats : mapping of str to numpy.ndarray
        The sampler's other statistics (``n_steps``, ``lp``, ...; see
        :class:`~bayescale.engine._posterior.ModelPosterior`).
    settings, timing : mapping
        The sampler's settings (``max_tree_depth``, ``restarted_chains``, ...) and
        timings (seconds).
    """

    samples: Mapping[str, np.ndarray]
    divergences: np.ndarray
    dims: Dims
    sample_stats: Mapping[str, np.ndarray] = MappingProxyType({})
    settings: Mapping[str, Any] = MappingProxyType({})
    timing: Mapping[str, float] = MappingProxyType({})
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        sets = object.__setattr__
        sets(self, "samples", frozen(self.samples))
        sets(self, "divergences", frozen({"d": np.asarray(self.divergences, bool)})["d"])
        sets(self, "dims", MappingProxyType(dict(self.dims)))
        sets(self, "sample_stats", frozen(
            {k: v for k, v in self.sample_stats.items() if k != "diverging"}))
        sets(self, "settings", MappingProxyType(dict(self.settings)))
        sets(self, "timing", MappingProxyType(dict(self.timing)))

    @classmethod
    def from_engine(cls, record: ModelPosterior, dims: Dims) -> Posterior:
        """Label the sites of what the engine sampled."""
        stats = dict(record.sample_stats)
        return cls(dict(record.samples), np.asarray(stats["diverging"], dtype=bool), dims,
                   stats, record.settings, record.timing)

    @property
    def num_chains(self) -> int:
        """Number of chains."""
        return int(self.divergences.shape[0])

    @property
    def num_draws(self) -> int:
        """Draws per chain."""
        return int(self.divergences.shape[1])

    @property
    def all_stats(self) -> dict[str, np.ndarray]:
        """The sampler statistics, ``diverging`` included."""
        return {"diverging": self.divergences, **self.sample_stats}

    def flat(self, name: str) -> np.ndarray:
        """Draws of ``name`` with chains and draws merged into one leading axis."""
        arr = self.samples[name]
        return arr.reshape((-1, *arr.shape[2:]))

    def convergence(self) -> dict[str, dict[str, float]]:
        """R-hat, bulk and tail ESS per scalar label (the engine's batched estimators)."""
        if "conv" not in self._cache:
            out: dict[str, dict[str, float]] = {}
            for name, arr in self.samples.items():
                flat = np.asarray(arr, dtype=float).reshape(arr.shape[0], arr.shape[1], -1)
                ess_b, ess_t, rhat = _diag(flat)
                for i, label in enumerate(labels(name, arr.shape[2:],
                                                 self.dims.get(name, ()))):
                    out[label] = {"r_hat": float(rhat[i]), "ess_bulk": float(ess_b[i]),
                                  "ess_tail": float(ess_t[i])}
            self._cache["conv"] = out
        return self._cache["conv"]

    def summary(self, names: Sequence[str], ci_prob: float = 0.9, *,
                conv: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
        """Posterior summary, one row per scalar (vector sites expanded with labels).

        ``conv`` (default :meth:`convergence`) gives the R-hat and ESS columns.
        """
        return summary_frame(self.samples, names, self.dims,
                             self.convergence() if conv is None else conv, ci_prob)

    def diagnostics(self, *, warn: bool = True,
                    conv: Mapping[str, Mapping[str, float]] | None = None,
                    stacklevel: int = 2) -> dict[str, Any]:
        """The diagnostics of ``bs.fit`` (:func:`~._diagnostics.report`), with ``ok``.

        Warns (a :class:`~bayescale.result.DiagnosticWarning`, listing every problem
        and its remedy, in the words of ``bs.fit``) when R-hat exceeds ``RHAT_MAX``
        (with two or more chains), bulk ESS falls below ``ESS_PER_CHAIN`` per chain, a
        transition diverged or hit the largest tree depth, a draw is not finite or never
        moves, or an R-hat or ESS cannot be computed (NaN: a failure, never a pass).
        ``conv`` (default :meth:`convergence`) gives the R-hat and ESS; ``stacklevel``
        is the warning's, counted from this method.
        """
        diag = _diagnostics.report(self.convergence() if conv is None else conv,
                                   self.samples, self.all_stats, self.settings, self.timing)
        diag["ok"] = not _diagnostics.failed(diag)
        if warn:
            _diagnostics.check(diag, stacklevel=stacklevel + 1)
        return diag

    def to_arviz(self, observed: Mapping[str, np.ndarray] | None = None) -> Any:
        """Return an ArviZ ``DataTree`` (posterior, sample_stats, observed_data)."""
        coords: dict[str, Any] = {}
        dims: dict[str, list[str]] = {}
        for name, spec in self.dims.items():
            if name not in self.samples:
                continue
            dims[name] = [d for d, _ in spec]
            for dim, labs in spec:
                coords[dim] = [str(x) for x in labs]
        stats = {k: np.asarray(v) for k, v in self.all_stats.items()
                 if np.shape(v)[:2] == self.divergences.shape}
        data: dict[str, Any] = {
            "posterior": {k: np.asarray(v) for k, v in self.samples.items()},
            "sample_stats": stats,
        }
        if observed:
            data["observed_data"] = {k: np.asarray(v) for k, v in observed.items()}
        import arviz as az  # loads on first use, as for bs.fit

        return az.from_dict(data, coords=coords, dims=dims)


def _diag(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bulk ESS, tail ESS (5% and 95%) and rank R-hat per column of ``(chain, draw, m)``.

    The engine's batched estimators (:mod:`bayescale.engine._convergence`, equal to
    ArviZ's); NaN for a column that never varies or is not finite, R-hat NaN with one
    chain.
    """
    m = flat.shape[-1]
    ess_b, ess_t, rhat = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    cols = flat.reshape(-1, m)
    with np.errstate(invalid="ignore"):
        varying = np.all(np.isfinite(cols), axis=0) & (np.ptp(cols, axis=0) > 0)
    if varying.any():
        sub = np.moveaxis(flat[..., varying], -1, 0)  # (m', chain, draw)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            r_hat, ess = rank_diagnostics(sub)
            ess_b[varying], ess_t[varying] = ess, ess_tail(sub, 0.05)
            if flat.shape[0] > 1:
                rhat[varying] = r_hat
    return ess_b, ess_t, rhat
