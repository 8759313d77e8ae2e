"""Locate the front-end bundle that every bayescale view loads.

The bundle (``static/widget.js`` and ``static/widget.css``) is built from ``js/`` by
esbuild and shipped in the wheel. A missing bundle must never break ``import bayescale``:
the views then render a one-line note saying how to build it, unless the environment
variable ``BAYESCALE_REQUIRE_BUNDLE=1`` (set in CI) asks for an error instead.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["BUILD_HINT", "BundleMissingError", "css", "esm", "static_dir"]

BUILD_HINT = "npm --prefix js ci && npm --prefix js run build"
_MESSAGE = f"bayescale front end not built: run `{BUILD_HINT}`"
_FALLBACK_ESM = (
    "export default { render({ el }) {\n"
    "  const p = document.createElement('pre');\n"
    "  p.className = 'bs-not-built';\n"
    f"  p.textContent = {_MESSAGE!r};\n"
    "  el.appendChild(p);\n"
    "  return () => p.remove();\n"
    "} };\n"
)


class BundleMissingError(FileNotFoundError):
    """The built front end is missing and ``BAYESCALE_REQUIRE_BUNDLE=1`` forbids a fallback."""


def static_dir() -> Path:
    """Return the folder holding the built bundle (``bayescale/static``).

    Returns
    -------
    Path
        The folder; it may not exist when the front end has not been built.
    """
    return Path(__file__).resolve().parent.parent / "static"


def _required() -> bool:
    return os.environ.get("BAYESCALE_REQUIRE_BUNDLE", "").strip().lower() in {"1", "true", "yes"}


def esm(folder: Path | None = None) -> Path | str:
    """Return the ESM to give anywidget's ``_esm``.

    Parameters
    ----------
    folder : Path, optional
        Where to look for ``widget.js`` (default :func:`static_dir`).

    Returns
    -------
    Path or str
        The bundle's path when it exists, otherwise a tiny inline module that shows how
        to build the front end.

    Raises
    ------
    BundleMissingError
        When the bundle is missing and ``BAYESCALE_REQUIRE_BUNDLE=1``.
    """
    path = (folder or static_dir()) / "widget.js"
    if path.is_file():
        return path
    if _required():
        raise BundleMissingError(f"{path} does not exist ({_MESSAGE}); "
                                 "BAYESCALE_REQUIRE_BUNDLE=1 forbids the fallback")
    return _FALLBACK_ESM


def css(folder: Path | None = None) -> Path | str:
    """Return the stylesheet to give anywidget's ``_css``.

    Parameters
    ----------
    folder : Path, optional
        Where to look for ``widget.css`` (default :func:`static_dir`).

    Returns
    -------
    Path or str
        The stylesheet's path, or an empty string when there is none.
    """
    path = (folder or static_dir()) / "widget.css"
    return path if path.is_file() else ""
