"""The hierarchical task scaling law for PassUntil records, fitted by NUTS.

Per instance ``s`` and model size ``N`` (``x = log N - mean(log sizes)``)::

    F_s(x) = log(-log PU_s(N)) = F0_s - alpha_s * x + gamma * (x**2 - q)
    (F0_s, log alpha_s) = mu + diag(sigma) L z_s,  z_s ~ Normal(0, I)   (non-centred)

so ``PU_s(N) = exp(-c_s N**(-alpha_s))`` with ``log c_s = F0_s + alpha_s * mean(log N)``
when ``gamma = 0``. Centring log N at the geometric mean of the sizes decorrelates the
intercept from the slope; ``q = mean(x**2)`` keeps the curvature term off the intercept.
``gamma = kappa / h**2`` with ``h`` half the observed log N range, so ``kappa`` is the
bend of F at the edges of the data, in units of F, with a shrinkage prior
``kappa ~ Normal(0, kappa_prior_sd)``.

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

from bayescale.passuntil._likelihoods import passuntil_loglik
from bayescale.passuntil._nuts import run_nuts
from bayescale.passuntil._records import PassUntilRecords
from bayescale.passuntil._result import PassUntilFit, TaskDesign


def _model(
    x, inst, K, r, K_max, cens, f_crude, h, q, kappa_sd, *, n_instances, r_max, curvature
) -> None:
    mu_f0 = numpyro.sample("mu_F0", dist.Normal(f_crude, 2.0))
    mu_la = numpyro.sample("mu_log_alpha", dist.Normal(math.log(0.5), 1.0))
    sd_f0 = numpyro.sample("sigma_F0", dist.HalfNormal(1.0))
    sd_la = numpyro.sample("sigma_log_alpha", dist.HalfNormal(0.5))
    chol = numpyro.sample("L_corr", dist.LKJCholesky(2, 2.0))
    numpyro.deterministic("rho", chol[1, 0])
    with numpyro.plate("instance", n_instances):
        z = numpyro.sample("z", dist.Normal(0.0, 1.0).expand([2]).to_event(1))
    eta = z @ chol.T
    f0 = numpyro.deterministic("F0", mu_f0 + sd_f0 * eta[:, 0])
    log_alpha = numpyro.deterministic("log_alpha", mu_la + sd_la * eta[:, 1])
    f = f0[inst] - jnp.exp(log_alpha[inst]) * x
    if curvature:
        kappa = numpyro.sample("kappa", dist.Normal(0.0, kappa_sd))
        f = f + kappa / h**2 * (x**2 - q)
    log_p = -jnp.exp(f)
    numpyro.factor("loglik", jnp.sum(passuntil_loglik(K, r, K_max, cens, log_p, r_max)))


def fit(
    records: PassUntilRecords,
    *,
    curvature: bool = True,
    kappa_prior_sd: float = 0.5,
    num_chains: int = 4,
    num_warmup: int = 1000,
    num_samples: int = 1000,
    seed: int = 0,
    progress: bool | None = None,
    target_accept: float = 0.9,
) -> PassUntilFit:
    """Fit the hierarchical task scaling law to PassUntil records by NUTS.

    Each instance follows ``PU_s(N) = exp(-c_s N**(-alpha_s))``; ``(F0_s, log alpha_s)``
    (``F0_s`` is ``log c_s - alpha_s * mean(log N)``) are partially pooled through a
    bivariate normal population, sampled non-centred. Censored records (cap reached with
    fewer than ``r`` passes) enter through ``P(X < r | K_max, p)``. With ``curvature``
    a shared quadratic term in centred log N is added (shrunk towards 0), which
    :meth:`PassUntilFit.emergence` reads. The model is spelled out in
    ``bayescale.passuntil._task_law``.

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
        Progress bar; ``None`` shows it only on a terminal.
    target_accept : float
        NUTS target acceptance probability.

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
    dims = {"F0": (("instance", labels),), "log_alpha": (("instance", labels),)}
    post = run_nuts(
        _model,
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        seed=seed,
        progress=progress,
        target_accept=target_accept,
        keep=keep,
        dims=dims,
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
        },
        init={
            "mu_F0": design.f_crude,
            "mu_log_alpha": math.log(0.5),
            "sigma_F0": 0.5,
            "sigma_log_alpha": 0.2,
        },
    )
    return PassUntilFit(records=records, posterior=post, design=design)
