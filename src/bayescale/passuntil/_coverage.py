"""Coverage laws fitted to per-problem counts: :func:`fit_coverage`."""

from __future__ import annotations

import numpy as np

from bayescale.engine._model_runner import sample_model
from bayescale.passuntil._checks import accept_prob, check_choice
from bayescale.passuntil._counts import PassCounts
from bayescale.passuntil._coverage_model import (
    DERIVED,
    CoverageDesign,
    beta_curve_data,
    beta_data,
    curve_data,
    model,
)
from bayescale.passuntil._coverage_result import CoverageFit
from bayescale.result._posterior import Posterior


def fit_coverage(
    counts: PassCounts,
    *,
    law: str = "beta",
    across: bool = False,
    k_max: int | None = None,
    num_chains: int = 4, num_warmup: int = 1000, num_samples: int = 1000,  # NUTS, as bs.fit
    seed: int = 0,
    progress: bool | None = None,
    target_accept_prob: float = 0.9,
    target_accept: float | None = None,
) -> CoverageFit:
    """Fit a coverage law (pass@k against k) to per-problem counts by NUTS.

    ``law="beta"`` (recommended): per-problem pass probabilities ``~ Beta(alpha, beta)``,
    counts beta-binomial, coverage ``1 - B(alpha, beta + k) / B(alpha, beta)``.
    ``law="power"``: ``c(k) = exp(a k**b)`` fitted to the empirical coverage curve
    (descriptive; optimistic intervals). Every model in ``counts`` gets its own
    parameters; with ``across=True`` the parameters are linear in ``log N`` with
    model-level scatter, so :meth:`CoverageFit.predict` takes new sizes ``N``. The model
    is spelled out in ``bayescale.passuntil._coverage_model``.

    To predict coverage far beyond a sampling budget, fit counts thinned to that budget
    (:meth:`PassCounts.thin`), e.g. ``fit_coverage(counts.thin(100))`` then
    ``predict(k=10_000)``; or, when the curve at small ``k`` is known precisely (many
    samples per problem), ``fit_coverage(counts, k_max=100)``.

    Parameters
    ----------
    counts : PassCounts
        Per (model, problem) counts; with ``across`` they need sizes ``N`` and at
        least two models.
    law : {"beta", "power"}
        Coverage law.
    across : bool
        Tie the parameters to ``log N`` across models.
    k_max : int, optional
        Fit only the aggregate coverage curve at ``k <= k_max`` (for ``"beta"``: with
        the problem-sampling likelihood of ``_coverage_model``; needs ``n >> k_max``).
        Default: the beta law uses the per-problem counts, the power law the curve up
        to the smallest ``n``.
    num_chains, num_warmup, num_samples : int
        NUTS settings (vectorised chains).
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
    CoverageFit

    Examples
    --------
    >>> import bayescale as bs
    >>> import numpy as np
    >>> p = np.random.default_rng(0).beta(0.3, 3.0, size=200)
    >>> counts = bs.passuntil.simulate_counts(p, n=100, seed=1)
    >>> cov = bs.passuntil.fit_coverage(counts, num_samples=300)  # doctest: +SKIP
    >>> cov.predict(k=[1, 100, 10_000])  # doctest: +SKIP
    """
    if not isinstance(counts, PassCounts):
        raise TypeError(
            f"counts must be PassCounts, got {type(counts).__name__}; build them with "
            "PassCounts.from_dataframe(...) or simulate_counts(...)."
        )
    check_choice("law", law, ("beta", "power"))
    models = counts.models
    sizes = counts.sizes
    if across:
        if sizes is None:
            raise ValueError(
                "across=True needs model sizes: build the counts with "
                "PassCounts.from_dataframe(..., N='<size column>')."
            )
        if len(models) < 2:
            raise ValueError(f"across=True needs at least 2 models; the counts hold {models}.")
    center = float(np.log(sizes).mean()) if sizes is not None else 0.0
    x = np.log(sizes) - center if sizes is not None else np.zeros(len(models))
    if k_max is not None and not (isinstance(k_max, int | np.integer) and k_max >= 2):
        raise ValueError(f"k_max={k_max!r} must be an integer >= 2 (or None).")
    if law == "beta" and k_max is None:
        data, start = beta_data(counts, models)
    elif law == "beta":
        data, start = beta_curve_data(counts, models, int(k_max))
    else:
        data, log_k_mid = curve_data(counts, models, k_max)
        start = {}
    log_k_mid = log_k_mid if law == "power" else 0.0
    curve = law == "beta" and k_max is not None
    design = CoverageDesign(law, bool(across), models, sizes, center, log_k_mid, curve)
    if across:
        start = {f"{k}_0": np.mean(v) for k, v in start.items()}
    keep = [*design.params, *DERIVED[law]]
    if across:
        keep += [f"{p}_{s}" for p in design.params for s in ("0", "slope", "sd")]
    if law == "power":
        keep.append("sigma")
    per_model = (("model", models),)
    dims = {name: per_model for name in (*design.params, *DERIVED[law], "sigma")}
    record = sample_model(
        model,
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        seed=seed,
        progress=progress,
        target_accept_prob=accept_prob(target_accept_prob, target_accept, 0.9),
        keep=keep,
        desc=f"NUTS {law} coverage",
        static={"law": law, "across": bool(across), "n_models": len(models), "curve": curve},
        data={"data": data, "x": x},
        init=start,
    )
    post = Posterior.from_engine(record, dims)
    return CoverageFit(counts=counts, posterior=post, design=design)
