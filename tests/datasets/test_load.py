"""Loading the public datasets: local lookup, tidy columns and units, errors, downloads."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pooch
import pytest

from bayescale.datasets import load, names
from bayescale.datasets._registry import DATASETS

HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None
EXPECTED_NAMES = [
    "chinchilla-epoch",
    "llmonkeys-pythia-math",
    "obsscaling",
    "pythia-evals",
    "bnsl-4digit-addition",
    "datablations",
    "lr-schedule-loss-curves",
]
ALL_FILES = [
    pytest.param(
        name,
        alias,
        marks=pytest.mark.skipif(
            spec.reader == "parquet" and not HAS_PYARROW, reason="reading parquet needs pyarrow"
        ),
        id=f"{name}:{alias}",
    )
    for name, ds in DATASETS.items()
    for alias, spec in ds.files.items()
]
DOWNLOADABLE = [
    pytest.param(name, alias, id=f"{name}:{alias}")
    for name, ds in DATASETS.items()
    for alias, spec in ds.files.items()
    if spec.downloadable
]
DERIVED = [
    pytest.param(name, alias, id=f"{name}:{alias}")
    for name, ds in DATASETS.items()
    for alias, spec in ds.files.items()
    if not spec.downloadable and spec.derive is None
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- registry ---------------------------------------------------------------------------


def test_names_are_the_shared_folders(shared_datasets: Path) -> None:
    assert names() == EXPECTED_NAMES
    folders = {p.name for p in shared_datasets.iterdir() if (p / "SOURCE.md").is_file()}
    assert set(names()) == folders


def test_every_shared_file_is_registered(shared_datasets: Path) -> None:
    registered = {(n, f.filename) for n, ds in DATASETS.items() for f in ds.files.values()}
    on_disk = {
        (p.parent.name, p.name)
        for p in shared_datasets.glob("*/*")
        if p.suffix in (".csv", ".parquet")
    }
    assert on_disk == registered


@pytest.mark.parametrize(("name", "alias"), DOWNLOADABLE)
def test_pinned_hash_matches_shared_copy(shared_datasets: Path, name: str, alias: str) -> None:
    spec = DATASETS[name].files[alias]
    assert spec.sha256 == sha256(shared_datasets / name / spec.filename)


# --- local lookup -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "alias"), ALL_FILES)
def test_load_every_file_via_path(shared_datasets: Path, name: str, alias: str) -> None:
    df = load(name, shared_datasets, file=alias)
    assert isinstance(df, pd.DataFrame) and len(df) > 0
    for col in ("N", "D", "C"):
        if col in df.columns:
            assert df[col].dtype == np.float64
            assert (df[col].dropna() >= 0).all()  # D = C = 0 at Pythia's step 0
    if "N" in df.columns:
        assert (df["N"].dropna() > 0).all()


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_env_var_path_and_folder_agree(
    shared_datasets: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    by_path = load(name, path=str(shared_datasets))
    by_folder = load(name, path=shared_datasets / name)
    monkeypatch.setenv("BAYESCALE_DATA", str(shared_datasets))
    by_env = load(name)
    pd.testing.assert_frame_equal(by_path, by_env)
    pd.testing.assert_frame_equal(by_path, by_folder)


def test_file_by_name_or_alias(shared_datasets: Path) -> None:
    a = load("llmonkeys-pythia-math", shared_datasets, file="coverage")
    b = load("llmonkeys-pythia-math", shared_datasets, file="coverage_vs_k.csv")
    pd.testing.assert_frame_equal(a, b)


# --- tidy columns and units ---------------------------------------------------------------


def test_chinchilla_epoch(shared_datasets: Path) -> None:
    df = load("chinchilla-epoch", shared_datasets)
    raw = pd.read_csv(shared_datasets / "chinchilla-epoch" / "svg_extracted_data.csv")
    assert list(df.columns) == ["N", "D", "C", "loss", "epoch_excluded"]
    assert len(df) == 245
    np.testing.assert_array_equal(df["N"], raw["Model Size"])  # row order kept
    np.testing.assert_allclose(df["D"], df["C"] / (6 * df["N"]), rtol=1e-12)
    excluded = df["epoch_excluded"]
    assert excluded.dtype == bool and excluded.sum() == 5
    assert set(df.index[excluded]) == set(df["loss"].nlargest(5).index)
    assert df.loc[excluded, "loss"].min() > df.loc[~excluded, "loss"].max()


def test_llmonkeys_counts_and_coverage(shared_datasets: Path) -> None:
    counts = load("llmonkeys-pythia-math", shared_datasets)
    assert list(counts.columns) == ["model", "N", "problem", "n", "c"]
    assert len(counts) == 896 and (counts["n"] == 10_000).all()
    sizes = counts.groupby("model")["N"].first()
    assert sizes["Pythia 2.8B"] == 2.8e9 and sizes["Pythia 70M"] == 7e7
    solved = counts.assign(s=counts["c"] > 0).groupby("N")["s"].mean()
    published = [0.266, 0.570, 0.656, 0.742, 0.813, 0.836, 0.875]  # coverage@10k, 70M..12B
    np.testing.assert_allclose(solved.to_numpy(), published, atol=6e-4)

    cov = load("llmonkeys-pythia-math", shared_datasets, file="coverage")
    assert list(cov.columns) == ["model", "N", "k", "coverage"]
    at_10k = cov[cov["k"] == 10_000].sort_values("N")["coverage"]
    np.testing.assert_allclose(at_10k.to_numpy(), published, atol=6e-4)


@pytest.mark.skipif(not HAS_PYARROW, reason="reading parquet needs pyarrow")
def test_llmonkeys_parquet(shared_datasets: Path) -> None:
    df = load("llmonkeys-pythia-math", shared_datasets, file="pass_at_k")
    assert list(df.columns) == ["model", "N", "problem", "n", "c", "k", "pass_at_k"]
    assert len(df) == 90_496
    # the derived per-problem counts are the parquet's k = 1 rows
    k1 = df[df["k"] == 1].drop(columns=["k", "pass_at_k"])
    counts = load("llmonkeys-pythia-math", shared_datasets)
    merged = counts.merge(k1, on=["model", "problem"], suffixes=("", "_pq"), validate="1:1")
    assert len(merged) == len(counts)
    np.testing.assert_array_equal(merged["c"], merged["c_pq"])


@pytest.mark.skipif(HAS_PYARROW, reason="checks the message shown without pyarrow")
def test_parquet_without_pyarrow_says_so(shared_datasets: Path) -> None:
    with pytest.raises(ImportError, match="pyarrow") as info:
        load("llmonkeys-pythia-math", shared_datasets, file="pass_at_k")
    assert "counts" in str(info.value)


def test_obsscaling_units(shared_datasets: Path) -> None:
    df = load("obsscaling", shared_datasets)
    assert len(df) == 148 and "MMLU" in df.columns
    np.testing.assert_allclose(df["N"], df["Model Size (B)"] * 1e9)
    np.testing.assert_allclose(df["D"], df["Pretraining Data Size (T)"] * 1e12)
    np.testing.assert_allclose(df["C"], df["FLOPs (1E21)"] * 1e21)
    assert df["C"].isna().sum() == 25  # rows without FLOPs stay NaN


def test_pythia_evals_units(shared_datasets: Path) -> None:
    df = load("pythia-evals", shared_datasets)
    assert len(df) == 9450
    np.testing.assert_array_equal(df["D"], df["step"] * 2_097_152)
    np.testing.assert_allclose(df["C"], 6 * df["N"] * df["D"])
    assert df["deduped"].dtype == bool


def test_bnsl(shared_datasets: Path) -> None:
    df = load("bnsl-4digit-addition", shared_datasets)
    assert list(df.columns) == ["x", "y", "split"]
    assert len(df) == 17
    assert (df["split"].iloc[:14] == "fit").all() and (df["split"].iloc[14:] == "extrapolate").all()
    assert df["x"].iloc[-3:].tolist() == [800, 864, 928]


def test_datablations_units(shared_datasets: Path) -> None:
    df = load("datablations", shared_datasets)
    assert len(df) == 9261
    assert set(df["N"]) == {2.8e9, 4.2e9, 8.7e9}
    np.testing.assert_allclose(df["C"], 6 * df["N"] * df["token_num"])
    clean = load("datablations", shared_datasets, file="contour")
    np.testing.assert_allclose(clean["U"], clean["D"] / clean["epochs"], rtol=1e-9)
    raw = load("datablations", shared_datasets, file="contour_raw")
    np.testing.assert_allclose(raw["U"], raw["token_num"] / raw["epochs"])
    code = load("datablations", shared_datasets, file="code")
    assert set(code["N"]) == {4.2e9}


def test_lr_schedule(shared_datasets: Path) -> None:
    df = load("lr-schedule-loss-curves", shared_datasets)
    assert list(df.columns) == ["schedule", "step", "loss", "lr"]
    assert set(df["schedule"]) == {"cosine", "wsd", "811"}
    assert df.groupby("schedule").size().to_dict() == {"811": 33908, "cosine": 33907, "wsd": 33907}
    opt = load("lr-schedule-loss-curves", shared_datasets, file="opt")
    np.testing.assert_allclose(np.log10(opt["D"]), opt["num_token"])
    np.testing.assert_allclose(np.log10(opt["C"]), opt["flops"])
    assert set(opt["N"]) == {125e6, 1.3e9, 6.7e9, 13e9, 30e9, 175e9}


# --- errors -------------------------------------------------------------------------------


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'chinchilla'") as info:
        load("chinchilla")
    for name in EXPECTED_NAMES:
        assert repr(name) in str(info.value)


def test_unknown_file_lists_valid_files(shared_datasets: Path) -> None:
    with pytest.raises(ValueError, match="unknown file 'nope'") as info:
        load("llmonkeys-pythia-math", shared_datasets, file="nope")
    for alias in ("counts", "coverage", "pass_at_k", "per_problem_counts.csv"):
        assert alias in str(info.value)


def test_missing_file_in_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="BAYESCALE_DATA") as info:
        load("chinchilla-epoch", tmp_path)
    msg = str(info.value)
    assert str(tmp_path / "chinchilla-epoch" / "svg_extracted_data.csv") in msg
    assert "`path` argument" in msg and "download" in msg


def test_missing_file_in_env_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAYESCALE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"\$BAYESCALE_DATA") as info:
        load("pythia-evals")
    assert "no upstream copy" in str(info.value)


@pytest.mark.parametrize(("name", "alias"), DERIVED)
def test_derived_file_must_be_local(name: str, alias: str) -> None:
    spec = DATASETS[name].files[alias]
    with pytest.raises(FileNotFoundError, match="must be provided locally") as info:
        load(name, file=alias)  # the autouse guard fails the test if pooch is called
    msg = str(info.value)
    assert "BAYESCALE_DATA" in msg and spec.filename in msg
    assert spec.source.split("github ")[1].split(",")[0] in msg  # names the upstream repo


def test_empty_env_var_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAYESCALE_DATA", "")
    with pytest.raises(FileNotFoundError, match="must be provided locally"):
        load("bnsl-4digit-addition")


def test_missing_column_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "chinchilla-epoch"
    folder.mkdir()
    (folder / "svg_extracted_data.csv").write_text("Model Size,Training FLOP\n1e8,1e19\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['loss'\]") as info:
        load("chinchilla-epoch", tmp_path)
    assert "svg_extracted_data.csv" in str(info.value)


def test_bad_values_are_named(tmp_path: Path) -> None:
    (tmp_path / "per_problem_counts.csv").write_text(
        "model,params_nominal,benchmark,problem_idx,n_samples,n_correct\n"
        "Pythia huge,1,MATH,1,10,1\n"
    )
    with pytest.raises(ValueError, match="cannot read a count from 'Pythia huge'"):
        load("llmonkeys-pythia-math", tmp_path)
    (tmp_path / "4_digit_addition_dataset_size.csv").write_text(
        "training_dataset_size,test_cross_entropy,split\n160,abc,fit\n"
    )
    with pytest.raises(ValueError, match="column 'test_cross_entropy' is not numeric"):
        load("bnsl-4digit-addition", tmp_path)


# --- download branch ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "alias"), DOWNLOADABLE)
def test_download_uses_pinned_commit_and_hash(
    shared_datasets: Path, monkeypatch: pytest.MonkeyPatch, name: str, alias: str
) -> None:
    spec = DATASETS[name].files[alias]
    calls: list[dict[str, object]] = []

    def fake_retrieve(url: str, known_hash: str, **kwargs: object) -> str:
        calls.append({"url": url, "known_hash": known_hash, **kwargs})
        return str(shared_datasets / name / spec.filename)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    if spec.reader == "parquet" and not HAS_PYARROW:
        with pytest.raises(ImportError, match="pyarrow"):
            load(name, file=alias)
    else:
        pd.testing.assert_frame_equal(
            load(name, file=alias), load(name, shared_datasets, file=alias)
        )
    (call,) = calls
    commit = spec.source.rsplit("commit ", 1)[1]
    assert len(commit) == 40
    assert call["url"].startswith("https://")
    assert f"/{commit}/" in call["url"] and call["url"].endswith(spec.filename)
    assert call["known_hash"] == f"sha256:{sha256(shared_datasets / name / spec.filename)}"
    assert call["fname"] == spec.filename
    assert Path(call["path"]).name == name


def test_download_url_for_epoch_csv(monkeypatch: pytest.MonkeyPatch, shared_datasets: Path) -> None:
    seen = {}

    def fake_retrieve(url: str, known_hash: str, **kwargs: object) -> str:
        seen.update(url=url, known_hash=known_hash)
        return str(shared_datasets / "chinchilla-epoch" / "svg_extracted_data.csv")

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    assert len(load("chinchilla-epoch")) == 245
    assert seen["url"] == (
        "https://raw.githubusercontent.com/epoch-research/analyzing-chinchilla/"
        "92258837425e1b5f2851d624287f0120583a3d0e/data/svg_extracted_data.csv"
    )
    assert seen["known_hash"] == (
        "sha256:193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30"
    )


def test_download_failure_explains_offline_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> str:
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(OSError, match=r"could not download .*BAYESCALE_DATA"):
        load("obsscaling")


def test_derived_counts_rebuilt_from_upstream_parquet(monkeypatch, tmp_path):
    """Without a local copy (Binder), per-problem counts are derived from the pinned parquet."""
    pytest.importorskip("pyarrow")
    import shutil

    from bayescale import datasets
    from bayescale.datasets import _load

    shared = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
    parquet = shared / "llmonkeys-pythia-math" / "large_language_monkeys_original_pass_at_k.parquet"
    if not parquet.is_file():
        pytest.skip("shared parquet not available")
    monkeypatch.delenv("BAYESCALE_DATA", raising=False)
    calls = []

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.append((url, known_hash))
        dest = Path(path) / fname
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(parquet, dest)
        return str(dest)

    import pooch

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    monkeypatch.setattr(pooch, "os_cache", lambda name: tmp_path)
    derived = datasets.load("llmonkeys-pythia-math")
    local = datasets.load("llmonkeys-pythia-math", path=shared)
    assert len(calls) == 1 and calls[0][1].startswith("sha256:")
    key = ["model", "problem"]
    a = derived.sort_values(key).reset_index(drop=True)
    b = local.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert _load is not None
