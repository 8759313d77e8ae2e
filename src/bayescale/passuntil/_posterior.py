"""The posterior container shared by the PassUntil and coverage fits, and its diagnostics.

The engine samples the models (:func:`bayescale.engine._model_runner.sample_model`) and
hands up a :class:`~bayescale.engine._posterior.ModelPosterior`; :class:`Posterior`
labels its sites and reads it. Diagnostics use the engine's thresholds, estimators and
warning, those of every ``bs.fit``: R-hat above :data:`RHAT_MAX`, bulk ESS below
:data:`ESS_PER_CHAIN` per chain (400 for 4 chains), any divergence, each raise a
:class:`~bayescale.result.DiagnosticWarning` (``ConvergenceWarning`` is that class).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from bayescale.engine._convergence import ess_tail, rank_diagnostics
from bayescale.engine._diagnostics import ESS_PER_CHAIN, RHAT_MAX, DiagnosticWarning
from bayescale.engine._posterior import ModelPosterior
from bayescale.passuntil._checks import check_ci_prob, frozen

__all__ = ["ESS_PER_CHAIN", "RHAT_MAX", "ConvergenceWarning", "Posterior"]

#: The warning of every fit's diagnostics (kept under its old PassUntil name).
ConvergenceWarning = DiagnosticWarning


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
        :class:`~bayescale.engine._posterior.ModelPosterior`), exported by
        :meth:`to_arviz`.
    settings : mapping
        The sampler's settings (``max_tree_depth``, ``restarted_chains``, ...).
    """

    samples: Mapping[str, np.ndarray]
    divergences: np.ndarray
    dims: Mapping[str, tuple[tuple[str, Sequence[Any]], ...]]
    sample_stats: Mapping[str, np.ndarray] = MappingProxyType({})
    settings: Mapping[str, Any] = MappingProxyType({})

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "samples", MappingProxyType({k: frozen(v) for k, v in self.samples.items()})
        )
        object.__setattr__(self, "divergences", frozen(self.divergences))
        object.__setattr__(self, "dims", MappingProxyType(dict(self.dims)))
        object.__setattr__(self, "sample_stats", MappingProxyType(
            {k: frozen(v) for k, v in self.sample_stats.items() if k != "diverging"}))
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))

    @classmethod
    def from_engine(cls, record: ModelPosterior,
                    dims: Mapping[str, tuple[tuple[str, Sequence[Any]], ...]]) -> Posterior:
        """Label the sites of what the engine sampled."""
        stats = dict(record.sample_stats)
        return cls(dict(record.samples), np.asarray(stats["diverging"], dtype=bool), dims,
                   stats, record.settings)

    @property
    def num_chains(self) -> int:
        """Number of chains."""
        return int(self.divergences.shape[0])

    @property
    def num_draws(self) -> int:
        """Draws per chain."""
        return int(self.divergences.shape[1])

    def flat(self, name: str) -> np.ndarray:
        """Draws of ``name`` with chains and draws merged into one leading axis."""
        arr = self.samples[name]
        return arr.reshape((-1, *arr.shape[2:]))

    def summary(self, names: Sequence[str], ci_prob: float = 0.9) -> pd.DataFrame:
        """Posterior summary, one row per scalar (vector sites expanded with labels)."""
        ci_prob = check_ci_prob(ci_prob)
        lo_q, hi_q = (1 - ci_prob) / 2, (1 + ci_prob) / 2
        rows: list[dict[str, Any]] = []
        index: list[str] = []
        for name in names:
            arr = self.samples[name]
            flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
            labels = _labels(name, arr.shape[2:], self.dims.get(name, ()))
            ess_b, ess_t, rhat = _diag(flat)
            merged = flat.reshape(-1, flat.shape[-1])
            qs = np.quantile(merged, [0.5, lo_q, hi_q], axis=0)
            for i, label in enumerate(labels):
                index.append(label)
                rows.append(
                    {
                        "mean": merged[:, i].mean(),
                        "sd": merged[:, i].std(ddof=1),
                        "median": qs[0, i],
                        "lower": qs[1, i],
                        "upper": qs[2, i],
                        "r_hat": rhat[i],
                        "ess_bulk": ess_b[i],
                        "ess_tail": ess_t[i],
                    }
                )
        return pd.DataFrame(rows, index=pd.Index(index, name="parameter"))

    def diagnostics(self, *, warn: bool = True) -> dict[str, Any]:
        """Max R-hat and min bulk ESS over all sampled sites, and the divergences.

        Warns (a :class:`ConvergenceWarning`, i.e. a ``DiagnosticWarning``) when R-hat
        exceeds :data:`RHAT_MAX` (with two or more chains), bulk ESS falls below
        :data:`ESS_PER_CHAIN` per chain, any transition diverged or hit the largest tree
        depth, or a draw is not finite; as for ``bs.fit``, an R-hat or ESS that cannot
        be computed (NaN) is a failure, never a pass.
        """
        rhats, esss = [], []
        for arr in self.samples.values():
            flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
            ess_b, _, rhat = _diag(flat)
            rhats.append(np.nanmax(rhat) if np.isfinite(rhat).any() else np.nan)
            esss.append(np.nanmin(ess_b) if np.isfinite(ess_b).any() else np.nan)
        out = {
            "max_r_hat": _finite_or_nan(np.nanmax, rhats),
            "min_ess_bulk": _finite_or_nan(np.nanmin, esss),
            "divergences": int(self.divergences.sum()),
            "num_chains": self.num_chains,
            "num_draws": self.num_draws,
        }
        problems = []
        if self.num_chains > 1 and out["max_r_hat"] > RHAT_MAX:
            problems.append(f"max R-hat {out['max_r_hat']:.3f} > {RHAT_MAX}")
        ess_min = ESS_PER_CHAIN * self.num_chains
        if out["min_ess_bulk"] < ess_min:
            problems.append(f"min bulk ESS {out['min_ess_bulk']:.0f} < {ess_min}")
        if out["divergences"] > 0:
            problems.append(f"{out['divergences']} divergent transitions")
        problems += self._more_problems(out)
        out["ok"] = not problems
        if problems and warn:
            warnings.warn(
                "NUTS diagnostics: "
                + "; ".join(problems)
                + ". Remedy: refit with more num_warmup/num_samples (and 4 chains); for "
                "divergences or tree-depth hits also raise target_accept (e.g. 0.95) or "
                "check the data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return out

    def _more_problems(self, out: Mapping[str, Any]) -> list[str]:
        """Undefined diagnostics, non-finite draws and tree-depth hits (the rules of Fit)."""
        problems = []
        bad = [k for k, v in self.samples.items() if not np.all(np.isfinite(v))]
        if bad:
            problems.append("non-finite draws of " + ", ".join(map(repr, bad)))
        undefined = [name for name, value in (("R-hat", out["max_r_hat"]),
                                              ("bulk ESS", out["min_ess_bulk"]))
                     if not np.isfinite(value) and (name != "R-hat" or self.num_chains > 1)]
        if undefined and not bad:
            problems.append(" and ".join(undefined) + " undefined (NaN)")
        if "n_steps" in self.sample_stats:
            depth = int(self.settings.get("max_tree_depth", 10))
            hits = int(np.sum(self.sample_stats["n_steps"] >= 2 ** depth - 1))
            if hits:
                problems.append(f"{hits} transitions hit max_tree_depth={depth}")
        return problems

    def to_arviz(self, observed: Mapping[str, np.ndarray] | None = None) -> Any:
        """Return an ArviZ ``DataTree`` (posterior, sample_stats, observed_data)."""
        coords: dict[str, Any] = {}
        dims: dict[str, list[str]] = {}
        for name, spec in self.dims.items():
            if name not in self.samples:
                continue
            dims[name] = [d for d, _ in spec]
            for dim, labels in spec:
                coords[dim] = [str(x) for x in labels]
        stats = {k: np.asarray(v) for k, v in self.sample_stats.items()
                 if np.shape(v)[:2] == self.divergences.shape}
        data: dict[str, Any] = {
            "posterior": {k: np.asarray(v) for k, v in self.samples.items()},
            "sample_stats": {"diverging": np.asarray(self.divergences), **stats},
        }
        if observed:
            data["observed_data"] = {k: np.asarray(v) for k, v in observed.items()}
        import arviz as az  # loads on first use, as for bs.fit

        return az.from_dict(data, coords=coords, dims=dims)


def _finite_or_nan(fn: Any, values: list[float]) -> float:
    """``fn`` (nanmax / nanmin) over the finite values; NaN, without a warning, if none."""
    arr = np.asarray(values, dtype=float)
    return float(fn(arr)) if np.isfinite(arr).any() else float("nan")


def _labels(name: str, shape: tuple[int, ...], spec: Sequence[Any]) -> list[str]:
    if not shape:
        return [name]
    if len(shape) == 1 and spec:
        return [f"{name}[{lab}]" for lab in spec[0][1]]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]


def _diag(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bulk ESS, tail ESS (5% and 95%) and rank R-hat per column of ``(chain, draw, m)``.

    The engine's batched estimators (:mod:`bayescale.engine._convergence`, equal to
    ArviZ's); NaN for a column that never varies, R-hat NaN with one chain.
    """
    m = flat.shape[-1]
    ess_b, ess_t, rhat = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    varying = np.ptp(flat.reshape(-1, m), axis=0) > 0
    if varying.any():
        sub = np.moveaxis(flat[..., varying], -1, 0)  # (m', chain, draw)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            r_hat, ess = rank_diagnostics(sub)
            ess_b[varying], ess_t[varying] = ess, ess_tail(sub, 0.05)
            if flat.shape[0] > 1:
                rhat[varying] = r_hat
    return ess_b, ess_t, rhat
