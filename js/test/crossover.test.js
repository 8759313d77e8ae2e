import { afterEach, describe, expect, it } from "vitest";
import { crossSummary, crossTooltipLines } from "../src/crossover.js";
import {
  crossoverDefaults, expectCleanCleanup, expectFollowsTheme, fakeModel, mountModel, pointer,
  resetDocument,
} from "./helpers.js";

const mount = (overrides) => mountModel(fakeModel(overrides, crossoverDefaults()));

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
      "P(base and steep cross in range) = 0.87 · first crossing at C = 1e21 (90%: 2e20 – 5e21)");
  });

  it("shows a tooltip with both curves and P(better) over either panel", () => {
    const { el } = mount();
    const [top, bottom] = el.querySelectorAll(".bs-overlay");
    const tip = el.querySelector(".bs-tooltip");
    pointer(top, "pointermove", 0, 10);
    expect(tip.hidden).toBe(false);
    expect([...tip.children].map((c) => c.textContent)).toEqual(
      ["C = 1e18", "base: loss 3.2 (90%: 3.15 – 3.25)", "steep: loss 3.6 (90%: 3.52 – 3.68)",
        "P(base better) = 0.0474"]);
    expect([...el.querySelectorAll(".bs-hover-line")].every((l) => l.style.display !== "none")).toBe(true);
    pointer(bottom, "pointermove", 2000, 10);
    expect(tip.textContent).toMatch(/^C = 1e25base: loss .*P\(base better\) = (0|1|0\.\d{1,3})$/);
    pointer(bottom, "pointerleave", 0, 0);
    expect(tip.hidden).toBe(true);
    expect([...el.querySelectorAll(".bs-hover-line")].every((l) => l.style.display === "none")).toBe(true);
    expect(crossTooltipLines({ ...crossoverDefaults(), _view: "crossover" }, 99)).toEqual([]);
  });

  it("says nothing of a location when no draw crosses", () => {
    const m = { ...crossoverDefaults(), prob_cross: 0, location: { median: null, lower: null, upper: null, ci_prob: 0.9 } };
    expect(crossSummary(m)).toBe("P(base and steep cross in range) = 0");
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
    expect(el.querySelector(".bs-prob-cross").textContent).toMatch(/= 0\.5 /);
  });

  it("follows the theme", async () => {
    await expectFollowsTheme(() => mount());
  });

  it("cleanup removes every DOM and model listener and observer", () => {
    expectCleanCleanup(() => mount());
  });
});
