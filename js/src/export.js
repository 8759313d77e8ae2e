// Export the chart as a standalone SVG (computed styles inlined, since the live chart is
// styled by CSS variables) or as a PNG drawn from that SVG, with a title above the plot
// and the view's legend (swatches and texts, as the page shows them) below it.

const SVG_NS = "http://www.w3.org/2000/svg";
const TITLE_H = 24;
const ROW_H = 18;
/** Approximate advance of one legend character at 11px (no layout in a detached SVG). */
const CHAR_W = 6.2;

const STYLE_PROPS = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
  "opacity", "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline",
  "display", "visibility",
];

/**
 * A legend entry as the page draws it: its text and how its swatch looks.
 * @typedef {{ text: string, shape: "line" | "dot" | "diamond" | "box", colour: string,
 *   opacity: number, dashed: boolean }} ExportKey
 */

/** @param {string} c a computed colour @returns {boolean} */
const visible = (c) => !!c && c !== "transparent" && !/rgba\(.*,\s*0\)$/.test(c);

/**
 * Read the legend entries of a view's legend element (`.bs-legend-item`s, each a swatch
 * span then its text), with the swatch's computed colours.
 * @param {HTMLElement | null | undefined} legend
 * @returns {ExportKey[]}
 */
export function legendKeys(legend) {
  if (!legend) return [];
  const view = legend.ownerDocument.defaultView;
  return [...legend.querySelectorAll(".bs-legend-item")].map((item) => {
    const swatch = /** @type {HTMLElement | null} */ (item.firstElementChild);
    const cs = swatch && view ? view.getComputedStyle(swatch) : null;
    const cls = swatch?.className ?? "";
    const line = /bs-key-(median|target)|bs-key-line/.test(cls)
      || (!!cs && parseFloat(cs.height) <= 2 && parseFloat(cs.borderTopWidth) > 0);
    const dot = /bs-key-point/.test(cls) || (cs?.borderRadius ?? "").includes("50%");
    const diamond = /bs-key-heldout/.test(cls);
    const bg = cs?.backgroundColor ?? "";
    const border = cs?.borderTopColor ?? "";
    const colour = line || diamond ? (visible(border) ? border : "currentColor")
      : (visible(bg) ? bg : "currentColor");
    return {
      text: item.textContent ?? "",
      shape: line ? "line" : diamond ? "diamond" : dot ? "dot" : "box",
      colour,
      opacity: cs && cs.opacity !== "" ? Number(cs.opacity) : 1,
      dashed: /dash/.test(cs?.borderTopStyle ?? "") || /bs-key-target/.test(cls),
    };
  });
}

/**
 * Lay legend entries out in rows that fit `width`: the x of each entry and its row.
 * @param {ExportKey[]} keys
 * @param {number} width
 * @returns {{ x: number, row: number }[]}
 */
export function legendLayout(keys, width) {
  let x = 0;
  let row = 0;
  return keys.map((k) => {
    const w = 22 + k.text.length * CHAR_W + 14;
    if (x > 0 && x + w > width) { x = 0; row += 1; }
    const at = { x, row };
    x += w;
    return at;
  });
}

/**
 * Make an SVG element.
 * @param {Document} doc
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
function el(doc, tag, attrs) {
  const e = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * Put a title above and the legend below the chart in `clone` (in place).
 * @param {SVGSVGElement} clone
 * @param {{ title?: string, keys?: ExportKey[], colour?: string, font?: string }} o
 */
function frame(clone, o) {
  const doc = clone.ownerDocument;
  const w = Number(clone.getAttribute("width")) || 640;
  const h = Number(clone.getAttribute("height")) || 360;
  const keys = o.keys ?? [];
  const place = legendLayout(keys, w - 24);
  const rows = keys.length ? Math.max(...place.map((p) => p.row)) + 1 : 0;
  const top = o.title ? TITLE_H : 0;
  const total = top + h + rows * ROW_H + (rows ? 8 : 0);
  const chart = el(doc, "g", { class: "bs-export-chart", transform: `translate(0,${top})` });
  chart.append(...[...clone.childNodes]);
  clone.append(chart);
  const text = { fill: o.colour || "currentColor", "font-family": o.font || "sans-serif" };
  if (o.title) {
    const t = el(doc, "text", { class: "bs-export-title", x: w / 2, y: 16, "text-anchor": "middle",
      "font-size": 13, "font-weight": 600, ...text });
    t.textContent = o.title;
    clone.append(t);
  }
  if (keys.length) {
    const g = el(doc, "g", { class: "bs-export-legend", transform: `translate(12,${top + h + 4})` });
    keys.forEach((k, i) => {
      const { x, row } = place[i];
      const y = row * ROW_H + ROW_H / 2;
      const item = el(doc, "g", { class: "bs-export-key", transform: `translate(${x},${y})` });
      const paint = { opacity: k.opacity };
      if (k.shape === "line") {
        item.append(el(doc, "line", { x1: 0, x2: 16, y1: 0, y2: 0, stroke: k.colour, "stroke-width": 2,
          ...(k.dashed ? { "stroke-dasharray": "4 3" } : {}), ...paint }));
      } else if (k.shape === "dot") {
        item.append(el(doc, "circle", { cx: 8, cy: 0, r: 3.5, fill: k.colour, ...paint }));
      } else if (k.shape === "diamond") {
        item.append(el(doc, "rect", { x: 4.5, y: -3.5, width: 7, height: 7, fill: "none", stroke: k.colour,
          "stroke-width": 1.6, transform: "rotate(45 8 0)", ...paint }));
      } else {
        item.append(el(doc, "rect", { x: 0, y: -5, width: 16, height: 10, fill: k.colour, ...paint }));
      }
      const label = el(doc, "text", { x: 22, y: 4, "font-size": 11, ...text });
      label.textContent = k.text;
      item.append(label);
      g.append(item);
    });
    clone.append(g);
  }
  clone.setAttribute("height", String(total));
  clone.setAttribute("viewBox", `0 0 ${w} ${total}`);
}

/**
 * The colour the page paints behind `svg`: the first visible computed background of the
 * svg or an ancestor (the view, the notebook cell, JupyterLab's theme), or "" if none.
 * @param {SVGSVGElement} svg
 * @returns {string}
 */
export function pageBackground(svg) {
  const view = svg.ownerDocument.defaultView;
  for (let n = /** @type {Element | null} */ (svg); n && view; n = n.parentElement) {
    const c = view.getComputedStyle(n).backgroundColor;
    if (visible(c)) return c;
  }
  return "";
}

/**
 * Serialise `svg` with the computed style of every element inlined, and, when given, a
 * title above the chart and legend entries below it.
 * @param {SVGSVGElement} svg
 * @param {{ title?: string, legend?: HTMLElement | null }} [extras]
 * @returns {string}
 */
export function svgString(svg, extras = {}) {
  return svgImage(svg, extras).text;
}

/**
 * The standalone SVG of `svgString` with its size in pixels.
 * @param {SVGSVGElement} svg
 * @param {{ title?: string, legend?: HTMLElement | null }} [extras]
 * @returns {{ text: string, width: number, height: number }}
 */
export function svgImage(svg, extras = {}) {
  const view = svg.ownerDocument.defaultView;
  const clone = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
  const src = [svg, ...svg.querySelectorAll("*")];
  const dst = [clone, ...clone.querySelectorAll("*")];
  src.forEach((el, i) => {
    const cs = view?.getComputedStyle(el);
    if (!cs) return;
    const decl = STYLE_PROPS.map((p) => [p, cs.getPropertyValue(p)])
      .filter(([, v]) => v !== "" && v != null)
      .map(([p, v]) => `${p}:${v}`)
      .join(";");
    if (decl) dst[i].setAttribute("style", decl);
  });
  // a namespace declaration, not a plain attribute: serialisers then write it once
  clone.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns", SVG_NS);
  clone.querySelectorAll(".bs-target-hit, .bs-overlay").forEach((n) => n.remove());
  const keys = legendKeys(extras.legend);
  if (extras.title || keys.length) {
    const cs = view?.getComputedStyle(svg);
    frame(clone, { title: extras.title, keys, colour: cs?.color, font: cs?.fontFamily });
  }
  const bg = pageBackground(svg);
  if (bg) {
    // the page's background behind the image: a dark-theme export is otherwise light text
    // on a transparent ground, unreadable in a light viewer or document
    const w = Number(clone.getAttribute("width")) || 640;
    const h = Number(clone.getAttribute("height")) || 360;
    clone.insertBefore(el(clone.ownerDocument, "rect", { class: "bs-export-bg", x: 0, y: 0,
      width: w, height: h, fill: bg }), clone.firstChild);
  }
  return { text: new XMLSerializer().serializeToString(clone),
    width: Number(clone.getAttribute("width")), height: Number(clone.getAttribute("height")) };
}

/**
 * Draw an SVG string onto a canvas and return the PNG as base64 (no data: prefix).
 * @param {string} svgText
 * @param {number} width
 * @param {number} height
 * @param {number} [scale] pixel ratio
 * @returns {Promise<string>}
 */
export function pngBase64(svgText, width, height, scale = 2) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
    img.onload = () => {
      try {
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0, width, height);
        resolve(canvas.toDataURL("image/png").split(",")[1]);
      } catch (err) {
        reject(err);
      } finally {
        URL.revokeObjectURL(url);
      }
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("the SVG could not be rasterised"));
    };
    img.src = url;
  });
}

/**
 * Answer an export request ({type: "export", format, id, title}) with a message to Python:
 * {type: "export", id, format, data} or {type: "export", id, format, error}. The image
 * carries `msg.title` (else `extras.title`) above the chart and the legend below it.
 * @param {{ send: Function }} model
 * @param {SVGSVGElement} svg
 * @param {{ format?: string, id?: string, title?: string }} msg
 * @param {{ title?: string, legend?: HTMLElement | null }} [extras]
 */
export async function answerExport(model, svg, msg, extras = {}) {
  const format = msg.format === "png" ? "png" : "svg";
  try {
    const image = svgImage(svg, { ...extras, title: msg.title || extras.title });
    const data = format === "svg" ? image.text : await pngBase64(image.text, image.width, image.height);
    model.send({ type: "export", id: msg.id ?? null, format, data });
  } catch (err) {
    model.send({ type: "export", id: msg.id ?? null, format, error: String(err) });
  }
}
