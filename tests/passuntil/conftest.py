"""Shared fixtures of the PassUntil tests: simulated tasks and session-scoped fits."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from passuntil_sim import NUTS, simulate_task

import bayescale.passuntil as pu

matplotlib.use("Agg")

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
LLMONKEYS = DATASETS / "llmonkeys-pythia-math"


@pytest.fixture(scope="session")
def recovery():
    """20 instances x 6 sizes from a known law, r in {1, 2}, cap 1e5, and its fit."""
    recs, pass_rate = simulate_task(0)
    return recs, pass_rate, pu.fit(recs, seed=0, **NUTS)


@pytest.fixture(scope="session")
def llmonkeys_counts():
    """Per-problem counts of Pythia on MATH (10,000 samples per problem)."""
    if not (LLMONKEYS / "per_problem_counts.csv").exists():
        pytest.skip(f"dataset not found: {LLMONKEYS} (shared datasets absent)")
    import pandas as pd

    df = pd.read_csv(LLMONKEYS / "per_problem_counts.csv")
    return pu.PassCounts.from_dataframe(
        df,
        model="model",
        problem="problem_idx",
        n="n_samples",
        c="n_correct",
        N="params_nominal",
    )
