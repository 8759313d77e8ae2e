"""The hierarchical task scaling law for PassUntil records, fitted by the engine's NUTS.

Per instance ``s`` and model size ``N`` (``x = log N - mean(log sizes)``)::

    F_s(x) = log(-log PU_s(N)) = F0_s - alpha_s * x + gamma * (x**2 - q)
    (F0_s, log alpha_s) ~ Normal(mu, S S^T),  S = diag(sigma) L

so ``PU_s(N) = exp(-c_s N**(-alpha_s))`` with ``log c_s = F0_s + alpha_s * mean(log N)``
when ``gamma = 0``. Instances never passed are sampled non-centred (``mu + S z_s``,
``z_s ~ Normal(0, I)``); instances passed at least once, which their data pin down, are
sampled centred, in coordinates of their own (see :func:`_centring`). Centring log N at
the geometric mean of the sizes decorrelates the intercept from the slope; ``q =
mean(x**2)`` keeps the curvature term off the intercept. ``gamma = kappa / h**2`` with
``h`` half the observed log N range, so ``kappa`` is the bend of F at the edges of the
data, in units of F, with a shrinkage prior ``kappa ~ Normal(0, kappa_prior_sd)``.

Priors (LAWS.md section 4, in centred form): ``mu_log_alpha ~ Normal(log 0.5, 1)``,
``mu_F0 ~ Normal(F_crude, 2)`` with ``F_crude`` the mean of ``log(-log r/K)`` over the
records, ``sigma_F0 ~ HalfNormal(1)``, ``sigma_log_alpha ~ HalfNormal(0.5)``,
``L ~ LKJCholesky(2, 2)``.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from bayescale.engine._model_runner import sample_model
from bayescale.passuntil._checks import accept_prob
from bayescale.passuntil._likelihoods import passuntil_loglik
from bayescale.passuntil._records import PassUntilRecords
from bayescale.passuntil._result import PassUntilFit, TaskDesign
from bayescale.result._posterior import Posterior


def _model(
    x, inst, K, r, K_max, cens, f_crude, h, q, kappa_sd, centred, offset, scale, x_bar, *,
    n_instances, r_max, curvature,
) -> None:
    mu_f0 = numpyro.sample("mu_F0", dist.Normal(f_crude, 2.0))
    mu_la = numpyro.sample("mu_log_alpha", dist.Normal(math.log(0.5), 1.0))
    sd_f0 = numpyro.sample("sigma_F0", dist.HalfNormal(1.0))
    sd_la = numpyro.sample("sigma_log_alpha", dist.HalfNormal(0.5))
    chol = numpyro.sample("L_corr", dist.LKJCholesky(2, 2.0))
    numpyro.deterministic("rho", chol[1, 0])
    with numpyro.plate("instance", n_instances):
        z = numpyro.sample("z", dist.Normal(0.0, 1.0).expand([2]).to_event(1))
    f0, log_alpha, correction = _instance_effects(
        z, jnp.stack([mu_f0, mu_la]), jnp.stack([sd_f0, sd_la]), chol, centred, offset,
        scale, x_bar,
    )
    numpyro.factor("centred_prior", correction)
    numpyro.deterministic("F0", f0)
    numpyro.deterministic("log_alpha", log_alpha)
    f = f0[inst] - jnp.exp(log_alpha[inst]) * x
    if curvature:
        kappa = numpyro.sample("kappa", dist.Normal(0.0, kappa_sd))
        f = f + kappa / h**2 * (x**2 - q)
    log_p = -jnp.exp(f)
    numpyro.factor("loglik", jnp.sum(passuntil_loglik(K, r, K_max, cens, log_p, r_max)))


def _instance_effects(z, mu, sd, chol, centred, offset, scale, x_bar):
    """Per-instance ``(F0, log alpha)`` from the site ``z ~ Normal(0, I)``, and a correction.

    The correction to the log density makes them ``Normal(mu, S S^T)`` whatever the
    coordinates.

    ``centred[:, 0]`` / ``[:, 1]``: whether ``F`` / ``log alpha`` is centred (the second
    implies the first). ``F`` is sampled as ``F_loc = offset + scale * z`` at the instance's
    own mean centred log size ``x_bar``, ``F0 = F_loc + alpha * x_bar``; a centred ``log
    alpha`` is ``offset + scale * z``, a non-centred one ``mu + sd * z`` (its marginal), with
    ``F0`` then drawn from its conditional given ``log alpha``. Every map from ``z`` has a
    constant Jacobian or is the usual non-centred one, so the correction is the population
    density of the centred coordinates less their standard normal.
    """
    norm = dist.Normal(0.0, 1.0)
    local = offset + scale * z
    rho, slack = chol[1, 0], chol[1, 1]  # correlation and sqrt(1 - rho^2)
    # both centred
    both = dist.MultivariateNormal(mu, scale_tril=sd[:, None] * chol)
    f0_both = local[:, 0] + jnp.exp(local[:, 1]) * x_bar
    lp_both = both.log_prob(jnp.stack([f0_both, local[:, 1]], -1))
    lp_both = lp_both - jnp.sum(norm.log_prob(z), -1)
    # F centred, log alpha non-centred from its marginal, F0 from its conditional
    la_marg = mu[1] + sd[1] * z[:, 1]
    f0_cond = local[:, 0] + jnp.exp(la_marg) * x_bar
    cond_mean = mu[0] + sd[0] * rho * (la_marg - mu[1]) / sd[1]
    lp_cond = dist.Normal(cond_mean, sd[0] * slack).log_prob(f0_cond) - norm.log_prob(z[:, 0])
    # neither: the usual non-centred instance
    eta = z @ chol.T
    f0_nc, la_nc = mu[0] + sd[0] * eta[:, 0], mu[1] + sd[1] * eta[:, 1]
    f_c, la_c = centred[:, 0], centred[:, 1]
    f0 = jnp.where(la_c, f0_both, jnp.where(f_c, f0_cond, f0_nc))
    log_alpha = jnp.where(la_c, local[:, 1], jnp.where(f_c, la_marg, la_nc))
    correction = jnp.sum(jnp.where(la_c, lp_both, jnp.where(f_c, lp_cond, 0.0)))
    return f0, log_alpha, correction


#: Standard error below which a coordinate (``F``, ``log alpha``) of an instance is centred.
PINNED = 0.1


def _centring(
    x: np.ndarray, inst: np.ndarray, records: PassUntilRecords, n_instances: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which coordinates of which instances to sample centred, and their coordinates.

    A coordinate the data measure far better than the population spreads it (one pass in
    10,000 attempts fixes ``F`` to about 0.1) samples best centred; one the data barely
    touch (an instance never passed only bounds ``F`` from below; a slope from passes at
    a single size) samples best non-centred (Betancourt and Girolami 2015). Per instance,
    ``F`` is centred where its binomial standard error ``1 / sqrt(sum r log(p)^2)`` is
    below :data:`PINNED`, and ``log alpha`` too where its standard error from the
    weighted slope is. Centred coordinates are ``F`` at the mean ``x_bar`` of the
    instance's passed centred log sizes (nearly uncorrelated with the slope) and ``log
    alpha``, each ``offset + scale * z`` with the crude estimate as offset and the
    standard error as scale, so that they start near the posterior on unit scale.

    Returns ``centred`` (n, 2) bool, ``offset`` and ``scale`` (n, 2), ``x_bar`` (n,).
    """
    passed = ~records.censored
    p_hat = np.clip(records.r / records.K, 1e-300, 1 - 1e-9)
    f_hat = np.log(-np.log(p_hat))
    precision = np.where(passed, records.r * np.log(p_hat) ** 2, 0.0)  # 1 / var(F_hat)

    def per_instance(values: np.ndarray) -> np.ndarray:
        return np.bincount(inst, weights=np.where(passed, values, 0.0), minlength=n_instances)

    info = per_instance(precision)
    safe = np.where(info > 0, info, 1.0)
    x_bar = per_instance(precision * x) / safe
    f_bar = per_instance(precision * f_hat) / safe
    sxx = per_instance(precision * (x - x_bar[inst]) ** 2)  # weighted slope information
    se_f = 1.0 / np.sqrt(safe)
    se_la = 2.0 / np.sqrt(np.maximum(sxx, 1e-300))  # sd(alpha) / alpha at alpha = 0.5
    f_c = (info > 0) & (se_f < PINNED)
    centred = np.stack([f_c, f_c & (se_la < PINNED)], axis=1)
    offset = np.where(centred, np.stack([f_bar, np.full(n_instances, math.log(0.5))], 1), 0.0)
    scale = np.where(centred, np.stack([np.clip(se_f, 0.005, 1.0),
                                        np.clip(se_la, 0.02, 1.0)], 1), 1.0)
    return centred, offset, scale, np.where(f_c, x_bar, 0.0)


def fit(
    records: PassUntilRecords,
    *,
    curvature: bool = True,
    kappa_prior_sd: float = 0.5,
    num_chains: int = 4, num_warmup: int = 1000, num_samples: int = 1000,  # NUTS, as bs.fit
    seed: int = 0,
    progress: bool | None = None,
    target_accept_prob: float = 0.9,
    target_accept: float | None = None,
) -> PassUntilFit:
    """Fit the hierarchical task scaling law to PassUntil records by NUTS.

    Each instance follows ``PU_s(N) = exp(-c_s N**(-alpha_s))``; ``(F0_s, log alpha_s)``
    (``F0_s`` is ``log c_s - alpha_s * mean(log N)``) are partially pooled through a
    bivariate normal population (sampled non-centred where an instance never passed, centred
    where it did). Censored records (cap reached with fewer than ``r`` passes) enter through
    ``P(X < r | K_max, p)``. With ``curvature`` a shared quadratic term in centred log N is
    added (shrunk towards 0), which :meth:`PassUntilFit.emergence` reads. The model is
    spelled out in ``bayescale.passuntil._task_law``.

    Parameters
    ----------
    records : PassUntilRecords
        At least two model sizes (three with ``curvature``).
    curvature : bool
        Add the shared curvature term (needed by ``emergence()``). ``False`` fits the
        plain law.
    kappa_prior_sd : float
        Prior sd of the curvature ``kappa`` (the bend of ``log(-log PU)`` at the edge
        of the observed range).
    num_chains, num_warmup, num_samples : int
        NUTS settings; chains run vectorised on one device.
    seed : int
        Random seed.
    progress : bool or None
        Progress bar; ``None``: on, except when ``CI`` is set (as for ``bs.fit``).
    target_accept_prob : float
        NUTS target acceptance probability, in [0.5, 1).
    target_accept : float, optional
        Deprecated old name of ``target_accept_prob`` (works, with a ``FutureWarning``).

    Returns
    -------
    PassUntilFit
        Immutable; ``predict``, ``summary``, ``diagnostics``, ``emergence``, ``plot``.

    Examples
    --------
    >>> import bayescale as bs
    >>> import numpy as np
    >>> p = bs.passuntil.task_law([1e8, 3e8, 1e9], np.full(5, 200.0), np.full(5, 0.3))
    >>> recs = bs.passuntil.simulate(p, N=[1e8, 3e8, 1e9], r=2, K_max=100_000, seed=1)
    >>> fit = bs.passuntil.fit(recs, num_samples=300)  # doctest: +SKIP
    >>> fit.predict(N=[4e9])  # doctest: +SKIP
    """
    if not isinstance(records, PassUntilRecords):
        raise TypeError(
            f"records must be PassUntilRecords, got {type(records).__name__}; build them "
            "with PassUntilRecords.from_dataframe(...) or simulate(...)."
        )
    sizes = records.sizes
    need = 3 if curvature else 2
    if sizes.size < need:
        raise ValueError(
            f"the records hold {sizes.size} model size(s); the task law needs at least "
            f"{need}{' with curvature=True (or pass curvature=False)' if curvature else ''}."
        )
    if not (math.isfinite(kappa_prior_sd) and kappa_prior_sd > 0):
        raise ValueError(f"kappa_prior_sd={kappa_prior_sd!r} must be a positive number.")
    design = TaskDesign.from_records(records, curvature=bool(curvature), kappa_sd=kappa_prior_sd)
    x = np.log(records.N) - design.center
    inst = design.instance_index(records.instance)
    keep = ["mu_F0", "mu_log_alpha", "sigma_F0", "sigma_log_alpha", "rho", "F0", "log_alpha"]
    keep += ["kappa"] if curvature else []
    labels = design.instances
    centred, offset, scale, x_bar = _centring(x, inst, records, design.n_instances)
    dims = {"F0": (("instance", labels),), "log_alpha": (("instance", labels),)}
    record = sample_model(
        _model,
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        seed=seed,
        progress=progress,
        target_accept_prob=accept_prob(target_accept_prob, target_accept, 0.9),
        keep=keep,
        desc="NUTS PassUntil task law",
        static={"n_instances": design.n_instances, "r_max": design.r_max, "curvature": curvature},
        data={
            "x": x,
            "inst": inst,
            "K": records.K,
            "r": records.r,
            "K_max": records.K_max,
            "cens": records.censored,
            "f_crude": design.f_crude,
            "h": design.h,
            "q": design.q,
            "kappa_sd": design.kappa_prior_sd,
            "centred": centred,
            "offset": offset,
            "scale": scale,
            "x_bar": x_bar,
        },
        init={
            "mu_F0": design.f_crude,
            "mu_log_alpha": math.log(0.5),
            "sigma_F0": 0.5,
            "sigma_log_alpha": 0.2,
        },
        curvature_metric=True,  # kappa is pinned (sd ~0.01) next to unit-scale coordinates
    )
    post = Posterior.from_engine(record, dims)
    return PassUntilFit(records=records, posterior=post, design=design)
