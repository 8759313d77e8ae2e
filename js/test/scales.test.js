import { describe, expect, it } from "vitest";
import {
  HomeRange, homeDomains, makeScale, nearestIndex, paddedDomain, ticks, validDomain,
} from "../src/scales.js";
import { defaults } from "./helpers.js";

describe("scales", () => {
  it("maps log and linear domains onto the range", () => {
    const lx = makeScale(true, [1e18, 1e24], [0, 600]);
    expect(lx(1e21)).toBeCloseTo(300);
    const ly = makeScale(false, [0, 4], [300, 0]);
    expect(ly(1)).toBeCloseTo(225);
  });

  it("pads domains in log space and drops unusable values", () => {
    const [lo, hi] = paddedDomain([1e18, 1e20, -5, Number.NaN, 0], true, 0.1);
    expect(Math.log10(lo)).toBeCloseTo(17.8);
    expect(Math.log10(hi)).toBeCloseTo(20.2);
    expect(paddedDomain([], true)).toEqual([1, 10]);
    expect(paddedDomain([3, 3], false)[0]).toBeLessThan(3);
  });

  it("validates stored domains", () => {
    expect(validDomain([1, 2], true)).toBe(true);
    expect(validDomain([0, 2], true)).toBe(false);
    expect(validDomain([2, 1], false)).toBe(false);
    expect(validDomain([], false)).toBe(false);
  });

  it("derives home domains from the model, or uses the stored ones", () => {
    const m = defaults();
    const h = homeDomains(m);
    expect(h.x[0]).toBeLessThan(m.grid_x[0]);
    expect(h.x[1]).toBeGreaterThan(m.grid_x.at(-1));
    const lows = m.bands.flatMap((b) => b.lower);
    expect(h.y[0]).toBeLessThan(Math.min(...lows));
    expect(homeDomains({ ...m, x_domain: [1e19, 1e22] }).x).toEqual([1e19, 1e22]);
  });

  it("labels only decades, in scientific notation, on wide log axes", () => {
    const s = makeScale(true, [1e18, 1e25], [0, 600]);
    const t = ticks(s, true, 6);
    expect(t.values.length).toBeGreaterThanOrEqual(3);
    for (const l of t.labels) expect(l).toMatch(/^1e\d+$/);
  });

  it("labels narrow linear axes plainly", () => {
    const t = ticks(makeScale(false, [1.5, 3.5], [300, 0]), false, 5);
    expect(t.labels).toContain("2");
    expect(t.labels.every((l) => !l.includes("e"))).toBe(true);
  });

  it("finds the nearest grid index in log space", () => {
    const grid = [1, 10, 100, 1000];
    expect(nearestIndex(grid, 5, true)).toBe(1); // log-nearer to 10 than to 1
    expect(nearestIndex(grid, 5, false)).toBe(0);
    expect(nearestIndex(grid, 1e6, true)).toBe(3);
    expect(nearestIndex([], 1, true)).toBe(-1);
  });
});

describe("HomeRange", () => {
  const r = (x0, x1) => ({ x: [x0, x1], y: [0, 1] });

  it("goes back to the range from before any gesture", () => {
    const h = new HomeRange(r(1e18, 1e25));
    h.gesture(r(1e19, 1e22)); // zoom in
    h.gesture(r(1e14, 1e28)); // zoom out
    h.follow(r(1e14, 1e28), true); // Python's regrid answering it
    expect(h.home).toEqual(r(1e14, 1e28));
    expect(h.reset()).toEqual(r(1e18, 1e25));
    expect(h.home).toEqual(r(1e18, 1e25));
  });

  it("takes a range from the model as the new origin", () => {
    const h = new HomeRange(r(1, 10));
    h.gesture(r(2, 3));
    h.follow(r(5, 50), false);
    h.gesture(r(6, 7));
    expect(h.reset()).toEqual(r(5, 50));
  });

  it("hands out copies", () => {
    const start = r(1, 10);
    const h = new HomeRange(start);
    h.reset().x[0] = 99;
    start.x[1] = 99;
    expect(h.reset()).toEqual(r(1, 10));
  });
});
