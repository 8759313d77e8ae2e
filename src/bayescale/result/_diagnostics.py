"""Convergence diagnostics through ArviZ, and the warnings that name the remedy.

The thresholds, :class:`DiagnosticWarning` and :func:`stuck_chains` are the engine's
(:mod:`bayescale.engine._diagnostics`: it restarts stuck chains and refits by them) and
are re-exported here, with what the results report.

R-hat and ESS come from ``arviz_stats``' array interface, the functions behind
``az.rhat`` and ``az.ess``: same values, without building an xarray DataTree (whose
first use in a process costs about half a second).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from bayescale.engine._diagnostics import (
    ESS_PER_CHAIN,
    RHAT_MAX,
    STUCK_LP_MIN,
    STUCK_LP_SPREADS,
    DiagnosticWarning,
    quoted,
    stuck_chains,
)

__all__ = ["ESS_PER_CHAIN", "RHAT_MAX", "STUCK_LP_MIN", "STUCK_LP_SPREADS",
           "DiagnosticWarning", "check", "convergence", "draw_health", "failed", "problems",
           "stuck_chains"]


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
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # constant or non-finite draws make NaN (reported by `problems`), not warnings
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, draws in posterior.items():
            out[name] = _one(array_stats, np.asarray(draws, dtype=float), prob)
    return out


def _one(array_stats: Any, ary: np.ndarray, prob: float) -> dict[str, float]:
    return {
        "r_hat": (float(array_stats.rhat(ary, chain_axis=0, draw_axis=1))
                  if ary.shape[0] > 1 else float("nan")),
        "ess_bulk": float(array_stats.ess(ary, chain_axis=0, draw_axis=1, method="bulk")),
        "ess_tail": float(array_stats.ess(ary, chain_axis=0, draw_axis=1, method="tail",
                                          prob=prob)),
    }


def problems(diag: dict[str, Any]) -> list[tuple[str, bool]]:
    """Every problem of a fit's diagnostics with its remedy, as ``(text, is_failure)``.

    A failure makes :attr:`Fit.ok` False; the one notice that is not a failure is a
    single chain, whose R-hat cannot be computed (nothing failed, but the chains could
    not be compared). NaN or infinite diagnostics are failures, never passes: constant
    draws (a chain that never moved) and non-finite draws (an overflow, a chain in a
    degenerate region) are reported by parameter name.
    """
    out: list[tuple[str, bool]] = []
    non_finite = diag.get("non_finite") or {}
    if non_finite:
        total = diag["num_draws"]
        out.append((
            "non-finite draws of " + ", ".join(
                f"{k!r} ({n} of {total})" for k, n in non_finite.items())
            + ": a chain overflowed or wandered into a degenerate region; tighten the "
            "priors of these parameters or refit with another seed", True))
    constant = diag.get("constant") or {}
    if constant:
        out.append((
            "constant draws of " + ", ".join(
                f"{k!r} (chain{'s' if len(c) > 1 else ''} {', '.join(map(str, c))})"
                for k, c in constant.items())
            + ": the sampler never moved there (a stuck chain); refit with another seed, "
            "more num_warmup or a higher target_accept_prob", True))
    undefined = [k for k in diag.get("undefined") or () if k not in non_finite
                 and k not in constant]
    if undefined:
        out.append((f"R-hat or ESS is undefined (NaN) for {quoted(undefined)}: the draws "
                     "cannot be checked; refit with more draws", True))
    if diag["divergences"] > 0:
        out.append((
            f"{diag['divergences']} divergent transition(s): the posterior has regions the "
            "sampler cannot explore; raise target_accept_prob (e.g. 0.95), tighten priors "
            "or simplify the law", True))
    if not diag.get("r_hat_computed", True):
        out.append(("R-hat cannot be computed with one chain: chains that disagree (a "
                    "stuck chain, several modes) go unnoticed; use num_chains >= 2 "
                    "(4 is the default)", False))
    elif np.isfinite(diag["max_r_hat"]) and diag["max_r_hat"] > RHAT_MAX:
        out.append((
            f"R-hat up to {diag['max_r_hat']:.3f} (> {RHAT_MAX}) for {diag['worst_r_hat']!r}: "
            "chains disagree; run longer (num_warmup, num_samples) or check for multiple "
            "modes", True))
    if np.isfinite(diag["min_ess_bulk"]) and diag["min_ess_bulk"] < diag["ess_threshold"]:
        out.append((
            f"bulk ESS down to {diag['min_ess_bulk']:.0f} (< {diag['ess_threshold']:.0f}) for "
            f"{diag['worst_ess']!r}: too few effective draws for reliable intervals; "
            "increase num_samples", True))
    if diag["tree_depth_hits"] > 0:
        out.append((
            f"{diag['tree_depth_hits']} transition(s) hit max_tree_depth: the posterior is "
            "badly scaled; raise max_tree_depth or reparameterise", True))
    return out


def failed(diag: dict[str, Any]) -> bool:
    """Whether any diagnostic failed (what :attr:`Fit.ok` negates)."""
    return any(bad for _, bad in problems(diag))


def check(diag: dict[str, Any], *, stacklevel: int = 3) -> list[str]:
    """Warn (once, listing every problem and its remedy) when diagnostics are bad.

    Returns the problems' texts (the one-chain notice included).
    """
    texts = [text for text, _ in problems(diag)]
    if texts:
        warnings.warn("bayescale fit diagnostics: " + "; ".join(texts) + ".",
                      DiagnosticWarning, stacklevel=stacklevel)
    return texts


def draw_health(posterior: Mapping[str, np.ndarray]) -> tuple[dict[str, int],
                                                               dict[str, list[int]]]:
    """Non-finite draw counts and the chains where each parameter never moves.

    Returns
    -------
    (non_finite, constant) : tuple of dict
        ``{name: count}`` of parameters with NaN or infinite draws, and ``{name:
        [chain, ...]}`` of parameters whose draws are all equal within those chains
        (chains of at least two draws).
    """
    non_finite, constant = {}, {}
    for name, draws in posterior.items():
        a = np.asarray(draws, dtype=float)
        n = int(np.sum(~np.isfinite(a)))
        if n:
            non_finite[name] = n
        if a.ndim == 2 and a.shape[1] >= 2:
            with np.errstate(invalid="ignore"):
                still = np.all(a == a[:, :1], axis=1)
            chains = [int(c) for c in np.flatnonzero(still)]
            if chains:
                constant[name] = chains
    return non_finite, constant
