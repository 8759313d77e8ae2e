import { afterEach, describe, expect, it } from "vitest";
import { crossSummary } from "../src/crossover.js";
import { expectCleanCleanup, expectFollowsTheme, fakeModel, mountModel, resetDocument } from "./helpers.js";

/** Default traits of CrossoverWidget (see src/bayescale/widgets/crossover.py). */
function defaults() {
  const grid = Array.from({ length: 40 }, (_, i) => 1e18 * 10 ** (i * 7 / 39));
  const t = grid.map((x) => Math.log10(x / 1e18));
  const a = t.map((v) => 2 + 1.2 * 10 ** (-0.1 * v));
  const b = t.map((v) => 1.8 + 1.8 * 10 ** (-0.15 * v));
  const curve = (label, med, w) => ({ label, median: med, lower: med.map((v) => v - w), upper: med.map((v) => v + w) });
  const edges = Array.from({ length: 11 }, (_, i) => 1e18 * 10 ** (i * 0.7));
  return {
    _view: "crossover", x_label: "C", y_label: "loss", labels: ["base", "steep"], better: "lower",
    grid_x: grid, curves: [curve("base", a, 0.05), curve("steep", b, 0.08)], ci_prob: 0.9,
    prob_better: t.map((v) => 1 / (1 + Math.exp(-(v - 3)))), prob_cross: 0.87,
    location: { median: 1e21, lower: 2e20, upper: 5e21, ci_prob: 0.9 },
    crossing_hist: { edges, density: [0, 0.1, 0.4, 0.9, 0.3, 0.1, 0, 0, 0, 0] },
    theme: "auto", height: 460,
  };
}

const mount = (overrides) => mountModel(fakeModel(overrides, defaults()));

afterEach(resetDocument);

describe("crossover view", () => {
  it("draws both curves with bands, P(better), the 0.5 line and the density", () => {
    const { el } = mount();
    expect(el.querySelectorAll("path.bs-cx-band").length).toBe(2);
    expect(el.querySelectorAll("path.bs-cx-median").length).toBe(2);
    for (const p of el.querySelectorAll("path.bs-cx-band, path.bs-cx-median, path.bs-prob-line")) {
      expect(p.getAttribute("d")).toMatch(/^M/);
    }
    expect(el.querySelectorAll("path.bs-prob-line").length).toBe(1);
    const half = el.querySelector("line.bs-half-line");
    const panel = el.querySelector(".bs-prob-panel");
    const yTicks = [...panel.querySelectorAll(".bs-y-axis .tick")];
    const tick05 = yTicks.find((t) => t.textContent === "0.5");
    expect(tick05).toBeTruthy();
    const tickY = Number(tick05.getAttribute("transform").match(/,([\d.]+)\)/)[1]);
    expect(Math.abs(tickY - Number(half.getAttribute("y1")))).toBeLessThanOrEqual(0.5); // d3-axis offset
    expect(el.querySelectorAll("rect.bs-cross-bar").length).toBe(5); // non-empty bins
    expect(el.querySelector("line.bs-cross-location").style.display).not.toBe("none");
    expect(el.querySelectorAll(".bs-legend-item").length).toBe(4);
  });

  it("uses a log x axis labelled in scientific notation and prints prob_cross", () => {
    const { el } = mount();
    const labels = [...el.querySelectorAll(".bs-prob-panel .bs-x-axis .tick text")].map((t) => t.textContent);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const l of labels) expect(l).toMatch(/^1e\d+$/);
    expect(el.querySelector(".bs-prob-panel .bs-x-label").textContent).toBe("C");
    expect(el.querySelector(".bs-curves-panel .bs-y-label").textContent).toBe("loss");
    expect(el.querySelector(".bs-prob-panel .bs-y-label").textContent).toBe("P(base better)");
    expect(el.querySelector(".bs-prob-cross").textContent).toBe(
      "P(base and steep cross in range) = 0.870 · first crossing at C = 1e21 (90%: 200e18 – 5e21)");
  });

  it("says nothing of a location when no draw crosses", () => {
    const m = { ...defaults(), prob_cross: 0, location: { median: null, lower: null, upper: null, ci_prob: 0.9 } };
    expect(crossSummary(m)).toBe("P(base and steep cross in range) = 0.000");
    const { el } = mount({ prob_cross: 0, location: {}, crossing_hist: { edges: [], density: [] } });
    expect(el.querySelectorAll("rect.bs-cross-bar").length).toBe(0);
    expect(el.querySelector("line.bs-cross-location").style.display).toBe("none");
  });

  it("redraws when Python changes the bands", () => {
    const { el, model } = mount();
    const before = el.querySelector("path.bs-cx-band-0").getAttribute("d");
    const c = model.get("curves");
    model.set("curves", c.map((x) => ({ ...x, upper: x.upper.map((v) => v + 0.3) })));
    expect(el.querySelector("path.bs-cx-band-0").getAttribute("d")).not.toBe(before);
    model.set("prob_cross", 0.5);
    expect(el.querySelector(".bs-prob-cross").textContent).toMatch(/= 0\.500/);
  });

  it("follows the theme", async () => {
    await expectFollowsTheme(() => mount());
  });

  it("cleanup removes every DOM and model listener and observer", () => {
    expectCleanCleanup(() => mount());
  });
});
