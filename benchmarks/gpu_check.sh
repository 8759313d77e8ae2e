#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: install bayescale with CUDA JAX, fit 100,000
# saturating power-law curves with fit_many and print curves per second.
#   bash benchmarks/gpu_check.sh [NUM_CURVES] [BATCH_SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
BATCH="${2:-8192}"
PY="${PYTHON:-python3}"
"$PY" -m venv /tmp/bayescale-gpu
/tmp/bayescale-gpu/bin/pip install --quiet --upgrade pip
SKIP_JUPYTER_BUILDER=1 /tmp/bayescale-gpu/bin/pip install --quiet -e ".[gpu]"
/tmp/bayescale-gpu/bin/python - "$N" "$BATCH" <<'PY'
import sys, time, warnings
import jax
sys.path.insert(0, "benchmarks")
from bench_many import curves
import bayescale as bs
n, batch = int(sys.argv[1]), int(sys.argv[2])
print("devices:", jax.devices())
warnings.simplefilter("ignore", bs.result.DiagnosticWarning)
kw = dict(x="C", y="loss", num_chains=4, num_warmup=500, num_samples=500, progress=False,
          batch_size=batch)
bs.fit_many(curves(batch, seed=1), "saturating_power", by="curve", **kw)  # compile
data = curves(n, seed=2)
t = time.perf_counter()
fc = bs.fit_many(data, "saturating_power", by="curve", **kw)
wall = time.perf_counter() - t
print(f"{n} curves in {wall:.1f} s: {n / wall:.1f} curves/s; {len(fc.failed)} failed diagnostics")
PY
