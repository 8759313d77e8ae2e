// Scales, domains and ticks for the views (pure functions; no DOM).
import { scaleLinear, scaleLog } from "d3-scale";
import { tickLabels } from "./format.js";

/**
 * A log or linear scale.
 * @param {boolean} log
 * @param {number[]} domain [lo, hi]
 * @param {number[]} range [from, to] in pixels
 */
export function makeScale(log, domain, range) {
  return (log ? scaleLog() : scaleLinear()).domain(domain).range(range);
}

/**
 * Values that can be placed on an axis (finite, and positive on a log axis).
 * @param {Iterable<number>} values
 * @param {boolean} log
 * @returns {number[]}
 */
export function usable(values, log) {
  const out = [];
  for (const v of values) if (Number.isFinite(v) && (!log || v > 0)) out.push(v);
  return out;
}

/**
 * The extent of `values`, padded by `pad` of its width (in log space on a log axis).
 * Returns `fallback` when nothing is usable.
 * @param {Iterable<number>} values
 * @param {boolean} log
 * @param {number} [pad]
 * @param {number[]} [fallback]
 * @returns {number[]}
 */
export function paddedDomain(values, log, pad = 0.05, fallback = log ? [1, 10] : [0, 1]) {
  const v = usable(values, log);
  if (!v.length) return fallback.slice();
  const t = log ? Math.log10 : (/** @type {number} */ x) => x;
  const inv = log ? (/** @type {number} */ x) => 10 ** x : (/** @type {number} */ x) => x;
  let lo = t(Math.min(...v));
  let hi = t(Math.max(...v));
  if (hi === lo) {
    const w = log ? 0.5 : Math.abs(lo) * 0.1 || 1;
    lo -= w;
    hi += w;
  }
  const w = hi - lo;
  return [inv(lo - pad * w), inv(hi + pad * w)];
}

/**
 * Whether a stored domain is usable on an axis.
 * @param {number[] | undefined | null} d
 * @param {boolean} log
 */
export function validDomain(d, log) {
  return Array.isArray(d) && d.length === 2 && usable(d, log).length === 2 && d[0] < d[1];
}

/**
 * Home domains of the extrapolation view: the model's `x_domain`/`y_domain` when valid,
 * otherwise the extent of grid, bands, points and target.
 * @param {import("./model.js").ExtrapolationModel} m
 * @returns {{ x: number[], y: number[] }}
 */
export function homeDomains(m) {
  const x = validDomain(m.x_domain, m.log_x)
    ? m.x_domain.slice()
    : paddedDomain(
        [...m.grid_x, ...m.points.map((p) => p.x), ...m.heldout_points.map((p) => p.x),
          ...(m.target_x == null ? [] : [m.target_x])],
        m.log_x, 0.02);
  let y;
  if (validDomain(m.y_domain, m.log_y)) y = m.y_domain.slice();
  else {
    const ys = [...m.median, ...m.points.map((p) => p.y), ...m.heldout_points.map((p) => p.y)];
    for (const b of m.bands) ys.push(...b.lower, ...b.upper);
    y = paddedDomain(ys, m.log_y, 0.06);
  }
  return { x, y };
}

/**
 * Tick values and their labels. On a log axis spanning two decades or more only powers
 * of ten are labelled; labels by format.js `tickLabels` (scientific for large or tiny values).
 * @param {any} scale a d3 continuous scale
 * @param {boolean} log
 * @param {number} [count] approximate number of ticks
 * @returns {{ values: number[], labels: string[] }}
 */
export function ticks(scale, log, count = 6) {
  const domain = scale.domain();
  let values = scale.ticks(count);
  if (log) {
    const decades = Math.log10(domain[1] / domain[0]);
    if (decades >= 2) {
      values = values.filter((/** @type {number} */ v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
      const step = Math.ceil(values.length / (count + 2));
      if (step > 1) values = values.filter((/** @type {number} */ v) => Math.round(Math.log10(v)) % step === 0);
    } else if (values.length > count * 2) {
      values = values.filter((/** @type {number} */ _v, /** @type {number} */ i) => i % Math.ceil(values.length / count) === 0);
    }
  }
  return { values, labels: tickLabels(values) };
}

/**
 * Index of the grid value nearest to `x` (in log space on a log axis).
 * @param {number[]} grid increasing
 * @param {number} x
 * @param {boolean} log
 * @returns {number} -1 for an empty grid
 */
export function nearestIndex(grid, x, log) {
  if (!grid.length) return -1;
  const t = log ? Math.log : (/** @type {number} */ v) => v;
  let lo = 0;
  let hi = grid.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (grid[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(t(grid[lo]) - t(x)) <= Math.abs(t(grid[hi]) - t(x)) ? lo : hi;
}

/**
 * The ranges of a zoomable view: `home`, drawn at identity zoom, and `origin`, the range
 * "reset zoom" restores. A gesture moves `home` only; a range from the model moves both,
 * unless it is the echo of (or a regrid answering) one of the view's own gestures.
 */
export class HomeRange {
  /** @param {{ x: number[], y: number[] }} initial */
  constructor(initial) {
    /** @type {{ x: number[], y: number[] }} */
    this.origin = copyRange(initial);
    /** @type {{ x: number[], y: number[] }} */
    this.home = copyRange(initial);
  }

  /**
   * A range worked out from the model.
   * @param {{ x: number[], y: number[] }} r
   * @param {boolean} fromGesture the model holds a range this view sent after a gesture
   */
  follow(r, fromGesture) {
    this.home = copyRange(r);
    if (!fromGesture) this.origin = copyRange(r);
  }

  /** The range left by a zoom or pan. @param {{ x: number[], y: number[] }} r */
  gesture(r) {
    this.home = copyRange(r);
  }

  /** Back to the origin; returns the new home. */
  reset() {
    this.home = copyRange(this.origin);
    return this.home;
  }
}

/** @param {{ x: number[], y: number[] }} r */
const copyRange = (r) => ({ x: r.x.slice(), y: r.y.slice() });
