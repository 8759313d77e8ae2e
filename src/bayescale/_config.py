"""Process-wide JAX settings that bayescale needs.

float64 is enabled (scaling-law inputs span 30 orders of magnitude) and, unless
``BAYESCALE_JAX_CACHE=0``, JAX's persistent compilation cache is pointed at
``~/.cache/bayescale/jax`` (``$XDG_CACHE_HOME/bayescale/jax`` when that is an absolute
path; ``BAYESCALE_JAX_CACHE_DIR`` overrides it) so that a fresh process does not recompile
the samplers.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)


def cache_home() -> Path:
    """The user's cache folder: ``$XDG_CACHE_HOME``, else ``~/.cache`` (always absolute).

    As the XDG Base Directory specification says, an empty ``XDG_CACHE_HOME`` counts as
    unset and a relative one is ignored (otherwise the cache would be a folder of the
    current directory).
    """
    value = os.environ.get("XDG_CACHE_HOME", "")
    if value.strip() and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".cache"


def _enable_compilation_cache() -> None:
    if os.environ.get("BAYESCALE_JAX_CACHE", "1") == "0":
        return
    if jax.config.jax_compilation_cache_dir:  # the user chose one already
        return
    # one folder per JAX build and Python ABI: executables compiled by another jaxlib
    # build must never be loaded (that can crash the process)
    import sys

    tag = f"jax{jax.__version__}-py{sys.version_info.major}{sys.version_info.minor}"
    chosen = os.environ.get("BAYESCALE_JAX_CACHE_DIR", "").strip()
    path = (Path(chosen).expanduser().absolute() if chosen
            else cache_home() / "bayescale" / "jax" / tag)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    jax.config.update("jax_compilation_cache_dir", str(path))
    # 0.1 s: also keep mid-sized programs (a law's least-squares residuals and Jacobian
    # compile in ~0.2 s and load in ~0.01 s); tiny eager ops stay out of the cache
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


_enable_compilation_cache()


def is_ci() -> bool:
    """Whether we run under continuous integration (``CI`` set to a true value)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
