"""The immutable result of :func:`bayescale.passuntil.fit`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from bayescale._errors import FitFileError
from bayescale.passuntil._checks import check_choice, positive_array
from bayescale.passuntil._display import band, new_axes
from bayescale.passuntil._emergence import Emergence, classify_curvature
from bayescale.passuntil._records import PassUntilRecords
from bayescale.result._base import Result
from bayescale.result._fit_file import model_meta, model_posterior
from bayescale.result._html import Header, facts_html
from bayescale.result._posterior import Posterior, check_ci_prob


def _plain(values: np.ndarray) -> list:
    """Labels as JSON values (NumPy scalars as Python scalars)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


_POPULATION = ("mu_F0", "mu_log_alpha", "sigma_F0", "sigma_log_alpha", "rho", "kappa")


@dataclass(frozen=True)
class TaskDesign:
    """Fixed quantities of a task-law fit: centring, scales, sizes of the problem."""

    center: float
    h: float
    q: float
    f_crude: float
    r_max: int
    curvature: bool
    kappa_prior_sd: float
    instances: tuple[Any, ...]

    @property
    def n_instances(self) -> int:
        """Number of instances."""
        return len(self.instances)

    @classmethod
    def from_records(
        cls, records: PassUntilRecords, *, curvature: bool, kappa_sd: float
    ) -> TaskDesign:
        """Derive the design from records."""
        log_sizes = np.log(records.sizes)
        center = float(log_sizes.mean())
        x = log_sizes - center
        p_crude = np.where(records.censored, 0.5 / records.K_max, records.r / records.K)
        p_crude = np.clip(p_crude, 1e-300, 1 - 1e-9)
        return cls(
            center=center,
            h=float((log_sizes.max() - log_sizes.min()) / 2),
            q=float(np.mean(x**2)),
            f_crude=float(np.mean(np.log(-np.log(p_crude)))),
            # the censored records' binomial tail sums r_max terms; only they need it
            r_max=int(records.r[records.censored].max(initial=1)),
            curvature=curvature,
            kappa_prior_sd=float(kappa_sd),
            instances=records.instances,
        )

    def instance_index(self, labels: np.ndarray) -> np.ndarray:
        """Integer index of each label in :attr:`instances`."""
        lookup = {lab: i for i, lab in enumerate(self.instances)}
        return np.array([lookup[lab] for lab in labels], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class PassUntilFit(Result):
    """Posterior of the hierarchical task law (returned by :func:`fit`).

    Immutable: every method returns a value. Task-level PU is the mean of the
    instance-level ``PU_s(N)`` over the fitted instances. Built on the base of every
    result (:class:`bayescale.result._base.Result`): its diagnostics are those of
    ``bs.fit``, and ``save(path)`` / ``bs.load(path)`` round-trip it.

    Attributes
    ----------
    records : PassUntilRecords
        The fitted data.
    posterior : Posterior
        Posterior draws (``(chain, draw, ...)``) and divergences.
    design : TaskDesign
        Centring and scales of the model.
    """

    records: PassUntilRecords
    posterior: Posterior
    design: TaskDesign
    file_kind = "passuntil"

    # ---- the shared posterior and its file ----------------------------------------
    def _posterior(self) -> Posterior:
        return self.posterior

    def _observed(self) -> dict[str, np.ndarray]:
        rec = self.records
        return {"K": rec.K, "r": rec.r, "K_max": rec.K_max, "censored": rec.censored}

    def _file_meta(self) -> dict[str, Any]:
        rec = self.records
        return {"records": {"N": rec.N.tolist(), "instance": _plain(rec.instance),
                            "r": rec.r.tolist(), "K": rec.K.tolist(),
                            "K_max": rec.K_max.tolist(), "censored": rec.censored.tolist()},
                "curvature": self.design.curvature,
                "kappa_prior_sd": self.design.kappa_prior_sd, **model_meta(self.posterior)}

    @classmethod
    def _from_file(cls, meta: dict[str, Any], arrays: dict[str, dict[str, tuple]],
                   law: Any) -> PassUntilFit:
        spec, curvature = meta.get("records"), meta.get("curvature")
        keys = {"N", "instance", "r", "K", "K_max", "censored"}
        if not isinstance(spec, dict) or set(spec) != keys or not isinstance(curvature, bool):
            raise FitFileError("the PassUntil records or the curvature flag are malformed")
        records = PassUntilRecords(**{k: np.asarray(v, dtype=object if k == "instance"
                                                    else None) for k, v in spec.items()})
        design = TaskDesign.from_records(records, curvature=curvature,
                                         kappa_sd=float(meta.get("kappa_prior_sd")))
        n = (design.n_instances,)
        expected = {k: () for k in _POPULATION if k != "kappa" or curvature}
        post = model_posterior(meta, arrays, expected | {"F0": n, "log_alpha": n})
        return cls(records=records, posterior=post, design=design)

    def _F(self, N: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        sizes = positive_array("N", N)
        x = np.log(sizes) - self.design.center
        post = self.posterior
        f0 = post.flat("F0")[:, None, :]
        alpha = np.exp(post.flat("log_alpha"))[:, None, :]
        f = f0 - alpha * x[None, :, None]
        if self.design.curvature:
            gamma = post.flat("kappa")[:, None, None] / self.design.h**2
            f = f + gamma * (x[None, :, None] ** 2 - self.design.q)
        return sizes, f

    def predict_draws(self, N: ArrayLike, *, level: str = "task") -> np.ndarray:
        """Posterior draws of PU at sizes ``N``.

        Parameters
        ----------
        N : float or sequence of float
            Model sizes.
        level : {"task", "instance"}
            Task-level mean over instances, or per instance.

        Returns
        -------
        numpy.ndarray
            ``(draws, len(N))`` for ``"task"``; ``(draws, len(N), instances)`` otherwise.
        """
        check_choice("level", level, ("task", "instance"))
        _, f = self._F(N)
        pu = np.exp(-np.exp(f))
        return pu.mean(axis=-1) if level == "task" else pu

    def predict(self, N: ArrayLike, ci_prob: float = 0.9, *, level: str = "task") -> pd.DataFrame:
        """Posterior median and equal-tailed interval of PU at sizes ``N``.

        Parameters
        ----------
        N : float or sequence of float
            Model sizes.
        ci_prob : float
            Interval probability.
        level : {"task", "instance"}
            ``"task"``: the mean PU over instances. ``"instance"``: one row per
            (instance, N) with an ``instance`` column.

        Returns
        -------
        pandas.DataFrame
            Columns ``N``, ``median``, ``lower``, ``upper`` (and ``instance``).
        """
        ci_prob = check_ci_prob(ci_prob)
        sizes = positive_array("N", N)
        draws = self.predict_draws(sizes, level=level)
        qs = np.quantile(draws, [0.5, (1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
        if level == "task":
            return pd.DataFrame({"N": sizes, "median": qs[0], "lower": qs[1], "upper": qs[2]})
        inst = np.array(self.design.instances, dtype=object)
        n_s = inst.size
        return pd.DataFrame(
            {
                "instance": np.tile(inst, sizes.size),
                "N": np.repeat(sizes, n_s),
                "median": qs[0].ravel(),
                "lower": qs[1].ravel(),
                "upper": qs[2].ravel(),
            }
        )

    def summary(self, ci_prob: float = 0.9, *, instances: bool = False) -> pd.DataFrame:
        """Posterior summary of the population (and optionally instance) parameters.

        Parameters
        ----------
        ci_prob : float
            Interval probability of ``lower``/``upper``.
        instances : bool
            Also list ``F0[s]`` and ``log_alpha[s]`` per instance.

        Returns
        -------
        pandas.DataFrame
            Rows are parameters; columns ``mean``, ``sd``, ``median``, ``lower``,
            ``upper``, ``r_hat``, ``ess_bulk``, ``ess_tail``.
        """
        names = [n for n in _POPULATION if n in self.posterior.samples]
        if instances:
            names += ["F0", "log_alpha"]
        return self._summary(names, ci_prob)

    def diagnostics(self, *, warn: bool = True) -> dict[str, Any]:
        """NUTS diagnostics, those of :meth:`bayescale.Fit.diagnostics`.

        Parameters
        ----------
        warn : bool
            Emit a :class:`~bayescale.result.DiagnosticWarning` (alias
            ``ConvergenceWarning``) with a remedy when a check of ``bs.fit`` fails: R-hat
            > 1.01, bulk ESS < 100 per chain (400 for 4 chains), divergences, tree-depth
            hits, non-finite or constant draws or undefined (NaN) diagnostics.

        Returns
        -------
        dict
            The keys of :meth:`bayescale.Fit.diagnostics` (``max_r_hat``,
            ``min_ess_bulk``, ``divergences``, ``num_chains``, ``num_draws``: all draws,
            ...) and ``ok``.
        """
        return self._diagnose(warn)

    def emergence(self, rope: float = 0.1) -> Emergence:
        """Posterior probabilities of linear / concave (accelerated) / convex curves.

        See :mod:`bayescale.passuntil._emergence` for the rule.

        Parameters
        ----------
        rope : float
            Half-width of the region of practical equivalence for the curvature.

        Returns
        -------
        Emergence
            ``label`` and ``probs``.
        """
        if not self.design.curvature:
            raise ValueError(
                "this fit has no curvature term; refit with fit(records, curvature=True) "
                "to classify emergence."
            )
        return classify_curvature(self.posterior.flat("kappa"), rope)

    def plot(self, ax: Any = None, *, N: ArrayLike | None = None, ci_prob: float = 0.9) -> Any:
        """Plot per-record estimates and the task-level PU band against N.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure otherwise).
        N : sequence of float, optional
            Sizes of the band (default: the data's range, extended 4x upwards).
        ci_prob : float
            Band probability.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = new_axes(ax)
        rec = self.records
        sizes = rec.sizes
        grid = np.geomspace(sizes.min(), sizes.max() * 4, 60) if N is None else np.asarray(N)
        band(ax, grid, self.predict(grid, ci_prob), label="task PU")
        ok = ~rec.censored
        ax.scatter(rec.N[ok], rec.r[ok] / rec.K[ok], s=10, alpha=0.5, color="0.3", label="r/K")
        if rec.censored.any():
            c = rec.censored
            ax.scatter(
                rec.N[c],
                rec.r[c] / rec.K_max[c],
                s=14,
                marker="v",
                color="C3",
                label="censored (r/K_max)",
            )
        ax.set(xscale="log", yscale="log", xlabel="N (parameters)", ylabel="PU")
        ax.legend(fontsize="small")
        return ax

    def widget(self, **kwargs: Any) -> Any:
        """Interactive notebook view (:class:`bayescale.widgets.PassUntilWidget`).

        Keywords go to :meth:`PassUntilWidget.from_fit` (``predict_N``, ``ci_prob``, ...).
        """
        from bayescale.result._upward import resolve  # the widgets sit above the results

        return resolve("passuntil_widget").from_fit(self, **kwargs)

    def _html_header(self) -> Header:
        rec, d = self.records, self.design
        law = "log(-log PU_s) = F0_s - alpha_s x" + (" + gamma (x² - q)" if d.curvature else "")
        return Header("PassUntil task-law fit", law,
                      f"{len(rec)} records, {d.n_instances} instances, {rec.sizes.size} "
                      f"sizes, {rec.n_censored} censored")

    def _html_sections(self) -> list[tuple[str, str]]:
        facts = {"records": repr(self.records), "curvature": self.design.curvature}
        out = [("data", facts_html(facts))]
        if self.design.curvature:
            out.append(("emergence", self.emergence()._repr_html_()))
        return out

    def __repr__(self) -> str:
        return f"PassUntilFit({self.records!r}, curvature={self.design.curvature})"
