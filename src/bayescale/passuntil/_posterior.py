"""The posterior container shared by the PassUntil and coverage fits, and its diagnostics."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import arviz as az
import numpy as np
import pandas as pd

from bayescale.engine._diagnostics import DiagnosticWarning
from bayescale.passuntil._checks import check_ci_prob, frozen

#: Thresholds above/below which ``diagnostics()`` warns.
RHAT_MAX = 1.01
ESS_MIN = 400


class ConvergenceWarning(DiagnosticWarning):
    """NUTS diagnostics suggest the posterior is not reliable yet.

    A :class:`bayescale.result.DiagnosticWarning`, so one filter covers every fit.
    """


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
    """

    samples: Mapping[str, np.ndarray]
    divergences: np.ndarray
    dims: Mapping[str, tuple[tuple[str, Sequence[Any]], ...]]

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "samples", MappingProxyType({k: frozen(v) for k, v in self.samples.items()})
        )
        object.__setattr__(self, "divergences", frozen(self.divergences))
        object.__setattr__(self, "dims", MappingProxyType(dict(self.dims)))

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
        """Max R-hat and min bulk ESS over all sampled sites, and the divergences."""
        rhats, esss = [], []
        for arr in self.samples.values():
            flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
            ess_b, _, rhat = _diag(flat)
            rhats.append(np.nanmax(rhat) if np.isfinite(rhat).any() else np.nan)
            esss.append(np.nanmin(ess_b) if np.isfinite(ess_b).any() else np.nan)
        out = {
            "max_r_hat": float(np.nanmax(rhats)),
            "min_ess_bulk": float(np.nanmin(esss)),
            "divergences": int(self.divergences.sum()),
            "num_chains": self.num_chains,
            "num_draws": self.num_draws,
        }
        problems = []
        if self.num_chains > 1 and out["max_r_hat"] > RHAT_MAX:
            problems.append(f"max R-hat {out['max_r_hat']:.3f} > {RHAT_MAX}")
        if out["min_ess_bulk"] < ESS_MIN:
            problems.append(f"min bulk ESS {out['min_ess_bulk']:.0f} < {ESS_MIN}")
        if out["divergences"] > 0:
            problems.append(f"{out['divergences']} divergent transitions")
        out["ok"] = not problems
        if problems and warn:
            warnings.warn(
                "NUTS diagnostics: "
                + "; ".join(problems)
                + ". Remedy: refit with more num_warmup/num_samples (and 4 chains); for "
                "divergences also raise target_accept (e.g. 0.95) or check the data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return out

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
        data: dict[str, Any] = {
            "posterior": {k: np.asarray(v) for k, v in self.samples.items()},
            "sample_stats": {"diverging": np.asarray(self.divergences)},
        }
        if observed:
            data["observed_data"] = {k: np.asarray(v) for k, v in observed.items()}
        return az.from_dict(data, coords=coords, dims=dims)


def _labels(name: str, shape: tuple[int, ...], spec: Sequence[Any]) -> list[str]:
    if not shape:
        return [name]
    if len(shape) == 1 and spec:
        return [f"{name}[{lab}]" for lab in spec[0][1]]
    return [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]


def _diag(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bulk ESS, tail ESS and rank R-hat per column of ``(chain, draw, m)`` draws."""
    m = flat.shape[-1]
    ess_b, ess_t, rhat = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    varying = np.ptp(flat.reshape(-1, m), axis=0) > 0
    if varying.any():
        sub = flat[..., varying]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ess_b[varying] = np.atleast_1d(az.ess(sub, method="bulk"))
            ess_t[varying] = np.atleast_1d(az.ess(sub, method="tail", prob=(0.05, 0.95)))
            if flat.shape[0] > 1:
                rhat[varying] = np.atleast_1d(az.rhat(sub))
    return ess_b, ess_t, rhat
