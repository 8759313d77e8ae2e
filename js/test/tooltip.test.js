import { describe, expect, it } from "vitest";
import { readoutText } from "../src/controls.js";
import { createTooltip, pointLines, tooltipLines } from "../src/tooltip.js";
import { defaults } from "./helpers.js";

describe("tooltip text", () => {
  const m = { ...defaults(), grid_x: [1e21, 2e21], median: [2.3456, 2.2],
    bands: [{ level: 0.95, lower: [2.1, 2], upper: [2.6, 2.4] }, { level: 0.5, lower: [2.3, 2.15], upper: [2.4, 2.25] }] };

  it("lists x, median and bands (narrowest first) in engineering notation", () => {
    expect(tooltipLines(m, 0)).toEqual(["C = 1e21", "median loss = 2.35", "50%: 2.3 – 2.4", "95%: 2.1 – 2.6"]);
    expect(tooltipLines(m, 5)).toEqual([]);
  });

  it("describes points", () => {
    expect(pointLines(m, { x: 3.2e19, y: 2.5 }, true)).toEqual(["held-out point", "C = 3.2e19", "loss = 2.5"]);
  });

  it("reads out the target interval", () => {
    const r = { ...m, target_x: 1e24, target_readout: { x: 1e24, median: 1.9, lower: 1.8, upper: 2.05, level: 0.95,
      details: [{ name: "N_opt", median: 7e10, lower: 5e10, upper: 9e10 }] } };
    expect(readoutText(r, 1e24)).toBe("at C = 1e24: loss 1.9 (95%: 1.8 – 2.05); N_opt 7e10 (5e10 – 9e10)");
    expect(readoutText(r, 2e24)).toBe("at C = 2e24: …");
    expect(readoutText({ ...r, status: "fitting…" }, 1e24)).toBe("fitting…");
  });

  it("shows and hides a positioned element", () => {
    const parent = document.createElement("div");
    const t = createTooltip(parent);
    t.show(["a", "b"], 10, 20);
    expect(t.el.hidden).toBe(false);
    expect(t.el.textContent).toBe("ab");
    expect(t.el.style.top).toBe("12px");
    t.hide();
    expect(t.el.hidden).toBe(true);
  });
});
