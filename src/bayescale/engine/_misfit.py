"""Does the law follow the data's shape? A runs test on the residuals' signs.

If the law is right and the noise independent, the residuals ``log y - log f(x)``
(``y - f(x)`` for likelihoods on ``y``) change sign at random along the curve. A law of
the wrong shape leaves long streaks: above the data at both ends and below in the
middle, say, whatever the noise scale soaks up. The Wald-Wolfowitz runs test counts the
streaks of the residuals ordered by the fitted value (for a one-input law, by its input)
and compares them with what exchangeable signs give; it needs no model of the noise and
costs one evaluation of the law at the posterior mode.

Too few runs means either a misfit of the law or correlated noise (a smooth training
curve); both make the independent-noise bands over-confident, and the warning names
the remedies. Likelihoods that model correlated residuals (``ar1_*``) are not tested.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from bayescale.engine._diagnostics import DiagnosticWarning

__all__ = ["MISFIT_P", "MisfitWarning", "RunsTest", "check_misfit", "runs_test"]

#: One-sided p-value of too few runs below which the fit warns.
MISFIT_P = 1e-3
#: Fewest points the test is run on (below, a streak means little).
MIN_POINTS = 12


class MisfitWarning(DiagnosticWarning):
    """The residuals run in streaks: the law misses the data's shape.

    Or the noise is correlated; either way the bands that assume independent noise are
    over-confident.
    """


@dataclass(frozen=True)
class RunsTest:
    """Result of :func:`runs_test`.

    Attributes
    ----------
    n, runs : int
        Points with a non-zero residual, and runs of equal sign among them.
    expected : float
        Expected runs for exchangeable signs with the same counts.
    z, p : float
        Standardised runs count and the one-sided p-value of that few runs.
    lag1 : float
        Lag-1 autocorrelation of the ordered residuals.
    """

    n: int
    runs: int
    expected: float
    z: float
    p: float
    lag1: float


def runs_test(residuals: np.ndarray, order_by: np.ndarray | None = None) -> RunsTest:
    """Wald-Wolfowitz runs test of the residuals' signs (too few runs: one-sided).

    Parameters
    ----------
    residuals : ndarray
        Residuals of the fit.
    order_by : ndarray, optional
        Values whose (stable) order the residuals are read in; default: as given.

    Returns
    -------
    RunsTest
        With ``p = 1`` when the signs are all alike or fewer than 2 points are non-zero
        (no evidence either way).
    """
    r = np.asarray(residuals, dtype=float).ravel()
    if order_by is not None:
        r = r[np.argsort(np.asarray(order_by, dtype=float).ravel(), kind="stable")]
    r = r[np.isfinite(r)]
    c = r - r.mean() if r.size > 1 else r
    lag1 = float(np.sum(c[1:] * c[:-1]) / np.sum(c * c)) if r.size > 2 and np.any(c) else 0.0
    s = np.sign(r[r != 0])
    n, n1 = int(s.size), int(np.sum(s > 0))
    n2 = n - n1
    runs = int(1 + np.sum(s[1:] != s[:-1])) if n else 0
    if n < 2 or n1 == 0 or n2 == 0:
        return RunsTest(n, runs, float(runs), 0.0, 1.0, lag1)
    mu = 2.0 * n1 * n2 / n + 1.0
    var = (mu - 1.0) * (mu - 2.0) / (n - 1.0)
    z = (runs - mu) / math.sqrt(var) if var > 0 else 0.0
    p = 0.5 * math.erfc(-z / math.sqrt(2.0))  # P(Z <= z)
    return RunsTest(n, runs, mu, float(z), float(p), lag1)


def check_misfit(law: object, likelihood: object, x: Mapping[str, np.ndarray],
                 y: np.ndarray, mode: Mapping[str, float], *, warn: bool = True,
                 stacklevel: int = 4) -> RunsTest | None:
    """Runs test of a fit's residuals at the posterior mode; warns on a misfit.

    Parameters
    ----------
    law, likelihood
        The fit's :class:`~bayescale.laws.Law` and
        :class:`~bayescale.likelihoods.Likelihood`.
    x, y
        The fitted data (inputs by law input name, response).
    mode : mapping
        Parameter values (the posterior mode).
    warn : bool
        Emit a :class:`MisfitWarning` when ``p <`` :data:`MISFIT_P`.

    Returns
    -------
    RunsTest or None
        None when the test does not apply (fewer than :data:`MIN_POINTS` points, a
        likelihood with correlated residuals, or a law that is not finite at the mode).
    """
    name = str(getattr(likelihood, "name", ""))
    y = np.asarray(y, dtype=float)
    if y.size < MIN_POINTS or name.startswith("ar1"):
        return None
    params = {k: float(v) for k, v in mode.items() if k in law.param_names}  # type: ignore[attr-defined]
    with np.errstate(all="ignore"):
        f = np.asarray(law(params, **x), dtype=float)  # type: ignore[operator]
        if bool(getattr(likelihood, "log_scale", False)):
            resid, fitted = np.log(y) - np.log(f), np.log(f)
        else:
            resid, fitted = y - f, f
    if not np.all(np.isfinite(resid)):
        return None
    inputs = list(x)
    order = np.asarray(x[inputs[0]], dtype=float) if len(inputs) == 1 else fitted
    test = runs_test(resid, order)
    if warn and test.p < MISFIT_P:
        along = f"along {inputs[0]}" if len(inputs) == 1 else "ordered by the fitted value"
        warnings.warn(
            f"bayescale fit: the residuals run in streaks: {test.runs} runs of one sign "
            f"{along} where about {test.expected:.0f} are expected for independent noise "
            f"({test.n} points, p = {test.p:.1g}; lag-1 autocorrelation {test.lag1:.2f}). "
            f"Law {getattr(law, 'name', '?')!r} misses the data's shape, or the noise is "
            "correlated; either way bands that assume independent noise are "
            "over-confident. Remedies: compare other laws (bs.compare ranks them by "
            "PSIS-LOO; 'bnsl' bends, 'saturating_power' flattens), keep the discrepancy "
            "(discrepancy=True, the default) for extrapolations, or model correlated "
            "residuals with likelihood='ar1_normal_log'.",
            MisfitWarning, stacklevel=stacklevel)
    return test
