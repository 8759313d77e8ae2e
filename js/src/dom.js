// Small DOM helpers. Every listener goes through a Disposer so that `render`'s cleanup
// removes exactly what it added.

export class Disposer {
  constructor() {
    /** @type {Array<() => void>} */
    this.fns = [];
  }

  /**
   * addEventListener, remembered for dispose().
   * @param {EventTarget} target
   * @param {string} type
   * @param {(ev: any) => void} fn
   * @param {AddEventListenerOptions | boolean} [opts]
   */
  listen(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.fns.push(() => target.removeEventListener(type, fn, opts));
  }

  /**
   * model.on, remembered for dispose() (model.off with the same callback).
   * @param {{ on: Function, off: Function }} model
   * @param {string} name
   * @param {Function} cb
   */
  onModel(model, name, cb) {
    model.on(name, cb);
    this.fns.push(() => model.off(name, cb));
  }

  /** @param {() => void} fn run at dispose() */
  add(fn) {
    this.fns.push(fn);
  }

  dispose() {
    for (const fn of this.fns.splice(0).reverse()) fn();
  }
}

/**
 * document.createElement with a class and optional text.
 * @param {Document} doc
 * @param {string} tag
 * @param {string} [cls]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function h(doc, tag, cls, text) {
  const el = doc.createElement(tag);
  if (cls) el.className = cls;
  if (text != null) el.textContent = text;
  return el;
}

/**
 * Parse a typed number ("1e24", "1.5e21", " 3000 "); NaN when it is not one.
 * @param {string} s
 * @returns {number}
 */
export function parseNumber(s) {
  const t = String(s).trim().replace(/[×x]\s*10\^/i, "e").replace(/\s+/g, "");
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
}

let idCounter = 0;

/**
 * An SVG id (clip path, gradient, marker) unique on the page. anywidget imports the
 * bundle afresh for each widget, so a module-level counter alone restarts at 1 in every
 * view and two views would share "bs-clip-1" (url(#id) then resolves to the first one on
 * the page); a random part per call keeps ids of separate module instances apart.
 * @param {string} prefix
 * @returns {string}
 */
export function uid(prefix) {
  const c = globalThis.crypto;
  const rand = typeof c?.randomUUID === "function"
    ? c.randomUUID().replace(/-/g, "").slice(0, 12)
    : Math.random().toString(36).slice(2, 14).padEnd(12, "0");
  return `${prefix}-${rand}-${(++idCounter).toString(36)}`;
}
