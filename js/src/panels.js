// Stacked panels shared by the two-panel views (crossover, PassUntil): panel groups with
// axes and a clipped body, the stacked layout, and band/line paths on a grid.
import { area, line } from "d3-shape";
import { select } from "d3-selection";
import { createAxes, sizeSvg } from "./axes.js";
import { makeScale, ticks } from "./scales.js";
import { uid } from "./dom.js";

/** Margins of every panel inside the svg. */
export const MARGIN = { top: 10, right: 18, bottom: 40, left: 60 };
/** Vertical gap between the two stacked panels. */
const GAP = 16;

/** @param {number} v @param {boolean} log */
const ok = (v, log) => Number.isFinite(v) && (!log || v > 0);

/**
 * A panel: an SVG group with axes, gridlines and axis labels.
 * @param {any} svg d3 selection of the <svg>
 * @param {string} cls class of the panel group
 */
export function makePanel(svg, cls) {
  const g = svg.append("g").attr("class", `bs-plot ${cls}`);
  const axes = createAxes(g);
  const clipId = uid("bs-panel-clip");
  const clipRect = svg.append("clipPath").attr("id", clipId).append("rect");
  const body = g.append("g").attr("class", "bs-panel-body").attr("clip-path", `url(#${clipId})`);
  const hoverLine = body.append("line").attr("class", "bs-hover-line").style("display", "none");
  // catches the pointer for the tooltip; drawn over the body, under later additions
  const overlay = g.append("rect").attr("class", "bs-overlay");
  return {
    g, body, overlay,
    /**
     * Show the hover line at `x` px (null hides it).
     * @param {number | null} x
     */
    hover(x) {
      hoverLine.style("display", x == null ? "none" : null)
        .attr("x1", x ?? 0).attr("x2", x ?? 0).attr("y1", 0).attr("y2", Number(overlay.attr("height")) || 0);
    },
    /**
     * Lay the panel out and draw its axes; returns the scales.
     * @param {{ top: number, pw: number, ph: number, xLog: boolean, yLog: boolean,
     *   xDomain: number[], yDomain: number[], xText: string, yText: string,
     *   yValues?: number[], xTickLabels?: boolean }} o fixed y ticks with yValues; x ticks
     *   unlabelled with xTickLabels false (a panel stacked over another on the same x)
     */
    layout(o) {
      g.attr("transform", `translate(${MARGIN.left},${o.top})`);
      clipRect.attr("x", -6).attr("y", -6).attr("width", o.pw + 12).attr("height", o.ph + 12);
      const xs = makeScale(o.xLog, o.xDomain, [0, o.pw]);
      const ys = makeScale(o.yLog, o.yDomain, [o.ph, 0]);
      overlay.attr("width", o.pw).attr("height", o.ph);
      const xt = ticks(xs, o.xLog, Math.max(2, Math.round(o.pw / 90)));
      if (o.xTickLabels === false) xt.labels = xt.labels.map(() => "");
      const yt = o.yValues ? { values: o.yValues, labels: o.yValues.map(String) }
        : ticks(ys, o.yLog, Math.max(2, Math.round(o.ph / 40)));
      axes.draw(xs, ys, { pw: o.pw, ph: o.ph, xt, yt, xText: o.xText, yText: o.yText, xLabelGap: 32 });
      return { xs, ys };
    },
  };
}

/**
 * An svg.bs-svg in `chart` holding two stacked panels, g.bs-plot.<topCls> over
 * g.bs-plot.<bottomCls>; the top one carries the "no data to show" message.
 * @param {HTMLElement} chart
 * @param {string} topCls
 * @param {string} bottomCls
 */
export function createStack(chart, topCls, bottomCls) {
  const svg = select(chart).append("svg").attr("class", "bs-svg");
  const top = makePanel(svg, topCls);
  const bottom = makePanel(svg, bottomCls);
  const empty = top.g.append("text").attr("class", "bs-empty").attr("text-anchor", "middle");
  return {
    svg, top, bottom,
    /**
     * Size the svg to `w` × `height` and return the panels' sizes (see stackPanels).
     * @param {number} w @param {number} height
     * @param {{ share: number, minTop: number, minBottom: number }} o
     */
    size(w, height, o) {
      sizeSvg(svg, w, height);
      const s = stackPanels(w, height, o);
      empty.attr("x", s.pw / 2).attr("y", s.ph1 / 2);
      return s;
    },
    /**
     * Show "no data to show" in the top panel when `nothing`, else clear it.
     * @param {boolean} nothing
     */
    noData(nothing) {
      empty.text(nothing ? "no data to show" : "");
    },
  };
}

/**
 * Sizes of two panels stacked in an svg of `w` × `height`: the top panel takes `share`
 * of the plotting height (at least `minTop`), the bottom one the rest (at least `minBottom`).
 * @param {number} w @param {number} height
 * @param {{ share: number, minTop: number, minBottom: number }} o
 * @returns {{ pw: number, ph1: number, ph2: number, top1: number, top2: number }}
 *   plot width, panel heights and the y offsets of the two panels
 */
export function stackPanels(w, height, o) {
  const pw = w - MARGIN.left - MARGIN.right;
  const inner = height - 2 * (MARGIN.top + MARGIN.bottom) - GAP;
  const ph1 = Math.max(o.minTop, Math.round(inner * o.share));
  const ph2 = Math.max(o.minBottom, inner - ph1);
  return { pw, ph1, ph2, top1: MARGIN.top, top2: MARGIN.top + ph1 + MARGIN.bottom + GAP };
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
 * Wire hover on the panels of a stack: `lines(panel, px, py)` gives the tooltip text at
 * plot coordinates (px, py) of that panel ([] hides it) and the x of the hover line.
 * @param {import("./dom.js").Disposer} d
 * @param {{ show: Function, hide: Function }} tooltip from tooltip.js createTooltip
 * @param {Array<{ panel: any, top: () => number }>} panels each panel and its y offset
 * @param {(i: number, px: number, py: number) => { lines: string[], x: number | null }} at
 */
export function hoverPanels(d, tooltip, panels, at) {
  const hoverAll = (/** @type {number | null} */ x) => panels.forEach((p) => p.panel.hover(x));
  panels.forEach(({ panel, top }, i) => {
    const node = /** @type {Element} */ (panel.overlay.node());
    d.listen(node, "pointermove", (/** @type {PointerEvent} */ ev) => {
      const r = node.getBoundingClientRect();
      const px = ev.clientX - r.left;
      const py = ev.clientY - r.top;
      const { lines, x } = at(i, px, py);
      hoverAll(lines.length ? x : null);
      tooltip.show(lines, MARGIN.left + px, top() + py);
    });
    d.listen(node, "pointerleave", () => {
      tooltip.hide();
      hoverAll(null);
    });
  });
}
