import { afterEach, describe, expect, it } from "vitest";
import widget from "../src/index.js";
import {
  expectFollowsTheme, fakeModel, listenerCensus, mountModel, observerCensus, pointer, resetDocument,
  tick,
} from "./helpers.js";

const mount = (overrides) => mountModel(fakeModel(overrides));

afterEach(resetDocument);

describe("extrapolation view", () => {
  it("draws bands widest first, the median, points and held-out points", () => {
    const { el } = mount();
    const bands = [...el.querySelectorAll("path.bs-band")];
    expect(bands.map((b) => Number(b.getAttribute("data-level")))).toEqual([0.95, 0.8, 0.5]);
    expect(el.querySelectorAll("path.bs-median").length).toBe(1);
    expect(el.querySelectorAll("circle.bs-point").length).toBe(12);
    expect(el.querySelectorAll("rect.bs-heldout").length).toBe(1);
    expect(el.querySelectorAll(".bs-legend-item").length).toBe(8); // + "beyond the data"
  });

  it("says in the legend what the bands are", () => {
    const text = (el) => [...el.querySelectorAll(".bs-legend-item")].map((i) => i.textContent);
    expect(text(mount().el)).toContain("95% credible");
    resetDocument();
    const labelled = text(mount({ band_label: "new observation + discrepancy" }).el);
    expect(labelled).toContain("95% new observation + discrepancy");
    expect(labelled).toContain("50% new observation + discrepancy");
  });

  it("labels the log x axis with decades in scientific notation", () => {
    const { el } = mount();
    const labels = [...el.querySelectorAll(".bs-x-axis .tick text")].map((t) => t.textContent);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const l of labels) expect(l).toMatch(/^1e\d+$/);
    expect(el.querySelector(".bs-x-label").textContent).toBe("C");
  });

  it("redraws when Python changes the bands", () => {
    const { el, model } = mount();
    const before = el.querySelector("path.bs-band").getAttribute("d");
    const b = model.get("bands");
    model.set("bands", b.slice(0, 2).map((x) => ({ ...x, upper: x.upper.map((v) => v + 0.3) })));
    const paths = el.querySelectorAll("path.bs-band");
    expect(paths.length).toBe(2);
    expect(paths[0].getAttribute("d")).not.toBe(before);
  });

  it("shows a tooltip on hover and hides it on leave", () => {
    const { el } = mount();
    const overlay = el.querySelector(".bs-overlay");
    pointer(overlay, "pointermove", 200);
    const tip = el.querySelector(".bs-tooltip");
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toMatch(/^C = .*median loss = .*50%: .*80%: .*95%: /);
    pointer(overlay, "pointerleave", 200);
    expect(tip.hidden).toBe(true);
  });

  it("sends a typed target to Python and reads out the interval", () => {
    const { el, model } = mount();
    expect(el.querySelector(".bs-readout").textContent).toBe("at C = 1e24: loss 2 (95%: 1.8 – 2.2)");
    const input = el.querySelector(".bs-target-input");
    input.value = "3e23";
    input.dispatchEvent(new Event("change"));
    expect(model.get("target_x")).toBe(3e23);
    expect(model.saves).toBe(1);
    expect(el.querySelector(".bs-readout").textContent).toBe("at C = 3e23: …");
    input.value = "abc";
    input.dispatchEvent(new Event("change"));
    expect(input.classList.contains("bs-invalid")).toBe(true);
    expect(model.get("target_x")).toBe(3e23);
  });

  it("drags the target and commits on release", () => {
    const { el, model } = mount();
    const hit = el.querySelector(".bs-target-hit");
    pointer(hit, "pointerdown", 100);
    pointer(hit, "pointermove", 100);
    expect(model.get("target_x")).toBe(1e24);
    pointer(hit, "pointerup", 100);
    expect(model.get("target_x")).not.toBe(1e24);
    expect(model.get("target_x")).toBeLessThan(1e24);
  });

  it("reports the zoomed domain to Python and resets", async () => {
    const { el, model } = mount();
    const overlay = el.querySelector(".bs-overlay");
    overlay.dispatchEvent(new WheelEvent("wheel", { bubbles: true, cancelable: true, deltaY: -200, clientX: 100, clientY: 100 }));
    await tick(200);
    const zoomed = model.get("x_domain");
    expect(zoomed.length).toBe(2);
    el.querySelector(".bs-reset").click();
    const reset = model.get("x_domain");
    expect(reset[1] / reset[0]).toBeGreaterThan(zoomed[1] / zoomed[0]);
  });

  it("reset restores the original range exactly after a zoom in, a zoom out and a regrid", async () => {
    const { el, model } = mount();
    const svg = el.querySelector("svg.bs-svg");
    const drawn = () => ({ x: JSON.parse(svg.getAttribute("data-x-domain")),
      y: JSON.parse(svg.getAttribute("data-y-domain")) });
    const xTicks = () => [...el.querySelectorAll(".bs-x-axis .tick text")].map((t) => t.textContent);
    const start = drawn();
    const startTicks = xTicks();
    const overlay = el.querySelector(".bs-overlay");
    const wheel = (deltaY) => overlay.dispatchEvent(new WheelEvent("wheel",
      { bubbles: true, cancelable: true, deltaY, clientX: 100, clientY: 100 }));
    wheel(-300);
    await tick(200);
    expect(drawn().x[1] / drawn().x[0]).toBeLessThan(start.x[1] / start.x[0]);
    wheel(400);
    wheel(400);
    await tick(200);
    const out = model.get("x_domain");
    expect(out[1] / out[0]).toBeGreaterThan(start.x[1] / start.x[0]);
    // Python answers a zoom-out with a wider grid (see ExtrapolationWidget._on_domain)
    const grid = Array.from({ length: 60 }, (_, i) => out[0] * (out[1] / out[0]) ** (i / 59));
    const med = grid.map((x) => 1.7 + 5 * (x / 1e18) ** -0.15);
    model.set("median", med);
    model.set("bands", model.get("bands").map((b) => ({ ...b, lower: med.map((v) => v - 0.1), upper: med.map((v) => v + 0.1) })));
    model.set("grid_x", grid);
    model.set("x_domain", out.slice()); // the kernel's echo
    el.querySelector(".bs-reset").click();
    expect(drawn()).toEqual(start);
    expect(xTicks()).toEqual(startTicks);
    expect(model.get("x_domain")).toEqual(start.x);
    expect(model.get("y_domain")).toEqual(start.y);
    // the echo of the reset range and a later regrid keep it
    model.set("x_domain", start.x.slice());
    model.set("y_domain", start.y.slice());
    model.set("grid_x", grid.slice());
    expect(drawn()).toEqual(start);
    // a range from Python becomes the new origin
    model.set("x_domain", [1e20, 1e22]);
    wheel(-300);
    await tick(200);
    el.querySelector(".bs-reset").click();
    expect(drawn().x).toEqual([1e20, 1e22]);
  });

  it("draws at the width trait when set, else at the element's width", () => {
    const { el, model } = mount({ width: 500 });
    const svg = el.querySelector("svg.bs-svg");
    expect(svg.getAttribute("width")).toBe("500");
    model.set("width", 0);
    expect(svg.getAttribute("width")).toBe("640"); // jsdom: no layout, the fallback
  });

  it("shows the slice control for two-input laws only", () => {
    const one = mount();
    expect(one.el.querySelector(".bs-slice").hidden).toBe(true);
    const { el, model } = mount({ inputs: ["N", "D"], slice_mode: "fixed", slice_input: "D", slice_value: 1e12 });
    const select = el.querySelector(".bs-slice-mode");
    expect([...select.options].map((o) => o.value)).toEqual(["fixed:N", "fixed:D", "compute_optimal"]);
    select.value = "compute_optimal";
    select.dispatchEvent(new Event("change"));
    expect(model.get("slice_mode")).toBe("compute_optimal");
  });

  it("answers an SVG export request", async () => {
    const { model } = mount();
    model.emit("msg:custom", { type: "export", format: "svg", id: "a1" });
    await tick();
    const [reply] = model.sent;
    expect(reply).toMatchObject({ type: "export", id: "a1", format: "svg" });
    expect(reply.data).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(reply.data).toContain("bs-band");
  });

  it("exports a title above the chart and the legend below it", async () => {
    const { el, model } = mount({ band_label: "new observation" });
    model.emit("msg:custom", { type: "export", format: "svg", id: "a2", title: "saturating_power: loss" });
    await tick();
    const svg = new DOMParser().parseFromString(model.sent[0].data, "image/svg+xml").documentElement;
    expect(svg.querySelector("text.bs-export-title").textContent).toBe("saturating_power: loss");
    const shown = [...el.querySelectorAll(".bs-legend-item")].map((i) => i.textContent);
    const keys = [...svg.querySelectorAll(".bs-export-legend .bs-export-key")];
    expect(keys.map((k) => k.querySelector("text").textContent)).toEqual(shown);
    expect(shown).toContain("95% new observation");
    // one swatch per entry, of the entry's shape: the median a line, bands boxes, points dots
    const shape = (i) => keys[i].firstElementChild.tagName;
    expect(shape(shown.indexOf("median"))).toBe("line");
    expect(shape(shown.indexOf("95% new observation"))).toBe("rect");
    expect(shape(shown.indexOf("observed"))).toBe("circle");
    expect(keys[shown.indexOf("target")].firstElementChild.getAttribute("stroke-dasharray")).toBe("4 3");
    // the chart moves down under the title and the image grows to hold the legend
    const live = el.querySelector("svg.bs-svg");
    expect(svg.querySelector(".bs-export-chart").getAttribute("transform")).toBe("translate(0,24)");
    expect(Number(svg.getAttribute("height"))).toBeGreaterThan(Number(live.getAttribute("height")) + 24 + 17);
    expect(svg.getAttribute("viewBox")).toBe(`0 0 ${live.getAttribute("width")} ${svg.getAttribute("height")}`);
    // every legend row lies inside the image
    const rows = keys.map((k) => Number(k.getAttribute("transform").match(/,([\d.]+)\)/)[1]));
    const legendTop = Number(svg.querySelector(".bs-export-legend").getAttribute("transform").match(/,([\d.]+)\)/)[1]);
    expect(legendTop + Math.max(...rows) + 9).toBeLessThanOrEqual(Number(svg.getAttribute("height")));
  });

  it("titles an export by its axes when Python gives no title", async () => {
    const { model } = mount();
    model.emit("msg:custom", { type: "export", format: "svg", id: "a3" });
    await tick();
    expect(model.sent[0].data).toContain(">loss against C</text>");
  });

  it("switches theme class with JupyterLab's attribute", async () => {
    await expectFollowsTheme(() => mount());
  });

  it("cleanup removes every DOM and model listener it added", async () => {
    const census = listenerCensus();
    try {
      const before = census.count();
      const { el, model, cleanup } = mount({ inputs: ["N", "D"], slice_mode: "fixed", slice_input: "D", slice_value: 1 });
      expect(census.count()).toBeGreaterThan(before + 5);
      expect(model.listenerCount()).toBeGreaterThan(10);
      // exercise a zoom so that d3-zoom's own listeners come and go
      el.querySelector(".bs-overlay").dispatchEvent(new WheelEvent("wheel", { bubbles: true, cancelable: true, deltaY: -100 }));
      await tick(200);
      cleanup();
      expect(census.count()).toBe(before);
      expect(model.listenerCount()).toBe(0);
      expect(el.children.length).toBe(0);
    } finally {
      census.restore();
    }
  });

  it("disconnects its observers", () => {
    const observers = observerCensus();
    try {
      const { cleanup } = mount();
      expect(observers.made()).toBeGreaterThan(1);
      cleanup();
      expect(observers.live()).toBe(0);
    } finally {
      observers.restore();
    }
  });

  it("says so for an unknown view", () => {
    const el = document.createElement("div");
    const cleanup = widget.render({ model: fakeModel({ _view: "nope" }), el });
    expect(el.textContent).toMatch(/unknown view "nope"/);
    cleanup();
    expect(el.textContent).toBe("");
  });
});

describe("echoes", () => {
  it("ignores the kernel's echo of a range it sent, but follows a new one", () => {
    const el = document.createElement("div");
    document.body.appendChild(el);
    const model = fakeModel();
    widget.render({ model, el });
    el.querySelector(".bs-reset").click();
    const sent = model.get("x_domain");
    const labels = () => [...el.querySelectorAll(".bs-x-axis .tick text")].map((t) => t.textContent);
    const before = labels();
    model.set("x_domain", sent.slice()); // echo
    expect(labels()).toEqual(before);
    model.set("x_domain", [1e20, 1e22]); // a new range from Python
    expect(labels()).not.toEqual(before);
  });
});
