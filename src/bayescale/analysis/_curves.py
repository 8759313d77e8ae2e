"""Curves as posterior draws on an axis, for :func:`~bayescale.analysis.crossover`.

:func:`curve_draws` turns a fit (one-input law, law of N and D along its compute-optimal
path, coverage fit, a view of :func:`~bayescale.analysis.fit_joint`) into draws on a grid.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bayescale._errors import BayescaleError

__all__ = ["curve_draws"]


def _coverage_draws(cov: Any, model: Any, level: str, name: str, grid: np.ndarray,
                    kind: str, seed: int) -> np.ndarray:
    if name != "k":
        raise BayescaleError(f"a coverage fit is a curve in k; over must name 'k', got {name!r}")
    models = list(cov.design.models)
    if model is None:
        if len(models) != 1:
            raise BayescaleError(f"this coverage fit holds models {models}; pass (fit, model)")
        model = models[0]
    out = cov.predict_draws(grid, model=model, level=level, predictive=kind == "predictive",
                            seed=seed)
    return np.asarray(out)[:, 0, :]


def _optimal_path_draws(fit: Any, grid: np.ndarray, kind: str, seed: int) -> np.ndarray:
    from bayescale.analysis._compute_optimal import optimal_draws

    loss = optimal_draws(fit, grid)["loss"]
    if kind == "mean":
        return loss
    lik = fit.likelihood
    noise = {k: jnp.broadcast_to(jnp.asarray(np.asarray(fit.posterior[k]).reshape(-1, 1)),
                                 loss.shape) for k in lik.noise_names}
    return np.asarray(lik.sample(jax.random.PRNGKey(seed), jnp.log(jnp.asarray(loss)),
                                 jnp.asarray(loss), noise))


def curve_draws(obj: Any, name: str, grid: Any, *, kind: str = "mean", seed: int = 0,
                which: str = "fit") -> np.ndarray:
    """Posterior draws of one curve on a grid of its axis, ``(num_draws, len(grid))``.

    Parameters
    ----------
    obj : Fit, CoverageFit or tuple
        A fit of a one-input law (``name``: its data column or law input); a fit of a law
        of ``N`` and ``D`` (``name="C"``: the loss along the compute-optimal path); a
        single-model coverage fit (``name="k"``); or ``(coverage_fit, model[, level])``.
    name : str
        The axis.
    grid : array_like
        Values of the axis.
    kind : {"mean", "predictive"}
        The law's curve, or new observations (law + noise).
    seed : int
        Seed of the predictive noise.
    which : str
        How errors name ``obj``.

    Returns
    -------
    numpy.ndarray
    """
    from bayescale.result import Fit

    grid = np.asarray(grid, dtype=float)
    if isinstance(obj, tuple):
        if not 2 <= len(obj) <= 3 or not hasattr(obj[0], "design"):
            raise BayescaleError(f"{which}: a tuple must be (coverage_fit, model[, level]), "
                                 f"got a tuple of {len(obj)} item(s)")
        level = obj[2] if len(obj) == 3 else "population"
        return _coverage_draws(obj[0], obj[1], level, name, grid, kind, seed)
    if hasattr(obj, "design") and hasattr(obj, "predict_draws"):
        return _coverage_draws(obj, None, "population", name, grid, kind, seed)
    if not isinstance(obj, Fit):
        raise BayescaleError(f"{which} must be a Fit, a CoverageFit or (coverage_fit, model); "
                             f"got {type(obj).__name__}")
    inputs = tuple(obj.law.inputs)
    if len(inputs) == 1:
        if name not in (obj.x[0], inputs[0]):
            raise BayescaleError(f"{which} is a curve in {obj.x[0]!r} (law input "
                                 f"{inputs[0]!r}); over names {name!r}")
        return obj.predict_draws(kind=kind, seed=seed, **{name: grid})
    if set(inputs) == {"N", "D"}:
        if name != "C":
            raise BayescaleError(f"{which}: a law of N and D is compared along its "
                                 f"compute-optimal path; over must name 'C', got {name!r}")
        return _optimal_path_draws(obj, grid, kind, seed)
    raise BayescaleError(f"{which}: crossover takes a one-input law, a law of N and D (over "
                         f"'C') or a coverage fit; law {obj.law.name!r} takes {list(inputs)}")
