// The crossover view: both fitted curves with their bands (top); P(A better than B)
// against scale with the 0.5 line and the crossing-location density (bottom);
// prob_cross printed. Python computes everything (src/bayescale/widgets/crossover.py).
import { h } from "./dom.js";
import { formatNumber, formatInterval, formatLevel } from "./format.js";
import { bandPath, createStack, hoverPanels, linePath } from "./panels.js";
import { nearestIndex, paddedDomain } from "./scales.js";
import { createTooltip } from "./tooltip.js";
import { fillLegend, ViewFrame } from "./view.js";
import { answerExport } from "./export.js";

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
 * @property {number} width 0: fill the output area
 */

/** Traits whose change redraws the view. */
export const CROSSOVER_TRAITS = [
  "x_label", "y_label", "labels", "better", "grid_x", "curves", "ci_prob", "prob_better",
  "prob_cross", "location", "crossing_hist", "height", "width",
];
/** Colours of curve A and curve B (CSS variables of style.css). */
const COLOURS = ["var(--bs-band)", "var(--bs-heldout)"];

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
    height: g("height", 460), width: g("width", 0),
  };
}

/**
 * The printed summary: P(cross) and the crossing location.
 * @param {CrossoverModel} m
 * @returns {string}
 */
export function crossSummary(m) {
  const [a, b] = m.labels;
  let s = `P(${a} and ${b} cross in range) = ${formatNumber(m.prob_cross)}`;
  const loc = m.location ?? {};
  if (loc.median != null && loc.lower != null && loc.upper != null) {
    s += ` · first crossing at ${m.x_label} = ${formatNumber(loc.median)} `
      + `(${formatLevel(loc.ci_prob ?? m.ci_prob)}: ${formatNumber(loc.lower)} – ${formatNumber(loc.upper)})`;
  }
  return s;
}

/**
 * Lines of the tooltip at grid index `i`: the scale, each curve's median and interval,
 * P(A better).
 * @param {CrossoverModel} m
 * @param {number} i
 * @returns {string[]}
 */
export function crossTooltipLines(m, i) {
  if (i < 0 || i >= m.grid_x.length) return [];
  const lines = [`${m.x_label || "x"} = ${formatNumber(m.grid_x[i])}`];
  const y = m.y_label || "y";
  for (const c of m.curves) {
    if (!Number.isFinite(c.median[i])) continue;
    let s = `${c.label}: ${y} ${formatNumber(c.median[i])}`;
    if (Number.isFinite(c.lower[i]) && Number.isFinite(c.upper[i])) {
      s += ` (${formatLevel(m.ci_prob)}: ${formatInterval(c.lower[i], c.upper[i])})`;
    }
    lines.push(s);
  }
  const p = m.prob_better[i];
  if (Number.isFinite(p)) lines.push(`P(${m.labels[0]} better) = ${formatNumber(p)}`);
  return lines;
}

/**
 * Render the view into `el`; returns the cleanup.
 * @param {{ model: any, el: HTMLElement }} ctx
 * @returns {() => void}
 */
export function renderCrossover({ model, el }) {
  const frame = new ViewFrame(el, "bs-crossover");
  const { doc, d, root, chart, legend } = frame;
  const tooltip = createTooltip(chart);
  const summary = h(doc, "div", "bs-readout bs-prob-cross");
  root.append(summary, chart, legend);
  el.appendChild(root);

  const stack = createStack(chart, "bs-curves-panel", "bs-prob-panel");
  const { top, bottom } = stack;
  const bandsG = top.body.append("g").attr("class", "bs-curves");
  const histG = bottom.body.append("g").attr("class", "bs-cross-density");
  const halfLine = bottom.body.append("line").attr("class", "bs-half-line")
    .style("stroke", "var(--bs-fg2)").style("stroke-dasharray", "4 3");
  const locLine = bottom.body.append("line").attr("class", "bs-cross-location")
    .style("stroke", "var(--bs-target)").style("stroke-width", "1.5px");
  const probPath = bottom.body.append("path").attr("class", "bs-prob-line")
    .style("fill", "none").style("stroke", "var(--bs-median)").style("stroke-width", "2px");

  /** Scales and offsets of the last draw, for hover. */
  let drawn = { xs: /** @type {any} */ (null), tops: [0, 0] };

  function draw() {
    tooltip.hide();
    const m = crossoverSnapshot(model);
    const { pw, ph1, ph2, top1, top2 } = stack.size(frame.width(m.width), m.height,
      { share: 0.55, minTop: 60, minBottom: 50 });
    const grid = m.grid_x;
    const xDomain = paddedDomain(grid, true, 0);
    const ys = [];
    for (const c of m.curves) ys.push(...c.lower, ...c.upper, ...c.median);
    const a = top.layout({
      top: top1, pw, ph: ph1, xLog: true, yLog: false, xDomain,
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
    stack.noData(!grid.length);

    const b = bottom.layout({
      top: top2, pw, ph: ph2, xLog: true, yLog: false, xDomain, yDomain: [0, 1],
      xText: m.x_label, yText: `P(${m.labels[0]} better)`, yValues: [0, 0.25, 0.5, 0.75, 1],
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
    drawn = { xs: b.xs, tops: [top1, top2] };
    summary.textContent = crossSummary(m);
    renderCrossLegend(doc, legend, m);
  }

  // Hover either panel: the values at the nearest grid scale.
  hoverPanels(d, tooltip, [top, bottom].map((panel, k) => ({ panel, top: () => drawn.tops[k] })),
    (_k, px) => {
      const m = crossoverSnapshot(model);
      if (!drawn.xs) return { lines: [], x: null };
      const i = nearestIndex(m.grid_x, drawn.xs.invert(px), true);
      return { lines: crossTooltipLines(m, i), x: i >= 0 ? drawn.xs(m.grid_x[i]) : null };
    });

  d.onModel(model, "msg:custom", (/** @type {any} */ msg) => {
    if (msg?.type !== "export") return;
    const m = crossoverSnapshot(model);
    answerExport(model, /** @type {SVGSVGElement} */ (stack.svg.node()), msg,
      { title: `${m.labels.join(" vs ")}: ${m.y_label} against ${m.x_label}`, legend });
  });
  return frame.start(model, { traits: CROSSOVER_TRAITS, theme: () => crossoverSnapshot(model).theme, draw });
}

/**
 * Legend: one entry per curve (band at ci_prob), P(better), crossing density.
 * @param {Document} doc @param {HTMLElement} legend @param {CrossoverModel} m
 */
function renderCrossLegend(doc, legend, m) {
  const curves = m.curves.map((c, i) => ({
    text: `${c.label} (median, ${formatLevel(m.ci_prob)})`, key: "bs-key",
    style: { background: COLOURS[i % 2], opacity: "0.6" },
  }));
  fillLegend(doc, legend, [
    ...curves,
    { text: `P(${m.labels[0]} better than ${m.labels[1]})`, key: "bs-key",
      style: { height: "0", borderTop: "2px solid var(--bs-median)" } },
    { text: "first-crossing density", key: "bs-key",
      style: { background: "var(--bs-target)", opacity: "0.35" } },
  ]);
}
