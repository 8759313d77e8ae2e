"""The engine behind ``bs.fit``: validate, initialise by multi-start optimisation, run NUTS.

:func:`sample` returns a :class:`~bayescale.engine._posterior.Posterior`; the result
layer builds the :class:`~bayescale.Fit` on it (:func:`bayescale.fit`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

import jax.numpy as jnp
import numpy as np

from bayescale import likelihoods as _lik
from bayescale._errors import BayescaleError, LawError, PriorError
from bayescale._progress import progress_bar, progress_enabled
from bayescale.data import as_dataset, as_frame
from bayescale.engine._data import pad
from bayescale.engine._diagnostics import (
    DiagnosticWarning,
    restart_report,
    restart_seed,
    stuck_chains,
)
from bayescale.engine._lfo import calibrate
from bayescale.engine._misfit import check_misfit
from bayescale.engine._nuts import NutsSettings, prefetch_nuts, run_nuts, set_progress_hook
from bayescale.engine._optimize import initialize, prefetch_initializer
from bayescale.engine._posterior import Posterior
from bayescale.engine._space import PriorSpec, Space, make_space
from bayescale.laws._guess import residuals
from bayescale.laws._law import Law
from bayescale.laws._registry import resolve
from bayescale.priors import Prior, median

__all__ = ["MAX_TREE_DEPTH", "check_settings", "prepare", "sample"]

#: The deepest NUTS tree a fit may ask for: the bound ``bs.load`` applies to a saved fit.
MAX_TREE_DEPTH = 30


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise BayescaleError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _kind(value: Any) -> str:
    return f" (a {type(value).__name__})"


def check_settings(priors: Any, target_accept_prob: Any, max_tree_depth: Any,
                   dense_mass: Any, progress: Any) -> tuple[float, int, bool]:
    """Check the sampler's settings and the priors' container before any work.

    Nothing is converted that is not already of the right kind: a string such as
    ``"0.8"`` or ``"yes"`` is refused, not read as a number or as true (NumPy numbers
    and booleans are fine).

    Returns
    -------
    (float, int, bool)
        ``target_accept_prob``, ``max_tree_depth`` and ``dense_mass``.
    """
    if priors is not None and not isinstance(priors, Mapping):
        raise PriorError(f"priors must be a mapping of parameter name -> Prior, e.g. "
                         f"{{'alpha': Prior('LogNormal', -1, 0.5)}}; got {priors!r}"
                         + _kind(priors))
    if (isinstance(target_accept_prob, bool | np.bool_)
            or not isinstance(target_accept_prob, Real)
            or not 0 < float(target_accept_prob) < 1):
        raise BayescaleError(f"target_accept_prob must be a number in (0, 1), e.g. 0.8; "
                             f"got {target_accept_prob!r}"
                             + ("" if isinstance(target_accept_prob, Real)
                                else _kind(target_accept_prob)))
    if (isinstance(max_tree_depth, bool | np.bool_)
            or not isinstance(max_tree_depth, int | np.integer)
            or not 1 <= max_tree_depth <= MAX_TREE_DEPTH):
        raise BayescaleError(f"max_tree_depth must be an integer 1..{MAX_TREE_DEPTH} (a "
                             f"saved fit with a deeper tree does not load), got "
                             f"{max_tree_depth!r}")
    if not isinstance(dense_mass, bool | np.bool_):
        raise BayescaleError(f"dense_mass must be True or False, got {dense_mass!r}"
                             + _kind(dense_mass))
    if progress is not None and not isinstance(progress, bool | np.bool_):
        raise BayescaleError(f"progress must be True, False or None (on, except when CI "
                             f"is set), got {progress!r}" + _kind(progress))
    return float(target_accept_prob), int(max_tree_depth), bool(dense_mass)


def _axis_inputs(law: Law, ds, along: str | Sequence[str] | None,
                 discrepancy: Any = True) -> tuple[str, ...] | None:
    """Validate ``discrepancy`` and ``along`` before any sampling.

    Returns the law inputs named by ``along``, or None for the law's default scale inputs.
    """
    if not isinstance(discrepancy, bool | np.bool_):
        raise BayescaleError(f"discrepancy must be True or False, got {discrepancy!r}")
    if along is None:
        return None
    names = [c.strip() for c in along.split(",")] if isinstance(along, str) else list(along)
    col_of = dict(zip(ds.x_columns, law.inputs, strict=True))
    out = []
    for n in names:
        if n in col_of or n in law.inputs:
            out.append(col_of.get(n, n))
        else:
            raise BayescaleError(f"along={n!r} is not an input of this fit; accepted: "
                                 f"{list(ds.x_columns)} (law inputs {list(law.inputs)})")
    return tuple(out)


def _prior_center(spec: PriorSpec) -> float:
    family, args, _ = spec
    try:
        value = median(family, args)
    except Exception:
        return 1.0
    return value if np.isfinite(value) else 1.0


def prepare(data: Any, law: Law | str, *, x: str | Sequence[str] | None, y: str | None,
            likelihood: str | _lik.Likelihood | None, priors: Mapping[str, Prior] | None):
    """Resolve the law and likelihood, validate data and priors; return the pieces.

    Returns
    -------
    (Space, Dataset)
    """
    x_cols = [c.strip() for c in x.split(",")] if isinstance(x, str) else x
    is_formula = isinstance(law, str) and any(ch in law for ch in "~+-*/()")
    if is_formula and y is None and "~" in law:
        y = law.split("~", 1)[0].strip() or None
    law_obj = resolve(law, inputs=tuple(x_cols) if (is_formula and x_cols) else None)
    frame = as_frame(data)
    if y is None:
        raise BayescaleError("name the response column with y=..., e.g. y='loss'")
    lik = (_lik.get(likelihood) if likelihood is not None else
           _lik.default_for(True, law_obj.positive))
    if lik.log_scale and not law_obj.positive:
        raise BayescaleError(f"likelihood {lik.name!r} works on log y, but law "
                             f"{law_obj.name!r} may be negative; use likelihood='normal'")
    clash = sorted(set(law_obj.param_names) & set(lik.noise_names))
    if clash and likelihood is None and lik.log_scale:
        # the default (Student-t, noise sigma and nu) would clash with a law parameter
        # called nu (fp_quant's): the Gaussian on log y is the default for such laws
        lik = _lik.get("normal_log")
        clash = sorted(set(law_obj.param_names) & set(lik.noise_names))
    if clash:
        raise LawError(f"law {law_obj.name!r} has parameter(s) {clash} with the same name "
                       f"as the noise parameter(s) of likelihood {lik.name!r} "
                       f"({list(lik.noise_names)}); one would silently replace the other: "
                       "rename the law's parameter(s)")
    space = make_space(law_obj, lik, priors)
    ds = as_dataset(frame, law_obj.inputs, x=x_cols, y=y, positive_y=lik.log_scale,
                    min_points=space.dim + 1, positive_inputs=law_obj.positive_inputs)
    return space, ds


def _starts(space: Space, ds, stats, rng: np.random.Generator, num_starts: int, *,
            use_guess: bool = True) -> np.ndarray:
    law, lik = space.law, space.likelihood
    guess = None
    if law.guess is not None and use_guess:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                guess = law.guess(ds.x, ds.y)
            guess = {k: float(v) for k, v in guess.items()}
            if not all(np.isfinite(list(guess.values()))):
                guess = None
        except Exception:
            guess = None
    specs = space.prior_specs(stats)
    center = {p.name: _prior_center(spec) for p, spec in zip(space.params, specs,
                                                             strict=True)}
    base = dict(center)
    if guess:
        base.update(guess)
        r = residuals(law, ds.x, ds.y, base, log_scale=lik.log_scale)
        if r is None:  # outside the domains of the unconstrained coordinates
            xj = {k: jnp.asarray(v) for k, v in ds.x.items()}
            params = {k: jnp.asarray(base[k]) for k in law.param_names}
            r = (np.log(ds.y) - np.asarray(law.log_mean(params, xj)) if lik.log_scale
                 else ds.y - np.asarray(law.fn(params, xj)))
        if np.all(np.isfinite(r)):
            base["sigma"] = float(max(np.std(r), 1e-4 * (1 if lik.log_scale else
                                                         float(np.std(ds.y)) + 1e-12)))
        if "nu" in base:
            base["nu"] = 10.0
    theta_base = space.pack(base, stats, specs)
    theta_center = space.pack(center, stats, specs)
    if not np.all(np.isfinite(theta_base)):
        theta_base = theta_center
    out = [theta_base]
    for i in range(num_starts - 1):
        scale = 0.3 if i < num_starts // 2 else 1.0
        anchor = theta_base if i < num_starts // 2 else theta_center
        out.append(anchor + scale * rng.standard_normal(space.dim))
    return np.nan_to_num(np.stack(out), nan=0.0, posinf=5.0, neginf=-5.0)


def _heal(space: Space, padded: dict[str, Any], settings: NutsSettings, seed: int,
          out: dict[str, np.ndarray], cov: np.ndarray
          ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Restart stuck chains once from the healthy chains' draws; drop any still stuck.

    Returns the sampler output and natural draws to keep, and the record for the
    settings (``restarted_chains``, ``dropped_chains``, ``num_chains_sampled``).
    Restart first, because it keeps the chain count the convergence checks rely on and
    costs one more run of the same compiled program (nothing is traced or compiled
    again); the healthy chains' later draws are where a chain should start, and their
    covariance is the mass matrix it starts with. Drop a chain stuck again after that:
    it found the degenerate region from the posterior's bulk, and averaging it in would
    poison every quantile. The DiagnosticWarning names the chains and what was done.
    """
    stats = padded["stats"]
    natural = space.natural(out["z"], stats)
    stuck = stuck_chains(natural, out["lp"])
    if not stuck:
        return out, natural, {}
    n = settings.num_chains
    good = [c for c in range(n) if c not in stuck]

    def said(reasons: dict[int, str]) -> str:
        if len(reasons) == 1:
            return next(iter(reasons.values()))
        return "; ".join(f"chain {c}: {r}" for c, r in reasons.items())

    if not good:
        warnings.warn(f"bayescale fit: every chain is stuck ({said(stuck)}); none is "
                      "healthy to restart from: tighten the priors or refit with another "
                      "seed", DiagnosticWarning, stacklevel=4)
        return out, natural, {}
    z_good = out["z"][good][:, settings.num_samples // 2:].reshape(-1, space.dim)
    rng = np.random.default_rng([seed, 1])
    init = z_good[rng.choice(len(z_good), n, replace=len(z_good) < n)]
    mass = np.cov(z_good, rowvar=False).reshape(space.dim, space.dim)
    mass = mass + 1e-10 * np.eye(space.dim) * max(float(np.trace(mass)) / space.dim, 1e-12)
    try:
        if not np.all(np.isfinite(np.linalg.cholesky(mass))):
            mass = cov
    except np.linalg.LinAlgError:
        mass = cov
    again = run_nuts(space, padded, settings, restart_seed(seed), init, mass)
    rows = list(stuck)
    out = {k: np.array(v) for k, v in out.items()}
    for k in out:
        out[k][rows] = again[k][rows]
    natural = space.natural(out["z"], stats)
    still = stuck_chains(natural, out["lp"])
    record: dict[str, Any] = {"restarted_chains": rows}
    drop, text = restart_report(stuck, still, n, "restarted once from the other chains' "
                                "draws")
    if drop:
        keep = [c for c in range(n) if c not in drop]
        out = {k: v[keep] for k, v in out.items()}
        natural = {k: v[keep] for k, v in natural.items()}
        record |= {"dropped_chains": drop, "num_chains_sampled": n}
    warnings.warn(text, DiagnosticWarning, stacklevel=4)
    return out, natural, record


def sample(data: Any, law: Law | str, *, x: str | Sequence[str] | None = None,
           y: str | None = None, likelihood: str | _lik.Likelihood | None = None,
           priors: Mapping[str, Prior] | None = None, num_chains: int = 4,
           num_warmup: int = 1000, num_samples: int = 1000, seed: int = 0,
           progress: bool | None = None, target_accept_prob: float = 0.8,
           max_tree_depth: int = 10, dense_mass: bool = True, num_starts: int = 8,
           discrepancy: bool = True, along: str | Sequence[str] | None = None) -> Posterior:
    """Sample the posterior of a law on data: what :func:`bayescale.fit` runs.

    Takes the arguments of :func:`bayescale.fit` (documented there) and returns the
    :class:`~bayescale.engine._posterior.Posterior` that the fit is built on. Stuck
    chains are restarted once and dropped if stuck again (see :func:`bayescale.fit`).
    """
    num_chains = _check_int("num_chains", num_chains, 1)
    num_warmup = _check_int("num_warmup", num_warmup, 0)
    num_samples = _check_int("num_samples", num_samples, 1)
    num_starts = _check_int("num_starts", num_starts, 1)
    seed = _check_int("seed", seed, 0)
    target_accept_prob, max_tree_depth, dense_mass = check_settings(
        priors, target_accept_prob, max_tree_depth, dense_mass, progress)
    t0 = time.perf_counter()
    space, ds = prepare(data, law, x=x, y=y, likelihood=likelihood, priors=priors)
    axis = _axis_inputs(space.law, ds, along, discrepancy)
    padded = pad(ds)
    stats = padded["stats"]
    settings = NutsSettings(num_warmup, num_samples, num_chains, target_accept_prob,
                            max_tree_depth, dense_mass, progress_enabled(progress))
    # load the exported optimiser and sampler (when cached on disk) while the starts are
    # computed and the optimiser runs
    prefetch_initializer(space, padded, num_starts)
    prefetch_nuts(space, padded, settings)
    rng = np.random.default_rng(seed)
    starts = _starts(space, ds, stats, rng, num_starts)
    mode, _, cov = initialize(space, padded, starts)
    t_opt = time.perf_counter()
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(space.dim))
    init = mode + (chol @ rng.standard_normal((space.dim, num_chains))).T
    with progress_bar(num_warmup + num_samples, f"NUTS {space.law.name}",
                      settings.progress) as update:
        set_progress_hook(update)
        try:
            out = run_nuts(space, padded, settings, seed, init, cov)
        finally:
            set_progress_hook(None)
    out, natural, healed = _heal(space, padded, settings, seed, out, cov)
    t_mcmc = time.perf_counter()
    mode_nat = space.natural(mode, stats)
    check_misfit(space.law, space.likelihood, ds.x, ds.y, mode_nat)
    disc = None
    if discrepancy:
        disc = calibrate(space, ds, padded["y"].shape[0],
                         lambda sp, d, st, r: _starts(sp, d, st, r, num_starts),
                         along=axis, seed=seed)
    t_cal = time.perf_counter()
    timing = {"prepare_optimize_s": t_opt - t0, "sample_s": t_mcmc - t_opt,
              "calibrate_s": t_cal - t_mcmc, "total_s": t_cal - t0}
    return Posterior(
        law=space.law, likelihood=space.likelihood, priors=dict(space.user_priors),
        dataset=ds, posterior=natural,
        sample_stats={k: v for k, v in out.items() if k != "z"},
        settings={"num_chains": int(out["z"].shape[0]), "num_warmup": num_warmup,
                  "num_samples": num_samples, "seed": seed,
                  "target_accept_prob": float(target_accept_prob),
                  "max_tree_depth": int(max_tree_depth), "dense_mass": bool(dense_mass),
                  **healed},
        mode={k: float(v) for k, v in mode_nat.items()}, timing=timing, discrepancy=disc)
