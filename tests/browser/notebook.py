"""Driving JupyterLab from the browser tests: open and run a notebook, run commands."""

from __future__ import annotations

from typing import Any

KERNEL_IDLE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return !!w && !!w.sessionContext && w.sessionContext.session?.kernel?.status === 'idle';
}"""


def run_command(page: Any, expr: str) -> None:
    """Start a JupyterLab command without awaiting it (the DOM tells when it is done)."""
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute({expr}); }}")
    print(f"ran {expr}", flush=True)


def open_and_run(lab: Any, page: Any, name: str, cells: list[str]) -> None:
    """Write a notebook of ``cells``, open it in JupyterLab and start running every cell."""
    lab.write_notebook(name, cells)
    page.goto(lab.url(f"lab/tree/{name}"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function("() => window.jupyterapp && document.querySelector("
                           "'.jp-Notebook') !== null", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    run_command(page, "'notebook:run-all-cells'")


def switch_to_dark_theme(page: Any) -> None:
    """Switch JupyterLab to its dark theme and wait until the page says so."""
    run_command(page, "'apputils:change-theme', {theme: 'JupyterLab Dark'}")
    page.wait_for_selector("body[data-jp-theme-light='false']", state="attached",
                           timeout=60_000)


def count_marks(page: Any, root: str, selectors: Any) -> dict[str, int]:
    """How many elements match each of ``selectors`` inside ``root``."""
    return {s: page.locator(f"{root} {s}").count() for s in selectors}
