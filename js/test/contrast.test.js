// Contrast of the extrapolation view's nested bands, computed from style.css (WCAG 2
// relative luminance and contrast ratio), on the backgrounds the views are drawn on.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const CSS = readFileSync(resolve(__dirname, "../src/style.css"), "utf8");

/** The custom properties of the first rule whose selector is exactly `selector`. */
function props(selector) {
  const at = CSS.indexOf(`${selector} {`);
  expect(at, `no rule ${selector}`).toBeGreaterThanOrEqual(0);
  const body = CSS.slice(at, CSS.indexOf("}", at));
  /** @type {Record<string, string>} */
  const out = {};
  for (const [, name, value] of body.matchAll(/(--bs-[\w-]+):\s*([^;]+);/g)) {
    const hex = value.match(/#[0-9a-f]{6}\b/gi); // a var(..., #fallback) chain: the literal
    if (hex) out[name] = hex[hex.length - 1];
  }
  return out;
}

/** WCAG relative luminance of "#rrggbb". */
export function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const bands = (p) => [0, 1, 2, 3, 4, 5].map((i) => p[`--bs-band-${i}`]);

describe("contrast helpers", () => {
  it("match WCAG's reference values", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrast("#123456", "#123456")).toBe(1);
  });
});

describe("dark theme bands", () => {
  const dark = props(".bs-root.bs-dark");
  // JupyterLab dark's notebook and cell backgrounds, and the views' own dark surface
  const backgrounds = ["#111111", "#212121", dark["--bs-surface"]];

  it("defines six opaque band colours", () => {
    for (const c of bands(dark)) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it.each(backgrounds)("shows the widest (95%%) band against %s", (bg) => {
    expect(contrast(bands(dark)[0], bg)).toBeGreaterThanOrEqual(2);
    // and each inner band more so: lighter bands inside
    const l = bands(dark).map(luminance);
    for (let i = 1; i < l.length; i++) expect(l[i]).toBeGreaterThan(l[i - 1]);
  });

  it("keeps the 50/80/95% bands apart", () => {
    const [b95, b80, b50] = bands(dark);
    expect(contrast(b95, b80)).toBeGreaterThanOrEqual(1.5);
    expect(contrast(b80, b50)).toBeGreaterThanOrEqual(1.5);
    for (let i = 3; i < 6; i++) expect(contrast(bands(dark)[i - 1], bands(dark)[i])).toBeGreaterThanOrEqual(1.2);
  });

  it("keeps the median and points readable on the innermost band", () => {
    const b50 = bands(dark)[2];
    expect(contrast(dark["--bs-median"], b50)).toBeGreaterThanOrEqual(2.5);
    expect(contrast(dark["--bs-fg"], b50)).toBeGreaterThanOrEqual(2.4);
  });

  it("gives each nested band's legend swatch the band's own colour", () => {
    for (let i = 0; i < 6; i++) {
      expect(CSS).toContain(`.bs-band-${i} { fill: var(--bs-band-${i}); }`);
      expect(CSS).toContain(`.bs-key-band-${i} { background: var(--bs-band-${i}); }`);
    }
  });
});

describe("light theme bands", () => {
  const light = props(".bs-root");
  it("stay visible on white, ordered and apart from the median", () => {
    const b = bands(light);
    expect(contrast(b[0], "#ffffff")).toBeGreaterThanOrEqual(1.2);
    for (let i = 1; i < 3; i++) expect(contrast(b[i - 1], b[i])).toBeGreaterThanOrEqual(1.2);
    expect(contrast(light["--bs-median"], b[2])).toBeGreaterThanOrEqual(3);
  });
});
