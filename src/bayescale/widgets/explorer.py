"""Explorer: an ipywidgets dashboard around the extrapolation view.

One target box (the view's own), a progress bar shown only while a fit runs, and rows
that wrap instead of squeezing their controls in a narrow notebook.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w
import numpy as np

from bayescale.widgets._sources import split_band_kind
from bayescale.widgets.extrapolation import ExtrapolationWidget

__all__ = ["Explorer", "explore", "nested_levels"]

_INNER_LEVELS = (0.5, 0.8)


def nested_levels(level: float) -> list[float]:
    """Bands for a chosen outer credible level: the default inner ones below it, then it.

    Examples
    --------
    >>> nested_levels(0.95)
    [0.5, 0.8, 0.95]
    >>> nested_levels(0.7)
    [0.5, 0.7]
    """
    level = round(float(level), 4)
    return [lev for lev in _INNER_LEVELS if lev < level] + [level]


def _default_x(data: Any, y: str) -> list[str]:
    cols = [c for c in data.columns if c != y]
    if {"N", "D"} <= set(cols):
        return ["N", "D"]
    if "C" in cols:
        return ["C"]
    if len(cols) == 1:
        return cols
    raise ValueError(f"give x= (one column, or two for N, D laws); the data has {cols}")


def _row(children: list[Any]) -> w.HBox:
    """A row of controls that wraps when the output area is narrow."""
    return w.HBox(children, layout=w.Layout(flex_flow="row wrap", align_items="center",
                                            width="100%"))


class Explorer(w.VBox):
    """Law, credible level, Fit button with progress, the view (with its target), export.

    A re-fit keeps what the user chose in the view: the target and the band kind.

    Parameters
    ----------
    data : DataFrame
        Observations.
    law : str, optional
        A law from ``bayescale.laws.names()`` with as many inputs as ``x`` has columns.
    x, y : str or list of str, optional
        Data columns (default: ``N, D`` if present, else ``C``, else the only one).
    fit : Fit, optional
        An existing fit to show (no sampling on construction).
    ci_level : float
        Outer credible level (the inner bands are 50% and 80% below it).
    auto_fit : bool
        Fit at once when ``law`` is given and ``fit`` is not.
    num_samples, num_warmup, num_chains, seed : int
        Passed to ``fit_fn``.
    fit_fn : callable, optional
        The fitting function (default :func:`bayescale.fit`).
    **view : Any
        Passed to :meth:`ExtrapolationWidget.use_fit` (e.g. ``target_x``, ``heldout``).
    """

    def __init__(self, data: Any, law: str | None = None, *, x: str | Sequence[str] | None = None,
                 y: str = "loss", fit: Any = None, ci_level: float = 0.95, auto_fit: bool = True,
                 num_samples: int = 500, num_warmup: int = 500, num_chains: int = 2,
                 seed: int = 0, fit_fn: Callable[..., Any] | None = None, **view: Any) -> None:
        from bayescale import laws

        self.data, self.y = data, y
        self.x = [x] if isinstance(x, str) else list(x) if x is not None else _default_x(data, y)
        self.fit: Any = fit
        self._shown = False  # whether a fit has been shown (a later one is a re-fit)
        self.fit_kwargs = {"num_samples": num_samples, "num_warmup": num_warmup,
                           "num_chains": num_chains, "seed": seed, "progress": False}
        self._fit_fn = fit_fn
        self._view_kwargs = view
        options = [n for n in laws.names() if len(laws.get(n).inputs) == len(self.x)]
        if fit is not None:  # a custom (formula) law joins the list
            law = fit.law.name
            options += [] if law in options else [law]
        if law is not None and law not in options:
            raise ValueError(f"law {law!r} is not one of the laws of {len(self.x)} input(s): "
                             f"{options}")
        ys = np.asarray(data[y], dtype=float) if y in data else np.array([])
        self.view = ExtrapolationWidget(x_label=self.x[0] if len(self.x) == 1 else "C",
                                        y_label=y, ci_levels=nested_levels(ci_level),
                                        log_y=bool(ys.size and np.all(ys > 0)))  # as fit.plot()
        fixed = {"flex": "0 0 auto"}  # never shrunk below its width by a narrow row
        self.law = w.Dropdown(options=options, value=law or (options[0] if options else None),
                              description="law", layout=w.Layout(width="20em", **fixed))
        self.level = w.FloatSlider(value=ci_level, min=0.5, max=0.99, step=0.01,
                                   description="credible level", continuous_update=False,
                                   readout_format=".2f", style={"description_width": "initial"},
                                   layout=w.Layout(width="24em", **fixed))
        self.fit_button = w.Button(description="Fit", button_style="primary", icon="play",
                                   layout=w.Layout(width="8em", **fixed))
        self.progress = w.IntProgress(value=0, min=0, max=3,
                                      layout=w.Layout(width="10em", display="none", **fixed))
        self.message = w.HTML(layout=w.Layout(flex="1 1 12em"))
        self.filename = w.Text(value="bayescale-extrapolation", description="export as",
                               layout=w.Layout(width="22em", **fixed))
        self.svg_button = w.Button(description="SVG", icon="download",
                                   layout=w.Layout(width="7em", **fixed))
        self.png_button = w.Button(description="PNG", icon="download",
                                   layout=w.Layout(width="7em", **fixed))
        super().__init__([
            _row([self.law, self.level, self.fit_button, self.progress, self.message]),
            self.view,
            _row([self.filename, self.svg_button, self.png_button]),
        ])
        self.add_class("bs-explorer")
        self.fit_button.on_click(lambda _b: self.run_fit())
        self.svg_button.on_click(lambda _b: self.export("svg"))
        self.png_button.on_click(lambda _b: self.export("png"))
        self.level.observe(self._on_level, names="value")
        self._show_data()
        if fit is not None:
            self._show_fit(fit)
        elif law is not None and auto_fit:
            self.run_fit()

    # ---- actions -------------------------------------------------------------------
    def run_fit(self) -> Any:
        """Fit the selected law to the data and show it; returns the fit (or None)."""
        fit_fn = self._fit_fn
        if fit_fn is None:
            from bayescale import fit as fit_fn
        x = self.x[0] if len(self.x) == 1 else self.x
        self._say(f"fitting {self.law.value}…", 1, "info")
        self.progress.layout.display = None  # shown while the fit runs
        self.fit_button.disabled = True
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fit = fit_fn(self.data, self.law.value, x=x, y=self.y, **self.fit_kwargs)
            self._say("computing bands…", 2, "info")
            self._show_fit(fit)
        except Exception as err:  # shown to the user
            self._say(f"fit failed: {type(err).__name__}: {err}", 3, "danger")
            return None
        finally:
            self.fit_button.disabled = False
            self.progress.layout.display = "none"
        notes = "; ".join(str(c.message) for c in caught)
        self._say(f"{self.law.value}: done" + (f" ({notes})" if notes else ""), 3,
                  "warning" if notes else "success")
        return fit

    def export(self, fmt: str) -> str:
        """Save the chart as ``<filename>.<fmt>`` (``"svg"`` or ``"png"``) next to the kernel."""
        path = f"{self.filename.value or 'bayescale-extrapolation'}.{fmt}"

        def done(info: dict) -> None:
            if info.get("error"):
                self._say(f"export failed: {info['error']}", None, None)
            else:
                self._say(f"saved {info['path']} ({len(info['data']) / 1024:.1f} KiB)", None, None)

        return self.view.request_export(fmt, path, done)

    # ---- wiring --------------------------------------------------------------------
    def _show_data(self) -> None:
        if len(self.x) == 1 and self.x[0] in self.data and self.y in self.data:
            pts = [{"x": float(a), "y": float(b)} for a, b in
                   zip(self.data[self.x[0]], self.data[self.y], strict=True)]
            self.view.points = pts

    def _show_fit(self, fit: Any) -> None:
        kwargs = {"ci_levels": nested_levels(self.level.value), **self._view_kwargs}
        if self._shown:  # a re-fit: keep the target and band kind chosen in the view
            if self.view.target_x is not None:
                kwargs["target_x"] = self.view.target_x
            if self.view.band_kind:
                kind, disc = split_band_kind(self.view.band_kind)
                kwargs.update(kind=kind, discrepancy=disc)
        self.fit, self._shown = fit, True
        self.view.use_fit(fit, **kwargs)

    def _say(self, text: str, step: int | None, style: str | None) -> None:
        self.message.value = f"<span class='bs-explorer-msg'>{html.escape(text)}</span>"
        if step is not None:
            self.progress.value = step
        if style is not None:
            self.progress.bar_style = style

    def _on_level(self, change: dict) -> None:
        self.view.ci_levels = nested_levels(change["new"])


def explore(data: Any, law: str | None = None, **kwargs: Any) -> Explorer:
    """Open an :class:`Explorer` on ``data`` (see its parameters)."""
    return Explorer(data, law, **kwargs)
