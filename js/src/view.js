// The frame and lifecycle shared by every view: root/chart/legend elements, the width
// to draw at, redraw on trait changes and resize, theme following, cleanup, legend.
import { Disposer, h } from "./dom.js";
import { followTheme } from "./theme.js";

/**
 * A legend entry: the swatch's class and inline style, and the text after it.
 * @typedef {{ text: string, key: string, style?: Record<string, string> }} LegendEntry
 */

/** The frame of one rendered view. */
export class ViewFrame {
  /**
   * Create the Disposer and `div.bs-root.<cls>` with its chart and legend divs (not yet
   * attached; the view places them and appends `root` to `el`).
   * @param {HTMLElement} el the element anywidget renders into
   * @param {string} cls class naming the view, e.g. "bs-crossover"
   */
  constructor(el, cls) {
    this.el = el;
    /** @type {Document} */
    this.doc = el.ownerDocument;
    this.d = new Disposer();
    this.root = h(this.doc, "div", `bs-root ${cls}`);
    this.chart = h(this.doc, "div", "bs-chart");
    this.legend = h(this.doc, "div", "bs-legend");
    /** Width last reported by the ResizeObserver (0 before any). */
    this.observedWidth = 0;
  }

  /**
   * Width to draw at: `requested` (the `width` trait) when > 0, else the observed width,
   * else the element's, else 640; at least 320.
   * @param {number} [requested]
   * @returns {number}
   */
  width(requested = 0) {
    if (requested > 0) return Math.max(320, requested);
    return Math.max(320, this.observedWidth || this.el.clientWidth || 640);
  }

  /**
   * Start the view: redraw on each of `traits`, follow the `theme` trait and the page
   * theme, redraw when `el` changes width by more than a pixel, and draw once.
   * @param {any} model the anywidget model
   * @param {{ traits: string[], theme: () => string, draw: () => void }} o
   * @returns {() => void} the cleanup: disposes every listener, then removes `root`
   */
  start(model, o) {
    const d = this.d;
    for (const name of o.traits) d.onModel(model, `change:${name}`, o.draw);
    const theme = followTheme(this.root, o.theme);
    d.add(() => theme.dispose());
    d.onModel(model, "change:theme", theme.update);
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (w > 0 && Math.abs(w - this.observedWidth) > 1) { this.observedWidth = w; o.draw(); }
      });
      ro.observe(this.el);
      d.add(() => ro.disconnect());
    }
    o.draw();
    return () => {
      d.dispose();
      this.root.remove();
    };
  }
}

/**
 * Fill `legend` with one `span.bs-legend-item` per entry: a key swatch, then the text.
 * @param {Document} doc
 * @param {HTMLElement} legend
 * @param {LegendEntry[]} entries
 */
export function fillLegend(doc, legend, entries) {
  legend.replaceChildren(...entries.map(({ text, key, style = {} }) => {
    const it = h(doc, "span", "bs-legend-item");
    const swatch = h(doc, "span", key);
    Object.assign(swatch.style, style);
    it.append(swatch, doc.createTextNode(text));
    return it;
  }));
}
