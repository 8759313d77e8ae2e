import { describe, expect, it } from "vitest";
import { bandPaths, medianPath } from "../src/layers.js";
import { makeScale } from "../src/scales.js";
import { defaults } from "./helpers.js";

const m = defaults();
const xs = makeScale(true, [1e18, 1e26], [0, 600]);
const ys = makeScale(false, [1, 4], [300, 0]);

/** y pixel values of the top edge (first half of an area path's points). */
function coords(d) {
  return [...d.matchAll(/(-?[\d.]+(?:e-?\d+)?),(-?[\d.]+(?:e-?\d+)?)/g)].map((x) => [+x[1], +x[2]]);
}

describe("band paths", () => {
  it("draws one closed path per band, widest first", () => {
    const shuffled = [m.bands[1], m.bands[2], m.bands[0]];
    const paths = bandPaths(m.grid_x, shuffled, xs, ys, { logX: true });
    expect(paths.map((p) => p.level)).toEqual([0.95, 0.8, 0.5]);
    for (const p of paths) {
      expect(p.d.startsWith("M")).toBe(true);
      expect(p.d.endsWith("Z")).toBe(true);
      expect(coords(p.d).length).toBe(2 * m.grid_x.length);
    }
  });

  it("nests: a wider band spans more pixels at every grid value", () => {
    const paths = bandPaths(m.grid_x, m.bands, xs, ys, { logX: true });
    const n = m.grid_x.length;
    const span = (d) => {
      const c = coords(d);
      return c.slice(0, n).map(([, y1], i) => Math.abs(c[2 * n - 1 - i][1] - y1));
    };
    const [wide, mid, narrow] = paths.map((p) => span(p.d));
    for (let i = 0; i < n; i++) {
      expect(wide[i]).toBeGreaterThan(mid[i]);
      expect(mid[i]).toBeGreaterThan(narrow[i]);
    }
  });

  it("breaks the path where a log axis cannot show a value", () => {
    const lower = m.bands[0].lower.map((v, i) => (i === 10 ? -1 : v));
    const [p] = bandPaths(m.grid_x, [{ ...m.bands[0], lower }], xs, makeScale(true, [0.5, 10], [300, 0]), { logX: true, logY: true });
    expect(p.d.match(/M/g).length).toBe(2);
  });

  it("draws the median as one line, empty on a length mismatch", () => {
    const d = medianPath(m.grid_x, m.median, xs, ys, { logX: true });
    expect(d.match(/M/g).length).toBe(1);
    expect(coords(d).length).toBe(m.grid_x.length);
    expect(medianPath(m.grid_x, m.median.slice(1), xs, ys)).toBe("");
  });
});
