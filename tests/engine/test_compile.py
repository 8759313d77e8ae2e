"""A second fit of new data of the same size bucket must not recompile anything."""

import numpy as np
import pandas as pd
import pytest

import bayescale as bs
from bayescale.engine import bucket, trace_count


def _data(seed, n=20):
    rng = np.random.default_rng(seed)
    c = np.logspace(18, 22, n)
    loss = (1.7 + 300 * c ** -0.15) * np.exp(0.01 * rng.standard_normal(n))
    return pd.DataFrame({"C": c, "loss": loss})


@pytest.mark.filterwarnings("ignore::bayescale.result.DiagnosticWarning")  # short chains
def test_second_fit_same_bucket_does_not_retrace():
    kw = dict(x="C", y="loss", num_chains=2, num_warmup=150, num_samples=150, progress=False)
    bs.fit(_data(0), "saturating_power", **kw)
    before = trace_count()
    second = bs.fit(_data(1, n=21), "saturating_power", seed=3, **kw)
    assert bucket(20) == bucket(21)
    assert trace_count() == before
    assert second.num_draws == 300


def test_bucket_sizes_grow_geometrically():
    sizes = [bucket(n) for n in (1, 16, 17, 100, 240, 1000)]
    assert sizes == sorted(sizes)
    assert all(b >= n for b, n in zip(sizes, (1, 16, 17, 100, 240, 1000), strict=True))
    assert bucket(240) <= 1.42 * 240
