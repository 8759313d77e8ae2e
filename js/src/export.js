// Export the chart as a standalone SVG (computed styles inlined, since the live chart is
// styled by CSS variables) or as a PNG drawn from that SVG.

const STYLE_PROPS = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
  "opacity", "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline",
  "display", "visibility",
];

/**
 * Serialise `svg` with the computed style of every element inlined.
 * @param {SVGSVGElement} svg
 * @returns {string}
 */
export function svgString(svg) {
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
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.querySelectorAll(".bs-target-hit, .bs-overlay").forEach((n) => n.remove());
  return new XMLSerializer().serializeToString(clone);
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
 * Answer an export request ({type: "export", format, id}) with a message to Python:
 * {type: "export", id, format, data} or {type: "export", id, format, error}.
 * @param {{ send: Function }} model
 * @param {SVGSVGElement} svg
 * @param {{ format?: string, id?: string }} msg
 */
export async function answerExport(model, svg, msg) {
  const format = msg.format === "png" ? "png" : "svg";
  try {
    const text = svgString(svg);
    const data = format === "svg"
      ? text
      : await pngBase64(text, Number(svg.getAttribute("width")), Number(svg.getAttribute("height")));
    model.send({ type: "export", id: msg.id ?? null, format, data });
  } catch (err) {
    model.send({ type: "export", id: msg.id ?? null, format, error: String(err) });
  }
}
