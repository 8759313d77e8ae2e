"""The extrapolation view and Explorer in a real JupyterLab, in headless Chromium.

One JupyterLab for all of it: the Explorer, then two bare views of the same fit at
heights 200 and 520 (issue 18: views shared clip-path ids, so the 520 px view was
clipped to the 200 px view's plot area).
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from tests.browser.notebook import count_marks, geometry, open_and_run, switch_to_dark_theme

pytestmark = pytest.mark.browser

CELLS = [
    "import bayescale as bs\n"
    "from bayescale.widgets import Explorer\n"
    "data = bs.datasets.example('saturating')\n"
    "fit = bs.fit(data, 'saturating_power', x='C', y='loss', num_chains=1, num_warmup=200,\n"
    "             num_samples=200, seed=0, progress=False)\n"
    "print('rows', len(data))",
    "ex = Explorer(data, fit=fit)\nex",
    "fit.widget(height=200)",
    "fit.widget(height=520)",
]
ROOT = ".jp-OutputArea-output .bs-explorer .bs-extrapolation"
VIEWS = ".jp-OutputArea-output .bs-extrapolation"  # the Explorer's, then 200 and 520 px
SCI = re.compile(r"^\d(\.\d+)?e-?\d+$")


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255 channels)."""
    def lum(c):
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
               for v in (x / 255 for x in c)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


_BACKGROUND = r"""el => { for (let e = el; e; e = e.parentElement) {
  const c = getComputedStyle(e).backgroundColor;
  if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c; }
  return getComputedStyle(document.body).backgroundColor; }"""


# Every control of the Explorer: its width, the width its content needs, and whether it
# lies inside the Explorer (not cut off at the right edge).
_CONTROLS = r"""root => {
  const box = root.getBoundingClientRect();
  const sel = '.widget-dropdown select, .widget-slider, .widget-button, .widget-text input, '
    + '.bs-toolbar input, .bs-toolbar select, .bs-toolbar button';
  return [...root.querySelectorAll(sel)].filter(e => e.offsetParent !== null).map(e => {
    const r = e.getBoundingClientRect();
    const track = e.querySelector('.slider-container, .slider');
    return { name: (e.className || e.tagName) + ' ' + (e.textContent || e.value || '').trim(),
             width: r.width, needs: e.scrollWidth, inside: r.left >= box.left - 1
             && r.right <= box.right + 1, track: track ? track.getBoundingClientRect().width
             : null };
  });
}"""


def _check_controls(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(600)  # JupyterLab relays out; the rows wrap
    controls = page.eval_on_selector(".bs-explorer", _CONTROLS)
    assert len(controls) >= 9, controls
    for c in controls:
        assert c["width"] + 1 >= c["needs"] and c["inside"], (width, c)
        assert c["track"] is None or c["track"] >= 100, (width, c)  # never a dot


def _band_ds(page) -> list[str]:
    return page.eval_on_selector_all(f"{ROOT} path.bs-band",
                                     "els => els.map(e => e.getAttribute('d'))")


def test_explorer_in_jupyterlab(lab, page, artifacts, shot_on_failure):
    open_and_run(lab, page, "extrapolation.ipynb", CELLS)

    # the view appears, with the posterior bands, the median and the observed points
    page.wait_for_selector(f"{ROOT} svg path.bs-band", timeout=240_000)
    marks = {"path.bs-band": 3, "path.bs-median": 1, "circle.bs-point": 14}
    assert count_marks(page, ROOT, marks) == marks
    labels = page.locator(f"{ROOT} .bs-x-axis .tick text").all_text_contents()
    assert len(labels) >= 3 and all(SCI.match(t) for t in labels), labels
    readout = page.locator(f"{ROOT} .bs-readout").text_content()
    assert re.match(r"^at C = 1e24: loss [\d.]+ \(95% new observation( \+ discrepancy)?: "
                    r"[\d.]+ – [\d.]+\)$", readout), readout

    # two more views of the fit, 200 then 520 px high, each drawn in its own plot area:
    # every observed point painted (by the browser's clip-aware hit testing) inside it,
    # and the 520 px view's median painted across its whole width
    views = page.locator(VIEWS)
    page.wait_for_function(f"() => document.querySelectorAll('{VIEWS} path.bs-median').length"
                           " === 3", timeout=120_000)
    rows = page.locator(".jp-OutputArea-output", has_text=re.compile(r"^rows \d+")).first
    n_data = int(rows.text_content().split()[1])
    for i, height in ((1, 200), (2, 520)):
        svg_h = views.nth(i).locator("svg.bs-svg").get_attribute("height")
        assert svg_h == str(height)
        g = geometry(page, views.nth(i))
        assert g["n"] == g["inside"] == g["painted"] == n_data, (height, n_data, g)
        assert all(c["own"] for c in g["clips"]), g["clips"]
        assert g["span"] > 0.9, (height, g["span"])
    ids = page.eval_on_selector_all(f"{VIEWS} [id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) == 3, ids

    # fit.widget() agrees with fit.plot(): new-observation bands on log-log axes, named in
    # the legend, the region beyond the data shaded; the menu switches to the mean curve
    big = views.nth(2)
    kinds = big.locator("select.bs-band-kind option").all_text_contents()
    assert kinds[0].startswith("new observation") and "mean curve" in kinds, kinds
    assert big.locator("input.bs-log-y").is_checked()
    legend = big.locator(".bs-legend").text_content()
    assert f"95% {kinds[0]}" in legend and "beyond the data" in legend, legend
    beyond = big.locator("rect.bs-beyond").bounding_box()
    assert beyond and beyond["width"] > 20, beyond
    big.locator("select.bs-band-kind").select_option(label="mean curve")
    page.wait_for_function(  # the kernel recomputes the bands and renames them
        f"() => document.querySelectorAll('{VIEWS} .bs-legend')[2].textContent"
        ".includes('95% mean curve')", timeout=30_000)

    # zoom in, zoom out (Python widens the grid), reset: the original x range exactly
    ticks = page.locator(f"{ROOT} .bs-x-axis .tick text")
    svg = page.locator(f"{ROOT} svg.bs-svg")
    home, home_domain = ticks.all_text_contents(), svg.get_attribute("data-x-domain")
    page.locator(f"{ROOT} .bs-overlay").scroll_into_view_if_needed()
    box = page.locator(f"{ROOT} .bs-overlay").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -600)
    page.wait_for_function(f"() => document.querySelector('{ROOT} .bs-x-axis .tick text')"
                           f".textContent !== {home[0]!r}", timeout=10_000)
    page.wait_for_timeout(400)  # the gesture ends (d3-zoom: 150 ms after the last wheel)
    page.mouse.wheel(0, 1500)
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('{ROOT} svg.bs-svg').dataset.xDomain)[0] < "
        f"{json.loads(home_domain)[0]!r}", timeout=10_000)
    page.wait_for_function(  # the kernel answers the wider range with a wider grid
        f"() => document.querySelector('{ROOT} path.bs-median').getBBox().width > 0.95 * "
        f"document.querySelector('{ROOT} .bs-overlay').getBBox().width", timeout=30_000)
    page.wait_for_timeout(500)
    zoomed_out = json.loads(svg.get_attribute("data-x-domain"))
    start = json.loads(home_domain)
    assert zoomed_out[0] < start[0] and zoomed_out[1] > start[1], (start, zoomed_out)
    page.locator(f"{ROOT} .bs-reset").click()
    page.wait_for_timeout(1000)  # let the kernel's echoes of both ranges come back
    assert json.loads(svg.get_attribute("data-x-domain")) == start
    assert ticks.all_text_contents() == home

    # at 1000 and 1600 px no control is narrower than its content or cut off
    for width in (1000, 1600):
        _check_controls(page, width)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.wait_for_timeout(300)

    # the credible-level slider (typed into its readout) changes the bands
    before = _band_ds(page)
    slider = page.locator(".widget-slider", has_text="credible level")
    slider.locator(".widget-readout").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.7")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROOT} path.bs-band').length === 2", timeout=30_000)
    after = _band_ds(page)
    assert after[0] not in before
    page.wait_for_function(  # the read-out follows in its own update
        f"() => document.querySelector('{ROOT} .bs-readout').textContent.includes('70% ')",
        timeout=30_000)

    # hover shows the tooltip in engineering notation
    box = page.locator(f"{ROOT} .bs-overlay").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    tip = page.locator(f"{ROOT} .bs-tooltip")
    tip.wait_for(state="visible", timeout=10_000)
    text = tip.inner_text()
    assert re.search(r"^C = [\d.]+e\d+", text) and "median loss = " in text and "70%:" in text
    page.mouse.move(0, 0)

    # exported SVG and PNG carry the title (the law, as fit.plot()'s) and the legend
    for fmt in ("svg", "png"):
        page.locator(".bs-explorer button", has_text=fmt.upper()).click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.bs-explorer-msg')].some(e => "
            f"e.textContent.includes('bayescale-extrapolation.{fmt}'))", timeout=30_000)
    svg_text = (lab.root / "bayescale-extrapolation.svg").read_text()
    assert re.search(r'class="bs-export-title"[^>]*>saturating_power: [^<]+</text>', svg_text)
    legend_texts = page.locator(f"{ROOT} .bs-legend-item").all_text_contents()
    exported = re.findall(r'<g class="bs-export-key"[^>]*>.*?<text[^>]*>([^<]*)</text>', svg_text)
    assert exported == legend_texts, (exported, legend_texts)
    png = (lab.root / "bayescale-extrapolation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chart_h = int(page.locator(f"{ROOT} svg.bs-svg").get_attribute("height"))
    png_h = int.from_bytes(png[20:24], "big")  # IHDR height, at twice the pixel ratio
    assert png_h >= 2 * (chart_h + 24 + 18), (png_h, chart_h)

    view = page.locator(".bs-explorer")
    view.screenshot(path=str(artifacts / "extrapolation-light.png"))
    light = page.eval_on_selector(f"{ROOT} path.bs-band", "e => getComputedStyle(e).fill")
    light_text = page.eval_on_selector(f"{ROOT} .bs-x-axis text", "e => getComputedStyle(e).fill")

    # switch JupyterLab to its dark theme: the view follows
    switch_to_dark_theme(page)
    page.wait_for_selector(f"{ROOT}.bs-dark", timeout=10_000)
    page.wait_for_timeout(500)
    dark = page.eval_on_selector(f"{ROOT} path.bs-band", "e => getComputedStyle(e).fill")
    dark_text = page.eval_on_selector(f"{ROOT} .bs-x-axis text", "e => getComputedStyle(e).fill")
    assert dark != light and dark_text != light_text, (light, dark, light_text, dark_text)
    # the 50/80/95% bands (and their legend swatches) as painted on JupyterLab's dark
    # background: visible against it and apart from each other
    page.locator(".widget-slider", has_text="credible level").locator(".widget-readout").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.95")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROOT} path.bs-band').length === 3", timeout=30_000)
    fills = [_rgb(c) for c in page.eval_on_selector_all(
        f"{ROOT} path.bs-band", "els => els.map(e => getComputedStyle(e).fill)")]
    swatches = [_rgb(c) for c in page.eval_on_selector_all(
        f"{ROOT} .bs-key-band", "els => els.map(e => getComputedStyle(e).backgroundColor)")]
    bg = _rgb(page.eval_on_selector(f"{ROOT} svg.bs-svg", _BACKGROUND))
    assert swatches == fills[::-1], (swatches, fills)  # legend: 50% first
    assert _contrast(fills[0], bg) >= 2, (fills, bg)
    assert min(_contrast(a, b) for a, b in itertools.pairwise(fills)) >= 1.5, fills
    view.screenshot(path=str(artifacts / "extrapolation-dark.png"))
