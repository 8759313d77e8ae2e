// Exports of the crossover and PassUntil views: a parseable SVG with the title above and
// the page's legend below (the extrapolation view's are in view.test.js).
import { afterEach, describe, expect, it } from "vitest";
import { pageBackground } from "../src/export.js";
import { crossoverDefaults, fakeModel, mountModel, passUntilDefaults, resetDocument, tick } from "./helpers.js";

afterEach(resetDocument);

async function exported(base, title) {
  const { el, model } = mountModel(fakeModel({}, base));
  model.emit("msg:custom", { type: "export", format: "svg", id: "x1", ...(title ? { title } : {}) });
  await tick();
  const [reply] = model.sent;
  expect(reply).toMatchObject({ type: "export", id: "x1", format: "svg" });
  const svg = new DOMParser().parseFromString(reply.data, "image/svg+xml").documentElement;
  expect(svg.tagName).toBe("svg"); // not a parsererror
  const shown = [...el.querySelectorAll(".bs-legend-item")].map((i) => i.textContent);
  const keys = [...svg.querySelectorAll(".bs-export-key text")].map((t) => t.textContent);
  return { svg, shown, keys };
}

describe("exports of the two-panel views", () => {
  it("crossover: Python's title, both panels and the legend", async () => {
    const { svg, shown, keys } = await exported(crossoverDefaults(), "A vs B: loss against C");
    expect(svg.querySelector(".bs-export-title").textContent).toBe("A vs B: loss against C");
    expect(svg.querySelectorAll(".bs-export-chart .bs-plot").length).toBe(2);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(keys).toEqual(shown);
  });

  it("crossover: titled by its curves and axes without Python's title", async () => {
    const { svg } = await exported(crossoverDefaults());
    expect(svg.querySelector(".bs-export-title").textContent).toBe("base vs steep: loss against C");
  });

  it("PassUntil: title and legend", async () => {
    const { svg, shown, keys } = await exported(passUntilDefaults());
    expect(svg.querySelector(".bs-export-title").textContent).toBe("PassUntil: task pass rate PU(N)");
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(keys).toEqual(shown);
  });
});

describe("the export's background", () => {
  it("carries the page's background (a dark theme's export is not transparent)", async () => {
    document.body.style.backgroundColor = "rgb(17, 17, 17)";
    const { svg } = await exported(crossoverDefaults(), "dark");
    const bg = svg.querySelector("rect.bs-export-bg");
    expect(bg).not.toBeNull();
    expect(svg.firstElementChild).toBe(bg); // drawn first, under everything
    expect(bg.getAttribute("fill")).toBe("rgb(17, 17, 17)");
    expect(Number(bg.getAttribute("height"))).toBe(Number(svg.getAttribute("height")));
    document.body.style.backgroundColor = "";
  });

  it("stays transparent where nothing paints a background", () => {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    document.body.append(svg);
    expect(pageBackground(svg)).toBe("");
    svg.parentElement.style.backgroundColor = "rgba(0, 0, 0, 0)";
    expect(pageBackground(svg)).toBe("");
  });
});
