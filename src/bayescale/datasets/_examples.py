"""Built-in example datasets simulated from published constants (always offline).

``"chinchilla"``: a Chinchilla-like IsoFLOP grid with Epoch AI's (Besiroglu et al. 2024)
fit of ``L(N, D) = E + A / N**alpha + B / D**beta`` as the truth. ``"saturating"``: the
loss along the compute-optimal frontier of the same law, a saturating power law in ``C``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType

import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError

__all__ = ["example", "example_truth", "frontier_constants"]

#: Epoch AI's estimates (Besiroglu et al. 2024, arXiv 2404.10102).
EPOCH_2024 = MappingProxyType(
    {"E": 1.817, "A": 482.01, "alpha": 0.3478, "B": 2085.43, "beta": 0.3658}
)

#: Model sizes of Hoffmann et al. (2022) Table A9 (reported parameters, millions).
# fmt: off
TABLE_A9_MILLIONS = (
    44, 57, 74, 90, 106, 117, 140, 163, 175, 196, 217, 251, 278, 306, 425, 489, 509, 552,
    587, 632, 664, 724, 816, 893, 1018, 1143, 1266, 1424, 1429, 1593, 1609, 1731, 1794,
    2007, 2283, 2298, 2639, 2980, 3530, 3802, 4084, 4516, 6796, 9293, 11452, 12295, 12569,
    13775, 14940, 16183,
)
# fmt: on

#: IsoFLOP budgets of Hoffmann et al. (2022) Approach 2, in FLOPs.
ISOFLOP_BUDGETS = (6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21)

#: Runs kept when tokens per parameter ``D / N`` lies in this closed interval.
TOKENS_PER_PARAM = (2.0, 500.0)

_CHINCHILLA_NOISE = {"noise_df": 5.0, "noise_scale": 0.008}
_SATURATING_NOISE = {"noise_df": 5.0, "noise_scale": 0.01}
_SATURATING_C = (1e18, 1e23, 14)  # log-spaced compute grid: first, last, count


def frontier_constants(A: float, B: float, alpha: float, beta: float) -> tuple[float, float]:
    """Constants of the compute-optimal loss of ``L(N, D) = E + A/N**alpha + B/D**beta``.

    With ``C = 6 N D`` fixed, minimising over ``N`` gives ``L*(C) = E + K C**(-gamma)``.

    Parameters
    ----------
    A, B : float
        Amplitudes of the model-size and data terms.
    alpha, beta : float
        Exponents of the model-size and data terms.

    Returns
    -------
    K : float
        Amplitude of the frontier, ``6**gamma * (A G**(-alpha) + B G**beta)``.
    gamma : float
        Exponent of the frontier, ``alpha beta / (alpha + beta)``.

    Notes
    -----
    The derivation is in the Notes of :func:`example`.
    """
    gamma = alpha * beta / (alpha + beta)
    g = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    k = (A * g**-alpha + B * g**beta) * 6.0**gamma
    return k, gamma


def _log_noise(rng: np.random.Generator, size: int, df: float, scale: float) -> np.ndarray:
    """Multiplicative noise: ``exp(scale * t_df)`` draws."""
    return np.exp(scale * rng.standard_t(df, size=size))


def _chinchilla(rng: np.random.Generator) -> pd.DataFrame:
    p = EPOCH_2024
    n_grid = np.asarray(TABLE_A9_MILLIONS, dtype=float) * 1e6
    c, n = (a.ravel() for a in np.meshgrid(np.asarray(ISOFLOP_BUDGETS), n_grid, indexing="ij"))
    d = c / (6.0 * n)
    keep = (d / n >= TOKENS_PER_PARAM[0]) & (d / n <= TOKENS_PER_PARAM[1])
    n, d, c = n[keep], d[keep], c[keep]
    mean = p["E"] + p["A"] / n ** p["alpha"] + p["B"] / d ** p["beta"]
    noise = _log_noise(rng, mean.size, **_noise_args(_CHINCHILLA_NOISE))
    return pd.DataFrame({"N": n, "D": d, "C": c, "loss": mean * noise})


def _saturating(rng: np.random.Generator) -> pd.DataFrame:
    truth = example_truth("saturating")
    first, last, count = _SATURATING_C
    c = np.logspace(math.log10(first), math.log10(last), count)
    mean = truth["E"] + truth["A"] * c ** -truth["alpha"]
    noise = _log_noise(rng, c.size, **_noise_args(_SATURATING_NOISE))
    return pd.DataFrame({"C": c, "loss": mean * noise})


def _noise_args(noise: dict[str, float]) -> dict[str, float]:
    return {"df": noise["noise_df"], "scale": noise["noise_scale"]}


def _saturating_truth() -> dict[str, float]:
    p = EPOCH_2024
    k, gamma = frontier_constants(p["A"], p["B"], p["alpha"], p["beta"])
    return {"E": p["E"], "A": k, "alpha": gamma, **_SATURATING_NOISE}


_Simulate = Callable[[np.random.Generator], pd.DataFrame]
_Truth = Callable[[], dict[str, float]]

_EXAMPLES: dict[str, tuple[_Simulate, _Truth]] = {
    "chinchilla": (_chinchilla, lambda: {**EPOCH_2024, **_CHINCHILLA_NOISE}),
    "saturating": (_saturating, _saturating_truth),
}


def _lookup(name: str) -> tuple[_Simulate, _Truth]:
    try:
        return _EXAMPLES[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(n) for n in _EXAMPLES)
        raise BayescaleError(f"unknown example {name!r}; valid names: {valid}") from None


def example(name: str, seed: int = 0) -> pd.DataFrame:
    """Simulate a built-in example dataset from published constants.

    Always available offline and deterministic for a given ``seed`` (the noise comes
    from ``numpy.random.default_rng(seed)``). Noise is multiplicative Student-t on the
    log loss: ``log loss = log L + noise_scale * t(noise_df)``.

    Parameters
    ----------
    name : {"chinchilla", "saturating"}
        ``"chinchilla"``: a Chinchilla-like IsoFLOP grid. Model sizes ``N`` are the 50
        sizes of Hoffmann et al. (2022) Table A9 (44M to 16.2B parameters); compute
        budgets ``C`` are their IsoFLOP budgets 6e18 ... 3e21 FLOPs; ``D = C / (6 N)``
        tokens; runs with ``2 <= D/N <= 500`` tokens per parameter are kept (228 rows,
        ``N`` from 57M to 14.9B, sorted by ``C`` then ``N``). The loss follows Epoch AI's fit
        ``L = E + A / N**alpha + B / D**beta`` (A=482.01, B=2085.43, E=1.817,
        alpha=0.3478, beta=0.3658) with noise ``t(5)`` scaled by 0.008 (Epoch's
        log-residual RMS is 0.0075). Columns ``N, D, C, loss``.

        ``"saturating"``: the compute-optimal frontier of the same law,
        ``L*(C) = E + K C**(-gamma)`` with ``gamma = alpha beta / (alpha + beta)``
        and ``K`` in closed form (see Notes), at 14 log-spaced
        budgets from 1e18 to 1e23 FLOPs, noise ``t(5)`` scaled by 0.01. Columns
        ``C, loss``.
    seed : int, default 0
        Seed of the noise.

    Returns
    -------
    pandas.DataFrame
        ``N`` parameters, ``D`` tokens, ``C`` FLOPs (``C = 6 N D``), ``loss`` in
        nats/token; all ``float64``.

    Raises
    ------
    ValueError
        If ``name`` is not a known example (the message lists them).

    See Also
    --------
    example_truth : the constants that generated the example.

    Notes
    -----
    Derivation of the ``"saturating"`` frontier. With ``C = 6 N D`` fixed, substitute
    ``D = (C/6) / N`` into the law: ``f(N) = A N**(-alpha) + B (C/6)**(-beta) N**beta``.
    ``f'(N) = 0`` gives ``alpha A N**(-alpha) = beta B D**(-beta)``, hence
    ``N_opt = G (C/6)**(beta/(alpha+beta))`` and ``D_opt = (C/6)**(alpha/(alpha+beta)) / G``
    with ``G = (alpha A / (beta B))**(1/(alpha+beta))`` (Hoffmann et al. 2022, Eq. 4).
    Then ``A N_opt**(-alpha) = A G**(-alpha) (C/6)**(-gamma)`` and
    ``B D_opt**(-beta) = B G**beta (C/6)**(-gamma)`` with ``gamma = alpha beta/(alpha+beta)``,
    so ``L*(C) = E + K C**(-gamma)`` with ``K = 6**gamma (A G**(-alpha) + B G**beta)``.
    ``f`` is convex in ``log N`` (a sum of two exponentials), so this stationary point
    is the minimum. With Epoch's constants, ``gamma = 0.17828`` and ``K = 2.7e3``.

    Examples
    --------
    >>> from bayescale.datasets import example
    >>> df = example("chinchilla", seed=0)
    >>> list(df.columns)
    ['N', 'D', 'C', 'loss']
    """
    simulate, _ = _lookup(name)
    return simulate(np.random.default_rng(seed))


def example_truth(name: str) -> dict[str, float]:
    """Return the constants that generate :func:`example` ``(name)``.

    Parameters
    ----------
    name : {"chinchilla", "saturating"}
        The example.

    Returns
    -------
    dict of str to float
        Law parameters named as in bayescale's laws, plus ``noise_df`` and
        ``noise_scale`` of the Student-t noise on log loss. ``"chinchilla"``: ``E, A,
        alpha, B, beta`` of ``L = E + A / N**alpha + B / D**beta``. ``"saturating"``:
        ``E, A, alpha`` of ``L = E + A * C**(-alpha)``, i.e. ``A = K`` and
        ``alpha = gamma`` of the frontier. A new dict on each call.

    Raises
    ------
    ValueError
        If ``name`` is not a known example (the message lists them).

    Examples
    --------
    >>> from bayescale.datasets import example_truth
    >>> example_truth("chinchilla")["alpha"]
    0.3478
    """
    _, truth = _lookup(name)
    return truth()
