import { afterEach, describe, expect, it } from "vitest";
import { emergenceText, puPointLines, puTooltipLines } from "../src/passuntil.js";
import {
  expectCleanCleanup, expectFollowsTheme, fakeModel, mountModel, passUntilDefaults, pointer,
  resetDocument,
} from "./helpers.js";


const mount = (overrides) => mountModel(fakeModel(overrides, passUntilDefaults()));

afterEach(resetDocument);

describe("passuntil view", () => {
  it("draws instance lines, the task band and median, observed and predicted points", () => {
    const { el } = mount();
    const top = el.querySelector(".bs-pu-panel");
    expect(top.querySelectorAll("path.bs-instance").length).toBe(4);
    expect(top.querySelectorAll("path.bs-pu-band").length).toBe(1);
    expect(top.querySelectorAll("path.bs-pu-median").length).toBe(1);
    for (const p of top.querySelectorAll("path.bs-instance, path.bs-pu-band, path.bs-pu-median")) {
      expect(p.getAttribute("d")).toMatch(/^M/);
    }
    expect(top.querySelectorAll("circle.bs-point").length).toBe(3);
    expect(top.querySelectorAll("circle.bs-pred-point").length).toBe(3);
    expect(top.querySelectorAll("line.bs-pred-interval").length).toBe(3);
    const iv = top.querySelector("line.bs-pred-interval");
    expect(Number(iv.getAttribute("y1"))).toBeGreaterThan(Number(iv.getAttribute("y2")));
    expect(el.querySelectorAll(".bs-legend-item").length).toBe(5);
    expect(el.querySelector(".bs-legend").textContent).toContain("predicted at N = 2e9, 4e9, 8e9");
  });

  it("has log axes with scientific labels and the log(-log PU) panel", () => {
    const { el } = mount();
    const top = el.querySelector(".bs-pu-panel");
    const yLabels = [...top.querySelectorAll(".bs-y-axis .tick text")].map((t) => t.textContent);
    expect(yLabels.length).toBeGreaterThanOrEqual(2);
    for (const l of yLabels) expect(l).toMatch(/^1e-?\d+$|^1$|^0\.\d+$/);
    const bottom = el.querySelector(".bs-f-panel");
    const xLabels = [...bottom.querySelectorAll(".bs-x-axis .tick text")].map((t) => t.textContent);
    for (const l of xLabels) expect(l).toMatch(/^[1-9](\.\d+)?e\d+$/);
    expect(bottom.querySelector(".bs-x-label").textContent).toBe("N");
    expect(bottom.querySelector(".bs-y-label").textContent).toBe("log(−log PU)");
    expect(top.querySelector(".bs-y-label").textContent).toBe("PU");
    expect(bottom.querySelectorAll("path.bs-f-band").length).toBe(1);
    expect(bottom.querySelector("path.bs-f-median").getAttribute("d")).toMatch(/^M/);
    expect(bottom.querySelectorAll("circle.bs-pred-point").length).toBe(3);
    expect(bottom.querySelector(".bs-emergence").textContent).toBe(
      "emergence: linear (follows the task scaling law), P = 0.813");
  });

  it("labels the shared N axis once: ticks numbered and named under the bottom panel only", () => {
    const { el } = mount();
    const top = el.querySelector(".bs-pu-panel");
    const bottom = el.querySelector(".bs-f-panel");
    expect(top.querySelectorAll(".bs-x-axis .tick").length).toBeGreaterThan(0); // marks stay
    expect([...top.querySelectorAll(".bs-x-axis .tick text")].every((t) => t.textContent === "")).toBe(true);
    expect([...bottom.querySelectorAll(".bs-x-axis .tick text")].some((t) => t.textContent !== "")).toBe(true);
    const named = [...el.querySelectorAll(".bs-x-label")].filter((t) => t.textContent !== "");
    expect(named.map((t) => t.textContent)).toEqual(["N"]);
  });

  it("shows a tooltip over the grid, an observed and a predicted point, and hides it on leave", () => {
    const { el } = mount();
    const [topOverlay, bottomOverlay] = el.querySelectorAll(".bs-overlay");
    const tip = el.querySelector(".bs-tooltip");
    pointer(topOverlay, "pointermove", 300, 5);
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toMatch(/^N = .*task median PU = .*90%: /);
    expect(el.querySelector(".bs-pu-panel .bs-hover-line").style.display).not.toBe("none");
    const obs = el.querySelector(".bs-pu-panel circle.bs-point");
    pointer(topOverlay, "pointermove", Number(obs.getAttribute("cx")), Number(obs.getAttribute("cy")));
    expect(tip.textContent).toBe("observed r/KN = 3e7PU = 1e-3");
    const pred = el.querySelector(".bs-f-panel circle.bs-pred-point");
    pointer(bottomOverlay, "pointermove", Number(pred.getAttribute("cx")), Number(pred.getAttribute("cy")));
    expect(tip.textContent).toMatch(/^predictedN = 2e9log\(−log PU\) [-\d.]+ \(90%: /);
    pointer(bottomOverlay, "pointerleave", 0, 0);
    expect(tip.hidden).toBe(true);
  });

  it("tooltip lines read the model", () => {
    const m = { ...passUntilDefaults(), _view: "passuntil" };
    expect(puTooltipLines(m, 0, -1)).toEqual([]);
    const lines = puTooltipLines(m, 1, 0);
    expect(lines[0]).toBe("N = 3e7");
    expect(lines[1]).toMatch(/^task median log\(−log PU\) = /);
    expect(puPointLines(m, 0, { x: 1e8, y: 0.005 })).toEqual(["observed r/K", "N = 1e8", "PU = 5e-3"]);
  });

  it("labels a fit without the curvature term", () => {
    expect(emergenceText({})).toBe("emergence: fit without the curvature term");
    const { el } = mount({ emergence: {}, predicted: [], f_predicted: [], instances: [] });
    expect(el.querySelector(".bs-emergence").textContent).toMatch(/without the curvature/);
    expect(el.querySelectorAll("circle.bs-pred-point").length).toBe(0);
    expect(el.querySelectorAll("path.bs-instance").length).toBe(0);
  });

  it("redraws when Python changes the band or the instances", () => {
    const { el, model } = mount();
    const before = el.querySelector("path.bs-pu-band").getAttribute("d");
    const b = model.get("task_band");
    model.set("task_band", { ...b, lower: b.lower.map((v) => v / 2) });
    expect(el.querySelector("path.bs-pu-band").getAttribute("d")).not.toBe(before);
    model.set("instances", model.get("instances").slice(0, 2));
    expect(el.querySelectorAll("path.bs-instance").length).toBe(2);
  });

  it("follows the theme", async () => {
    await expectFollowsTheme(() => mount());
  });

  it("cleanup removes every DOM and model listener and observer", () => {
    expectCleanCleanup(() => mount());
  });
});
