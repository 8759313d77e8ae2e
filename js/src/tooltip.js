// Hover tooltip: text from the model at a grid index, and a positioned <div>.
import { formatNumber, formatInterval, formatLevel } from "./format.js";

/**
 * Lines of the tooltip at grid index `i` (widest band last).
 * @param {import("./model.js").ExtrapolationModel} m
 * @param {number} i
 * @returns {string[]}
 */
export function tooltipLines(m, i) {
  if (i < 0 || i >= m.grid_x.length) return [];
  const xName = m.x_label || "x";
  const yName = m.y_label || "y";
  const lines = [`${xName} = ${formatNumber(m.grid_x[i])}`];
  if (Number.isFinite(m.median[i])) lines.push(`median ${yName} = ${formatNumber(m.median[i])}`);
  for (const b of [...m.bands].sort((a, c) => a.level - c.level)) {
    if (Number.isFinite(b.lower[i]) && Number.isFinite(b.upper[i])) {
      lines.push(`${formatLevel(b.level)}: ${formatInterval(b.lower[i], b.upper[i])}`);
    }
  }
  return lines;
}

/**
 * Lines of the tooltip for an observed or held-out point.
 * @param {import("./model.js").ExtrapolationModel} m
 * @param {import("./model.js").Point} p
 * @param {boolean} heldout
 * @returns {string[]}
 */
export function pointLines(m, p, heldout) {
  return [
    heldout ? "held-out point" : "observed point",
    `${m.x_label || "x"} = ${formatNumber(p.x)}`,
    `${m.y_label || "y"} = ${formatNumber(p.y)}`,
  ];
}

/**
 * A tooltip element inside `parent` (which must be positioned).
 * @param {HTMLElement} parent
 */
export function createTooltip(parent) {
  const el = parent.ownerDocument.createElement("div");
  el.className = "bs-tooltip";
  el.setAttribute("role", "tooltip");
  el.hidden = true;
  parent.appendChild(el);
  return {
    el,
    /**
     * @param {string[]} lines
     * @param {number} left px within parent
     * @param {number} top px within parent
     */
    show(lines, left, top) {
      if (!lines.length) return this.hide();
      el.replaceChildren(...lines.map((t) => {
        const d = parent.ownerDocument.createElement("div");
        d.textContent = t;
        return d;
      }));
      el.hidden = false;
      const w = parent.clientWidth || 0;
      const flip = w > 0 && left > w * 0.6;
      el.style.left = flip ? "" : `${left + 12}px`;
      el.style.right = flip ? `${w - left + 12}px` : "";
      el.style.top = `${Math.max(0, top - 8)}px`;
    },
    hide() {
      el.hidden = true;
    },
  };
}
