"""Load the public scaling datasets from a local copy or their pinned upstream URL."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from bayescale._errors import BayescaleError

from ._registry import DATASETS, DatasetSpec, FileSpec, get_dataset

__all__ = ["ENV_VAR", "load", "names"]

ENV_VAR = "BAYESCALE_DATA"


def names() -> list[str]:
    """Names of the datasets that :func:`load` reads.

    Returns
    -------
    list of str
        Dataset names, as accepted by :func:`load`.

    Examples
    --------
    >>> from bayescale.datasets import names
    >>> "chinchilla-epoch" in names()
    True
    """
    return list(DATASETS)


def load(
    name: str, path: str | os.PathLike[str] | None = None, *, file: str | None = None
) -> pd.DataFrame:
    """Load a public scaling dataset as a tidy DataFrame.

    The file is looked up, in this order, in ``path``; else in the directory named by
    the ``BAYESCALE_DATA`` environment variable; else it is downloaded once (with
    :func:`pooch.retrieve`, checked against a pinned SHA-256) from the upstream GitHub
    repository at a pinned commit into the user cache directory. ``path`` and
    ``BAYESCALE_DATA`` may name either a directory holding ``<name>/`` folders or the
    dataset folder itself. Files that were derived, transcribed or converted by the
    curators of the shared data have no upstream copy and must be provided locally.

    Parameters
    ----------
    name : str
        Dataset name, one of :func:`names`.
    path : str or os.PathLike, optional
        Local data directory. When given, only this directory is searched.
    file : str, optional
        Which file of the dataset: a short alias (listed below) or the file name.
        Defaults to the dataset's main file (first alias below).

    Returns
    -------
    pandas.DataFrame
        Units: ``N`` parameters, ``D`` training tokens, ``C`` training FLOPs (all
        ``float64``), ``loss`` in nats/token. Per dataset (alias: columns):

        ``chinchilla-epoch`` (Epoch AI's extraction of Hoffmann et al. Fig. 4)
            ``svg``: ``N, D, C, loss, epoch_excluded`` in file order, ``D = C / (6 N)``;
            ``epoch_excluded`` marks the 5 highest-loss runs that Epoch drop.
            ``model_parameters``: Table A9 configurations plus ``N``.
            ``fits``: Schaeffer et al.'s refits, one row per ``parameter``.
        ``llmonkeys-pythia-math`` (Pythia on 128 MATH problems, 10,000 samples each)
            ``counts``: ``model, N, problem, n, c`` (samples, correct samples).
            ``coverage``: ``model, N, k, coverage`` (mean pass@k over problems).
            ``pass_at_k``: ``model, N, problem, n, c, k, pass_at_k`` (needs pyarrow).
            ``N`` is the nominal size read from the model name ("Pythia 2.8B" -> 2.8e9).
        ``obsscaling`` (Ruan et al. 2024 evaluation tables)
            ``benchmark`` (default), ``benchmark_sub_10b``, ``emergent``,
            ``leaderboard_v2``, ``post_training``, ``instruct_benchmark``,
            ``instruct_agent``: original columns (scores in [0, 1] except BLEU), plus,
            where the table has sizes, ``N = Model Size (B) * 1e9``,
            ``D = Pretraining Data Size (T) * 1e12``, ``C = FLOPs (1E21) * 1e21``.
        ``pythia-evals`` (Pythia v1 lm-eval-harness results along training)
            ``evals``: original columns plus ``N`` (nominal parameters), ``D`` (tokens
            seen, ``step * 2**21``) and ``C = 6 N D``.
        ``bnsl-4digit-addition`` (Caballero et al. 2023, Fig. 4)
            ``addition``: ``x`` (training-set size, examples), ``y`` (test
            cross-entropy), ``split`` (``"fit"`` for the first 14 rows, else
            ``"extrapolate"``).
        ``datablations`` (Muennighoff et al. 2023)
            ``losses``: learning curves, original columns plus ``N``, ``D`` (tokens seen),
            ``U`` (unique tokens per epoch) and ``C = 6 N D`` (the file's ``flops`` is
            wrong). ``contour``: cleaned final-loss grid plus ``N, D, C, U``.
            ``contour_raw``: the uncleaned grid plus ``N, D, C``, ``U = D / epochs`` and
            ``loss``. ``code``: C4 + code mixtures plus ``N, D, C``.
        ``lr-schedule-loss-curves``
            ``gpt``: ``schedule`` (``"cosine"``, ``"wsd"``, ``"811"``), ``step``,
            ``loss`` (per-step training loss of a 100M GPT), ``lr``.
            ``opt``: OPT checkpoints, original columns plus ``N``, ``D = 10**num_token``,
            ``C = 10**flops`` (the file stores log10 values) and ``ppl``.

    Raises
    ------
    ValueError
        If ``name`` or ``file`` is unknown (the message lists valid ones) or a column
        cannot be parsed.
    FileNotFoundError
        If the file is missing from the local directory, or must be provided locally
        but no directory is given.
    OSError
        If the download fails (for example without a network).
    ImportError
        If a parquet file is requested and ``pyarrow`` is not installed.

    Examples
    --------
    >>> from bayescale.datasets import load
    >>> df = load("chinchilla-epoch")  # doctest: +SKIP
    >>> fit_data = df[~df["epoch_excluded"]]  # doctest: +SKIP
    """
    spec = get_dataset(name)
    fspec = spec.file(file)
    local = _find_local(spec, fspec, path)
    if local is None and not fspec.downloadable and fspec.derive is not None:
        alias, derive = fspec.derive  # rebuild a derived file from its upstream source
        upstream = spec.file(alias)
        raw = _read(spec, upstream, _download(spec, upstream), tidy=False)
        return fspec.tidy(derive(raw))
    source = local if local is not None else _download(spec, fspec)
    return _read(spec, fspec, source)


def _find_local(
    spec: DatasetSpec, fspec: FileSpec, path: str | os.PathLike[str] | None
) -> Path | None:
    """Find the file under ``path`` or ``$BAYESCALE_DATA``; ``None`` if neither is set."""
    if path is not None:
        root, origin = Path(path).expanduser(), "the `path` argument"
    elif os.environ.get(ENV_VAR):
        root, origin = Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    else:
        return None
    candidates = [root / spec.name / fspec.filename, root / fspec.filename]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = " or ".join(str(c) for c in candidates)
    fallback = (
        f"; or leave `path` and {ENV_VAR} unset to download it from {fspec.source}"
        if fspec.downloadable
        else f" (this file has no upstream copy; it was {fspec.source})"
    )
    raise FileNotFoundError(
        f"dataset {spec.name!r}: file {fspec.filename!r} not found in {root} "
        f"(from {origin}); looked for {looked}. Fix: point `path` or the {ENV_VAR} "
        f"environment variable at a directory holding '{spec.name}/{fspec.filename}' "
        f"(or at the dataset folder itself){fallback}."
    )


def _download(spec: DatasetSpec, fspec: FileSpec) -> Path:
    """Fetch ``fspec`` from upstream with pooch, or explain why it must be local."""
    if not fspec.downloadable:
        raise FileNotFoundError(
            f"dataset {spec.name!r}: file {fspec.filename!r} must be provided locally: it "
            f"is not published upstream as-is (it was {fspec.source}). Pass `path` or set "
            f"the {ENV_VAR} environment variable to a directory holding "
            f"'{spec.name}/{fspec.filename}'."
        )
    import pooch

    cache = Path(pooch.os_cache("bayescale")) / "datasets" / spec.name
    try:
        fetched = pooch.retrieve(
            url=fspec.url,
            known_hash=f"sha256:{fspec.sha256}",
            fname=fspec.filename,
            path=cache,
            progressbar=False,
        )
    except OSError as err:  # includes requests' connection errors
        raise OSError(
            f"dataset {spec.name!r}: could not download {fspec.url} ({err}). Without a "
            f"network, pass `path` or set the {ENV_VAR} environment variable to a "
            f"directory holding '{spec.name}/{fspec.filename}'."
        ) from err
    return Path(fetched)


def _read(spec: DatasetSpec, fspec: FileSpec, source: Path, *, tidy: bool = True
          ) -> pd.DataFrame:
    """Read ``source`` and tidy it (unless ``tidy=False``); errors name the dataset and file."""
    where = f"dataset {spec.name!r}, file {str(source)!r}"
    if fspec.reader == "parquet":
        try:
            raw = pd.read_parquet(source, **fspec.read_kwargs)
        except ImportError as err:
            raise ImportError(
                f"{where}: reading parquet needs pyarrow (pip install pyarrow); {_csv_hint(spec)}"
            ) from err
    else:
        try:
            raw = pd.read_csv(source, **fspec.read_kwargs)
        except ValueError as err:  # includes pandas' ParserError and EmptyDataError
            raise BayescaleError(f"{where}: cannot parse as CSV: {err}") from err
    if not tidy:
        return raw
    try:
        return fspec.tidy(raw)
    except (KeyError, ValueError, TypeError) as err:
        raise BayescaleError(f"{where}: {err}") from err


def _csv_hint(spec: DatasetSpec) -> str:
    """Name the CSV files of ``spec`` that hold the same information."""
    csvs = [alias for alias, f in spec.files.items() if f.reader == "csv"]
    return f"or load the CSV file(s) {csvs} instead" if csvs else "no CSV alternative"
