// The PassUntil view: PU against N on log axes with thin per-instance median lines, the
// task-level band and median, observed r/K and predicted points with intervals (top);
// log(-log PU) against log N with the emergence class and its probability (bottom).
// Python computes everything (src/bayescale/widgets/passuntil.py).
import { formatNumber, formatInterval, formatLevel } from "./format.js";
import { bandPath, createStack, hoverPanels, linePath } from "./panels.js";
import { nearestIndex, paddedDomain } from "./scales.js";
import { createTooltip } from "./tooltip.js";
import { fillLegend, ViewFrame } from "./view.js";
import { answerExport } from "./export.js";

/**
 * A band on `grid_n`.
 * @typedef {{ level: number, lower: number[], upper: number[] }} PUBand
 */
/**
 * A predicted point with its interval.
 * @typedef {{ x: number, median: number, lower: number, upper: number }} PUPrediction
 */

/**
 * Synced traits of PassUntilWidget (src/bayescale/widgets/passuntil.py).
 * @typedef {Object} PassUntilModel
 * @property {"passuntil"} _view
 * @property {number[]} grid_n increasing model sizes
 * @property {number[]} task_median task-level median PU on grid_n
 * @property {PUBand | {}} task_band
 * @property {{ name: string, median: number[] }[]} instances instance-level medians
 * @property {{ x: number, y: number }[]} observed r/K of uncensored records
 * @property {number[]} predict_n
 * @property {PUPrediction[]} predicted
 * @property {number[]} f_median log(-log PU) of the task median
 * @property {PUBand | {}} f_band
 * @property {{ x: number, y: number }[]} f_observed
 * @property {PUPrediction[]} f_predicted
 * @property {{ label?: string, meaning?: string, prob?: number, probs?: Record<string, number> }} emergence
 * @property {number} ci_prob
 * @property {"auto" | "light" | "dark"} theme
 * @property {number} height
 * @property {number} width 0: fill the output area
 */

/** Traits whose change redraws the view. */
export const PASSUNTIL_TRAITS = [
  "grid_n", "task_median", "task_band", "instances", "observed", "predict_n", "predicted",
  "f_median", "f_band", "f_observed", "f_predicted", "emergence", "ci_prob", "height", "width",
];

/**
 * Read every synced trait into a plain object.
 * @param {any} model
 * @returns {PassUntilModel}
 */
export function passUntilSnapshot(model) {
  const g = (/** @type {string} */ k, /** @type {any} */ dflt) => model.get(k) ?? dflt;
  return {
    _view: "passuntil", grid_n: g("grid_n", []), task_median: g("task_median", []),
    task_band: g("task_band", {}), instances: g("instances", []), observed: g("observed", []),
    predict_n: g("predict_n", []), predicted: g("predicted", []), f_median: g("f_median", []),
    f_band: g("f_band", {}), f_observed: g("f_observed", []), f_predicted: g("f_predicted", []),
    emergence: g("emergence", {}), ci_prob: g("ci_prob", 0.9), theme: g("theme", "auto"),
    height: g("height", 560), width: g("width", 0),
  };
}

/**
 * The emergence label: "emergence: linear (follows the task scaling law), P = 0.87".
 * @param {PassUntilModel["emergence"]} e
 * @returns {string}
 */
export function emergenceText(e) {
  if (!e || !e.label) return "emergence: fit without the curvature term";
  const meaning = e.meaning ? ` (${e.meaning})` : "";
  return `emergence: ${e.label}${meaning}, P = ${formatNumber(Number(e.prob))}`;
}

/** @param {any} b @returns {b is PUBand} */
const isBand = (b) => !!b && Array.isArray(b.lower) && Array.isArray(b.upper);

/**
 * Draw predicted points with interval whiskers into `g`.
 * @param {any} g @param {PUPrediction[]} rows @param {any} xs @param {any} ys @param {boolean} yLog
 */
function drawPredicted(g, rows, xs, ys, yLog) {
  const ok = (/** @type {PUPrediction} */ r) => r.x > 0 && [r.median, r.lower, r.upper]
    .every((v) => Number.isFinite(v) && (!yLog || v > 0));
  const shown = rows.filter(ok);
  g.selectAll("line.bs-pred-interval").data(shown).join("line").attr("class", "bs-pred-interval")
    .attr("x1", (/** @type {PUPrediction} */ r) => xs(r.x)).attr("x2", (/** @type {PUPrediction} */ r) => xs(r.x))
    .attr("y1", (/** @type {PUPrediction} */ r) => ys(r.lower)).attr("y2", (/** @type {PUPrediction} */ r) => ys(r.upper))
    .style("stroke", "var(--bs-target)").style("stroke-width", "3px").style("stroke-linecap", "round");
  g.selectAll("circle.bs-pred-point").data(shown).join("circle").attr("class", "bs-pred-point")
    .attr("cx", (/** @type {PUPrediction} */ r) => xs(r.x)).attr("cy", (/** @type {PUPrediction} */ r) => ys(r.median))
    .attr("r", 4).style("fill", "var(--bs-target)").style("stroke", "var(--bs-surface)");
}

/**
 * Draw observed points into `g`.
 * @param {any} g @param {{x: number, y: number}[]} pts @param {any} xs @param {any} ys @param {boolean} yLog
 */
function drawObserved(g, pts, xs, ys, yLog) {
  const shown = pts.filter((p) => p.x > 0 && Number.isFinite(p.y) && (!yLog || p.y > 0));
  g.selectAll("circle.bs-point").data(shown).join("circle").attr("class", "bs-point")
    .attr("cx", (/** @type {any} */ p) => xs(p.x)).attr("cy", (/** @type {any} */ p) => ys(p.y)).attr("r", 2.5);
}

/** Names of the two panels' quantities (top: PU, bottom: F = log(-log PU)). */
const QUANTITY = ["PU", "log(−log PU)"];

/**
 * Lines of the tooltip at grid index `i` of the top (panel 0: PU) or bottom (panel 1:
 * log(-log PU)) panel: N, the task median and its interval.
 * @param {PassUntilModel} m
 * @param {number} panel
 * @param {number} i
 * @returns {string[]}
 */
export function puTooltipLines(m, panel, i) {
  if (i < 0 || i >= m.grid_n.length) return [];
  const med = panel === 0 ? m.task_median[i] : m.f_median[i];
  const band = panel === 0 ? m.task_band : m.f_band;
  const lines = [`N = ${formatNumber(m.grid_n[i])}`];
  if (Number.isFinite(med)) lines.push(`task median ${QUANTITY[panel]} = ${formatNumber(med)}`);
  if (isBand(band) && Number.isFinite(band.lower[i]) && Number.isFinite(band.upper[i])) {
    lines.push(`${formatLevel(band.level ?? m.ci_prob)}: ${formatInterval(band.lower[i], band.upper[i])}`);
  }
  return lines;
}

/**
 * Lines of the tooltip for an observed r/K point or a predicted point of a panel.
 * @param {PassUntilModel} m
 * @param {number} panel 0 (PU) or 1 (log(-log PU))
 * @param {{ x: number, y?: number, median?: number, lower?: number, upper?: number }} p
 * @returns {string[]}
 */
export function puPointLines(m, panel, p) {
  const q = QUANTITY[panel];
  if (p.median == null) return ["observed r/K", `N = ${formatNumber(p.x)}`, `${q} = ${formatNumber(/** @type {number} */ (p.y))}`];
  return ["predicted", `N = ${formatNumber(p.x)}`,
    `${q} ${formatNumber(p.median)} (${formatLevel(m.ci_prob)}: ${formatInterval(/** @type {number} */ (p.lower), /** @type {number} */ (p.upper))})`];
}

/**
 * Render the view into `el`; returns the cleanup.
 * @param {{ model: any, el: HTMLElement }} ctx
 * @returns {() => void}
 */
export function renderPassUntil({ model, el }) {
  const frame = new ViewFrame(el, "bs-passuntil");
  const { doc, d, root, chart, legend } = frame;
  const tooltip = createTooltip(chart);
  root.append(chart, legend);
  el.appendChild(root);

  const stack = createStack(chart, "bs-pu-panel", "bs-f-panel");
  const { top, bottom } = stack;
  const instG = top.body.append("g").attr("class", "bs-instances");
  const bandT = top.body.append("path").attr("class", "bs-band bs-pu-band");
  const medT = top.body.append("path").attr("class", "bs-median bs-pu-median");
  const obsT = top.body.append("g").attr("class", "bs-points");
  const predT = top.body.append("g").attr("class", "bs-predicted");
  const bandB = bottom.body.append("path").attr("class", "bs-band bs-f-band");
  const medB = bottom.body.append("path").attr("class", "bs-median bs-f-median");
  const obsB = bottom.body.append("g").attr("class", "bs-points");
  const predB = bottom.body.append("g").attr("class", "bs-predicted");
  const label = bottom.g.append("text").attr("class", "bs-axis-label bs-emergence")
    .attr("text-anchor", "end");

  /** Scales and offsets of the last draw, for hover. */
  let drawn = { scales: /** @type {any[]} */ ([]), tops: [0, 0] };

  function draw() {
    tooltip.hide();
    const m = passUntilSnapshot(model);
    const { pw, ph1, ph2, top1, top2 } = stack.size(frame.width(m.width), m.height,
      { share: 0.58, minTop: 80, minBottom: 60 });
    const grid = m.grid_n;
    const xDomain = paddedDomain([...grid, ...m.observed.map((p) => p.x), ...m.predicted.map((p) => p.x)], true, 0.02);

    // top: PU on log axes
    const tb = isBand(m.task_band) ? m.task_band : null;
    const pus = [...m.task_median, ...m.observed.map((p) => p.y)];
    if (tb) pus.push(...tb.lower, ...tb.upper);
    for (const r of m.predicted) pus.push(r.lower, r.upper);
    const a = top.layout({
      top: top1, pw, ph: ph1, xLog: true, yLog: true, xDomain,
      yDomain: paddedDomain(pus.filter((v) => v > 1e-30), true, 0.05), xText: "",
      yText: "PU", xTickLabels: false, // the bottom panel labels the shared N axis once
    });
    instG.selectAll("path.bs-instance").data(m.instances).join("path").attr("class", "bs-instance")
      .attr("d", (/** @type {any} */ s) => linePath(grid, s.median, a.xs, a.ys, true, true))
      .style("fill", "none").style("stroke", "var(--bs-fg2)").style("stroke-width", "0.8px")
      .style("stroke-opacity", 0.35);
    bandT.attr("d", tb ? bandPath(grid, tb.lower, tb.upper, a.xs, a.ys, true, true) : "");
    medT.attr("d", linePath(grid, m.task_median, a.xs, a.ys, true, true));
    drawObserved(obsT, m.observed, a.xs, a.ys, true);
    drawPredicted(predT, m.predicted, a.xs, a.ys, true);
    stack.noData(!grid.length);

    // bottom: F = log(-log PU) against log N
    const fb = isBand(m.f_band) ? m.f_band : null;
    const fs = [...m.f_median, ...m.f_observed.map((p) => p.y)];
    if (fb) fs.push(...fb.lower, ...fb.upper);
    for (const r of m.f_predicted) fs.push(r.lower, r.upper);
    const b = bottom.layout({
      top: top2, pw, ph: ph2, xLog: true, yLog: false, xDomain,
      yDomain: paddedDomain(fs, false, 0.06), xText: "N", yText: "log(−log PU)",
    });
    bandB.attr("d", fb ? bandPath(grid, fb.lower, fb.upper, b.xs, b.ys, true, false) : "");
    medB.attr("d", linePath(grid, m.f_median, b.xs, b.ys, true, false));
    drawObserved(obsB, m.f_observed, b.xs, b.ys, false);
    drawPredicted(predB, m.f_predicted, b.xs, b.ys, false);
    label.attr("x", pw - 4).attr("y", 14).text(emergenceText(m.emergence));
    drawn = { scales: [a, b], tops: [top1, top2] };
    renderPULegend(doc, legend, m);
  }

  // Hover: the nearest observed or predicted point within 8 px, else the nearest grid N.
  hoverPanels(d, tooltip, [top, bottom].map((panel, k) => ({ panel, top: () => drawn.tops[k] })),
    (k, px, py) => {
      const s = drawn.scales[k];
      if (!s) return { lines: [], x: null };
      const m = passUntilSnapshot(model);
      const pts = k === 0 ? [...m.observed, ...m.predicted] : [...m.f_observed, ...m.f_predicted];
      let best = null;
      let bestD = 64;
      for (const p of pts) {
        const y = /** @type {any} */ (p).median ?? /** @type {any} */ (p).y;
        if (!(p.x > 0) || !Number.isFinite(y) || (k === 0 && !(y > 0))) continue;
        const dd = (s.xs(p.x) - px) ** 2 + (s.ys(y) - py) ** 2;
        if (dd < bestD) { bestD = dd; best = p; }
      }
      if (best) return { lines: puPointLines(m, k, best), x: null };
      const i = nearestIndex(m.grid_n, s.xs.invert(px), true);
      return { lines: puTooltipLines(m, k, i), x: i >= 0 ? s.xs(m.grid_n[i]) : null };
    });

  d.onModel(model, "msg:custom", (/** @type {any} */ msg) => {
    if (msg?.type === "export") {
      answerExport(model, /** @type {SVGSVGElement} */ (stack.svg.node()), msg,
        { title: "PassUntil: task pass rate PU(N)", legend });
    }
  });
  return frame.start(model, { traits: PASSUNTIL_TRAITS, theme: () => passUntilSnapshot(model).theme, draw });
}

/**
 * Legend of the PassUntil view.
 * @param {Document} doc @param {HTMLElement} legend @param {PassUntilModel} m
 */
function renderPULegend(doc, legend, m) {
  /** @type {import("./view.js").LegendEntry[]} */
  const entries = [
    { text: "task median", key: "bs-key bs-key-median" },
    { text: `task ${formatLevel(m.ci_prob)}`, key: "bs-key bs-key-band" },
  ];
  if (m.instances.length) {
    entries.push({ text: `instances (${m.instances.length})`, key: "bs-key",
      style: { height: "0", borderTop: "1px solid var(--bs-fg2)" } });
  }
  if (m.observed.length) entries.push({ text: "r/K", key: "bs-key bs-key-point" });
  if (m.predicted.length) {
    const ns = m.predicted.map((r) => formatNumber(r.x)).join(", ");
    entries.push({ text: `predicted at N = ${ns}`, key: "bs-key",
      style: { width: "7px", height: "7px", borderRadius: "50%", background: "var(--bs-target)" } });
  }
  fillLegend(doc, legend, entries);
}
