"""Chains (bs.fit) and curves (fit_many) are spread over all local devices.

Runs in a subprocess with two virtual CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=2``).
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import json, warnings
    import numpy as np, pandas as pd, jax
    import bayescale as bs
    warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(5):
        c = np.logspace(18, 22, 10)
        loss = (1.8 + 5.4 * (c / 1e20) ** -0.2) * np.exp(0.01 * rng.standard_normal(10))
        rows.append(pd.DataFrame({"curve": i, "C": c, "loss": loss}))
    data = pd.concat(rows)
    kw = dict(x="C", y="loss", num_chains=4, num_warmup=300, num_samples=300, progress=False)
    out = {"devices": jax.local_device_count()}
    for strategy in ("lanes", "map", "vmap"):
        fc = bs.fit_many(data, "saturating_power", by="curve", strategy=strategy, **kw)
        out[strategy] = {"devices": fc.settings["devices"],
                         "alpha": np.median(fc.posterior["alpha"], axis=(1, 2)).tolist(),
                         "shape": list(fc.posterior["alpha"].shape)}
    fit = bs.fit(data[data.curve == 0], "saturating_power", **kw)
    out["fit_alpha"] = float(np.median(fit.posterior["alpha"]))
    print("RESULT" + json.dumps(out))
""")


@pytest.mark.slow
def test_two_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2",
               JAX_PLATFORMS="cpu", BAYESCALE_JAX_CACHE="0")
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.split("RESULT", 1)[1])
    assert out["devices"] == 2
    for strategy in ("lanes", "map", "vmap"):
        assert out[strategy]["devices"] == 2
        assert out[strategy]["shape"] == [5, 4, 300]  # the padded sixth curve is dropped
        assert all(0.1 < a < 0.3 for a in out[strategy]["alpha"])
    assert abs(out["fit_alpha"] - out["map"]["alpha"][0]) < 0.05
