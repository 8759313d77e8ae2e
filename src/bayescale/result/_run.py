"""``bs.fit`` and ``bs.fit_many``: the engine samples, the result is built on its posterior.

The engine (:func:`bayescale.engine.sample`, :func:`bayescale.engine.sample_many`)
validates, initialises and samples, and returns a posterior record; these wrappers, one
layer up, make the immutable :class:`~bayescale.Fit` or
:class:`~bayescale.FitCollection` of it (which also warns about bad diagnostics, at the
caller's line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bayescale import likelihoods as _lik
from bayescale.engine import sample, sample_many
from bayescale.laws._law import Law
from bayescale.priors import Prior
from bayescale.result._collection import FitCollection
from bayescale.result._fit import Fit

__all__ = ["fit", "fit_many"]


def fit(data: Any, law: Law | str, *, x: str | Sequence[str] | None = None,
        y: str | None = None, likelihood: str | _lik.Likelihood | None = None,
        priors: Mapping[str, Prior] | None = None, num_chains: int = 4,
        num_warmup: int = 1000, num_samples: int = 1000, seed: int = 0,
        progress: bool | None = None, target_accept_prob: float = 0.8,
        max_tree_depth: int = 10, dense_mass: bool = True, num_starts: int = 8,
        discrepancy: bool = True, along: str | Sequence[str] | None = None) -> Fit:
    """Fit a scaling law by NUTS and return an immutable :class:`~bayescale.Fit`.

    Parameters
    ----------
    data : DataFrame, mapping of columns or path to a CSV file
        The observations.
    law : Law, str
        A :class:`~bayescale.Law`, a registry name (``"chinchilla"``, see
        ``bs.laws.names()``) or a formula (``"loss ~ E + A / N**alpha"``).
    x : str or sequence of str, optional
        Data columns feeding the law's inputs, in the law's order (``"C"`` or
        ``["N", "D"]``). Defaults to columns named like the inputs.
    y : str, optional
        Response column (defaults to the left side of a formula).
    likelihood : {"student_t_log", "normal_log", "normal"}, optional
        Observation model. Default: Student-t on log y for positive data, Gaussian on y
        otherwise.
    priors : dict of str to Prior, optional
        Overrides of the default priors by parameter name (law or noise parameters).
    num_chains, num_warmup, num_samples : int
        Chains (vectorised on one device, sharded across devices) and draws per chain.
    seed : int
        Seed of the random streams (starts, chains).
    progress : bool, optional
        Show a progress bar; by default on, except when ``CI`` is set.
    target_accept_prob, max_tree_depth, dense_mass
        NUTS settings: a number in (0, 1), an integer 1..30 and True or False (dense
        mass matrix adaptation by default). A string such as ``"0.8"`` is refused.
    num_starts : int
        Starts of the multi-start optimisation that initialises the chains.
    discrepancy : bool
        Model the law's misfit beyond the data (default): a drift in ``log y`` that
        grows with the distance from the data, learnt from leave-future-out refits of
        the data themselves (see :mod:`bayescale.discrepancy`). Predictions inside the
        data's range are unchanged; ``fit.calibration()`` reports the splits.
    along : str or sequence of str, optional
        Data column(s) (or law inputs) of the extrapolation axis: the drift grows with
        the decades of their product beyond the data. Default: the law's scale inputs
        (the input of a one-input law; ``N`` and ``D``, i.e. compute, for Chinchilla).

    Returns
    -------
    Fit

    Notes
    -----
    Chains stuck after sampling are found and said: a chain with non-finite draws or log
    density, one that never moves, or one whose median log density lies far below the
    best chain's (:func:`bayescale.engine._diagnostics.stuck_chains`). They are
    restarted once, from the healthy chains' draws, by the same compiled sampler; a
    chain stuck again is dropped (``fit.num_chains`` is then smaller and
    ``settings["num_chains_sampled"]`` holds the number run). A
    :class:`~bayescale.result.DiagnosticWarning` names the chains and what was done,
    and ``fit.diagnostics()`` lists them as ``restarted_chains`` and ``dropped_chains``
    (numbered as sampled).

    Examples
    --------
    >>> import bayescale as bs
    >>> df = bs.datasets.example("saturating")
    >>> fit = bs.fit(df, "saturating_power", x="C", y="loss")  # doctest: +SKIP
    """
    posterior = sample(data, law, x=x, y=y, likelihood=likelihood, priors=priors,
                       num_chains=num_chains, num_warmup=num_warmup,
                       num_samples=num_samples, seed=seed, progress=progress,
                       target_accept_prob=target_accept_prob,
                       max_tree_depth=max_tree_depth, dense_mass=dense_mass,
                       num_starts=num_starts, discrepancy=discrepancy, along=along)
    return Fit(**posterior.as_keywords(), _warn=True)


def fit_many(data: Any, law: Law | str, *, by: str | None = None,
             x: str | Sequence[str] | None = None, y: str | None = None,
             likelihood: str | None = None, priors: Mapping[str, Prior] | None = None,
             num_chains: int = 4, num_warmup: int = 1000, num_samples: int = 1000,
             seed: int = 0, progress: bool | None = None, batch_size: int | None = None,
             target_accept_prob: float = 0.8, max_tree_depth: int = 10,
             dense_mass: bool = True, num_starts: int = 6, client: Any = None,
             strategy: str | None = None, discrepancy: bool = True,
             along: str | Sequence[str] | None = None) -> FitCollection:
    """Fit one law to many curves in vectorised NUTS runs.

    Parameters
    ----------
    data : DataFrame, list of DataFrames or dict of DataFrames
        All curves in one long table (with ``by``), or one frame per curve.
    law, x, y, likelihood, priors
        As in :func:`bayescale.fit`; the same for every curve.
    by : str, optional
        Name of the column identifying the curve of each row.
    num_chains, num_warmup, num_samples, seed, target_accept_prob, max_tree_depth, dense_mass
        As in :func:`bayescale.fit`. Each curve's streams derive from ``(seed, index)``.
    progress : bool, optional
        Progress over batches (off when ``CI`` is set).
    batch_size : int, optional
        Most curves per vectorised call, an integer >= 1 (default 512 with
        ``"laplace"`` and ``"lanes"``, else 256; a multiple of the local device count);
        the curves are split into equal batches.
        On a single CPU device, batches run side by side, one per core.
    client : dask.distributed.Client, optional
        Hand the batches to a Dask cluster (each batch is one vectorised call on a
        worker); the draws are identical to the in-process path for the same seed and
        ``batch_size``.
    strategy : {"laplace", "lanes", "vmap", "map"}, optional
        ``"laplace"`` (default): each curve's Laplace approximation corrected by
        Pareto-smoothed importance sampling, each chain an independent sampler of
        ``4 * num_samples`` proposals resampled to ``num_samples`` draws (no warm-up;
        ``num_warmup`` applies to NUTS refits); the curves whose Pareto ``k`` exceeds
        0.7, whose ESS is below the NUTS threshold or whose chains disagree (R-hat) are
        refitted with ``"lanes"`` (``FitCollection.sampling`` and ``diagnostics()`` say
        which). ``"lanes"`` advances every chain of every curve on its own, one
        leapfrog step per turn, so no chain waits for a deeper tree elsewhere in the
        batch; ``"vmap"`` runs NumPyro's NUTS for the batch in lockstep; ``"map"`` runs
        NumPyro's NUTS one curve after another inside one compiled call.
    discrepancy, along
        As in :func:`bayescale.fit`: each curve's drift beyond its data, learnt from
        its own leave-future-out splits (solved in the batches' compiled calls).

    Returns
    -------
    FitCollection
    """
    posterior = sample_many(data, law, by=by, x=x, y=y, likelihood=likelihood,
                            priors=priors, num_chains=num_chains, num_warmup=num_warmup,
                            num_samples=num_samples, seed=seed, progress=progress,
                            batch_size=batch_size, target_accept_prob=target_accept_prob,
                            max_tree_depth=max_tree_depth, dense_mass=dense_mass,
                            num_starts=num_starts, client=client, strategy=strategy,
                            discrepancy=discrepancy, along=along)
    return FitCollection(**posterior.as_keywords())
