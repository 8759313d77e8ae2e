"""The immutable result of :func:`bayescale.passuntil.fit_coverage`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import betaln

from bayescale._errors import BayescaleError, FitFileError
from bayescale.passuntil._checks import check_choice, positive_array
from bayescale.passuntil._counts import PassCounts
from bayescale.passuntil._coverage_model import DERIVED, CoverageDesign
from bayescale.passuntil._display import band, new_axes
from bayescale.passuntil._result import _plain
from bayescale.result._base import Result
from bayescale.result._fit_file import model_meta, model_posterior
from bayescale.result._html import Header, facts_html
from bayescale.result._posterior import Posterior, check_ci_prob


@dataclass(frozen=True, eq=False)
class CoverageFit(Result):
    """Posterior of a coverage law (returned by :func:`fit_coverage`); immutable.

    Built on the base of every result (:class:`bayescale.result._base.Result`): its
    diagnostics are those of ``bs.fit``, and ``save(path)`` / ``bs.load(path)``
    round-trip it.

    Attributes
    ----------
    counts : PassCounts
        The fitted counts.
    posterior : Posterior
        Posterior draws and divergences.
    design : CoverageDesign
        Law, models, sizes and centring.
    """

    counts: PassCounts
    posterior: Posterior
    design: CoverageDesign
    file_kind = "coverage"

    # ---- the shared posterior and its file ----------------------------------------
    def _posterior(self) -> Posterior:
        return self.posterior

    def _observed(self) -> dict[str, np.ndarray]:
        return {"n": self.counts.n, "c": self.counts.c}

    def _file_meta(self) -> dict[str, Any]:
        c, d = self.counts, self.design
        return {"counts": {"model": _plain(c.model), "problem": _plain(c.problem),
                           "n": c.n.tolist(), "c": c.c.tolist(),
                           "N": None if c.N is None else c.N.tolist()},
                "design": {"law": d.law, "across": d.across, "center": d.center,
                           "log_k_mid": d.log_k_mid, "curve": d.curve},
                **model_meta(self.posterior)}

    @classmethod
    def _from_file(cls, meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                   law: Any) -> CoverageFit:
        spec, d = meta.get("counts"), meta.get("design")
        if (not isinstance(spec, dict) or set(spec) != {"model", "problem", "n", "c", "N"}
                or not isinstance(d, dict) or d.get("law") not in DERIVED
                or not isinstance(d.get("across"), bool)
                or not isinstance(d.get("curve"), bool)):
            raise FitFileError("the coverage counts or design are malformed")
        counts = PassCounts(**{k: None if v is None else np.asarray(
            v, dtype=object if k in ("model", "problem") else None) for k, v in spec.items()})
        design = CoverageDesign(d["law"], d["across"], counts.models, counts.sizes,
                                float(d["center"]), float(d["log_k_mid"]), d["curve"])
        m = (len(design.models),)
        expected = {k: m for k in (*design.params, *DERIVED[design.law])}
        expected |= {"sigma": m} if design.law == "power" else {}
        if design.across:
            expected |= {f"{p}_{s}": () for p in design.params for s in ("0", "slope", "sd")}
        return cls(counts=counts, posterior=model_posterior(meta, arrays, expected),
                   design=design)

    def _theta(self, model: Any, N: ArrayLike | None, seed: int) -> tuple[list, np.ndarray]:
        post, d = self.posterior, self.design
        if N is not None:
            if not d.across:
                raise BayescaleError("N= needs a fit with across=True; this fit is per model.")
            if model is not None:
                raise BayescaleError("pass either model= (fitted models) or N= (new sizes).")
            sizes = positive_array("N", N)
            x = d.x(sizes)
            rng = np.random.default_rng(seed)
            thetas = []
            for p in d.params:
                base, slope, dev = (post.flat(f"{p}_{s}")[:, None] for s in ("0", "slope", "sd"))
                z = rng.standard_normal((base.shape[0], sizes.size))
                thetas.append(base + slope * x[None, :] + dev * z)
            return list(sizes), np.stack(thetas)
        if model is None:
            wanted = list(d.models)
        else:
            wanted = [model] if np.ndim(model) == 0 else list(model)
        unknown = [m for m in wanted if m not in d.models]
        if unknown:
            raise BayescaleError(f"unknown model(s) {unknown!r}; the fit holds {list(d.models)}.")
        idx = [d.models.index(m) for m in wanted]
        return wanted, np.stack([post.flat(p)[:, idx] for p in d.params])

    def predict_draws(
        self,
        k: ArrayLike,
        *,
        model: Any = None,
        N: ArrayLike | None = None,
        level: str = "population",
        predictive: bool = False,
        seed: int = 0,
    ) -> np.ndarray:
        """Posterior draws of coverage, shaped ``(draws, targets, len(k))``.

        Parameters
        ----------
        k : float or sequence of float
            Attempts (>= 1).
        model : label or sequence, optional
            Fitted model(s) (default: all). Mutually exclusive with ``N``.
        N : float or sequence of float, optional
            New model sizes (``across=True`` fits only).
        level : {"population", "problems"}
            ``"population"``: the law, the expected pass@k of a problem drawn from the
            population. ``"problems"`` (beta law, fitted models): the expected coverage
            of the fitted problems with ``k`` new samples each, given their counts.
        predictive : bool
            Add the sampling noise of a measured coverage: each problem solved or not
            (``"problems"``), or a binomial over as many fresh problems as the data
            hold per model (``"population"``).
        seed : int
            Seed of the model-level scatter (new ``N``) and of the predictive noise.

        Returns
        -------
        numpy.ndarray
        """
        check_choice("level", level, ("population", "problems"))
        ks = positive_array("k", k)
        if np.any(ks < 1):
            raise BayescaleError(f"k must be >= 1 (attempts); got {float(ks[ks < 1][0])!r}")
        targets, theta = self._theta(model, N, seed)
        rng = np.random.default_rng(seed + 1)
        if level == "problems":
            if self.design.law != "beta" or self.design.curve or N is not None:
                raise BayescaleError(
                    "level='problems' needs the beta law fitted to per-problem counts "
                    "(k_max=None) and fitted models (not new N); use level='population'."
                )
            return self._problems(targets, theta, ks, predictive, rng)
        p1, p2 = (v[..., None] for v in self.design.law_params(theta))
        if self.design.law == "beta":
            cov = -np.expm1(betaln(p1, p2 + ks) - betaln(p1, p2))
        else:
            cov = np.exp(p1 * ks**p2)
        if predictive:
            n_prob = np.array([self._n_problems(t, N is not None) for t in targets])
            cov = rng.binomial(n_prob[None, :, None], cov) / n_prob[None, :, None]
        return cov

    def _n_problems(self, target: Any, new: bool) -> int:
        if new:
            return round(len(self.counts) / len(self.design.models))
        return int(np.sum(self.counts.model == target))

    def _problems(self, targets, theta, ks, predictive, rng) -> np.ndarray:
        out = np.empty((theta.shape[1], len(targets), ks.size))
        alpha, beta = self.design.law_params(theta)
        for j, m in enumerate(targets):
            sel = self.counts.model == m
            c, n = self.counts.c[sel], self.counts.n[sel]
            a = alpha[:, j][:, None] + c[None, :]
            b = beta[:, j][:, None] + (n - c)[None, :]
            for i, kk in enumerate(ks):
                q = -np.expm1(betaln(a, b + kk) - betaln(a, b))
                out[:, j, i] = (rng.random(q.shape) < q).mean(1) if predictive else q.mean(1)
        return out

    def predict(
        self,
        k: ArrayLike,
        ci_prob: float = 0.9,
        *,
        model: Any = None,
        N: ArrayLike | None = None,
        level: str = "population",
        predictive: bool = False,
        seed: int = 0,
    ) -> pd.DataFrame:
        """Posterior median and equal-tailed interval of coverage at ``k``.

        Parameters
        ----------
        k : float or sequence of float
            Attempts.
        ci_prob : float
            Interval probability.
        model, N, level, predictive, seed
            As in :meth:`predict_draws`.

        Returns
        -------
        pandas.DataFrame
            Columns ``k``, ``median``, ``lower``, ``upper``, preceded by ``model`` when
            the fit holds several models, or by ``N`` for new sizes.
        """
        ci_prob = check_ci_prob(ci_prob)
        ks = positive_array("k", k)
        draws = self.predict_draws(
            ks, model=model, N=N, level=level, predictive=predictive, seed=seed
        )
        targets, _ = self._theta(model, N, seed)
        qs = np.quantile(draws, [0.5, (1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
        table = pd.DataFrame(
            {
                "k": np.tile(ks, len(targets)),
                "median": qs[0].ravel(),
                "lower": qs[1].ravel(),
                "upper": qs[2].ravel(),
            }
        )
        if N is not None:
            table.insert(0, "N", np.repeat(np.asarray(targets, dtype=float), ks.size))
        elif len(self.design.models) > 1:
            table.insert(0, "model", np.repeat(np.array(targets, dtype=object), ks.size))
        return table

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """Posterior summary; rows are parameters (per-model ones labelled by model).

        Parameters
        ----------
        ci_prob : float
            Interval probability of ``lower``/``upper``.

        Returns
        -------
        pandas.DataFrame
            Columns ``mean``, ``sd``, ``median``, ``lower``, ``upper``, ``r_hat``,
            ``ess_bulk``, ``ess_tail``.
        """
        return self._summary(list(self.posterior.samples), ci_prob)

    def diagnostics(self, *, warn: bool = True) -> dict[str, Any]:
        """NUTS diagnostics (see :meth:`PassUntilFit.diagnostics`).

        Parameters
        ----------
        warn : bool
            Emit a :class:`~bayescale.result.DiagnosticWarning` (alias
            ``ConvergenceWarning``) with a remedy when a check fails (the checks of
            :meth:`PassUntilFit.diagnostics`).

        Returns
        -------
        dict
        """
        return self._diagnose(warn)

    def plot(self, ax: Any = None, *, k: ArrayLike | None = None, ci_prob: float = 0.9) -> Any:
        """Plot the empirical coverage and the fitted law's band per model.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on.
        k : sequence of float, optional
            Attempts of the band (default 1 .. 100 x the largest ``n``).
        ci_prob : float
            Band probability.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = new_axes(ax)
        grid = np.geomspace(1, 100 * self.counts.n.max(), 80) if k is None else np.asarray(k)
        for i, m in enumerate(self.design.models):
            table = self.predict(grid, ci_prob, model=m)
            line = band(ax, grid, table, label=str(m), color=f"C{i % 10}")
            n_min = int(self.counts.n[self.counts.model == m].min())
            ks = np.unique(np.round(np.geomspace(1, n_min, 30)).astype(np.int64))
            emp = self.counts.subset(m).coverage(ks)
            ax.plot(ks, emp["coverage"], "o", ms=3, color=line.get_color())
        ax.set(xscale="log", xlabel="k (attempts)", ylabel="coverage (pass@k)", ylim=(0, 1))
        ax.legend(fontsize="small")
        return ax

    def _html_header(self) -> Header:
        d = self.design
        return Header("Coverage-law fit", f"{d.law} law, "
                      + ("across sizes" if d.across else "per model"),
                      f"{len(self.counts)} rows, {len(d.models)} models")

    def _html_sections(self) -> list[tuple[str, str]]:
        d = self.design
        facts = {"law": d.law, "across sizes": d.across,
                 "models": ", ".join(map(str, d.models))}
        return [("design", facts_html(facts))]

    def __repr__(self) -> str:
        return f"CoverageFit(law={self.design.law!r}, models={list(self.design.models)!r})"
