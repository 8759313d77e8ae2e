"""Root pytest configuration shared by the unit tests and the executed notebooks.

Notebooks read real data through ``bs.datasets.load`` (``BAYESCALE_DATA`` points at the
shared copy here and in CI) and use ``BAYESCALE_DEMO_DRAWS`` draws per chain (reduced
for test runs); the notebook kernels inherit this process's environment.
"""

import os
from pathlib import Path

_shared = Path(__file__).resolve().parent.parent / "shared" / "datasets"
if _shared.is_dir():
    os.environ.setdefault("BAYESCALE_DATA", str(_shared))
os.environ.setdefault("BAYESCALE_DEMO_DRAWS", "200")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
