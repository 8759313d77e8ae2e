"""What the engine itself decides on: the convergence thresholds, stuck chains, the warning.

The sampler restarts stuck chains (:func:`stuck_chains`) and ``fit_many``'s importance
sampling hands curves to NUTS by the same thresholds (:data:`RHAT_MAX`,
:data:`ESS_PER_CHAIN`) that the results report against; results re-export them
(:mod:`bayescale.result._diagnostics`), with :class:`DiagnosticWarning` as
``bayescale.result.DiagnosticWarning``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from bayescale.engine._convergence import rank_diagnostics

__all__ = [
    "ESS_PER_CHAIN",
    "RHAT_MAX",
    "STUCK_LP_MIN",
    "STUCK_LP_SPREADS",
    "DiagnosticWarning",
    "quoted",
    "restart_report",
    "restart_seed",
    "stuck_chains",
]

RHAT_MAX = 1.01
ESS_PER_CHAIN = 100  # 400 for the default 4 chains (Vehtari et al. 2021)


class DiagnosticWarning(UserWarning):
    """The sampler did not clearly converge: the posterior may be wrong."""


def restart_seed(seed: int) -> int:
    """The seed of the one rerun of stuck chains: a stream of its own, derived from ``seed``.

    The seed ``bs.fit`` restarts with (``engine/_fit.py``), and the engine's model runner.
    """
    return int(np.random.default_rng([seed, 0x5EED]).integers(2 ** 62))


def quoted(names: list[str]) -> str:
    """``'a', 'b'``: names for a diagnostic's message."""
    return ", ".join(repr(n) for n in names)


#: A chain whose median log density lies more than this many within-chain spreads (and
#: at least :data:`STUCK_LP_MIN` nats) below the best chain's is stuck in a degenerate
#: region (when the chains' R-hat of the log density also exceeds :data:`RHAT_MAX`).
STUCK_LP_SPREADS = 8.0
STUCK_LP_MIN = 5.0


def restart_report(stuck: Mapping[int, str], still: Mapping[int, str], n: int,
                   how: str) -> tuple[list[int], str]:
    """After restarting ``stuck`` chains: those to drop, and the warning's text.

    One wording for every fit that heals stuck chains (``bs.fit``, the engine's NumPyro
    models): which chains were stuck and why, ``how`` they were restarted, and whether
    they now mix, are kept although still stuck (all of them are) or are dropped.
    """
    def said(reasons: Mapping[int, str]) -> str:
        if len(reasons) == 1:
            return next(iter(reasons.values()))
        return "; ".join(f"chain {c}: {r}" for c, r in sorted(reasons.items()))

    def chains(rows: list[int]) -> str:
        return ("chains " if len(rows) > 1 else "chain ") + ", ".join(map(str, rows))

    rows = sorted(stuck)
    drop = sorted(still) if 0 < len(still) < n else []
    text = (f"bayescale fit: {chains(rows)} {'were' if len(rows) > 1 else 'was'} stuck "
            f"({said(stuck)}); {how}")
    if drop:
        text += (f"; still stuck after the restart ({said(still)}), so dropped "
                 f"{chains(drop)}: the fit keeps {n - len(drop)} of {n} chains")
    elif still:
        text += f"; still stuck after the restart ({said(still)}), every chain kept"
    else:
        text += ", which now mix with the others"
    return drop, text + "."


def stuck_chains(posterior: Mapping[str, np.ndarray], lp: np.ndarray) -> dict[int, str]:
    """Chains stuck or lost in a degenerate region, with the reason for each.

    A chain is stuck when any of its draws (or its log density) is non-finite, when none
    of its parameters ever moves, or when its median log density lies far below the best
    chain's: more than :data:`STUCK_LP_SPREADS` robust within-chain standard deviations
    (the median over the other healthy chains of IQR / 1.349) and more than
    :data:`STUCK_LP_MIN` nats, while the rank R-hat of the log density over the healthy
    chains exceeds :data:`RHAT_MAX`. Chains of one mode differ in median log density by
    a small fraction of a within-chain sd, so the rule leaves mixing chains alone; a
    region that much less probable holds, for chains started near the mode, no mass
    worth the price of a chain that never returns.

    Parameters
    ----------
    posterior : mapping of str to ndarray
        Draws, ``(chain, draw)``.
    lp : ndarray
        Log density of each draw, ``(chain, draw)``.

    Returns
    -------
    dict of int to str
        ``{chain: reason}``, empty when every chain is healthy.
    """
    lp = np.asarray(lp, dtype=float)
    chains, draws = lp.shape
    reasons: dict[int, str] = {}
    for c in range(chains):
        bad = [k for k, v in posterior.items() if not np.all(np.isfinite(np.asarray(v)[c]))]
        if bad:
            reasons[c] = f"non-finite draws of {quoted(bad)}"
        elif not np.all(np.isfinite(lp[c])):
            reasons[c] = "non-finite log density"
        elif draws >= 2 and all(np.all(np.asarray(v)[c] == np.asarray(v)[c, 0])
                                for v in posterior.values()):
            reasons[c] = "it never moved"
    rest = [c for c in range(chains) if c not in reasons]
    if len(rest) >= 2 and draws >= 4:
        med = np.median(lp[rest], axis=1)
        q75, q25 = np.percentile(lp[rest], [75, 25], axis=1)
        spread = float(np.median((q75 - q25) / 1.349))
        r_hat = float(rank_diagnostics(lp[rest][None])[0][0])
        if r_hat > RHAT_MAX:
            best = float(med.max())
            for c, m in zip(rest, med, strict=True):
                gap = best - float(m)
                if gap > max(STUCK_LP_SPREADS * spread, STUCK_LP_MIN):
                    reasons[c] = (f"its median log density is {gap:.1f} below the best "
                                  f"chain's, {gap / max(spread, 1e-300):.0f} within-chain "
                                  "sds")
    return dict(sorted(reasons.items()))
