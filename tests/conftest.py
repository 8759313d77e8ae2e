"""Shared fixtures: CPU-only JAX, the shared datasets folder, small session-scoped fits."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def saturating_fit():
    import bayescale as bs

    data = bs.datasets.example("saturating")
    return bs.fit(data, "saturating_power", x="C", y="loss", num_chains=4, num_warmup=500,
                  num_samples=500, seed=1, progress=False)


@pytest.fixture(scope="session")
def chinchilla_fit():
    import bayescale as bs

    data = bs.datasets.example("chinchilla")
    return bs.fit(data, "chinchilla", x=["N", "D"], y="loss", num_chains=4, num_warmup=500,
                  num_samples=500, seed=0, progress=False)
