// The extrapolation view: nested bands (of new observations or of the mean curve, as
// the legend says) and the posterior median over a grid reaching past the data, the
// region beyond the data shaded, observed and held-out points, a draggable/typed target
// with its predicted interval, hover tooltip, zoom/pan with reset, log-y toggle, legend.
// Model: ./model.js ExtrapolationModel <-> src/bayescale/widgets/extrapolation.py.
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import { createAxes, sizeSvg } from "./axes.js";
import { createToolbar, dataEnd, renderLegend } from "./controls.js";
import { answerExport } from "./export.js";
import { drawCurves, drawPoints, drawTarget } from "./layers.js";
import { HomeRange, homeDomains, makeScale, nearestIndex, ticks } from "./scales.js";
import { createTooltip, pointLines, tooltipLines } from "./tooltip.js";
import { ViewFrame } from "./view.js";
import { uid } from "./dom.js";

/** Traits whose change redraws the view. */
export const TRAITS = [
  "x_label", "y_label", "log_x", "log_y", "grid_x", "median", "bands", "ci_levels", "points",
  "heldout_points", "target_x", "target_readout", "height", "inputs", "slice_mode",
  "slice_input", "slice_value", "status", "band_label", "width", "band_kind", "band_kinds",
];
/** Traits that move the automatic home range (used while x_domain/y_domain are []). */
const REHOME = ["log_x", "log_y", "grid_x", "median", "bands", "points", "heldout_points"];
const MARGIN = { top: 12, right: 18, bottom: 42, left: 60 };

/**
 * Read every synced trait into a plain object.
 * @param {import("./model.js").AnyModel<import("./model.js").ExtrapolationModel>} model
 * @returns {import("./model.js").ExtrapolationModel}
 */
export function snapshot(model) {
  const g = (/** @type {any} */ k, /** @type {any} */ dflt) => model.get(k) ?? dflt;
  return {
    _view: "extrapolation", x_label: g("x_label", "x"), y_label: g("y_label", "y"),
    log_x: !!g("log_x", true), log_y: !!g("log_y", false), grid_x: g("grid_x", []),
    median: g("median", []), bands: g("bands", []), ci_levels: g("ci_levels", []),
    points: g("points", []), heldout_points: g("heldout_points", []),
    target_x: g("target_x", null), target_readout: g("target_readout", {}),
    x_domain: g("x_domain", []), y_domain: g("y_domain", []), theme: g("theme", "auto"),
    height: g("height", 360), width: g("width", 0), inputs: g("inputs", []), slice_mode: g("slice_mode", ""),
    slice_input: g("slice_input", ""), slice_value: g("slice_value", null), status: g("status", ""),
    band_label: g("band_label", ""), band_kind: g("band_kind", ""), band_kinds: g("band_kinds", []),
  };
}

/** @param {number} v @param {number} digits */
const roundSig = (v, digits) => Number(v.toPrecision(digits));

/**
 * Render the view into `el`; returns the cleanup.
 * @param {{ model: import("./model.js").AnyModel<import("./model.js").ExtrapolationModel>, el: HTMLElement }} ctx
 * @returns {() => void}
 */
export function renderExtrapolation({ model, el }) {
  const frame = new ViewFrame(el, "bs-extrapolation");
  const { doc, d, root, chart, legend } = frame;
  const tooltip = createTooltip(chart);
  const clipId = uid("bs-clip");

  let transform = zoomIdentity;
  /** The range shown at identity zoom, and the one "reset zoom" goes back to. */
  const range = new HomeRange(homeDomains(snapshot(model)));
  /** @type {number | null} */ let dragX = null;
  let selfUpdate = false;
  /** Domains this view sent; their echoes (ipywidgets 8 echoes updates back) are stale. */
  const ownDomains = new Set();
  let programmatic = false;
  let xs = makeScale(true, [1, 10], [0, 1]);
  let ys = makeScale(false, [0, 1], [1, 0]);

  const svg = select(chart).append("svg").attr("class", "bs-svg");
  const clipRect = svg.append("defs").append("clipPath").attr("id", clipId).append("rect");
  const plot = svg.append("g").attr("class", "bs-plot");
  const axes = createAxes(plot);
  const clipped = plot.append("g").attr("clip-path", `url(#${clipId})`);
  const beyond = clipped.append("rect").attr("class", "bs-beyond");
  const curves = clipped.append("g").attr("class", "bs-curves");
  const hoverLine = clipped.append("line").attr("class", "bs-hover-line").style("display", "none");
  const pointsG = clipped.append("g").attr("class", "bs-points");
  const heldG = clipped.append("g").attr("class", "bs-heldouts");
  const targetG = clipped.append("g").attr("class", "bs-target");
  targetG.append("line").attr("class", "bs-target-line");
  targetG.append("line").attr("class", "bs-target-interval");
  targetG.append("circle").attr("class", "bs-target-median");
  const overlay = plot.append("rect").attr("class", "bs-overlay");
  const targetHit = plot.append("g").attr("class", "bs-target-handle")
    .append("rect").attr("class", "bs-target-hit");
  const empty = plot.append("text").attr("class", "bs-empty").attr("text-anchor", "middle");

  const toolbar = createToolbar(doc, d, {
    onTarget(x) {
      model.set("target_x", x);
      model.save_changes();
    },
    onReset() {
      // Back to the range shown before any gesture, exactly; not the extent of the
      // current grid, which Python widened after a zoom-out.
      range.reset();
      resetZoom();
      sendDomains(range.home.x, range.home.y);
    },
    logX: () => !!model.get("log_x"),
    onBandKind(kind) {
      model.set("band_kind", kind);
      model.save_changes();
    },
    onLogY(log) {
      // a y range zoomed on the other scale means nothing on this one: back to automatic
      model.set("y_domain", []);
      model.set("log_y", log);
      model.save_changes();
    },
    onSlice(mode, input, value) {
      model.set("slice_mode", /** @type {any} */ (mode));
      if (mode === "fixed") model.set("slice_input", input);
      if (value != null) model.set("slice_value", value);
      model.save_changes();
    },
  });
  root.append(toolbar.el, chart, legend);
  el.appendChild(root);

  const size = () => {
    const m = snapshot(model);
    const w = frame.width(m.width);
    return { w, hgt: m.height, pw: w - MARGIN.left - MARGIN.right, ph: m.height - MARGIN.top - MARGIN.bottom };
  };

  function draw() {
    const m = snapshot(model);
    const { w, hgt, pw, ph } = size();
    sizeSvg(svg, w, hgt);
    clipRect.attr("width", pw).attr("height", ph);
    plot.attr("transform", `translate(${MARGIN.left},${MARGIN.top})`);
    xs = makeScale(m.log_x, range.home.x, [0, pw]);
    ys = makeScale(m.log_y, range.home.y, [ph, 0]);
    if (transform !== zoomIdentity) { // rescaling even by identity would round the domain
      xs = transform.rescaleX(xs);
      ys = transform.rescaleY(ys);
    }
    // the drawn ranges, for tests and for anyone reading the page
    svg.attr("data-x-domain", JSON.stringify(xs.domain())).attr("data-y-domain", JSON.stringify(ys.domain()));
    const xt = ticks(xs, m.log_x, Math.max(2, Math.round(pw / 90)));
    const yt = ticks(ys, m.log_y, Math.max(2, Math.round(ph / 50)));
    axes.draw(xs, ys, { pw, ph, xt, yt, xText: m.x_label, yText: m.y_label, xLabelGap: 34 });
    const end = dataEnd(m);
    const endPx = end == null ? pw : Math.max(0, Math.min(pw, xs(end)));
    beyond.style("display", endPx < pw ? null : "none")
      .attr("x", endPx).attr("y", 0).attr("width", Math.max(0, pw - endPx)).attr("height", ph)
      .attr("data-from", end == null ? null : end);
    drawCurves(curves, m, xs, ys);
    const opts = { logX: m.log_x, logY: m.log_y };
    drawPoints(pointsG, m.points, "bs-point", xs, ys, opts);
    drawPoints(heldG, m.heldout_points, "bs-heldout", xs, ys, opts);
    const shown = dragX ?? m.target_x;
    drawTarget(targetG, m, shown, xs, ys, ph);
    const showHit = shown != null && (!m.log_x || shown > 0);
    targetHit.style("display", showHit ? null : "none")
      .attr("x", showHit ? xs(shown) - 6 : 0).attr("y", 0).attr("width", 12).attr("height", ph);
    overlay.attr("width", pw).attr("height", ph);
    const nothing = !m.grid_x.length && !m.points.length && !m.heldout_points.length;
    empty.attr("x", pw / 2).attr("y", ph / 2).text(nothing ? "no data to show" : "");
    toolbar.update(m, shown);
    renderLegend(doc, legend, m);
  }

  function resetZoom() {
    programmatic = true;
    overlay.call(zoomer.transform, zoomIdentity);
    programmatic = false;
    transform = zoomIdentity;
    draw();
  }

  // After a gesture the visible range becomes the new home (identity transform), and
  // goes to Python as x_domain/y_domain, which may answer with a wider grid.
  function reportDomains() {
    const x = xs.domain().map((/** @type {number} */ v) => roundSig(v, 6));
    const y = ys.domain().map((/** @type {number} */ v) => roundSig(v, 6));
    sendDomains(x, y);
    range.gesture({ x, y });
    resetZoom();
  }

  /** Send x_domain/y_domain to Python, remembering them to recognise their echoes. */
  function sendDomains(/** @type {number[]} */ x, /** @type {number[]} */ y) {
    for (const v of [x, y]) ownDomains.add(JSON.stringify(v));
    while (ownDomains.size > 40) ownDomains.delete(ownDomains.values().next().value);
    selfUpdate = true;
    model.set("x_domain", x.slice());
    model.set("y_domain", y.slice());
    model.save_changes();
    selfUpdate = false;
  }

  /** Whether the model's x_domain/y_domain are ranges this view sent. */
  const ownRange = (/** @type {import("./model.js").ExtrapolationModel} */ m) =>
    ownDomains.has(JSON.stringify(m.x_domain)) && ownDomains.has(JSON.stringify(m.y_domain));

  const zoomer = zoom()
    .scaleExtent([1 / 50, 1e5])
    .extent(() => { const { pw, ph } = size(); return [[0, 0], [pw, ph]]; })
    .filter((/** @type {any} */ ev) => (!ev.ctrlKey || ev.type === "wheel") && !ev.button)
    .on("zoom", (/** @type {any} */ ev) => {
      transform = ev.transform;
      tooltip.hide();
      draw();
    })
    .on("end", () => {
      if (!programmatic) reportDomains();
    });
  overlay.call(/** @type {any} */ (zoomer));
  d.add(() => overlay.on(".zoom", null));

  // Hover: nearest point within 8 px, else the nearest grid value.
  const local = (/** @type {PointerEvent} */ ev, /** @type {Element} */ node) => {
    const r = node.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  };
  d.listen(/** @type {Element} */ (overlay.node()), "pointermove", (/** @type {PointerEvent} */ ev) => {
    const m = snapshot(model);
    const [px, py] = local(ev, /** @type {Element} */ (overlay.node()));
    let best = null;
    let bestD = 64;
    for (const [list, held] of /** @type {const} */ ([[m.points, false], [m.heldout_points, true]])) {
      for (const p of list) {
        const dd = (xs(p.x) - px) ** 2 + (ys(p.y) - py) ** 2;
        if (dd < bestD) { bestD = dd; best = { p, held }; }
      }
    }
    let lines;
    if (best) {
      lines = pointLines(m, best.p, best.held);
      hoverLine.style("display", "none");
    } else {
      const i = nearestIndex(m.grid_x, xs.invert(px), m.log_x);
      lines = tooltipLines(m, i);
      const gx = i >= 0 ? xs(m.grid_x[i]) : 0;
      hoverLine.style("display", i >= 0 ? null : "none").attr("x1", gx).attr("x2", gx)
        .attr("y1", 0).attr("y2", size().ph);
    }
    tooltip.show(lines, MARGIN.left + px, MARGIN.top + py);
  });
  d.listen(/** @type {Element} */ (overlay.node()), "pointerleave", () => {
    tooltip.hide();
    hoverLine.style("display", "none");
  });

  // Dragging the target.
  const hit = /** @type {Element} */ (targetHit.node());
  let dragging = false;
  d.listen(hit, "pointerdown", (/** @type {PointerEvent} */ ev) => {
    dragging = true;
    ev.stopPropagation();
    /** @type {any} */ (hit).setPointerCapture?.(ev.pointerId);
  });
  d.listen(hit, "pointermove", (/** @type {PointerEvent} */ ev) => {
    if (!dragging) return;
    const [px] = local(ev, /** @type {Element} */ (overlay.node()));
    const x = xs.invert(Math.min(Math.max(px, 0), size().pw));
    if (Number.isFinite(x)) { dragX = roundSig(x, 3); draw(); }
  });
  const endDrag = () => {
    if (!dragging) return;
    dragging = false;
    if (dragX != null) {
      model.set("target_x", dragX);
      dragX = null;
      model.save_changes();
    }
    draw();
  };
  d.listen(hit, "pointerup", endDrag);
  d.listen(hit, "pointercancel", endDrag);

  // Model changes.
  // New data: a range Python chose (automatic or set) becomes the one reset returns to;
  // a regrid answering this view's own zoom keeps the old one.
  const rehome = () => {
    const m = snapshot(model);
    range.follow(homeDomains(m), ownRange(m));
    draw();
  };
  for (const name of REHOME) d.onModel(model, `change:${name}`, rehome);
  const onDomain = () => {
    if (selfUpdate) return;
    const m = snapshot(model);
    if (ownRange(m)) return;
    range.follow(homeDomains(m), false);
    resetZoom();
  };
  d.onModel(model, "change:x_domain", onDomain);
  d.onModel(model, "change:y_domain", onDomain);
  d.onModel(model, "msg:custom", (/** @type {any} */ msg) => {
    if (msg?.type !== "export") return;
    const m = snapshot(model);
    answerExport(model, /** @type {SVGSVGElement} */ (svg.node()), msg,
      { title: `${m.y_label} against ${m.x_label}`, legend });
  });

  const redraw = TRAITS.filter((name) => !REHOME.includes(name));
  return frame.start(model, { traits: redraw, theme: () => snapshot(model).theme, draw });
}
