"""The immutable :class:`Fit`: a posterior with its law, data and settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.data import Dataset
from bayescale.discrepancy import Discrepancy
from bayescale.laws._law import Law
from bayescale.likelihoods import Likelihood
from bayescale.priors import Prior
from bayescale.result import _diagnostics, _predict, _upward
from bayescale.result._base import Result
from bayescale.result._posterior import Posterior, check_ci_prob
from bayescale.result._posterior import frozen as _frozen

__all__ = ["Fit"]


class Fit(Result):
    """A fitted scaling law. Immutable: every method returns a value.

    Create one with :func:`bayescale.fit`; load one with :func:`bayescale.load`.

    Attributes
    ----------
    law : Law
    likelihood : Likelihood
    priors : mapping of str to Prior
        The user's prior overrides (defaults apply elsewhere).
    dataset : Dataset
    posterior : mapping of str to ndarray
        Draws of every parameter, shape ``(chain, draw)``, read-only.
    sample_stats : mapping of str to ndarray
        ``diverging``, ``n_steps``, ``acceptance_rate``, ``lp``, ``energy``,
        ``step_size``.
    settings, mode, timing : mapping
        Sampler settings, the posterior mode (the chains' starting centre) and timings.
    discrepancy : Discrepancy or None
        The law's misfit beyond the data, learnt by leave-future-out refits (see
        :mod:`bayescale.discrepancy`); ``None`` when the fit has none.
    """

    __slots__ = ("_cache", "dataset", "discrepancy", "law", "likelihood", "mode",
                 "posterior", "priors", "sample_stats", "settings", "timing")
    file_kind = "fit"

    def __init__(self, *, law: Law, likelihood: Likelihood, priors: Mapping[str, Prior],
                 dataset: Dataset, posterior: Mapping[str, np.ndarray],
                 sample_stats: Mapping[str, np.ndarray], settings: Mapping[str, Any],
                 mode: Mapping[str, float] | None = None,
                 timing: Mapping[str, float] | None = None,
                 discrepancy: Discrepancy | None = None, _warn: bool = False) -> None:
        sets = object.__setattr__
        sets(self, "law", law)
        sets(self, "likelihood", likelihood)
        sets(self, "priors", MappingProxyType(dict(priors)))
        sets(self, "dataset", dataset)
        sets(self, "posterior", _frozen(posterior))
        sets(self, "sample_stats", _frozen(sample_stats))
        sets(self, "settings", MappingProxyType(dict(settings)))
        sets(self, "mode", MappingProxyType(dict(mode or {})))
        sets(self, "timing", MappingProxyType(dict(timing or {})))
        sets(self, "discrepancy", discrepancy)
        sets(self, "_cache", {})
        if _warn:
            _diagnostics.check(self.diagnostics(), stacklevel=4)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Fit is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Fit is immutable; cannot delete {name!r}")

    # ---- descriptive -------------------------------------------------------------
    @property
    def x(self) -> tuple[str, ...]:
        """Data columns feeding the law's inputs, in the law's order."""
        return self.dataset.x_columns

    @property
    def y(self) -> str:
        """Response column."""
        return self.dataset.y_column

    @property
    def data(self) -> pd.DataFrame:
        """The fitted data as a DataFrame (a copy)."""
        return self.dataset.to_frame()

    @property
    def param_names(self) -> tuple[str, ...]:
        """Law parameters then noise parameters."""
        return tuple(self.law.param_names) + tuple(self.likelihood.noise_names)

    @property
    def num_chains(self) -> int:
        """Number of chains."""
        return int(next(iter(self.posterior.values())).shape[0])

    @property
    def num_draws(self) -> int:
        """Total number of posterior draws (chains x draws)."""
        return int(next(iter(self.posterior.values())).size)

    def draws(self, var_names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Flattened draws, ``{name: (chain*draw,)}``."""
        names = self._var_names(var_names)
        return {k: np.asarray(self.posterior[k]).reshape(-1) for k in names}

    def _var_names(self, var_names: Sequence[str] | None) -> list[str]:
        if var_names is None:
            return list(self.param_names)
        if isinstance(var_names, str):
            var_names = [var_names]
        if not isinstance(var_names, Sequence) or not all(isinstance(v, str)
                                                          for v in var_names):
            raise BayescaleError(f"var_names must be a parameter name or a list of them, "
                                 f"got {var_names!r}; this fit has {list(self.param_names)}")
        bad = [v for v in var_names if v not in self.posterior]
        if bad:
            raise BayescaleError(f"unknown parameter(s) {bad}; this fit has "
                                 f"{list(self.param_names)}")
        return list(var_names)

    # ---- the shared posterior (bayescale.result._base) ------------------------------
    def _posterior(self) -> Posterior:
        if "post" not in self._cache:
            self._cache["post"] = Posterior(
                dict(self.posterior), self.sample_stats["diverging"], {},
                dict(self.sample_stats), self.settings, self.timing)
        return self._cache["post"]

    def _convergence(self) -> dict[str, dict[str, float]]:
        # ArviZ's values per parameter (the batched estimators agree to 1e-12)
        if "conv" not in self._cache:
            self._cache["conv"] = _diagnostics.convergence(dict(self.posterior))
        return self._cache["conv"]

    def _file_meta(self) -> dict[str, Any]:
        from bayescale.result._io import fit_meta

        return fit_meta(self)

    @classmethod
    def _from_file(cls, meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                   law: Any) -> Fit:
        from bayescale.result._fit_file import _build

        return _build(meta, arrays, law, cls)

    # ---- diagnostics -------------------------------------------------------------
    def summary(self, ci_prob: float = 0.9, var_names: Sequence[str] | None = None
                ) -> pd.DataFrame:
        """Posterior summary: one row per parameter.

        Columns: ``mean``, ``sd``, ``median``, ``lower``, ``upper`` (equal-tailed
        ``ci_prob`` interval), ``r_hat``, ``ess_bulk``, ``ess_tail``.
        """
        return self._summary(self._var_names(var_names), ci_prob)

    def diagnostics(self) -> dict[str, Any]:
        """Sampler health: divergences, R-hat, ESS, tree depth, step size, timings.

        Also ``non_finite`` (``{name: count}`` of NaN or infinite draws), ``constant``
        (``{name: [chain, ...]}`` where a parameter never moves), ``undefined`` (names
        whose R-hat or bulk ESS is NaN), ``r_hat_computed`` (False for one chain), and
        ``restarted_chains`` / ``dropped_chains``: the chains :func:`bayescale.fit` found
        stuck and restarted, or dropped (numbered as sampled; see its Notes); ``ok``
        as :attr:`ok`. The rules are those of every result
        (:func:`bayescale.result._diagnostics.report`).
        """
        return self._diagnose(False)

    @property
    def ok(self) -> bool:
        """True when no diagnostic failed.

        Every chain's draws finite and moving, R-hat <= ``RHAT_MAX`` (NaN fails), bulk
        ESS above ``ESS_PER_CHAIN`` per chain, no divergences, no tree-depth hits. A fit
        of one chain can be ok: its R-hat cannot be computed, which the fit's
        :class:`DiagnosticWarning` says (with num_chains >= 2 as the remedy), but that is
        a check not made, not a check failed.
        """
        return self._diagnose(False)["ok"]

    # ---- questions ---------------------------------------------------------------
    def predict(self, ci_prob: float = 0.9, kind: str = "predictive", seed: int = 0,
                discrepancy: bool = True, **inputs: Any) -> pd.DataFrame:
        """Posterior-predictive (or mean-curve) quantiles at new inputs.

        Parameters
        ----------
        ci_prob : float
            Probability mass of the equal-tailed interval (``lower``, ``upper``).
        kind : {"predictive", "mean"}
            ``"predictive"``: new observations (law + noise); ``"mean"``: the law's curve.
        seed : int
            Seed of the predictive noise draws.
        discrepancy : bool
            Add the law's misfit beyond the data (default; no effect inside the data's
            range or for fits without a discrepancy).
        **inputs : array_like
            Values for every input, by data column or law input name (broadcast).

        Returns
        -------
        DataFrame
            Input columns, then ``mean``, ``median``, ``lower``, ``upper``.
            ``frame.attrs["band"]`` says what the band is (see :meth:`band_label`) and
            ``frame.attrs["decades_beyond"]`` how far each point lies from the data.

        Notes
        -----
        Never NaN or infinite without a word: quantiles of draws that include infinities
        (heavy Student-t tails overflowing float64) stay infinite instead of turning NaN
        through ``inf - inf``; NaN draws are left out of the mean and quantiles; and
        whenever a value of the frame is not finite, or NaN draws were left out, a
        :class:`DiagnosticWarning` names the columns, the points and the cause (for
        instance Student-t ``nu < 1`` in some draws, or non-finite parameter draws).
        """
        ci_prob = check_ci_prob(ci_prob)
        _predict.check_options(kind, seed, discrepancy)
        by_inp, by_col = _predict.check_inputs(self.law, self.x, inputs)
        draws = self._draws_at(kind, seed, discrepancy, by_inp)
        frame = _predict.quantile_frame(by_col, draws, ci_prob)
        _predict.warn_non_finite("predict", _predict.frame_problems(frame, draws, ci_prob),
                                 lambda: self._causes(kind))
        frame.attrs["band"] = self.band_label(kind, discrepancy)
        # a list, not an array: pandas compares attrs when frames are concatenated
        frame.attrs["decades_beyond"] = (self.discrepancy.distance(by_inp).tolist() if
                                         self.discrepancy else [0.0] * len(frame))
        frame.attrs["ci_prob"] = float(ci_prob)
        return frame

    def band_label(self, kind: str = "predictive", discrepancy: bool = True) -> str:
        """What a band of :meth:`predict` is: ``"new observation + discrepancy"``, ..."""
        _predict.check_options(kind, 0, discrepancy)
        base = {"predictive": "new observation", "mean": "mean curve"}[kind]
        return base + (" + discrepancy" if discrepancy and self.discrepancy else "")

    def predict_draws(self, kind: str = "predictive", seed: int = 0,
                      discrepancy: bool = True, **inputs: Any) -> np.ndarray:
        """Raw draws behind :meth:`predict`, shape ``(num_draws, num_points)``.

        The draws are returned as computed; when some are not finite (overflowing
        Student-t tails, non-finite parameter draws) a :class:`DiagnosticWarning` says
        how many and why.
        """
        _predict.check_options(kind, seed, discrepancy)
        by_inp, _ = _predict.check_inputs(self.law, self.x, inputs)
        draws = self._draws_at(kind, seed, discrepancy, by_inp)
        _predict.warn_non_finite("predict_draws", _predict.draw_problems(draws),
                                 lambda: self._causes(kind))
        return draws

    def _causes(self, kind: str) -> list[str]:
        return _predict.causes(self.posterior, self.likelihood, kind)

    def _draws_at(self, kind: str, seed: int, discrepancy: bool,
                  by_inp: dict[str, np.ndarray]) -> np.ndarray:
        disc = self.discrepancy if discrepancy else None
        if kind == "mean":
            draws = _predict.mean_draws(self.law, self.posterior, by_inp)
        else:
            draws = _predict.predictive_draws(self.law, self.likelihood, self.posterior,
                                              by_inp, seed)
        return draws if disc is None else _predict.with_drift(draws, disc, by_inp, seed)

    def calibration(self) -> pd.DataFrame:
        """The leave-future-out splits behind the discrepancy, one row per split.

        Columns: ``cut`` (the training part's end on the scale axis, ``log10``),
        ``n_train``, ``n_test``, ``max_decades`` (farthest forecast), ``bias`` (mean
        forecast error), ``coverage_90_before`` and ``coverage_90_after`` (90% coverage
        of the split's held-out points without and with the learnt drift). The frame's
        ``attrs`` hold the drift's posterior summary.
        """
        from bayescale.result._calibration import calibration_frame

        return calibration_frame(self.discrepancy)

    def compute_optimal(self, C: Any, ci_prob: float = 0.9, *, flops_per_token: float = 6.0,
                        discrepancy: bool = True) -> pd.DataFrame:
        """Compute-optimal N*, D* under C = 6 N D, with credible intervals.

        See :func:`bayescale.analysis.compute_optimal` (reached through
        :mod:`bayescale.result._upward`: the analysis layer sits above this one).
        """
        return _upward.compute_optimal(self, C, ci_prob=ci_prob,
                                       flops_per_token=flops_per_token,
                                       discrepancy=discrepancy)

    def log_likelihood(self) -> np.ndarray:
        """Pointwise log density of each observation, ``(chain, draw, n)``."""
        if "loglik" not in self._cache:
            from bayescale.result._io import pointwise_log_likelihood

            self._cache["loglik"] = pointwise_log_likelihood(self)
        return self._cache["loglik"]

    # ---- export ------------------------------------------------------------------
    def to_arviz(self):
        """Return the ArviZ DataTree (posterior, sample_stats, log_likelihood, observed_data)."""
        from bayescale.result._io import to_datatree

        return to_datatree(self)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Matplotlib plot of data, median and nested credible bands."""
        from bayescale.result._plot import plot_fit

        return plot_fit(self, ax=ax, **kwargs)

    def widget(self, **kwargs: Any) -> Any:
        """Interactive extrapolation view (anywidget).

        Keywords go to :meth:`~bayescale.widgets.ExtrapolationWidget.from_fit`: its
        options (``ci_levels``, ``target_x``, ``kind``, ...) and any trait of the view
        (``height``, ``width``, ``theme``, ...); another keyword raises a ``TypeError``
        that lists the accepted ones. The view is the presentation layer's, reached
        through :mod:`bayescale.result._upward`.
        """
        return _upward.resolve("fit_widget").from_fit(self, **kwargs)

    def __repr__(self) -> str:
        d = self.diagnostics()
        return (f"<Fit {self.law.name} ({self.likelihood.name}) on {self.dataset.n} points: "
                f"{self.num_chains} chains x {self.num_draws // self.num_chains} draws, "
                f"max R-hat {d['max_r_hat']:.3f}, min ESS {d['min_ess_bulk']:.0f}, "
                f"{d['divergences']} divergences>")

    def _html_header(self) -> Any:
        """The HTML's header: law, formula, likelihood, points (the base renders it)."""
        from bayescale.result._html import fit_header

        return fit_header(self)

    def _html_note(self) -> str:
        """The HTML's calibration note: what the bands beyond the data include."""
        from bayescale.result._calibration import calibration_text

        return calibration_text(self.discrepancy)
