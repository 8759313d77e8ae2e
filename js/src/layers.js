// SVG layers of the extrapolation view: nested bands, median, points, target.
// Elements carry classes only; colours come from style.css.
import { area, line } from "d3-shape";

/**
 * @typedef {import("./model.js").Band} Band
 * @typedef {import("./model.js").Point} Point
 */

/**
 * Path strings of the nested credible bands, widest first (the drawing order).
 * @param {number[]} grid
 * @param {Band[]} bands
 * @param {any} xs x scale
 * @param {any} ys y scale
 * @param {{ logX?: boolean, logY?: boolean }} [opts]
 * @returns {{ level: number, d: string }[]}
 */
export function bandPaths(grid, bands, xs, ys, opts = {}) {
  const ok = (/** @type {number} */ v, /** @type {boolean | undefined} */ log) =>
    Number.isFinite(v) && (!log || v > 0);
  return [...bands]
    .sort((a, b) => b.level - a.level)
    .map((b) => {
      const gen = area()
        .defined((_, i) => ok(grid[i], opts.logX) && ok(b.lower[i], opts.logY) && ok(b.upper[i], opts.logY))
        .x((_, i) => xs(grid[i]))
        .y0((_, i) => ys(b.lower[i]))
        .y1((_, i) => ys(b.upper[i]));
      return { level: b.level, d: gen(grid) ?? "" };
    });
}

/**
 * Path string of the posterior median.
 * @param {number[]} grid
 * @param {number[]} median
 * @param {any} xs
 * @param {any} ys
 * @param {{ logX?: boolean, logY?: boolean }} [opts]
 * @returns {string}
 */
export function medianPath(grid, median, xs, ys, opts = {}) {
  const gen = line()
    .defined((_, i) => Number.isFinite(grid[i]) && Number.isFinite(median[i])
      && (!opts.logX || grid[i] > 0) && (!opts.logY || median[i] > 0))
    .x((_, i) => xs(grid[i]))
    .y((_, i) => ys(median[i]));
  return median.length === grid.length ? gen(grid) ?? "" : "";
}

/**
 * Draw the bands and the median into `g` (a d3 selection of an SVG group).
 * @param {any} g
 * @param {import("./model.js").ExtrapolationModel} m
 * @param {any} xs
 * @param {any} ys
 */
export function drawCurves(g, m, xs, ys) {
  const opts = { logX: m.log_x, logY: m.log_y };
  const paths = bandPaths(m.grid_x, m.bands, xs, ys, opts);
  g.selectAll("path.bs-band")
    .data(paths)
    .join("path")
    .attr("class", (/** @type {any} */ _d, /** @type {number} */ i) => `bs-band bs-band-${i}`)
    .attr("data-level", (/** @type {{level: number}} */ d) => d.level)
    .attr("d", (/** @type {{d: string}} */ d) => d.d);
  g.selectAll("path.bs-median")
    .data(m.median.length ? [medianPath(m.grid_x, m.median, xs, ys, opts)] : [])
    .join("path")
    .attr("class", "bs-median")
    .attr("d", (/** @type {string} */ d) => d);
}

/**
 * Draw points as circles with class `cls` into `g`, skipping those a log axis cannot show.
 * @param {any} g
 * @param {Point[]} points
 * @param {string} cls "bs-point" or "bs-heldout"
 * @param {any} xs
 * @param {any} ys
 * @param {{ logX?: boolean, logY?: boolean }} [opts]
 */
export function drawPoints(g, points, cls, xs, ys, opts = {}) {
  const ok = (/** @type {Point} */ p) => Number.isFinite(p.x) && Number.isFinite(p.y)
    && (!opts.logX || p.x > 0) && (!opts.logY || p.y > 0);
  const r = cls === "bs-heldout" ? 4 : 3;
  g.selectAll(`.${cls}`)
    .data(points.filter(ok))
    .join(cls === "bs-heldout" ? "rect" : "circle")
    .attr("class", cls)
    .call((/** @type {any} */ s) => {
      if (cls === "bs-heldout") {
        s.attr("x", (/** @type {Point} */ p) => xs(p.x) - r).attr("y", (/** @type {Point} */ p) => ys(p.y) - r)
          .attr("width", 2 * r).attr("height", 2 * r)
          .attr("transform", (/** @type {Point} */ p) => `rotate(45 ${xs(p.x)} ${ys(p.y)})`);
      } else {
        s.attr("cx", (/** @type {Point} */ p) => xs(p.x)).attr("cy", (/** @type {Point} */ p) => ys(p.y)).attr("r", r);
      }
    });
}

/**
 * Draw the target line, its handle and the predicted interval at the target.
 * @param {any} g
 * @param {import("./model.js").ExtrapolationModel} m
 * @param {number | null} targetX the x to draw (may differ from the model while dragging)
 * @param {any} xs
 * @param {any} ys
 * @param {number} height plot height in pixels
 */
export function drawTarget(g, m, targetX, xs, ys, height) {
  const show = targetX != null && Number.isFinite(targetX) && (!m.log_x || targetX > 0);
  const px = show ? xs(targetX) : 0;
  g.style("display", show ? null : "none");
  g.select(".bs-target-line").attr("x1", px).attr("x2", px).attr("y1", 0).attr("y2", height);
  g.select(".bs-target-hit").attr("x", px - 6).attr("y", 0).attr("width", 12).attr("height", height);
  const r = m.target_readout ?? {};
  const hasReadout = show && r.x === targetX && Number.isFinite(r.lower) && Number.isFinite(r.upper);
  g.select(".bs-target-interval")
    .style("display", hasReadout ? null : "none")
    .attr("x1", px).attr("x2", px)
    .attr("y1", hasReadout ? ys(r.lower) : 0).attr("y2", hasReadout ? ys(r.upper) : 0);
  g.select(".bs-target-median")
    .style("display", hasReadout && Number.isFinite(r.median) ? null : "none")
    .attr("cx", px).attr("cy", hasReadout && Number.isFinite(r.median) ? ys(r.median) : 0).attr("r", 4);
}
