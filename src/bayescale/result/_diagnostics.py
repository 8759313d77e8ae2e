"""Convergence diagnostics through ArviZ, and the warnings that name the remedy.

R-hat and ESS come from ``arviz_stats``' array interface, the functions behind
``az.rhat`` and ``az.ess``: same values, without building an xarray DataTree (whose
first use in a process costs about half a second).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["DiagnosticWarning", "check", "convergence"]

RHAT_MAX = 1.01
ESS_PER_CHAIN = 100  # 400 for the default 4 chains (Vehtari et al. 2021)


class DiagnosticWarning(UserWarning):
    """The sampler did not clearly converge: the posterior may be wrong."""


def convergence(posterior: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """R-hat (rank-normalised), bulk and tail ESS per parameter.

    Parameters
    ----------
    posterior : dict of str to ndarray
        Draws of each parameter, shape ``(chain, draw)``.

    Returns
    -------
    dict of str to dict
        ``{name: {"r_hat", "ess_bulk", "ess_tail"}}``; R-hat is NaN for one chain. The
        values equal ``az.rhat``, ``az.ess(method="bulk")`` and ``az.ess(method="tail")``
        (tail ESS at ArviZ's ``stats.ci_prob``).
    """
    # ArviZ loads on first use: importing it costs ~0.1-1 s, kept out of `import bayescale`
    from arviz_base import rcParams
    from arviz_stats.base import array_stats

    prob = rcParams["stats.ci_prob"]
    out = {}
    for name, draws in posterior.items():
        ary = np.asarray(draws, dtype=float)
        out[name] = {
            "r_hat": (float(array_stats.rhat(ary, chain_axis=0, draw_axis=1))
                      if ary.shape[0] > 1 else float("nan")),
            "ess_bulk": float(array_stats.ess(ary, chain_axis=0, draw_axis=1, method="bulk")),
            "ess_tail": float(array_stats.ess(ary, chain_axis=0, draw_axis=1, method="tail",
                                              prob=prob)),
        }
    return out


def check(diag: dict[str, Any], *, stacklevel: int = 3) -> list[str]:
    """Warn (once, listing every problem and its remedy) when diagnostics are bad."""
    problems = []
    if diag["divergences"] > 0:
        problems.append(
            f"{diag['divergences']} divergent transition(s): the posterior has regions the "
            "sampler cannot explore; raise target_accept_prob (e.g. 0.95), tighten priors "
            "or simplify the law")
    if np.isfinite(diag["max_r_hat"]) and diag["max_r_hat"] > RHAT_MAX:
        problems.append(
            f"R-hat up to {diag['max_r_hat']:.3f} (> {RHAT_MAX}) for {diag['worst_r_hat']!r}: "
            "chains disagree; run longer (num_warmup, num_samples) or check for multiple "
            "modes")
    if diag["min_ess_bulk"] < diag["ess_threshold"]:
        problems.append(
            f"bulk ESS down to {diag['min_ess_bulk']:.0f} (< {diag['ess_threshold']:.0f}) for "
            f"{diag['worst_ess']!r}: too few effective draws for reliable intervals; "
            "increase num_samples")
    if diag["tree_depth_hits"] > 0:
        problems.append(
            f"{diag['tree_depth_hits']} transition(s) hit max_tree_depth: the posterior is "
            "badly scaled; raise max_tree_depth or reparameterise")
    if problems:
        warnings.warn("bayescale fit diagnostics: " + "; ".join(problems) + ".",
                      DiagnosticWarning, stacklevel=stacklevel)
    return problems
