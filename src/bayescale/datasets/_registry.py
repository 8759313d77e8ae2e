"""Registry of the public datasets that :func:`bayescale.datasets.load` reads.

One :class:`DatasetSpec` per dataset folder (named as the folders of the shared data
directory) and one :class:`FileSpec` per file. A file that is a byte-identical copy of a
file in a public GitHub repository carries the raw URL at a pinned commit and the
SHA-256 of its bytes; a file derived, transcribed or converted by the data curators has
no URL and must be provided locally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from bayescale._errors import BayescaleError

from . import _tidy

__all__ = ["DATASETS", "DatasetSpec", "FileSpec", "get_dataset"]

_RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: where it comes from and how to read and tidy it."""

    filename: str
    tidy: Callable[[pd.DataFrame], pd.DataFrame]
    source: str
    url: str | None = None
    sha256: str | None = None
    reader: Literal["csv", "parquet"] = "csv"
    read_kwargs: Mapping[str, Any] = field(default_factory=dict)
    #: For a derived file: (alias of the upstream file it is computed from, function
    #: turning that raw upstream table into this file's raw table). Lets ``load``
    #: rebuild it where only the network is available (e.g. on Binder).
    derive: tuple[str, Callable[[pd.DataFrame], pd.DataFrame]] | None = None

    @property
    def downloadable(self) -> bool:
        """Whether the file can be fetched from upstream (URL and pinned hash known)."""
        return self.url is not None and self.sha256 is not None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset folder: its files keyed by a short alias, and the default alias."""

    name: str
    files: Mapping[str, FileSpec]
    default: str

    def file(self, file: str | None) -> FileSpec:
        """Return the spec of ``file`` (an alias or a file name; ``None`` = the default)."""
        if file is None:
            return self.files[self.default]
        if file in self.files:
            return self.files[file]
        for spec in self.files.values():
            if spec.filename == file:
                return spec
        valid = ", ".join(f"{alias!r} ({spec.filename})" for alias, spec in self.files.items())
        raise BayescaleError(f"unknown file {file!r} for dataset {self.name!r}; "
                             f"valid files: {valid}")


def _upstream(repo: str, commit: str, path: str, sha256: str, **kwargs: Any) -> dict[str, Any]:
    """Keyword arguments of a :class:`FileSpec` copied byte for byte from GitHub."""
    return {
        "source": f"github {repo}, {path}, commit {commit}",
        "url": f"{_RAW}/{repo}/{commit}/{path}",
        "sha256": sha256,
        **kwargs,
    }


_EPOCH = ("epoch-research/analyzing-chinchilla", "92258837425e1b5f2851d624287f0120583a3d0e")
_SCHAEFFER_CHINCHILLA = (
    "RylanSchaeffer/KoyejoLab-Robustness-Chinchilla-Compute-Optimal-Scaling",
    "ad412e61aa4c8e4247d4dbe6f9dab6380a2900bc",
)
_SCHAEFFER_MONKEYS = (
    "RylanSchaeffer/KoyejoLab-Large-How-Do-Language-Monkey-Power-Get-Their-Power",
    "cd078aef2a13e4310fab204860b99c4c39c25d40",
)
_MONKEYS_PARQUET = "data/processed_data/large_language_monkeys_original_pass_at_k.parquet"
_OBS = ("ryoungj/ObsScaling", "4d6e1e43fd2635d04654aa77d1df9d5266ea0382")
_COLPRET = ("IBM/ColPret", "16f23bbe054277ddc4afd07a972dd7cfbe3f48c3")
_PYTHIA = ("EleutherAI/pythia", "a19eecb807ec2c79a39ebf18108816e6ffffc1d5")
_BNSL = ("ethancaballero/broken_neural_scaling_laws", "ffa608f7ca7910b6f6bcbd39915491353ad5d600")
_LR = ("zkshan2002/ScalingLaw", "879f3aae2a20ca53aacf3027ab5553a8e985e87b")


def _derived(how: str, repo_commit: tuple[str, str], what: str) -> str:
    repo, commit = repo_commit
    return f"{how} by the data curators from github {repo}, {what}, commit {commit}"


def _obs(filename: str, sha256: str) -> FileSpec:
    return FileSpec(
        filename,
        tidy=_tidy.obsscaling,
        **_upstream(*_OBS, f"eval_results/{filename}", sha256),
    )


def _colpret(filename: str, sha256: str, tidy: Callable[[pd.DataFrame], pd.DataFrame]) -> FileSpec:
    path = f"aggregated_eval/{filename}"
    return FileSpec(filename, tidy=tidy, **_upstream(*_COLPRET, path, sha256))


_SPECS = (
    DatasetSpec(
        "chinchilla-epoch",
        default="svg",
        files={
            "svg": FileSpec(
                "svg_extracted_data.csv",
                tidy=_tidy.chinchilla_svg,
                **_upstream(
                    *_EPOCH,
                    "data/svg_extracted_data.csv",
                    "193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30",
                ),
            ),
            "model_parameters": FileSpec(
                "chinchilla_model_parameters.csv",
                tidy=_tidy.chinchilla_model_parameters,
                **_upstream(
                    *_SCHAEFFER_CHINCHILLA,
                    "data/chinchilla_model_parameters.csv",
                    "77bfd71258eef9e27f87095cbd0821a7b0c487722c18fb108831d6b6c8cb8721",
                ),
            ),
            "fits": FileSpec(
                "chinchilla_fits.csv",
                tidy=_tidy.chinchilla_fits,
                **_upstream(
                    *_SCHAEFFER_CHINCHILLA,
                    "notebooks/01_epoch_research_fitting/data/chinchilla_fits.csv",
                    "cb148a8e5c5ad03a3144bba57efe936c81f4f15692adf54d7f462215abb7e5b6",
                ),
            ),
        },
    ),
    DatasetSpec(
        "llmonkeys-pythia-math",
        default="counts",
        files={
            "counts": FileSpec(
                "per_problem_counts.csv",
                tidy=_tidy.monkeys_counts,
                source=_derived("DERIVED (rows with k=1)", _SCHAEFFER_MONKEYS, _MONKEYS_PARQUET),
                derive=("pass_at_k", _tidy.monkeys_counts_from_parquet),
            ),
            "coverage": FileSpec(
                "coverage_vs_k.csv",
                tidy=_tidy.monkeys_coverage,
                source=_derived(
                    "DERIVED (mean Score per model and k)", _SCHAEFFER_MONKEYS, _MONKEYS_PARQUET
                ),
            ),
            "pass_at_k": FileSpec(
                "large_language_monkeys_original_pass_at_k.parquet",
                tidy=_tidy.monkeys_pass_at_k,
                reader="parquet",
                **_upstream(
                    *_SCHAEFFER_MONKEYS,
                    _MONKEYS_PARQUET,
                    "2ca92cfcb9b074981b39ae3b6448bd7ae6b24e9db695e448b16eb7398dd41d15",
                ),
            ),
        },
    ),
    DatasetSpec(
        "obsscaling",
        default="benchmark",
        files={
            "benchmark": _obs(
                "base_llm_benchmark_eval.csv",
                "511996815735a4c46251dc585dcc525e370d148201f86561e6f927f9df2d0db8",
            ),
            "benchmark_sub_10b": _obs(
                "base_llm_benchmark_eval_sub_10b.csv",
                "6a5fe6143b1fd86c2c10368de05e204c89ab6652b0f7e97c4965c37bff360d1d",
            ),
            "emergent": _obs(
                "base_llm_emergent_capability_eval.csv",
                "a156beee73c39b7833c3c53535c473939105512d85e90b0143be7325e516ef7c",
            ),
            "leaderboard_v2": _obs(
                "base_llm_leaderboard_v2_eval.csv",
                "ace728c962dfb2b9133fe92081c818e3fba01391694c9590fa0198f850062563",
            ),
            "post_training": _obs(
                "base_llm_post_training_eval.csv",
                "797e7e50c6ac54960e28447884b78bf9821b297646741b4485152715fe7fdbe5",
            ),
            "instruct_benchmark": _obs(
                "instruct_llm_benchmark_eval.csv",
                "9bc50f327f4e436b15a6d6e3edb8b4837e726b295a1c72d44fadb9c9d25a75ba",
            ),
            "instruct_agent": _obs(
                "instruct_llm_agent_eval.csv",
                "09abcdc2abb80d3bba2217b526fa0d88e480a8236c3ba3193bcc9928e871ba3d",
            ),
        },
    ),
    DatasetSpec(
        "pythia-evals",
        default="evals",
        files={
            "evals": FileSpec(
                "pythia_v1_evals_tidy.csv",
                tidy=_tidy.pythia_evals,
                source=_derived(
                    "DERIVED from the lm-eval-harness JSON files", _PYTHIA, "evals/pythia-v1/"
                ),
            ),
        },
    ),
    DatasetSpec(
        "bnsl-4digit-addition",
        default="addition",
        files={
            "addition": FileSpec(
                "4_digit_addition_dataset_size.csv",
                tidy=_tidy.bnsl,
                source=_derived(
                    "TRANSCRIBED from the numpy arrays x, y",
                    _BNSL,
                    "fit_bnsl_and_extrapolate__4_digit_addition__dataset_size_x-axis.py",
                ),
            ),
        },
    ),
    DatasetSpec(
        "datablations",
        default="losses",
        files={
            "losses": _colpret(
                "datablations_losses.csv",
                "b3c448c2cd1a17128e06ee3120a9c377c4e2bf649e09b2446db59f98ef957b48",
                _tidy.datablations_losses,
            ),
            "contour": FileSpec(
                "datablations_contour_final_losses_clean.csv",
                tidy=_tidy.datablations_contour_clean,
                source=_derived(
                    "DERIVED (columns fixed)",
                    _COLPRET,
                    "aggregated_eval/datablations_contour_losses.csv",
                ),
            ),
            "contour_raw": _colpret(
                "datablations_contour_losses.csv",
                "1241bdf3732b4f65d455c796951dce7b18b898d64709f86013914573035f8a5b",
                _tidy.datablations_contour_raw,
            ),
            "code": _colpret(
                "datablations_code_losses.csv",
                "6e93a1d6842c0699f0492450e433733f706f3c7db6a4385d4c571f6b4aaf257e",
                _tidy.datablations_code,
            ),
        },
    ),
    DatasetSpec(
        "lr-schedule-loss-curves",
        default="gpt",
        files={
            "gpt": FileSpec(
                "gpt_loss+lrs.csv",
                tidy=_tidy.lr_schedule_gpt,
                read_kwargs={"dtype": {"schedule": str}},
                source=_derived("CONVERTED from the pandas pickle", _LR, "data/gpt_loss+lrs.pkl"),
            ),
            "opt": _colpret(
                "opt_trajectories.csv",
                "c3a53ccc7a412f0caff4179ce484acf1c2aab36b25677473658f094362449ff5",
                _tidy.opt_trajectories,
            ),
        },
    ),
)

DATASETS: Mapping[str, DatasetSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})


def get_dataset(name: str) -> DatasetSpec:
    """Return the spec of dataset ``name``, or raise a ``ValueError`` listing valid names."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(n) for n in DATASETS)
        raise BayescaleError(f"unknown dataset {name!r}; valid names: {valid}") from None
