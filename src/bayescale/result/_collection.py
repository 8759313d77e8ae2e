""":class:`FitCollection`: many curves fitted in one vectorised call."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from bayescale.data import Dataset
from bayescale.engine._convergence import ess_tail, rank_diagnostics
from bayescale.engine._diagnostics import ESS_PER_CHAIN, RHAT_MAX, DiagnosticWarning
from bayescale.engine._importance import K_MAX
from bayescale.laws._law import Law
from bayescale.likelihoods import Likelihood
from bayescale.priors import Prior
from bayescale.result._fit import Fit
from bayescale.result._posterior import check_ci_prob

__all__ = ["FitCollection"]


def _rank_columns(name: str, ary: np.ndarray) -> dict[str, np.ndarray]:
    r_hat, ess = rank_diagnostics(ary)
    return {f"{name}:r_hat": r_hat, f"{name}:ess_bulk": ess}


def _tail_column(name: str, ary: np.ndarray, prob: float) -> dict[str, np.ndarray]:
    return {f"{name}:ess_tail": ess_tail(ary, prob)}


class FitCollection:
    """Posteriors of many curves. Immutable; ``fits[key]`` is a normal :class:`Fit`.

    Attributes
    ----------
    keys : list
        Curve keys (values of the ``by`` column, list positions or dict keys).
    law, likelihood, priors, settings, timing
        Shared by all curves.
    posterior : mapping of str to ndarray
        Draws with shape ``(curve, chain, draw)``.
    sampling : mapping of str to ndarray, optional
        With ``strategy="laplace"``: per curve, ``method`` (``"laplace-psis"`` or
        ``"nuts"`` where importance sampling was not trusted), ``pareto_k`` (the largest
        Pareto shape over its chains) and ``ess_is`` (importance-sampling ESS).
    """

    def __init__(self, *, keys: Sequence[Any], law: Law, likelihood: Likelihood,
                 priors: Mapping[str, Prior], datasets: Sequence[Dataset],
                 posterior: Mapping[str, np.ndarray], sample_stats: Mapping[str, np.ndarray],
                 settings: Mapping[str, Any], timing: Mapping[str, float],
                 by: str | None = None, discrepancies: Sequence[Any] | None = None,
                 sampling: Mapping[str, np.ndarray] | None = None,
                 _warn: bool = True) -> None:
        self.keys = list(keys)
        self.law, self.likelihood = law, likelihood
        self.priors = MappingProxyType(dict(priors))
        self.datasets = tuple(datasets)
        self.posterior = MappingProxyType({k: _ro(v) for k, v in posterior.items()})
        self.sample_stats = MappingProxyType({k: _ro(v) for k, v in sample_stats.items()})
        self.settings = MappingProxyType(dict(settings))
        self.timing = MappingProxyType(dict(timing))
        self.by = by
        self.sampling = (None if sampling is None else
                         MappingProxyType({k: _ro(v) for k, v in sampling.items()}))
        self.discrepancies = tuple(discrepancies or [None] * len(self.keys))
        self._index = {k: i for i, k in enumerate(self.keys)}
        self._conv: dict[str, np.ndarray] | None = None
        self._frozen = True
        if _warn:
            failed = self.failed
            if failed:
                warnings.warn(
                    f"fit_many: {len(failed)} of {len(self)} curve(s) failed the convergence "
                    f"checks (R-hat > {RHAT_MAX}, low bulk ESS, divergences), e.g. "
                    f"{failed[:5]}; see .diagnostics() and refit those with more draws or "
                    "a higher target_accept_prob", DiagnosticWarning, stacklevel=3)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False) and name != "_conv":
            raise AttributeError(f"FitCollection is immutable; cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys)

    def __contains__(self, key: Any) -> bool:
        return key in self._index

    def __getitem__(self, key: Any) -> Fit:
        if key not in self._index:
            raise KeyError(f"no curve {key!r}; keys are {self.keys[:10]}"
                           f"{' ...' if len(self) > 10 else ''}")
        i = self._index[key]
        return Fit(law=self.law, likelihood=self.likelihood, priors=self.priors,
                   dataset=self.datasets[i],
                   posterior={k: v[i] for k, v in self.posterior.items()},
                   sample_stats={k: v[i] for k, v in self.sample_stats.items()},
                   settings=self.settings, discrepancy=self.discrepancies[i])

    @property
    def param_names(self) -> tuple[str, ...]:
        """Law parameters then noise parameters."""
        return tuple(self.law.param_names) + tuple(self.likelihood.noise_names)

    def _convergence(self, tail: bool = False) -> dict[str, np.ndarray]:
        """R-hat and bulk ESS per curve (tail ESS too with ``tail``), computed once.

        ArviZ's estimators computed for all curves at once
        (:mod:`bayescale.engine._convergence`); the tail ESS (the costliest) only when a
        summary asks for it.
        """
        from arviz_base import rcParams  # ArviZ loads on first use, not at `import bayescale`

        conv = dict(self._conv or {})
        prob = rcParams["stats.ci_prob"]
        jobs = []
        for k, v in self.posterior.items():
            ary = np.asarray(v, dtype=float)  # (curve, chain, draw)
            if f"{k}:r_hat" not in conv:
                jobs.append(partial(_rank_columns, k, ary))
            if tail and f"{k}:ess_tail" not in conv:
                jobs.append(partial(_tail_column, k, ary, prob))
        # NumPy's sorts and FFTs release the GIL: the parameters on all cores
        with ThreadPoolExecutor(max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
            for columns in pool.map(lambda job: job(), jobs):
                conv.update(columns)
        self._conv = conv
        return conv

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """One row per curve and parameter.

        Columns: ``curve``, ``parameter``, ``mean``, ``sd``, ``median``, ``lower``,
        ``upper``, ``r_hat``, ``ess_bulk``, ``ess_tail``.
        """
        ci_prob = check_ci_prob(ci_prob)
        conv = self._convergence(tail=True)
        q = [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2]
        frames = []
        for k in self.param_names:
            d = np.asarray(self.posterior[k]).reshape(len(self), -1)
            lo, med, hi = np.quantile(d, q, axis=1)
            frames.append(pd.DataFrame({
                "curve": self.keys, "parameter": k, "mean": d.mean(1), "sd": d.std(1, ddof=1),
                "median": med, "lower": lo, "upper": hi, "r_hat": conv[f"{k}:r_hat"],
                "ess_bulk": conv[f"{k}:ess_bulk"], "ess_tail": conv[f"{k}:ess_tail"]}))
        out = pd.concat(frames, ignore_index=True)
        order = {k: i for i, k in enumerate(self.keys)}
        return out.sort_values("curve", key=lambda s: s.map(order), kind="stable"
                                ).reset_index(drop=True)

    def diagnostics(self) -> pd.DataFrame:
        """One row per curve: divergences, max R-hat, min bulk ESS, tree-depth hits, ``ok``.

        With ``strategy="laplace"`` also ``method`` and ``pareto_k``; a curve served by
        importance sampling is ``ok`` only with ``pareto_k <= 0.7`` as well (R-hat then
        compares independent importance samplers, and the ESS counts repeated draws
        once).
        """
        conv = self._convergence()
        rhat = np.nanmax(np.stack([conv[f"{k}:r_hat"] for k in self.param_names]), axis=0)
        ess = np.min(np.stack([conv[f"{k}:ess_bulk"] for k in self.param_names]), axis=0)
        div = np.asarray(self.sample_stats["diverging"]).reshape(len(self), -1).sum(1)
        max_steps = 2 ** int(self.settings.get("max_tree_depth", 10)) - 1
        hits = (np.asarray(self.sample_stats["n_steps"]) >= max_steps).reshape(
            len(self), -1).sum(1)
        chains = int(self.settings["num_chains"])
        ok = (div == 0) & ~(rhat > RHAT_MAX) & (ess >= ESS_PER_CHAIN * chains) & (hits == 0)
        out = pd.DataFrame({"curve": self.keys, "divergences": div, "max_r_hat": rhat,
                            "min_ess_bulk": ess, "tree_depth_hits": hits})
        if self.sampling is not None:
            method = np.asarray(self.sampling["method"])
            k = np.asarray(self.sampling["pareto_k"], dtype=float)
            ok &= (method != "laplace-psis") | (k <= K_MAX)
            out["method"], out["pareto_k"] = method, k
        out["ok"] = ok
        return out

    @property
    def failed(self) -> list[Any]:
        """Keys of the curves whose diagnostics are bad."""
        d = self.diagnostics()
        return list(d.loc[~d["ok"], "curve"])

    def predict(self, ci_prob: float = 0.9, kind: str = "predictive", seed: int = 0,
                **inputs: Any) -> pd.DataFrame:
        """:meth:`Fit.predict` for every curve, stacked with a ``curve`` column."""
        frames = []
        for key in self.keys:
            f = self[key].predict(ci_prob=ci_prob, kind=kind, seed=seed, **inputs)
            f.insert(0, "curve", key)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def __repr__(self) -> str:
        return (f"<FitCollection {self.law.name}: {len(self)} curves, "
                f"{len(self.failed)} failed diagnostics>")


def _ro(a: Any) -> np.ndarray:
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out
