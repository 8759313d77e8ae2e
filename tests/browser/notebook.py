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


# What one view actually paints, by the browser's own hit testing (which honours
# clip-path): for every data mark under `root`, whether its centre lies inside the plot
# area it belongs to (the panel's .bs-overlay) and whether it is painted there; for the
# median path, the share of the plot width over which it is painted; and whether each
# clip-path url(#id) resolves (document-wide, as the browser does) inside this view.
GEOMETRY_JS = """(root, marks) => {
  const centre = (e) => { const r = e.getBoundingClientRect();
    return [(r.left + r.right) / 2, (r.top + r.bottom) / 2]; };
  const painted = (e, x, y) => document.elementsFromPoint(x, y).includes(e);
  const plotOf = (e) => e.closest('.bs-plot').querySelector(':scope > .bs-overlay')
    .getBoundingClientRect();
  const points = [...root.querySelectorAll(marks)].map((e) => {
    const [x, y] = centre(e), a = plotOf(e);
    return { inside: x >= a.left - 0.5 && x <= a.right + 0.5 && y >= a.top - 0.5
      && y <= a.bottom + 0.5, painted: painted(e, x, y) };
  });
  const med = root.querySelector('path.bs-median');
  let span = 0;
  if (med && med.getTotalLength() > 0) {
    const a = plotOf(med), m = med.getScreenCTM(), L = med.getTotalLength(), xs = [];
    for (let i = 0; i <= 400; i++) {
      const p = med.getPointAtLength(L * i / 400);
      const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
      if (painted(med, x, y)) xs.push(x);
    }
    span = xs.length ? (Math.max(...xs) - Math.min(...xs)) / a.width : 0;
  }
  const clips = [...root.querySelectorAll('[clip-path]')].map((e) => {
    const id = e.getAttribute('clip-path').match(/url\\(#([^)]+)\\)/)[1];
    const target = document.getElementById(id);
    return { id, own: !!target && root.contains(target) };
  });
  return { n: points.length, inside: points.filter((p) => p.inside).length,
    painted: points.filter((p) => p.painted).length, span, clips,
    xDomain: JSON.parse(root.querySelector('svg.bs-svg').getAttribute('data-x-domain') || 'null') };
}"""


def geometry(page: Any, root: Any, marks: str = "circle.bs-point") -> dict[str, Any]:
    """Run GEOMETRY_JS on the element ``root`` (a Playwright locator), scrolled into view.

    Hit testing sees only what is in the viewport: the view must fit in it.
    """
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(100)
    return root.evaluate(GEOMETRY_JS, marks)
