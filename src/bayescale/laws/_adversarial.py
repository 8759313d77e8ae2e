"""Adversarial control of a language model through its activations (Fort 2023).

"Scaling Laws for Adversarial Attacks on Language Model Activations" (Stanislav Fort
2023, arXiv 2312.02780) attacks the activations of ``a`` tokens and finds [P-abs] that
the largest number of subsequent tokens the attacker can force, ``t_max``, grows linearly,
``t_max = kappa a`` (up to about 1000 tokens), and that the *attack resistance* ``chi``,
the bits of control in the input space needed to control one bit of output, stays
between about 16 and 25 over two orders of magnitude of model size. With ``bits_in`` the
bits an attacker controls per attacked token (the activation's dimension times the bits
per value; ``log2 V`` for an attack on tokens) and ``bits_out = log2 V`` per output
token,

``t_max = a bits_in / (chi_m bits_out)``, i.e. ``kappa_m = bits_in / (chi_m bits_out)``

for model ``m``. (The bit accounting is this law's reading of the paper's definition,
not checked against its body: **[U]**; pass the ``bits_in`` of the paper's convention.)

The resistances of the models share one population, a hierarchical law written so the
Law machinery samples it without a funnel (non-centred):

``log chi_m = mu + tau z_m``, ``z_m ~ Normal(0, 1)``, ``tau ~ HalfNormal(0.5)``.

``exp(mu)`` is the median resistance across models and ``tau`` their spread in log
units; the posterior of each ``chi_m`` borrows strength from the others (partial
pooling). :func:`attack_resistance` gives the posterior of every ``chi_m``, of the
population median ``exp(mu)`` and of a new model's ``chi``, with intervals. The mean
depends on ``mu + tau z_m`` only, so ``guess`` returns the canonical split
(``mu``, ``tau`` the mean and population sd of the per-model ``log chi``, ``z``
standardised). When the data pin each model's ``chi`` (several attack sizes per model)
the non-centred form has a narrow neck at small ``tau``: fit with
``target_accept_prob=0.99`` and 4 chains (``benchmarks/bench_literature_laws.py --only
adversarial``). A centred hierarchical model, sampled by the engine's model runner as
PassUntil's task law is, would suit that case better; it is not built.

Reference values (:data:`ADVERSARIAL`), a design choice at the ends of the published
range (the per-model values were not obtained): two models with ``chi = 16`` and ``25``,
so ``mu = log 20`` and ``tau = log 1.25``. [C]: a Pythia-70M-like model (512 dimensions
in float16, ``bits_in = 8192``; ``V = 50304``, ``bits_out = 15.618``) at ``chi = 16``
has ``kappa = 32.78`` and ``t_max(a = 10) = 327.8`` tokens; a 6.9B-like one (4096
dimensions, ``bits_in = 65536``) at ``chi = 25`` has ``kappa = 167.85``.
"""

from __future__ import annotations

import math
from functools import cache
from numbers import Integral
from typing import Any

import jax.numpy as jnp
import numpy as np
import pandas as pd

from bayescale._errors import BayescaleError, LawError
from bayescale._quantiles import quantile_frame
from bayescale.laws._law import Law, Param
from bayescale.priors import Prior

__all__ = ["ADVERSARIAL", "adversarial_control", "attack_resistance"]

#: Reference values (a design choice, see the module docstring): chi = 16 and 25.
ADVERSARIAL = {"mu": math.log(20.0), "tau": math.log(1.25), "z0": -1.0, "z1": 1.0}


def adversarial_control(n_models: int = 2) -> Law:
    """Build the hierarchical attack law for ``n_models`` models.

    Inputs ``a`` (attacked tokens), ``bits_in`` (input bits per attacked token),
    ``bits_out`` (bits per output token) and ``model`` (index ``0 .. n_models - 1`` of
    the model each row attacks; rounded, clipped). Parameters ``mu``, ``tau`` and per
    model ``z<m>``, with ``chi_m = exp(mu + tau z_m)``.

    Parameters
    ----------
    n_models : int, default 2
        Number of models (at least 2).

    Returns
    -------
    Law
    """
    if isinstance(n_models, bool) or not isinstance(n_models, Integral) or n_models < 2:
        raise LawError(f"adversarial_control: n_models must be an integer >= 2, got "
                       f"{n_models!r}")
    return _build(int(n_models))


def _log_chi(p, model, k):
    values = jnp.stack(jnp.broadcast_arrays(*[p[f"z{i}"] for i in range(k)]), -1)
    idx = jnp.clip(jnp.round(model), 0, k - 1).astype(jnp.int32)
    values, idx = jnp.broadcast_arrays(values, idx[..., None])
    z = jnp.take_along_axis(values, idx[..., :1], axis=-1)[..., 0]
    return p["mu"] + p["tau"] * z


def _canonical(log_chi: np.ndarray) -> dict[str, float]:
    """``mu``, ``tau`` and standardised ``z`` of per-model ``log chi`` values."""
    mu = float(np.mean(log_chi))
    tau = max(float(np.std(log_chi)), 1e-3)
    return {"mu": mu, "tau": tau} | {f"z{i}": float((v - mu) / tau)
                                    for i, v in enumerate(log_chi)}


@cache
def _build(k: int) -> Law:
    def log_fn(p, x):
        return (jnp.log(x["a"]) + jnp.log(x["bits_in"]) - jnp.log(x["bits_out"])
                - _log_chi(p, x["model"], k))

    def guess(inputs, y):
        model = np.clip(np.round(np.asarray(inputs["model"], dtype=float)), 0, k - 1)
        ratio = np.log(np.asarray(inputs["a"], dtype=float) * inputs["bits_in"]
                       / (np.asarray(y, dtype=float) * inputs["bits_out"]))
        overall = float(np.mean(ratio))
        log_chi = np.array([float(np.mean(ratio[model == i])) if np.any(model == i)
                            else overall for i in range(k)])
        return _canonical(log_chi)

    params = [Param("mu", "real", Prior("Normal", math.log(20.0), 2.0),
                    doc="log of the median attack resistance across models"),
              Param("tau", "positive", Prior("HalfNormal", 0.5),
                    doc="spread of log chi across models")]
    params += [Param(f"z{i}", "real", Prior("Normal", 0.0, 1.0),
                     doc=f"standardised log chi of model {i}") for i in range(k)]
    return Law(
        name="adversarial_control" if k == 2 else f"adversarial_control{k}",
        params=tuple(params),
        inputs=("a", "bits_in", "bits_out", "model"),
        fn=lambda p, x: jnp.exp(log_fn(p, x)),
        log_fn=log_fn,
        guess=guess,
        formula="t_max = a * bits_in / (chi_m * bits_out), chi_m = exp(mu + tau * z_m)",
        positive_inputs=("a", "bits_in", "bits_out"),
        key=("law", "adversarial_control", k),
        description=(f"Fort (2023) adversarial attacks on activations, {k} models: the "
                     "tokens an attacker controls grow as t_max = kappa a, kappa = bits_in "
                     "/ (chi bits_out), with the attack resistance chi of each model drawn "
                     "from one population (log chi ~ Normal(mu, tau)); model = index "
                     f"(0..{k - 1}). bayescale.laws.attack_resistance gives chi per model "
                     "and across models."),
    )


def attack_resistance(params: Any = None, *, ci_prob: float = 0.9,
                      seed: int = 0) -> pd.DataFrame:
    """The attack resistance ``chi`` per model, across models and for a new model.

    Parameters
    ----------
    params : mapping or Fit, optional
        The reference values :data:`ADVERSARIAL` by default; an ``adversarial_control``
        fit (or its posterior draws: ``mu``, ``tau``, ``z0``, ``z1``, ...) for intervals.
    ci_prob : float, default 0.9
        Mass of the equal-tailed intervals.
    seed : int, default 0
        Seed of the draws of a new model's ``chi`` (``exp(mu + tau e)``, ``e`` standard
        normal).

    Returns
    -------
    DataFrame
        One row per model (``model 0``, ...), then ``median across models``
        (``exp(mu)``) and ``new model``, with ``mean``, ``median``, ``lower``, ``upper``.

    Examples
    --------
    >>> from bayescale.laws import attack_resistance
    >>> attack_resistance()["median"].round(6).tolist()[:3]
    [16.0, 25.0, 20.0]
    """
    src = ADVERSARIAL if params is None else getattr(params, "posterior", params)
    if not hasattr(src, "keys") or "mu" not in src or "tau" not in src or "z0" not in src:
        raise BayescaleError("params must hold 'mu', 'tau', 'z0', 'z1', ... (values, draws "
                             "or an adversarial_control fit)")
    k = sum(1 for name in src.keys() if name[1:].isdigit() and name[0] == "z")
    mu, tau = (np.asarray(src[n], dtype=float).reshape(-1) for n in ("mu", "tau"))
    with np.errstate(over="ignore"):  # a stray draw far in tau's tail is inf, not an error
        rows = [np.exp(mu + tau * np.asarray(src[f"z{i}"], dtype=float).reshape(-1))
                for i in range(k)]
        rows.append(np.exp(mu))
        rows.append(np.exp(mu + tau * np.random.default_rng(seed).standard_normal(
            mu.shape)))
    names = [f"model {i}" for i in range(k)] + ["median across models", "new model"]
    return quantile_frame({"chi": np.array(names)}, np.stack(rows, axis=1),
                          ci_prob).set_index("chi")
