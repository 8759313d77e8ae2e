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
           "report", "stuck_chains"]


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


def _worst(values: Mapping[str, float], largest: bool) -> str:
    """The name of the largest value (NaN never wins), or of the smallest (NaN wins)."""
    def key(k: str) -> float:
        return -np.inf if np.isnan(values[k]) else values[k]

    return max(values, key=key) if largest else min(values, key=key)


def report(conv: Mapping[str, Mapping[str, float]], posterior: Mapping[str, np.ndarray],
           sample_stats: Mapping[str, np.ndarray], settings: Mapping[str, Any],
           timing: Mapping[str, float]) -> dict[str, Any]:
    """The diagnostics of every result, by one set of rules (what :func:`problems` reads).

    Parameters
    ----------
    conv : mapping
        ``{label: {"r_hat", "ess_bulk", "ess_tail"}}`` per scalar (see :func:`convergence`).
    posterior : mapping of str to ndarray
        Draws ``(chain, draw, ...)``.
    sample_stats : mapping of str to ndarray
        ``diverging`` and, where the sampler gave them, ``n_steps``, ``acceptance_rate``,
        ``step_size``.
    settings, timing : mapping
        The sampler's settings (``max_tree_depth``, ``restarted_chains``, ...) and timings.
    """
    first = np.asarray(next(iter(posterior.values())))
    chains, multi = int(first.shape[0]), first.shape[0] > 1
    rhat = {k: v["r_hat"] for k, v in conv.items()}
    ess = {k: v["ess_bulk"] for k, v in conv.items()}
    tail = {k: v["ess_tail"] for k, v in conv.items()}
    # max_r_hat: the largest R-hat computed (NaN ones are in `undefined`, a failure);
    # ESS: NaN is the worst value, never a pass
    worst_r, worst_e = _worst(rhat, True), _worst(ess, False)
    undefined = [k for k in conv if (multi and not np.isfinite(rhat[k]))
                 or not np.isfinite(ess[k])]
    non_finite, constant = draw_health(posterior)
    stats = {k: np.asarray(v) for k, v in sample_stats.items()}
    n_steps = stats.get("n_steps", np.zeros((chains, 1)))
    max_steps = 2 ** int(settings.get("max_tree_depth", 10)) - 1
    with np.errstate(invalid="ignore"):
        return {
            "divergences": int(np.sum(stats["diverging"])),
            "max_r_hat": float(rhat[worst_r]), "worst_r_hat": worst_r,
            "min_ess_bulk": float(ess[worst_e]), "worst_ess": worst_e,
            "min_ess_tail": float(tail[_worst(tail, False)]),
            "ess_threshold": float(ESS_PER_CHAIN * chains),
            "tree_depth_hits": int(np.sum(n_steps >= max_steps)),
            "mean_leapfrog_steps": float(np.mean(n_steps)),
            "mean_acceptance": float(np.mean(stats.get("acceptance_rate", np.nan))),
            "step_size": [float(s) for s in np.ravel(stats.get("step_size", []))],
            "num_chains": chains, "num_draws": int(first.shape[0] * first.shape[1]),
            "r_hat_computed": bool(multi), "non_finite": non_finite, "constant": constant,
            "undefined": undefined,
            "restarted_chains": list(settings.get("restarted_chains", [])),
            "dropped_chains": list(settings.get("dropped_chains", [])),
            "timing": dict(timing),
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
