import { afterEach, describe, expect, it } from "vitest";
import { bandKindLabel, dataEnd } from "../src/controls.js";
import { defaults, fakeModel, mountModel, resetDocument } from "./helpers.js";

const mount = (overrides) => mountModel(fakeModel(overrides));
const legend = (el) => [...el.querySelectorAll(".bs-legend-item")].map((i) => i.textContent);
const FOUR = ["predictive+discrepancy", "mean+discrepancy", "predictive", "mean"];

afterEach(resetDocument);

describe("band kind", () => {
  it("names the kind of every band in the legend", () => {
    const { el, model } = mount({ band_kind: "predictive", band_kinds: ["predictive", "mean"] });
    expect(legend(el).filter((t) => /^\d+% /.test(t))).toEqual(
      ["50% new observation", "80% new observation", "95% new observation"]);
    model.set("band_kind", "mean+discrepancy");
    expect(legend(el)).toContain("95% mean curve + discrepancy");
    expect(legend(el)).not.toContain("95% new observation");
  });

  it("prefers Python's band_label and reads 'credible' for raw draws", () => {
    expect(legend(mount({ band_kind: "mean", band_label: "mean loss" }).el)).toContain("80% mean loss");
    resetDocument();
    expect(legend(mount().el)).toContain("95% credible");
  });

  it("offers the kinds the fit can draw and sends the choice to Python", () => {
    const { el, model } = mount({ band_kind: "predictive+discrepancy", band_kinds: FOUR });
    const select = el.querySelector("select.bs-band-kind");
    expect(select.closest("label").hidden).toBe(false);
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual(
      FOUR.map((k) => [k, bandKindLabel(k)]));
    expect(select.value).toBe("predictive+discrepancy");
    select.value = "mean";
    select.dispatchEvent(new Event("change"));
    expect(model.get("band_kind")).toBe("mean");
    expect(model.saves).toBe(1);
  });

  it("hides the menu when there is nothing to choose", () => {
    const { el } = mount({ band_kind: "mean", band_kinds: ["mean"] });
    expect(el.querySelector("select.bs-band-kind").closest("label").hidden).toBe(true);
  });
});

describe("log y and the region beyond the data", () => {
  it("toggles a log y axis and drops a y range zoomed on the other scale", () => {
    const { el, model } = mount({ y_domain: [1.5, 7] });
    // how far the y ticks are from lying evenly in log y (px): 0 on a log axis
    const logMisfit = () => {
      const t = [...el.querySelectorAll(".bs-y-axis .tick")].map((n) => [
        Math.log(Number(n.textContent)), Number(n.getAttribute("transform").match(/,([-\d.]+)\)/)[1])]);
      expect(t.length).toBeGreaterThan(2);
      const [[l0, y0], [l1, y1]] = [t[0], t[t.length - 1]];
      return Math.max(...t.map(([l, y]) => Math.abs(y0 + (l - l0) * (y1 - y0) / (l1 - l0) - y)));
    };
    const box = el.querySelector("input.bs-log-y");
    expect(box.checked).toBe(false);
    expect(logMisfit()).toBeGreaterThan(5);
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    expect(model.get("log_y")).toBe(true);
    expect(model.get("y_domain")).toEqual([]);
    expect(logMisfit()).toBeLessThan(1);
    model.set("log_y", false); // Python's side of the toggle
    expect(box.checked).toBe(false);
  });

  it("shades from the largest observed x to the right edge", () => {
    const m = defaults();
    const { el } = mount();
    const rect = el.querySelector("rect.bs-beyond");
    expect(Number(rect.getAttribute("data-from"))).toBe(dataEnd({ ...m, _view: "extrapolation" }));
    expect(Number(rect.getAttribute("data-from"))).toBe(Math.max(...m.points.map((p) => p.x)));
    const x = Number(rect.getAttribute("x"));
    const right = x + Number(rect.getAttribute("width"));
    const plotWidth = Number(el.querySelector("rect.bs-overlay").getAttribute("width"));
    expect(x).toBeGreaterThan(0);
    expect(right).toBeCloseTo(plotWidth);
    expect(legend(el)).toContain("beyond the data");
  });

  it("shades nothing without points", () => {
    const { el } = mount({ points: [] });
    expect(el.querySelector("rect.bs-beyond").style.display).toBe("none");
    expect(legend(el)).not.toContain("beyond the data");
  });
});
