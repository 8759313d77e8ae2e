import { afterEach, describe, expect, it } from "vitest";
import { emergenceText } from "../src/passuntil.js";
import { expectCleanCleanup, expectFollowsTheme, fakeModel, mountModel, resetDocument } from "./helpers.js";

const F = (p) => Math.log(-Math.log(p));

/** Default traits of PassUntilWidget (see src/bayescale/widgets/passuntil.py). */
function defaults() {
  const grid = Array.from({ length: 30 }, (_, i) => 3e7 * 10 ** (i * 2.4 / 29));
  const x = grid.map((n) => Math.log(n / 1.7e8));
  const pu = (f0, a) => x.map((v) => Math.exp(-Math.exp(f0 - a * v)));
  const med = pu(1.5, 0.5);
  const lower = pu(1.8, 0.45);
  const upper = pu(1.2, 0.55);
  const pred = [2e9, 4e9, 8e9].map((n) => {
    const v = Math.log(n / 1.7e8);
    const p = (f0, a) => Math.exp(-Math.exp(f0 - a * v));
    return { x: n, median: p(1.5, 0.5), lower: p(1.8, 0.45), upper: p(1.2, 0.55) };
  });
  return {
    _view: "passuntil", grid_n: grid, task_median: med,
    task_band: { level: 0.9, lower, upper },
    instances: [1.0, 1.4, 1.9, 2.3].map((f0, i) => ({ name: `i${i}`, median: pu(f0, 0.5) })),
    observed: [{ x: 3e7, y: 1e-3 }, { x: 1e8, y: 5e-3 }, { x: 9.6e8, y: 0.05 }],
    predict_n: [2e9, 4e9, 8e9], predicted: pred, f_median: med.map(F),
    f_band: { level: 0.9, lower: upper.map(F), upper: lower.map(F) },
    f_observed: [{ x: 3e7, y: F(1e-3) }, { x: 1e8, y: F(5e-3) }, { x: 9.6e8, y: F(0.05) }],
    f_predicted: pred.map((r) => ({ x: r.x, median: F(r.median), lower: F(r.upper), upper: F(r.lower) })),
    emergence: { label: "linear", meaning: "follows the task scaling law", prob: 0.8125,
      probs: { linear: 0.8125, concave: 0.1, convex: 0.0875 } },
    ci_prob: 0.9, theme: "auto", height: 560,
  };
}

const mount = (overrides) => mountModel(fakeModel(overrides, defaults()));

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
