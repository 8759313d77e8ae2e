// The crossover view: both fitted curves with their bands (top); P(A better than B)
// against scale with the 0.5 line and the crossing-location density (bottom);
// prob_cross printed. Python computes everything (src/bayescale/widgets/crossover.py).
import { axisBottom, axisLeft } from "d3-axis";
import { select } from "d3-selection";
import { area, line } from "d3-shape";
import { Disposer, h } from "./dom.js";
import { formatEng, formatLevel } from "./format.js";
import { makeScale, paddedDomain, ticks } from "./scales.js";
import { followTheme } from "./theme.js";

/**
 * One curve of the comparison on `grid_x`.
 * @typedef {{ label: string, median: number[], lower: number[], upper: number[] }} CrossCurve
 */

/**
 * Synced traits of CrossoverWidget (src/bayescale/widgets/crossover.py).
 * @typedef {Object} CrossoverModel
 * @property {"crossover"} _view
 * @property {string} x_label name of the compared axis
 * @property {string} y_label name of the compared quantity
 * @property {string[]} labels names of A and B
 * @property {"lower" | "higher"} better
 * @property {number[]} grid_x increasing, positive
 * @property {CrossCurve[]} curves bands at ci_prob
 * @property {number} ci_prob
 * @property {number[]} prob_better P(A better than B) at each grid_x
 * @property {number} prob_cross
 * @property {{ median?: number | null, lower?: number | null, upper?: number | null, ci_prob?: number }} location
 * @property {{ edges: number[], density: number[] }} crossing_hist density per unit log10 x
 * @property {"auto" | "light" | "dark"} theme
 * @property {number} height
 */

/** Traits whose change redraws the view. */
export const CROSSOVER_TRAITS = [
  "x_label", "y_label", "labels", "better", "grid_x", "curves", "ci_prob", "prob_better",
  "prob_cross", "location", "crossing_hist", "height",
];
export const MARGIN = { top: 10, right: 18, bottom: 40, left: 60 };
/** Colours of curve A and curve B (CSS variables of style.css). */
const COLOURS = ["var(--bs-band)", "var(--bs-heldout)"];

let clipCounter = 0;

/** @param {number} v @param {boolean} log */
const ok = (v, log) => Number.isFinite(v) && (!log || v > 0);

/**
 * A panel: an SVG group with axes, gridlines and axis labels.
 * @param {any} svg d3 selection of the <svg>
 * @param {string} cls class of the panel group
 */
export function makePanel(svg, cls) {
  const g = svg.append("g").attr("class", `bs-plot ${cls}`);
  const grid = g.append("g").attr("class", "bs-gridlines");
  const xAxis = g.append("g").attr("class", "bs-axis bs-x-axis");
  const yAxis = g.append("g").attr("class", "bs-axis bs-y-axis");
  const xLabel = g.append("text").attr("class", "bs-axis-label bs-x-label").attr("text-anchor", "middle");
  const yLabel = g.append("text").attr("class", "bs-axis-label bs-y-label").attr("text-anchor", "middle");
  const clipId = `bs-panel-clip-${++clipCounter}`;
  const clipRect = svg.append("clipPath").attr("id", clipId).append("rect");
  const body = g.append("g").attr("class", "bs-panel-body").attr("clip-path", `url(#${clipId})`);
  return {
    g, body,
    /**
     * Lay the panel out and draw its axes; returns the scales.
     * @param {{ top: number, pw: number, ph: number, xLog: boolean, yLog: boolean,
     *   xDomain: number[], yDomain: number[], xText: string, yText: string,
     *   yValues?: number[] }} o fixed y ticks with yValues
     */
    layout(o) {
      g.attr("transform", `translate(${MARGIN.left},${o.top})`);
      clipRect.attr("x", -6).attr("y", -6).attr("width", o.pw + 12).attr("height", o.ph + 12);
      const xs = makeScale(o.xLog, o.xDomain, [0, o.pw]);
      const ys = makeScale(o.yLog, o.yDomain, [o.ph, 0]);
      const xt = ticks(xs, o.xLog, Math.max(2, Math.round(o.pw / 90)));
      const yt = o.yValues ? { values: o.yValues, labels: o.yValues.map(String) }
        : ticks(ys, o.yLog, Math.max(2, Math.round(o.ph / 40)));
      const label = (/** @type {{values: number[], labels: string[]}} */ t) =>
        (/** @type {any} */ v) => t.labels[t.values.indexOf(v)] ?? "";
      xAxis.attr("transform", `translate(0,${o.ph})`)
        .call(axisBottom(xs).tickValues(xt.values).tickFormat(label(xt)));
      yAxis.call(axisLeft(ys).tickValues(yt.values).tickFormat(label(yt)));
      grid.call(axisLeft(ys).tickValues(yt.values).tickSize(-o.pw).tickFormat(() => ""));
      xLabel.attr("x", o.pw / 2).attr("y", o.ph + 32).text(o.xText);
      yLabel.attr("transform", `translate(${-46},${o.ph / 2}) rotate(-90)`).text(o.yText);
      return { xs, ys };
    },
  };
}

/**
 * Path of a band between `lower` and `upper` on `grid` ("" when nothing is drawable).
 * @param {number[]} grid @param {number[]} lower @param {number[]} upper
 * @param {any} xs @param {any} ys @param {boolean} xLog @param {boolean} yLog
 */
export function bandPath(grid, lower, upper, xs, ys, xLog, yLog) {
  return area()
    .defined((_, i) => ok(grid[i], xLog) && ok(lower[i], yLog) && ok(upper[i], yLog))
    .x((_, i) => xs(grid[i])).y0((_, i) => ys(lower[i])).y1((_, i) => ys(upper[i]))(grid) ?? "";
}

/**
 * Path of a line `values` on `grid`.
 * @param {number[]} grid @param {number[]} values
 * @param {any} xs @param {any} ys @param {boolean} xLog @param {boolean} yLog
 */
export function linePath(grid, values, xs, ys, xLog, yLog) {
  if (values.length !== grid.length) return "";
  return line()
    .defined((_, i) => ok(grid[i], xLog) && ok(values[i], yLog))
    .x((_, i) => xs(grid[i])).y((_, i) => ys(values[i]))(grid) ?? "";
}

/**
 * Read every synced trait into a plain object.
 * @param {any} model
 * @returns {CrossoverModel}
 */
export function crossoverSnapshot(model) {
  const g = (/** @type {string} */ k, /** @type {any} */ dflt) => model.get(k) ?? dflt;
  return {
    _view: "crossover", x_label: g("x_label", "x"), y_label: g("y_label", "y"),
    labels: g("labels", ["A", "B"]), better: g("better", "lower"), grid_x: g("grid_x", []),
    curves: g("curves", []), ci_prob: g("ci_prob", 0.9), prob_better: g("prob_better", []),
    prob_cross: g("prob_cross", 0), location: g("location", {}),
    crossing_hist: g("crossing_hist", { edges: [], density: [] }), theme: g("theme", "auto"),
    height: g("height", 460),
  };
}

/**
 * The printed summary: P(cross) and the crossing location.
 * @param {CrossoverModel} m
 * @returns {string}
 */
export function crossSummary(m) {
  const [a, b] = m.labels;
  let s = `P(${a} and ${b} cross in range) = ${m.prob_cross.toFixed(3)}`;
  const loc = m.location ?? {};
  if (loc.median != null && loc.lower != null && loc.upper != null) {
    s += ` · first crossing at ${m.x_label} = ${formatEng(loc.median)} `
      + `(${formatLevel(loc.ci_prob ?? m.ci_prob)}: ${formatEng(loc.lower)} – ${formatEng(loc.upper)})`;
  }
  return s;
}

/**
 * Render the view into `el`; returns the cleanup.
 * @param {{ model: any, el: HTMLElement }} ctx
 * @returns {() => void}
 */
export function renderCrossover({ model, el }) {
  const doc = el.ownerDocument;
  const d = new Disposer();
  const root = h(doc, "div", "bs-root bs-crossover");
  const summary = h(doc, "div", "bs-readout bs-prob-cross");
  const chart = h(doc, "div", "bs-chart");
  const legend = h(doc, "div", "bs-legend");
  root.append(summary, chart, legend);
  el.appendChild(root);
  let width = 0;

  const svg = select(chart).append("svg").attr("class", "bs-svg");
  const top = makePanel(svg, "bs-curves-panel");
  const bottom = makePanel(svg, "bs-prob-panel");
  const bandsG = top.body.append("g").attr("class", "bs-curves");
  const histG = bottom.body.append("g").attr("class", "bs-cross-density");
  const halfLine = bottom.body.append("line").attr("class", "bs-half-line")
    .style("stroke", "var(--bs-fg2)").style("stroke-dasharray", "4 3");
  const locLine = bottom.body.append("line").attr("class", "bs-cross-location")
    .style("stroke", "var(--bs-target)").style("stroke-width", "1.5px");
  const probPath = bottom.body.append("path").attr("class", "bs-prob-line")
    .style("fill", "none").style("stroke", "var(--bs-median)").style("stroke-width", "2px");
  const empty = top.g.append("text").attr("class", "bs-empty").attr("text-anchor", "middle");

  function draw() {
    const m = crossoverSnapshot(model);
    const w = Math.max(320, width || el.clientWidth || 640);
    const pw = w - MARGIN.left - MARGIN.right;
    const gap = 16;
    const inner = m.height - 2 * (MARGIN.top + MARGIN.bottom) - gap;
    const ph1 = Math.max(60, Math.round(inner * 0.55));
    const ph2 = Math.max(50, inner - ph1);
    svg.attr("width", w).attr("height", m.height).attr("viewBox", `0 0 ${w} ${m.height}`);
    const grid = m.grid_x;
    const xDomain = paddedDomain(grid, true, 0);
    const ys = [];
    for (const c of m.curves) ys.push(...c.lower, ...c.upper, ...c.median);
    const a = top.layout({
      top: MARGIN.top, pw, ph: ph1, xLog: true, yLog: false, xDomain,
      yDomain: paddedDomain(ys, false, 0.06), xText: "", yText: m.y_label,
    });
    const curves = m.curves.map((c, i) => ({
      i, band: bandPath(grid, c.lower, c.upper, a.xs, a.ys, true, false),
      median: linePath(grid, c.median, a.xs, a.ys, true, false),
    }));
    bandsG.selectAll("path.bs-cx-band").data(curves).join("path")
      .attr("class", (/** @type {any} */ c) => `bs-cx-band bs-cx-band-${c.i}`)
      .attr("d", (/** @type {any} */ c) => c.band)
      .style("fill", (/** @type {any} */ c) => COLOURS[c.i % 2]).style("fill-opacity", "var(--bs-band-opacity)");
    bandsG.selectAll("path.bs-cx-median").data(curves).join("path")
      .attr("class", (/** @type {any} */ c) => `bs-cx-median bs-cx-median-${c.i}`)
      .attr("d", (/** @type {any} */ c) => c.median)
      .style("fill", "none").style("stroke", (/** @type {any} */ c) => COLOURS[c.i % 2]).style("stroke-width", "2px");
    empty.attr("x", pw / 2).attr("y", ph1 / 2).text(grid.length ? "" : "no data to show");

    const b = bottom.layout({
      top: MARGIN.top * 2 + ph1 + MARGIN.bottom + gap - MARGIN.top, pw, ph: ph2, xLog: true,
      yLog: false, xDomain, yDomain: [0, 1], xText: m.x_label,
      yText: `P(${m.labels[0]} better)`, yValues: [0, 0.25, 0.5, 0.75, 1],
    });
    probPath.attr("d", linePath(grid, m.prob_better, b.xs, b.ys, true, false));
    halfLine.attr("x1", 0).attr("x2", pw).attr("y1", b.ys(0.5)).attr("y2", b.ys(0.5));
    // density bars scaled so that the tallest reaches 0.9 of the panel
    const { edges, density } = m.crossing_hist ?? { edges: [], density: [] };
    const peak = Math.max(0, ...density);
    const bars = peak > 0 ? density.map((v, i) => ({ v, x0: edges[i], x1: edges[i + 1] })).filter((r) => r.v > 0) : [];
    histG.selectAll("rect.bs-cross-bar").data(bars).join("rect").attr("class", "bs-cross-bar")
      .attr("x", (/** @type {any} */ r) => b.xs(r.x0))
      .attr("width", (/** @type {any} */ r) => Math.max(0.5, b.xs(r.x1) - b.xs(r.x0) - 0.5))
      .attr("y", (/** @type {any} */ r) => b.ys(0.9 * r.v / peak))
      .attr("height", (/** @type {any} */ r) => b.ys(0) - b.ys(0.9 * r.v / peak))
      .style("fill", "var(--bs-target)").style("fill-opacity", 0.35);
    const loc = m.location ?? {};
    const showLoc = loc.median != null && loc.median > 0;
    locLine.style("display", showLoc ? null : "none")
      .attr("x1", showLoc ? b.xs(loc.median) : 0).attr("x2", showLoc ? b.xs(loc.median) : 0)
      .attr("y1", 0).attr("y2", ph2);
    summary.textContent = crossSummary(m);
    renderCrossLegend(doc, legend, m);
  }

  for (const name of CROSSOVER_TRAITS) d.onModel(model, `change:${name}`, draw);
  const theme = followTheme(root, () => crossoverSnapshot(model).theme);
  d.add(() => theme.dispose());
  d.onModel(model, "change:theme", theme.update);
  if (typeof ResizeObserver !== "undefined") {
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && Math.abs(w - width) > 1) { width = w; draw(); }
    });
    ro.observe(el);
    d.add(() => ro.disconnect());
  }
  draw();
  return () => {
    d.dispose();
    root.remove();
  };
}

/**
 * Legend: one entry per curve (band at ci_prob), P(better), crossing density.
 * @param {Document} doc @param {HTMLElement} legend @param {CrossoverModel} m
 */
function renderCrossLegend(doc, legend, m) {
  /** @type {HTMLElement[]} */
  const items = [];
  const item = (/** @type {string} */ text, /** @type {Record<string, string>} */ style) => {
    const it = h(doc, "span", "bs-legend-item");
    const key = h(doc, "span", "bs-key");
    Object.assign(key.style, style);
    it.append(key, doc.createTextNode(text));
    items.push(it);
  };
  m.curves.forEach((c, i) => item(`${c.label} (median, ${formatLevel(m.ci_prob)})`,
    { background: COLOURS[i % 2], opacity: "0.6" }));
  item(`P(${m.labels[0]} better than ${m.labels[1]})`, { height: "0", borderTop: "2px solid var(--bs-median)" });
  item("first-crossing density", { background: "var(--bs-target)", opacity: "0.35" });
  legend.replaceChildren(...items);
}
