"""The crossover and PassUntil views in a real JupyterLab, in headless Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser.notebook import count_marks, open_and_run, switch_to_dark_theme

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
    "cross.widget()",
    "sizes = np.array([3e7, 6e7, 1.2e8, 2.4e8, 4.8e8, 9.6e8])\n"
    "lc, al = rng.normal(np.log(3e3), 0.4, 8), rng.normal(0.5, 0.05, 8)\n"
    "p = np.exp(-np.exp(lc)[None, :] * sizes[:, None] ** -al[None, :])\n"
    "task = pu.fit(pu.simulate(p, N=sizes, r=2, K_max=100_000, seed=1), num_chains=2,\n"
    "              num_warmup=200, num_samples=200, progress=False)",
    "task.widget()",
]
CROSS = ".jp-OutputArea-output .bs-crossover"
PU = ".jp-OutputArea-output .bs-passuntil"


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
    assert re.search(r"P\(A and B cross in range\) = [01]\.\d{3}", text), text
    labels = page.locator(f"{CROSS} .bs-x-axis .tick text").all_text_contents()
    assert labels and all(re.match(r"^\d(\.\d+)?e-?\d+$", t) for t in labels), labels

    # PassUntil: one thin line per instance, the task band, the emergence label
    page.wait_for_selector(f"{PU} svg path.bs-instance", timeout=300_000)
    marks = {"path.bs-instance": 8, "path.bs-pu-band": 1}
    assert count_marks(page, PU, marks) == marks
    assert page.locator(f"{PU} circle.bs-pred-point").count() >= 1
    emergence = page.locator(f"{PU} .bs-emergence").text_content()
    assert re.search(r"(linear|accelerated|sub-scaling|concave|convex)", emergence, re.I), emergence

    page.locator(CROSS).screenshot(path=str(artifacts / "crossover-light.png"))
    page.locator(PU).screenshot(path=str(artifacts / "passuntil-light.png"))
    light = (_fill(page, f"{CROSS} path.bs-cx-band"), _fill(page, f"{PU} path.bs-pu-band"))

    switch_to_dark_theme(page)
    page.wait_for_timeout(1000)
    dark = (_fill(page, f"{CROSS} path.bs-cx-band"), _fill(page, f"{PU} path.bs-pu-band"))
    assert dark[0] != light[0] and dark[1] != light[1], (light, dark)
    page.locator(CROSS).screenshot(path=str(artifacts / "crossover-dark.png"))
    page.locator(PU).screenshot(path=str(artifacts / "passuntil-dark.png"))
