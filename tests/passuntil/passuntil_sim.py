"""Simulation helpers of the PassUntil tests (a known task law)."""

from __future__ import annotations

import numpy as np

import bayescale.passuntil as pu

# one NUTS configuration (and data shape) per model family, so that the compiled sampler
# is shared between tests: 4 vectorised chains x 500 draws after 500 warmup draws.
NUTS = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "progress": False}
SIZES = np.geomspace(3e7, 9.6e8, 6)
HELD_OUT = 4 * SIZES[-1]


def task_pass_rates(seed, *, n_instances=20, mu_f0=1.5, curvature=0.0):
    """A known task law: per-instance (F0, alpha) -> pass_rate(N) of shape (len(N), S)."""
    rng = np.random.default_rng(seed)
    f0 = rng.normal(mu_f0, 0.4, n_instances)
    alpha = np.exp(rng.normal(np.log(0.5), 0.15, n_instances))
    center = np.log(SIZES).mean()
    h = np.log(SIZES[-1] / SIZES[0]) / 2
    q = np.mean((np.log(SIZES) - center) ** 2)

    def pass_rate(N):
        x = np.log(np.atleast_1d(N))[:, None] - center
        return np.exp(-np.exp(f0 - alpha * x + curvature / h**2 * (x**2 - q)))

    return pass_rate


def simulate_task(seed, *, r=None, **kwargs):
    """Records at SIZES (r drawn from {1, 2} unless given) and the pass-rate function."""
    pass_rate = task_pass_rates(seed, **kwargs)
    n_inst = kwargs.get("n_instances", 20)
    if r is None:
        r = np.random.default_rng(seed + 1).choice([1, 2], size=(SIZES.size, n_inst))
    recs = pu.simulate(pass_rate(SIZES), N=SIZES, r=r, K_max=100_000, seed=seed + 2)
    return recs, pass_rate
