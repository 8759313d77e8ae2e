"""Test doubles that speak the Fit protocol the widgets consume (law, x, y, data,
predict / predict_draws, compute_optimal), so that view logic is tested without NUTS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest


@dataclass(frozen=True)
class FakeLaw:
    name: str
    inputs: tuple[str, ...]


class FakeFit:
    """y = 2 + a (C / 1e18)^-b with 400 posterior draws of (a, b); ``predict`` only."""

    def __init__(self, n_draws: int = 400, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.a = rng.normal(1.5, 0.1, n_draws)
        self.b = rng.normal(0.1, 0.01, n_draws)
        self.law = FakeLaw("fake_power", ("x",))
        self.x, self.y = ("C",), "loss"
        c = np.geomspace(1e18, 1e21, 12)
        self.data = pd.DataFrame({"C": c, "loss": 2 + 1.5 * (c / 1e18) ** -0.1})
        self.calls: list[str] = []

    def _draws(self, kind: str, c: np.ndarray) -> np.ndarray:
        mean = 2 + self.a[:, None] * (np.asarray(c)[None, :] / 1e18) ** -self.b[:, None]
        if kind == "mean":
            return mean
        return mean * np.exp(np.random.default_rng(1).normal(0, 0.01, mean.shape))

    def predict(self, ci_prob: float = 0.9, kind: str = "predictive", **inputs):
        self.calls.append(f"predict:{kind}:{ci_prob}")
        (c,) = inputs.values()
        d = self._draws(kind, c)
        lo, med, hi = np.quantile(d, [(1 - ci_prob) / 2, 0.5, (1 + ci_prob) / 2], axis=0)
        return pd.DataFrame({"C": c, "median": med, "lower": lo, "upper": hi})


class FakeDrawsFit(FakeFit):
    """The same, with ``predict_draws`` (one draw matrix serves every level)."""

    def predict_draws(self, kind: str = "predictive", seed: int = 0, **inputs):
        self.calls.append(f"draws:{kind}")
        (c,) = inputs.values()
        return self._draws(kind, c)


class FakeNDFit:
    """L = 1.7 + A / N^0.34 + B / D^0.28 with draws of A, B; two inputs."""

    def __init__(self) -> None:
        rng = np.random.default_rng(2)
        self.A, self.B = rng.normal(400, 20, 300), rng.normal(400, 20, 300)
        self.law = FakeLaw("fake_nd", ("N", "D"))
        self.x, self.y = ("N", "D"), "loss"
        n = np.geomspace(1e8, 1e10, 6).repeat(3)
        d = np.tile([2e10, 1e11, 5e11], 6)
        self.data = pd.DataFrame({"N": n, "D": d, "loss": self._mean(n, d).mean(axis=0)})

    def _mean(self, n, d):
        n, d = np.asarray(n), np.asarray(d)
        return 1.7 + self.A[:, None] / n ** 0.34 + self.B[:, None] / d ** 0.28

    def predict_draws(self, kind: str = "predictive", seed: int = 0, **inputs):
        return self._mean(inputs["N"], inputs["D"])

    def compute_optimal(self, C, ci_prob: float = 0.9):
        rows = []
        for c in np.atleast_1d(C):
            n = np.sqrt(c / 6 / 20)
            for q, v in (("N_opt", n), ("D_opt", 20 * n), ("loss", 1.7 + 800 / n ** 0.3)):
                rows.append({"C": c, "quantity": q, "median": v, "lower": v * (1 - ci_prob / 10),
                             "upper": v * (1 + ci_prob / 10)})
        return pd.DataFrame(rows)


class FakeDiscrepancyFit(FakeDrawsFit):
    """With a calibrated discrepancy: ``discrepancy=True`` widens draws by 20%."""

    discrepancy = object()

    def predict_draws(self, kind: str = "predictive", seed: int = 0, discrepancy: bool = True,
                      **inputs):
        self.calls.append(f"draws:{kind}:{discrepancy}")
        (c,) = inputs.values()
        d = self._draws(kind, c)
        return d.mean(axis=0) + 1.2 * (d - d.mean(axis=0)) if discrepancy else d


@pytest.fixture
def fake_disc_fit() -> FakeDiscrepancyFit:
    return FakeDiscrepancyFit()


@pytest.fixture
def fake_fit() -> FakeFit:
    return FakeFit()


@pytest.fixture
def fake_draws_fit() -> FakeDrawsFit:
    return FakeDrawsFit()


@pytest.fixture
def fake_nd_fit() -> FakeNDFit:
    return FakeNDFit()
