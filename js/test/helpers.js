// Test helpers: a strict fake anywidget model, mounting a view into the document, and
// censuses of live listeners and observers.
import { expect } from "vitest";
import widget from "../src/index.js";

/** Resolve after `ms` milliseconds (lets MutationObserver callbacks run). */
export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Default traits of ExtrapolationWidget (see src/bayescale/widgets/extrapolation.py). */
export function defaults() {
  const grid = Array.from({ length: 50 }, (_, i) => 1e18 * 10 ** (i / 7));
  const med = grid.map((x) => 1.7 + 5 * (x / 1e18) ** -0.15);
  const band = (level, w) => ({ level, lower: med.map((m) => m - w), upper: med.map((m) => m + w) });
  return {
    _view: "extrapolation", x_label: "C", y_label: "loss", band_label: "", log_x: true, log_y: false,
    grid_x: grid, median: med, ci_levels: [0.5, 0.8, 0.95],
    bands: [band(0.5, 0.05), band(0.8, 0.1), band(0.95, 0.2)],
    points: Array.from({ length: 12 }, (_, i) => ({ x: grid[i * 2], y: med[i * 2] + 0.01 })),
    heldout_points: [{ x: grid[30], y: med[30] }],
    target_x: 1e24, target_readout: { x: 1e24, median: 2.0, lower: 1.8, upper: 2.2, level: 0.95 },
    x_domain: [], y_domain: [], theme: "auto", height: 360, width: 0, inputs: ["C"], slice_mode: "",
    slice_input: "", slice_value: null, status: "", band_kind: "", band_kinds: [],
  };
}

/**
 * A strict fake of anywidget's model: unknown traits throw, listeners are counted.
 * @param {Record<string, any>} [overrides] traits that replace those of `base`
 * @param {Record<string, any>} [base] every trait of the view (the extrapolation view's by default)
 */
export function fakeModel(overrides = {}, base = defaults()) {
  const state = { ...base, ...overrides };
  /** @type {Map<string, Set<Function>>} */
  const handlers = new Map();
  const sent = [];
  let saves = 0;
  const fire = (name, ...args) => [...(handlers.get(name) ?? [])].forEach((cb) => cb(...args));
  return {
    sent,
    get saves() { return saves; },
    get(key) {
      if (!(key in state)) throw new Error(`fakeModel: unknown trait ${key}`);
      return state[key];
    },
    set(key, value) {
      if (!(key in state)) throw new Error(`fakeModel: unknown trait ${key}`);
      state[key] = value;
      fire(`change:${key}`, value);
    },
    save_changes() { saves += 1; },
    on(name, cb) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name).add(cb);
    },
    off(name, cb) { handlers.get(name)?.delete(cb); },
    send(content) { sent.push(content); },
    /** Simulate a custom message from Python. */
    emit(name, ...args) { fire(name, ...args); },
    listenerCount() { let n = 0; for (const s of handlers.values()) n += s.size; return n; },
  };
}

/**
 * Render the bundle's view for `model` into a fresh div appended to document.body.
 * @param {ReturnType<typeof fakeModel>} model
 */
export function mountModel(model) {
  const el = document.createElement("div");
  document.body.appendChild(el);
  const cleanup = widget.render({ model, el });
  return { el, model, cleanup };
}

/** Empty document.body and drop the JupyterLab theme attribute (use in afterEach). */
export function resetDocument() {
  document.body.replaceChildren();
  document.body.removeAttribute("data-jp-theme-light");
}

/**
 * Check that a view mounted by `mount()` follows JupyterLab's theme attribute, and the
 * `theme` trait over it.
 * @param {() => ReturnType<typeof mountModel>} mount
 */
export async function expectFollowsTheme(mount) {
  document.body.setAttribute("data-jp-theme-light", "true");
  const { el, model } = mount();
  const root = el.querySelector(".bs-root");
  expect(root.classList.contains("bs-light")).toBe(true);
  document.body.setAttribute("data-jp-theme-light", "false");
  await tick();
  expect(root.classList.contains("bs-dark")).toBe(true);
  model.set("theme", "light");
  expect(root.classList.contains("bs-light")).toBe(true);
}

/**
 * Check that the cleanup of a view mounted by `mount()` removes every DOM and model
 * listener, disconnects every observer and empties its element.
 * @param {() => ReturnType<typeof mountModel>} mount
 */
export function expectCleanCleanup(mount) {
  const census = listenerCensus();
  const observers = observerCensus();
  try {
    const before = census.count();
    const { el, model, cleanup } = mount();
    expect(model.listenerCount()).toBeGreaterThan(10);
    expect(observers.made()).toBeGreaterThan(1);
    cleanup();
    expect(census.count()).toBe(before);
    expect(model.listenerCount()).toBe(0);
    expect(observers.live()).toBe(0);
    expect(el.children.length).toBe(0);
  } finally {
    census.restore();
    observers.restore();
  }
}

/**
 * Replace MutationObserver and ResizeObserver by versions that record whether each
 * instance is live; call restore() after.
 */
export function observerCensus() {
  /** @type {Array<{ live: boolean }>} */
  const made = [];
  const Orig = globalThis.MutationObserver;
  globalThis.MutationObserver = class extends Orig {
    constructor(cb) { super(cb); this.live = true; made.push(this); }
    disconnect() { this.live = false; super.disconnect(); }
  };
  globalThis.ResizeObserver = class {
    constructor() { this.live = false; made.push(this); }
    observe() { this.live = true; }
    disconnect() { this.live = false; }
  };
  return {
    /** Observers created since the census began. */
    made() { return made.length; },
    /** Observers still observing. */
    live() { return made.filter((o) => o.live).length; },
    restore() {
      globalThis.MutationObserver = Orig;
      delete globalThis.ResizeObserver;
    },
  };
}

/**
 * Count live DOM listeners by wrapping EventTarget.prototype; call restore() after.
 */
export function listenerCensus() {
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  /** @type {Map<EventTarget, Set<string>>} */
  const live = new Map();
  const key = (type, fn, opts) => {
    const capture = typeof opts === "boolean" ? opts : !!opts?.capture;
    return [type, capture, fn];
  };
  const ids = new WeakMap();
  let next = 0;
  const id = (fn) => { if (!ids.has(fn)) ids.set(fn, ++next); return ids.get(fn); };
  proto.addEventListener = function (type, fn, opts) {
    if (fn) {
      const [t, c] = key(type, fn, opts);
      if (!live.has(this)) live.set(this, new Set());
      live.get(this).add(`${t}|${c}|${id(fn)}`);
    }
    return add.call(this, type, fn, opts);
  };
  proto.removeEventListener = function (type, fn, opts) {
    if (fn) {
      const [t, c] = key(type, fn, opts);
      live.get(this)?.delete(`${t}|${c}|${id(fn)}`);
    }
    return remove.call(this, type, fn, opts);
  };
  return {
    count() { let n = 0; for (const s of live.values()) n += s.size; return n; },
    restore() { proto.addEventListener = add; proto.removeEventListener = remove; },
  };
}

/** Dispatch a pointer-like mouse event (jsdom may lack PointerEvent). */
export function pointer(el, type, clientX, clientY = 50) {
  const Ctor = globalThis.PointerEvent ?? MouseEvent;
  el.dispatchEvent(new Ctor(type, { bubbles: true, clientX, clientY, pointerId: 1 }));
}

/** Default traits of CrossoverWidget (see src/bayescale/widgets/crossover.py). */
export function crossoverDefaults() {
  const grid = Array.from({ length: 40 }, (_, i) => 1e18 * 10 ** (i * 7 / 39));
  const t = grid.map((x) => Math.log10(x / 1e18));
  const a = t.map((v) => 2 + 1.2 * 10 ** (-0.1 * v));
  const b = t.map((v) => 1.8 + 1.8 * 10 ** (-0.15 * v));
  const curve = (label, med, w) => ({ label, median: med, lower: med.map((v) => v - w), upper: med.map((v) => v + w) });
  const edges = Array.from({ length: 11 }, (_, i) => 1e18 * 10 ** (i * 0.7));
  return {
    _view: "crossover", x_label: "C", y_label: "loss", labels: ["base", "steep"], better: "lower",
    grid_x: grid, curves: [curve("base", a, 0.05), curve("steep", b, 0.08)], ci_prob: 0.9,
    prob_better: t.map((v) => 1 / (1 + Math.exp(-(v - 3)))), prob_cross: 0.87,
    location: { median: 1e21, lower: 2e20, upper: 5e21, ci_prob: 0.9 },
    crossing_hist: { edges, density: [0, 0.1, 0.4, 0.9, 0.3, 0.1, 0, 0, 0, 0] },
    theme: "auto", height: 460, width: 0,
  };
}

const loglog = (/** @type {number} */ p) => Math.log(-Math.log(p));

/** Default traits of PassUntilWidget (see src/bayescale/widgets/passuntil.py). */
export function passUntilDefaults() {
  const grid = Array.from({ length: 30 }, (_, i) => 3e7 * 10 ** (i * 2.4 / 29));
  const x = grid.map((n) => Math.log(n / 1.7e8));
  const pu = (f0, a) => x.map((v) => Math.exp(-Math.exp(f0 - a * v)));
  const med = pu(1.5, 0.5);
  const lower = pu(1.8, 0.45);
  const upper = pu(1.2, 0.55);
  const pred = [2e9, 4e9, 8e9].map((n) => {
    const v = Math.log(n / 1.7e8);
    const p = (f0, a) => Math.exp(-Math.exp(f0 - a * v));
    return { x: n, median: p(1.5, 0.5), lower: p(1.8, 0.45), upper: p(1.2, 0.55) };
  });
  return {
    _view: "passuntil", grid_n: grid, task_median: med,
    task_band: { level: 0.9, lower, upper },
    instances: [1.0, 1.4, 1.9, 2.3].map((f0, i) => ({ name: `i${i}`, median: pu(f0, 0.5) })),
    observed: [{ x: 3e7, y: 1e-3 }, { x: 1e8, y: 5e-3 }, { x: 9.6e8, y: 0.05 }],
    predict_n: [2e9, 4e9, 8e9], predicted: pred, f_median: med.map(loglog),
    f_band: { level: 0.9, lower: upper.map(loglog), upper: lower.map(loglog) },
    f_observed: [{ x: 3e7, y: loglog(1e-3) }, { x: 1e8, y: loglog(5e-3) }, { x: 9.6e8, y: loglog(0.05) }],
    f_predicted: pred.map((r) => ({ x: r.x, median: loglog(r.median), lower: loglog(r.upper), upper: loglog(r.lower) })),
    emergence: { label: "linear", meaning: "follows the task scaling law", prob: 0.8125,
      probs: { linear: 0.8125, concave: 0.1, convex: 0.0875 } },
    ci_prob: 0.9, theme: "auto", height: 560, width: 0,
  };
}
