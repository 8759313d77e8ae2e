"""The crossover and PassUntil views in a real JupyterLab, in headless Chromium.

The PassUntil view comes after the crossover view on purpose: both draw clipped panels,
and before issue 18 the second view's panels used the first one's clip paths (same ids),
cutting off its points below PU = 0.12.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.notebook import (
    count_marks,
    geometry,
    open_and_run,
    run_command,
    switch_to_dark_theme,
)

pytestmark = pytest.mark.browser

CELLS = [
    "import warnings\n"
    "import numpy as np, pandas as pd\n"
    "import bayescale as bs\n"
    "from bayescale import passuntil as pu\n"
    "warnings.simplefilter('ignore', bs.result.DiagnosticWarning)\n"
    "C = np.logspace(18, 21, 12)\n"
    "rng = np.random.default_rng(3)\n"
    "def runs(E, A, alpha):\n"
    "    y = (E + A * C ** -alpha) * np.exp(0.01 * rng.standard_normal(C.size))\n"
    "    return pd.DataFrame({'C': C, 'loss': y})\n"
    "kw = dict(x='C', y='loss', num_chains=2, num_warmup=200, num_samples=200, progress=False)\n"
    "a = bs.fit(runs(2.0, 2.0e3, 0.16), 'saturating_power', **kw)\n"
    "b = bs.fit(runs(1.7, 3.0e4, 0.21), 'saturating_power', **kw)\n"
    "cross = bs.crossover(a, b, over=('C', 1e18, 1e25), labels=('A', 'B'))",
    "cw = cross.widget()\ncw",
    "sizes = np.array([3e7, 6e7, 1.2e8, 2.4e8, 4.8e8, 9.6e8])\n"
    "lc, al = rng.normal(np.log(3e3), 0.4, 8), rng.normal(0.5, 0.05, 8)\n"
    "p = np.exp(-np.exp(lc)[None, :] * sizes[:, None] ** -al[None, :])\n"
    "task = pu.fit(pu.simulate(p, N=sizes, r=2, K_max=100_000, seed=1), num_chains=2,\n"
    "              num_warmup=200, num_samples=200, progress=False)",
    "view = task.widget()\n"
    "print('observed', len(view.observed), 'predicted', len(view.predicted))\n"
    "view",
]
CROSS = ".jp-OutputArea-output .bs-crossover"
PU = ".jp-OutputArea-output .bs-passuntil"
#: a probability as the one number formatter prints it: 0, 1, 0.98, 0.047, 4.2e-4
PROB = r"(0|1|0\.\d{1,4}|\d(\.\d{1,2})?e-\d+)"


def _run_new_cell(page, code: str) -> None:
    """Add a cell below the active one, type ``code`` and run it."""
    run_command(page, "'notebook:insert-cell-below'")
    run_command(page, "'notebook:enter-edit-mode'")
    page.wait_for_timeout(300)
    page.keyboard.type(code)
    run_command(page, "'notebook:run-cell'")


def _wait_for_file(path, timeout: float = 60.0) -> bytes:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.stat().st_size > 0:
            time.sleep(0.3)  # written in one go, but let it finish
            return path.read_bytes()
        time.sleep(0.2)
    raise AssertionError(f"{path.name} was not written in {timeout} s")


def _fill(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).fill")


def test_crossover_and_passuntil_views(lab, page, artifacts, shot_on_failure):
    open_and_run(lab, page, "views.ipynb", CELLS)

    # crossover: both curves with bands, P(A better) with the 0.5 line and the density
    page.wait_for_selector(f"{CROSS} svg path.bs-prob-line", timeout=300_000)
    marks = {"path.bs-cx-band": 2, "path.bs-cx-median": 2, "line.bs-half-line": 1}
    assert count_marks(page, CROSS, marks) == marks
    assert page.locator(f"{CROSS} rect.bs-cross-bar").count() > 0
    text = page.locator(CROSS).inner_text()
    assert re.search(rf"P\(A and B cross in range\) = {PROB} · ", text), text
    labels = page.locator(f"{CROSS} .bs-x-axis .tick text").all_text_contents()
    assert labels and all(re.match(r"^\d(\.\d+)?e-?\d+$", t) for t in labels), labels

    # PassUntil: one thin line per instance, the task band, the emergence label
    page.wait_for_selector(f"{PU} svg path.bs-instance", timeout=300_000)
    marks = {"path.bs-instance": 8, "path.bs-pu-band": 1}
    assert count_marks(page, PU, marks) == marks
    assert page.locator(f"{PU} circle.bs-pred-point").count() >= 1
    emergence = page.locator(f"{PU} .bs-emergence").text_content()
    assert re.search(r"(linear|accelerated|sub-scaling|concave|convex)", emergence, re.I), emergence

    # every PassUntil point (observed r/K and predicted, both panels) painted inside its
    # own panel, by the browser's clip-aware hit testing; each view uses its own clips
    counts = page.locator(".jp-OutputArea-output", has_text=re.compile(r"^observed \d+")).first
    _, n_obs, _, n_pred = counts.text_content().split()
    g = geometry(page, page.locator(PU), "circle.bs-point, circle.bs-pred-point")
    assert g["n"] == g["inside"] == g["painted"] == 2 * (int(n_obs) + int(n_pred)), g
    assert len(g["clips"]) == 2 and all(c["own"] for c in g["clips"]), g["clips"]
    cross_clips = geometry(page, page.locator(CROSS), "circle.bs-none")["clips"]
    assert len(cross_clips) == 2 and all(c["own"] for c in cross_clips), cross_clips
    # N is labelled once, under the bottom panel
    top_ticks = page.locator(f"{PU} .bs-pu-panel .bs-x-axis .tick text").all_text_contents()
    assert top_ticks and not any(top_ticks), top_ticks
    assert [t for t in page.locator(f"{PU} .bs-x-label").all_text_contents() if t] == ["N"]

    # hover shows a tooltip in both views
    for root, pattern in ((CROSS, rf"^C = .*\nA: .*\nB: .*\nP\(A better\) = {PROB}$"),
                          (PU, r"^N = .*\ntask median PU = ")):
        overlay = page.locator(f"{root} .bs-overlay").first
        overlay.scroll_into_view_if_needed()
        box = overlay.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.37, box["y"] + 3)
        tip = page.locator(f"{root} .bs-tooltip")
        tip.wait_for(state="visible", timeout=10_000)
        assert re.search(pattern, tip.inner_text()), tip.inner_text()
        page.mouse.move(0, 0)
        tip.wait_for(state="hidden", timeout=10_000)

    # both views export an image with a title and their legend (asked from the kernel)
    _run_new_cell(page, "cw.request_export('svg', 'cross.svg'); "
                        "view.request_export('svg', 'pu.svg')")
    pu_title = r"PassUntil: task pass rate PU\(N\)(, [\w-]+ emergence)?"
    for name, root, title in (("cross.svg", CROSS, r"A vs B: \w+ against C"),
                              ("pu.svg", PU, pu_title)):
        text = _wait_for_file(lab.root / name).decode()
        assert re.search(rf'class="bs-export-title"[^>]*>{title}</text>', text), name
        shown = page.locator(f"{root} .bs-legend-item").all_text_contents()
        keys = re.findall(r'<g class="bs-export-key"[^>]*>.*?<text[^>]*>([^<]*)</text>', text)
        assert keys == shown, (name, keys, shown)

    page.locator(CROSS).screenshot(path=str(artifacts / "crossover-light.png"))
    page.locator(PU).screenshot(path=str(artifacts / "passuntil-light.png"))
    light = (_fill(page, f"{CROSS} path.bs-cx-band"), _fill(page, f"{PU} path.bs-pu-band"))

    switch_to_dark_theme(page)
    page.wait_for_timeout(1000)
    dark = (_fill(page, f"{CROSS} path.bs-cx-band"), _fill(page, f"{PU} path.bs-pu-band"))
    assert dark[0] != light[0] and dark[1] != light[1], (light, dark)
    page.locator(CROSS).screenshot(path=str(artifacts / "crossover-dark.png"))
    page.locator(PU).screenshot(path=str(artifacts / "passuntil-dark.png"))

    # a dark-theme export carries the dark page behind it (not a transparent ground)
    _run_new_cell(page, "cw.request_export('svg', 'cross-dark.svg')")
    text = _wait_for_file(lab.root / "cross-dark.svg").decode()
    fill = re.search(r'<rect class="bs-export-bg"[^>]*fill="rgb\((\d+), (\d+), (\d+)\)"', text)
    assert fill, "the dark export has no background"
    assert max(int(c) for c in fill.groups()) < 80, fill.group(0)
