"""Is tying parameters across two curves supported? PSIS-LOO of a joint fit against two fits.

:func:`~bayescale.analysis.fit_joint` fits two curves with chosen parameters shared (an
exponent common to in- and out-of-distribution losses, to an encoder and a decoder);
:func:`tying_support` asks the data whether that is warranted. It scores the tied joint
fit and the two separate (untied) fits on the same points by PSIS-LOO (ArviZ): the
untied model's pointwise ELPD is fit A's on curve A's points and fit B's on curve B's, so
both models predict every held-out point of both curves. The difference ``elpd_tied -
elpd_untied`` and its standard error (from the pointwise differences, as ArviZ's
``compare`` computes ``dse``) give the verdict: clearly above zero (more than ``z``
standard errors), tying predicts better; clearly below, the curves differ in what was
tied; in between, the data cannot tell (the tied model is then the simpler one that
predicts as well).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError
from bayescale.analysis._compare import PARETO_K_MAX
from bayescale.analysis._joint import GROUP, JointFit

__all__ = ["tying_support"]

def _pointwise_loo(fit: Any) -> tuple[np.ndarray, float, np.ndarray]:
    """A Fit's pointwise PSIS-LOO ELPD, effective number of parameters and Pareto k."""
    import arviz as az

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ's own Pareto-k notes; ours follow
        loo = az.loo(fit.to_arviz(), pointwise=True, var_name=fit.y)
    return (np.asarray(loo.elpd_i, dtype=float).ravel(), float(loo.p),
            np.asarray(loo.pareto_k, dtype=float).ravel())


def _same_points(view: Any, fit: Any, which: str) -> None:
    from bayescale.result import Fit

    if not isinstance(fit, Fit):
        raise BayescaleError(f"{which} must be a bayescale Fit (the separate fit of one "
                             f"curve), got {type(fit).__name__}")
    y0, y1 = view.dataset.y, fit.dataset.y
    if y0.shape != y1.shape or not np.allclose(y0, y1, rtol=1e-12, atol=0):
        raise BayescaleError(f"{which} must be fitted to the joint fit's curve "
                             f"{view.settings.get('joint_group', '?')!r} (same responses, "
                             f"same order): it has {y1.size} responses that differ from "
                             f"the curve's {y0.size}")


def tying_support(joint: JointFit, fit_a: Any, fit_b: Any, *, z: float = 2.0
                  ) -> pd.DataFrame:
    """Say, by PSIS-LOO of a tied joint fit against two separate fits, if tying is supported.

    Parameters
    ----------
    joint : JointFit
        From :func:`~bayescale.analysis.fit_joint`, with the parameters under test in
        ``shared``.
    fit_a, fit_b : Fit
        Separate fits of curve A and curve B (``bs.fit`` on each curve's data, same
        points in the same order as given to ``fit_joint``): every parameter free,
        the noise parameters too.
    z : float, default 2.0
        The verdict's threshold, in standard errors of the ELPD difference.

    Returns
    -------
    DataFrame
        One row, indexed by the tied parameter names (``shared``): ``elpd_tied``,
        ``elpd_untied`` (PSIS-LOO expected log pointwise predictive density of all
        points of both curves), ``elpd_diff`` (tied minus untied) and its standard error
        ``dse``, ``se_tied``, ``se_untied``, ``p_tied``, ``p_untied`` (effective
        numbers of parameters), ``pareto_k_max_tied``, ``n_bad_k_tied``,
        ``pareto_k_max_untied``, ``n_bad_k_untied`` (largest Pareto k and the number of
        points with k > 0.7, per model), ``n_points`` and ``verdict``: ``"supported"`` when
        ``elpd_diff > z dse`` (tying predicts better), ``"not supported"`` when
        ``elpd_diff < -z dse`` (the curves differ in the tied parameters),
        ``"cannot tell"`` in between (the simpler tied model predicts as well).

    Warns
    -----
    DiagnosticWarning
        When some points have Pareto k > 0.7: their LOO estimates are unreliable, so
        the difference is approximate.

    Examples
    --------
    >>> tied = bs.fit_joint(df_a, df_b, "power_law", x="C", y="loss",
    ...                     shared=["alpha"])  # doctest: +SKIP
    >>> a = bs.fit(df_a, "power_law", x="C", y="loss")  # doctest: +SKIP
    >>> b = bs.fit(df_b, "power_law", x="C", y="loss")  # doctest: +SKIP
    >>> bs.analysis.tying_support(tied, a, b)["verdict"].iloc[0]  # doctest: +SKIP
    'cannot tell'
    """
    from bayescale.result import DiagnosticWarning

    if not isinstance(joint, JointFit):
        raise BayescaleError("joint must be a JointFit (from bs.fit_joint), got "
                             f"{type(joint).__name__}")
    if isinstance(z, bool) or not isinstance(z, int | float) or not np.isfinite(z) or z <= 0:
        raise BayescaleError(f"z must be a finite number > 0 (standard errors), got {z!r}")
    _same_points(joint.a, fit_a, "fit_a")
    _same_points(joint.b, fit_b, "fit_b")
    tied, p_tied, k_tied = _pointwise_loo(joint.joint)
    in_b = np.asarray(joint.joint.dataset.x[GROUP]) > 0.5
    untied, k_untied = np.empty_like(tied), np.empty_like(tied)
    p_untied = 0.0
    for mask, fit in ((~in_b, fit_a), (in_b, fit_b)):
        elpd_i, p, k = _pointwise_loo(fit)
        untied[mask], k_untied[mask], p_untied = elpd_i, k, p_untied + p
    n = tied.size
    diff = tied - untied
    # as ArviZ computes them: a model's se with ddof=1 (loo), the difference's without
    se = {name: float(np.sqrt(n * np.var(v, ddof=1))) for name, v in
          (("tied", tied), ("untied", untied))}
    elpd_diff, dse = float(diff.sum()), float(np.sqrt(n * np.var(diff)))
    verdict = ("supported" if elpd_diff > z * dse else
               "not supported" if elpd_diff < -z * dse else "cannot tell")
    bad = {"tied": int(np.sum(k_tied > PARETO_K_MAX)),
           "untied": int(np.sum(k_untied > PARETO_K_MAX))}
    if any(bad.values()):
        desc = "; ".join(f"{k}: {v} of {n}" for k, v in bad.items() if v)
        warnings.warn(f"PSIS-LOO: points with Pareto k > {PARETO_K_MAX} ({desc}): their "
                      "leave-one-out estimates are unreliable, so the tied-untied ELPD "
                      "difference is approximate; check with K-fold cross-validation or "
                      "a backtest", DiagnosticWarning, stacklevel=2)
    row = {"elpd_tied": float(tied.sum()), "elpd_untied": float(untied.sum()),
           "elpd_diff": elpd_diff, "dse": dse, "se_tied": se["tied"],
           "se_untied": se["untied"], "p_tied": p_tied, "p_untied": p_untied,
           "pareto_k_max_tied": float(np.max(k_tied)), "n_bad_k_tied": bad["tied"],
           "pareto_k_max_untied": float(np.max(k_untied)), "n_bad_k_untied": bad["untied"],
           "n_points": n, "verdict": verdict}
    index = pd.Index([", ".join(joint.shared) or "none"], name="shared")
    return pd.DataFrame([row], index=index)
