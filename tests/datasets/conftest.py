"""Fixtures for the dataset tests: the shared data directory and a network guard."""

from __future__ import annotations

from pathlib import Path

import pooch
import pytest

# The repository root's sibling ``shared/`` holds the curated copies of the public data.
SHARED_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATASETS} (repo root's sibling shared/)")
    return SHARED_DATASETS


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BAYESCALE_DATA from the caller's shell and no network: tests opt in explicitly."""
    monkeypatch.delenv("BAYESCALE_DATA", raising=False)

    def no_network(*args: object, **kwargs: object) -> str:
        raise AssertionError(f"unexpected download in a test: {args} {kwargs}")

    monkeypatch.setattr(pooch, "retrieve", no_network)
