"""NumPyro models of the coverage laws, per model or with parameters linear in log N.

Each law has two unconstrained parameters per model ``m`` (chosen to be nearly
uncorrelated in the posterior, so that NUTS takes short trajectories):

* ``law="beta"``: ``log_alpha`` and ``logit_mu`` (``mu = alpha / (alpha + beta)``, the
  mean pass@1) of the per-problem pass-probability population ``Beta(alpha, beta)``;
  per-problem counts are beta-binomial and coverage is
  ``1 - B(alpha, beta + k) / B(alpha, beta)``. Priors ``log_alpha ~ Normal(-1.5, 1.5)``,
  ``logit_mu ~ Normal(-4, 3)``.
  With ``k_max`` the beta law is fitted to the aggregate coverage curve at up to 15
  log-spaced ``k <= k_max`` instead of the counts: the curve of ``P`` problems drawn
  from the population is approximately normal with mean ``1 - E[(1-p)^k]`` and
  covariance ``(E[(1-p)^(k+k')] - E[(1-p)^k] E[(1-p)^k']) / P`` (both closed-form
  Beta-function ratios), which is the likelihood used. The per-problem estimates are
  taken as exact, which needs ``n >> k_max``.
* ``law="power"``: ``c(k) = exp(a k**b)`` (``a, b < 0``) fitted to the empirical
  coverage curve: ``log(-log c_hat(k)) ~ Normal(F_mid + b (log k - log k_mid), sigma)``
  at up to 40 log-spaced ``k <= n`` (Brown et al.'s practice), with ``F_mid`` the
  value at the geometric middle ``k_mid`` of those ``k`` and ``log_neg_b = log(-b)``.
  Priors ``F_mid ~ Normal(0, 2)``, ``log_neg_b ~ Normal(log 0.3, 1)``,
  ``sigma ~ HalfNormal(0.5)``. The curve points are correlated, so this fit's intervals
  are optimistic: prefer ``"beta"``.

Independent fits give each parameter its prior per model. With ``across=True`` each
parameter is ``theta_m = theta_0 + slope * x_m + sd * z_m`` with ``x_m = log N_m``
centred at the mean over the fitted models, ``theta_0`` with the prior above,
``slope ~ Normal(0, 1)`` per e-fold of N, model-level scatter ``sd ~ HalfNormal(0.5)``
and ``z_m ~ Normal(0, 1)``: the fitted models are partially pooled towards the line,
and a new size inherits the scatter of the fitted sizes around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import gammaln
from scipy.special import logit

from bayescale.passuntil._counts import PassCounts
from bayescale.passuntil._estimators import pass_at_k
from bayescale.passuntil._likelihoods import beta_binomial_logpmf

#: Prior (mean, sd) of each law's two parameters (independent fits and intercepts).
PRIORS = {
    "beta": (("log_alpha", -1.5, 1.5), ("logit_mu", -4.0, 3.0)),
    "power": (("F_mid", 0.0, 2.0), ("log_neg_b", math.log(0.3), 1.0)),
}
#: Derived per-model parameters reported by ``summary()``.
DERIVED = {"beta": ("alpha", "beta"), "power": ("a", "b")}
SLOPE_SD = 1.0
DEV_SD = 0.5
CURVE_POINTS = 40


@dataclass(frozen=True, eq=False)
class CoverageDesign:
    """Fixed quantities of a coverage fit."""

    law: str
    across: bool
    models: tuple
    sizes: np.ndarray | None
    center: float
    log_k_mid: float = 0.0
    curve: bool = False

    @property
    def params(self) -> tuple[str, str]:
        """Names of the law's two per-model parameters."""
        return tuple(p[0] for p in PRIORS[self.law])  # type: ignore[return-value]

    def x(self, sizes: np.ndarray) -> np.ndarray:
        """Centred log size."""
        return np.log(sizes) - self.center

    def law_params(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map stacked draws ``theta[0], theta[1]`` to ``(alpha, beta)`` or ``(a, b)``."""
        if self.law == "beta":
            alpha = np.exp(theta[0])
            return alpha, alpha * np.exp(-theta[1])  # beta = alpha (1 - mu) / mu
        b = -np.exp(theta[1])
        return -np.exp(theta[0] - b * self.log_k_mid), b


def beta_data(counts: PassCounts, models: tuple) -> tuple[dict, dict]:
    """Likelihood data and per-model starting values of the beta law."""
    index = {m: i for i, m in enumerate(models)}
    m_idx = np.array([index[m] for m in counts.model])
    mu = np.array(
        [
            (counts.c[m_idx == i].sum() + 0.5) / (counts.n[m_idx == i].sum() + 1)
            for i in range(len(models))
        ]
    )
    start = {"log_alpha": np.full(len(models), math.log(0.2)), "logit_mu": logit(mu)}
    # identical (model, n, c) rows enter once, weighted by their multiplicity
    rows, weight = np.unique(
        np.column_stack([m_idx, counts.n, counts.c]), axis=0, return_counts=True
    )
    data = {"m": rows[:, 0], "n": rows[:, 1], "c": rows[:, 2], "w": weight.astype(float)}
    return data, start


def _check_k_max(counts: PassCounts, sel: np.ndarray, model: object, k_max: int | None) -> int:
    n_min = int(counts.n[sel].min())
    if k_max is None:
        return n_min
    if k_max > n_min:
        raise ValueError(
            f"k_max={k_max} exceeds the {n_min} samples of a problem of model {model!r}; "
            "the empirical curve is only known for k <= n."
        )
    return int(k_max)


def beta_curve_data(counts: PassCounts, models: tuple, k_max: int) -> tuple[dict, dict]:
    """Aggregate coverage at 15 log-spaced ``k <= k_max`` per model (beta law, curve)."""
    ks = np.unique(np.round(np.geomspace(1, k_max, 15)).astype(np.int64))
    obs, n_prob, mu = [], [], []
    for m in models:
        sel = counts.model == m
        _check_k_max(counts, sel, m, k_max)
        obs.append(pass_at_k(counts.n[sel][:, None], counts.c[sel][:, None], ks[None, :]).mean(0))
        n_prob.append(sel.sum())
        mu.append(np.clip(obs[-1][0], 1e-6, 0.5))
    start = {"log_alpha": np.full(len(models), math.log(0.2)), "logit_mu": logit(np.array(mu))}
    return {"k": ks.astype(float), "obs": np.array(obs), "P": np.array(n_prob, float)}, start


def curve_data(counts: PassCounts, models: tuple, k_max: int | None) -> tuple[dict, float]:
    """Empirical ``log(-log coverage)`` at log-spaced ``k <= k_max`` per model, ``k_mid``."""
    m_idx, log_k, y = [], [], []
    for i, m in enumerate(models):
        sel = counts.model == m
        top = _check_k_max(counts, sel, m, k_max)
        ks = np.unique(np.round(np.geomspace(1, top, CURVE_POINTS)).astype(np.int64))
        cov = pass_at_k(counts.n[sel][:, None], counts.c[sel][:, None], ks[None, :]).mean(0)
        ok = (cov > 0) & (cov < 1)
        if ok.sum() < 2:
            raise ValueError(
                f"model {m!r}: the empirical coverage is 0 or 1 at all but {int(ok.sum())} "
                "k values; the power law needs at least 2 points strictly between 0 and 1."
            )
        m_idx.append(np.full(ok.sum(), i))
        log_k.append(np.log(ks[ok]))
        y.append(np.log(-np.log(cov[ok])))
    lk = np.concatenate(log_k)
    mid = float((lk.min() + lk.max()) / 2)
    data = {"m": np.concatenate(m_idx), "log_k": lk - mid, "y": np.concatenate(y), "mid": mid}
    return data, mid


def _log_fail(k, alpha, beta):
    """``log E[(1 - p)^k]`` for ``p ~ Beta(alpha, beta)`` (log-gamma differences)."""
    return gammaln(beta + k) - gammaln(beta) - gammaln(alpha + beta + k) + gammaln(alpha + beta)


def _beta_curve_loglik(data: dict, alpha, beta):
    k = data["k"]
    a, b = alpha[:, None], beta[:, None]
    fail = jnp.exp(_log_fail(k, a, b))  # (M, K)
    second = jnp.exp(_log_fail(k[:, None] + k[None, :], a[..., None], b[..., None]))
    cov = (second - fail[:, :, None] * fail[:, None, :]) / data["P"][:, None, None]
    scale = jnp.trace(cov, axis1=1, axis2=2)[:, None, None] / k.size
    cov = cov + (1e-6 * scale + 1e-12) * jnp.eye(k.size)
    return dist.MultivariateNormal(1.0 - fail, covariance_matrix=cov).log_prob(data["obs"])


def model(
    data: dict, x: np.ndarray, *, law: str, across: bool, n_models: int, curve: bool = False
) -> None:
    """NumPyro model of the coverage law (see the module docstring)."""
    theta = []
    for name, mu, sd in PRIORS[law]:
        if across:
            base = numpyro.sample(f"{name}_0", dist.Normal(mu, sd))
            slope = numpyro.sample(f"{name}_slope", dist.Normal(0.0, SLOPE_SD))
            dev = numpyro.sample(f"{name}_sd", dist.HalfNormal(DEV_SD))
            with numpyro.plate("model", n_models):
                z = numpyro.sample(f"{name}_z", dist.Normal(0.0, 1.0))
            theta.append(numpyro.deterministic(name, base + slope * x + dev * z))
        else:
            with numpyro.plate("model", n_models):
                theta.append(numpyro.sample(name, dist.Normal(mu, sd)))
    if law == "beta":
        alpha = numpyro.deterministic("alpha", jnp.exp(theta[0]))
        beta = numpyro.deterministic("beta", alpha * jnp.exp(-theta[1]))
        if curve:
            ll = _beta_curve_loglik(data, alpha, beta)
        else:
            ll = data["w"] * beta_binomial_logpmf(
                data["c"], data["n"], alpha[data["m"]], beta[data["m"]]
            )
        numpyro.factor("loglik", jnp.sum(ll))
    else:
        m = data["m"]
        b = numpyro.deterministic("b", -jnp.exp(theta[1]))
        numpyro.deterministic("a", -jnp.exp(theta[0] - b * data["mid"]))
        with numpyro.plate("model", n_models):
            sigma = numpyro.sample("sigma", dist.HalfNormal(0.5))
        mean = theta[0][m] + b[m] * data["log_k"]
        numpyro.factor("loglik", jnp.sum(dist.Normal(mean, sigma[m]).log_prob(data["y"])))
