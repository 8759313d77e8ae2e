"""The cache folder follows the XDG rules: a blank or relative XDG_CACHE_HOME is ignored.

Otherwise the compilation cache would be a relative folder ``bayescale/`` in whatever
directory the process happens to start in (issue 17, item 9).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bayescale import _config

IGNORED = {"empty": "", "blank": "   ", "relative": "rel/cache", "dot": "."}


@pytest.mark.parametrize("value", list(IGNORED.values()), ids=list(IGNORED))
def test_blank_or_relative_xdg_cache_home_means_home_cache(monkeypatch, tmp_path, value):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    home = _config.cache_home()
    assert home.is_absolute()
    assert home == tmp_path / ".cache"


def test_absolute_xdg_cache_home_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _config.cache_home() == tmp_path / "xdg"


def test_unset_xdg_cache_home_means_home_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert _config.cache_home() == tmp_path / ".cache"


@pytest.mark.parametrize("value", ["", "rel/cache"], ids=["empty", "relative"])
def test_datasets_cache_is_absolute_too(monkeypatch, tmp_path, value):
    pooch = pytest.importorskip("pooch")
    if sys.platform != "linux":
        pytest.skip("XDG applies on Linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    path = Path(pooch.os_cache("bayescale"))
    assert path.is_absolute() and path == tmp_path / ".cache" / "bayescale"


_PRINT_CACHE = "import jax, bayescale; print(jax.config.jax_compilation_cache_dir)"


@pytest.mark.parametrize(("xdg", "chosen"), [("", None), ("rel/cache", None), (None, "")],
                         ids=["xdg-empty", "xdg-relative", "bayescale-dir-empty"])
def test_a_fresh_process_caches_under_home(tmp_path, xdg, chosen):
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("XDG_CACHE_HOME", "BAYESCALE_JAX_CACHE_DIR", "BAYESCALE_JAX_CACHE",
                        "JAX_COMPILATION_CACHE_DIR")}
    env |= {"HOME": str(home), "JAX_PLATFORMS": "cpu"}
    if xdg is not None:
        env["XDG_CACHE_HOME"] = xdg
    if chosen is not None:
        env["BAYESCALE_JAX_CACHE_DIR"] = chosen
    out = subprocess.run([sys.executable, "-c", _PRINT_CACHE], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    path = Path(out.stdout.strip().splitlines()[-1])
    assert path.is_absolute(), path
    assert path.is_relative_to(home / ".cache" / "bayescale" / "jax"), path
    assert path.is_dir()
    assert list(cwd.iterdir()) == [], "nothing may be created in the current directory"
