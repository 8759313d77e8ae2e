// SVG ids (clip paths) must be unique on the page, and each view must reference only its
// own: anywidget imports the bundle afresh for every widget, so module-level counters
// restart in each view (issue 18: three clipPath id="bs-clip-1" on one page).
import { afterEach, describe, expect, it, vi } from "vitest";
import { uid } from "../src/dom.js";
import { crossoverDefaults, fakeModel, passUntilDefaults, resetDocument } from "./helpers.js";

afterEach(resetDocument);

/** A fresh module instance of the bundle's entry, as anywidget loads one per widget. */
async function freshBundle() {
  vi.resetModules();
  return (await import("../src/index.js")).default;
}

/** Render `model` with `bundle` into a new div of the document. */
function mountWith(bundle, model) {
  const el = document.createElement("div");
  document.body.appendChild(el);
  bundle.render({ model, el });
  return el;
}

/** The ids that `clip-path`, `fill`, `marker-*`... attributes under `root` point at. */
function references(root) {
  const out = [];
  for (const node of root.querySelectorAll("*")) {
    for (const a of node.attributes) {
      for (const m of a.value.matchAll(/url\(#([^)]+)\)/g)) out.push(m[1]);
    }
  }
  return out;
}

describe("svg ids", () => {
  it("uid gives distinct ids, also across module instances", async () => {
    vi.resetModules();
    const again = (await import("../src/dom.js")).uid;
    expect(again).not.toBe(uid);
    const ids = [uid("bs-clip"), uid("bs-clip"), again("bs-clip"), again("bs-clip")];
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^bs-clip-[0-9a-z]+-[0-9a-z]+$/);
  });

  it("views from separate bundle instances have unique ids and use only their own", async () => {
    const views = [
      mountWith(await freshBundle(), fakeModel({ height: 200 })),
      mountWith(await freshBundle(), fakeModel({ height: 520 })),
      mountWith(await freshBundle(), fakeModel({}, crossoverDefaults())),
      mountWith(await freshBundle(), fakeModel({}, passUntilDefaults())),
    ];
    const all = [...document.querySelectorAll("[id]")].map((e) => e.id);
    expect(all.length).toBe(2 + 2 + 2); // one clip per extrapolation view, one per panel
    expect(new Set(all).size).toBe(all.length);
    for (const el of views) {
      const refs = references(el);
      expect(refs.length).toBeGreaterThan(0);
      for (const id of refs) {
        // what the browser resolves url(#id) to: the first element on the page with that id
        const target = document.getElementById(id);
        expect(target, id).not.toBeNull();
        expect(el.contains(target), `${id} belongs to another view`).toBe(true);
      }
    }
  });

  it("sizes each extrapolation view's clip to its own plot area", async () => {
    const small = mountWith(await freshBundle(), fakeModel({ height: 200 }));
    const big = mountWith(await freshBundle(), fakeModel({ height: 520 }));
    for (const [el, h] of [[small, 200], [big, 520]]) {
      const [id] = references(el);
      const rect = document.getElementById(id).querySelector("rect");
      expect(Number(rect.getAttribute("height"))).toBe(h - 12 - 42);
      expect(Number(rect.getAttribute("height")))
        .toBe(Number(el.querySelector(".bs-overlay").getAttribute("height")));
    }
  });
});
