"""Notebooks are committed without outputs (``nbstripout --verify``)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_notebooks_are_stripped():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    exe = shutil.which("nbstripout", path=str(Path(sys.executable).parent)) or shutil.which(
        "nbstripout")
    if exe is None:
        pytest.fail("nbstripout is not installed (it is in the dev extra)")
    res = subprocess.run([exe, "--verify", *map(str, notebooks)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_binder_matches_pyproject():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = tuple(int(v) for v in runtime.removeprefix("python-").split("."))
    assert version >= (3, 12), runtime
    assert meta["project"]["requires-python"] == ">=3.12"
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -euo pipefail" in post and '".[demo]"' in post and "npm --prefix js" in post
    assert "demo" in meta["project"]["optional-dependencies"]
