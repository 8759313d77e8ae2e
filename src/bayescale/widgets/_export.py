"""SVG / PNG export of a displayed view: the request to the front end and its answer.

The front end (``js/src/export.js`` ``answerExport``) draws the title above the chart and
the view's legend below it, and sends the image back as a custom message.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Exports"]


class Exports:
    """Mixin for anywidget views: ``request_export``, ``last_export``, ``export_title``.

    A view calls :meth:`_init_exports` in its ``__init__`` (after ``super().__init__``)
    and overrides :meth:`export_title`.
    """

    def _init_exports(self) -> None:
        self._exports: dict[str, tuple[Path | None, Callable[[dict], None] | None]] = {}
        self.last_export: dict[str, Any] | None = None
        self.on_msg(self._on_msg)  # type: ignore[attr-defined]

    def export_title(self) -> str:
        """Title drawn above exported images (views override it)."""
        return ""

    def request_export(self, fmt: str = "svg", path: str | Path | None = None,
                       callback: Callable[[dict], None] | None = None,
                       title: str | None = None) -> str:
        """Ask the displayed view for an SVG or PNG of the chart, its title and legend.

        The answer arrives asynchronously (the view must be displayed in a live
        front end). It is written to ``path`` if given, stored in ``last_export``
        (``{"format", "data", "path"}``) and passed to ``callback``. The image shows
        ``title`` (default :meth:`export_title`) above the chart and the view's legend
        below it.

        Returns
        -------
        str
            The request id.

        Raises
        ------
        ValueError
            For a format other than ``"svg"`` or ``"png"``.
        """
        if fmt not in ("svg", "png"):
            raise ValueError(f"fmt must be 'svg' or 'png', got {fmt!r}")
        rid = uuid.uuid4().hex[:12]
        self._exports[rid] = (Path(path) if path is not None else None, callback)
        self.send({"type": "export", "format": fmt, "id": rid,  # type: ignore[attr-defined]
                   "title": self.export_title() if title is None else str(title)})
        return rid

    def _on_msg(self, _widget: Any, content: dict, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "export":
            return
        path, callback = self._exports.pop(content.get("id"), (None, None))
        info = {"format": content.get("format"), "path": None, "error": content.get("error")}
        data = content.get("data")
        if data is not None:
            raw = base64.b64decode(data) if info["format"] == "png" else data.encode()
            info["data"] = raw
            if path is not None:
                path.write_bytes(raw)
                info["path"] = str(path)
        self.last_export = info
        if callback is not None:
            callback(info)
