"""Draw time of the extrapolation view in headless Chromium, and the bundle's size.

A 3-band view over a 400-value grid with 400 observed points (the issue's budget: a draw
under 50 ms; the minified bundle under 150 KiB). The bundle is served to the page
through Playwright's request routing (no network, no Jupyter); the view is rendered with
a minimal in-page model, then redrawn with new bands as a change from Python would.

Run: ``npm --prefix js run build && .venv/bin/python benchmarks/bench_widget_draw.py``
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "src" / "bayescale" / "static" / "widget.js"
CSS = ROOT / "src" / "bayescale" / "static" / "widget.css"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET_MS, BUDGET_KIB = 50.0, 150.0
ORIGIN = "http://bench.invalid"

PAGE_JS = """async ({n, reps}) => {
  const { default: widget } = await import('/widget.js');
  const grid = Array.from({length: n}, (_, i) => 1e17 * 10 ** (8 * i / (n - 1)));
  const med = grid.map((x) => 1.7 + 40 * x ** -0.07);
  const band = (level, w) => ({level, lower: med.map((m) => m - w), upper: med.map((m) => m + w)});
  const state = {
    _view: 'extrapolation', x_label: 'C', y_label: 'loss', log_x: true, log_y: false,
    grid_x: grid, median: med, ci_levels: [0.5, 0.8, 0.95],
    bands: [band(0.95, 0.2), band(0.8, 0.1), band(0.5, 0.05)],
    points: grid.map((x, i) => ({x, y: med[i] + 0.03 * Math.sin(i)})), heldout_points: [],
    target_x: 1e24, target_readout: {}, x_domain: [], y_domain: [], theme: 'auto',
    height: 360, inputs: [], slice_mode: '', slice_input: '', slice_value: null, status: '',
  };
  const handlers = {};
  const model = {
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; (handlers['change:' + k] || []).forEach((f) => f()); },
    save_changes() {}, send() {},
    on: (k, f) => { (handlers[k] = handlers[k] || []).push(f); },
    off: (k, f) => { handlers[k] = (handlers[k] || []).filter((g) => g !== f); },
  };
  const first = [], redraw = [];
  for (let r = 0; r < reps; r++) {
    const el = document.createElement('div');
    el.style.width = '900px';
    document.body.appendChild(el);
    let t = performance.now();
    const cleanup = widget.render({model, el});
    el.getBoundingClientRect(); document.body.offsetHeight;  // include style and layout
    first.push(performance.now() - t);
    t = performance.now();
    model.set('bands', state.bands.map((b) => ({...b, upper: b.upper.map((v) => v + 0.01)})));
    document.body.offsetHeight;
    redraw.push(performance.now() - t);
    if (r === 0) window.__counts = {bands: el.querySelectorAll('path.bs-band').length,
                                    points: el.querySelectorAll('circle.bs-point').length};
    cleanup(); el.remove();
  }
  return {first, redraw, counts: window.__counts};
}"""


def main() -> int:
    if not BUNDLE.is_file():
        print(f"no bundle at {BUNDLE}: run `npm --prefix js ci && npm --prefix js run build`")
        return 2
    from playwright.sync_api import sync_playwright

    raw = BUNDLE.read_bytes()
    size_kib, gz_kib = len(raw) / 1024, len(gzip.compress(raw, 9)) / 1024
    css = CSS.read_text() if CSS.is_file() else ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        page.route(f"{ORIGIN}/widget.js", lambda r: r.fulfill(
            body=raw, headers={"content-type": "text/javascript"}))
        page.route(f"{ORIGIN}/", lambda r: r.fulfill(
            body=f"<!doctype html><style>{css}</style><body></body>",
            headers={"content-type": "text/html"}))
        page.goto(f"{ORIGIN}/")
        out = page.evaluate(PAGE_JS, {"n": 400, "reps": 25})
        browser.close()
    first, redraw = out["first"][3:], out["redraw"][3:]  # drop warm-up runs
    result = {
        "bundle_kib": round(size_kib, 1), "bundle_gzip_kib": round(gz_kib, 1),
        "first_draw_ms_median": round(statistics.median(first), 2),
        "first_draw_ms_max": round(max(first), 2),
        "redraw_ms_median": round(statistics.median(redraw), 2),
        "counts": out["counts"],
    }
    print(json.dumps(result, indent=2))
    ok = result["first_draw_ms_median"] < BUDGET_MS and size_kib < BUDGET_KIB
    print(f"draw {result['first_draw_ms_median']} ms / {BUDGET_MS:g} ms budget "
          f"({BUDGET_MS / result['first_draw_ms_median']:.1f}x headroom); bundle "
          f"{size_kib:.1f} KiB / {BUDGET_KIB:g} KiB ({gz_kib:.1f} KiB gzipped): "
          f"{'OK' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
