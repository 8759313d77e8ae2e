// Number formatting for ticks, tooltips and read-outs.
// Engineering notation (exponent a multiple of 3) for values a person reads;
// scientific notation (1e21, 2.5e21) for axis ticks that span decades.

/** Significant digits used when a caller gives none. */
export const DEFAULT_DIGITS = 3;

/**
 * Strip trailing zeros of a fixed/precision string ("1.500" -> "1.5", "2.0" -> "2").
 * @param {string} s
 * @returns {string}
 */
function trimZeros(s) {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * Format `v` in plain notation with `digits` significant digits.
 * @param {number} v
 * @param {number} [digits]
 * @returns {string}
 */
export function formatPlain(v, digits = DEFAULT_DIGITS) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  return trimZeros(v.toFixed(Math.min(20, Math.max(0, digits - 1 - e))));
}

/**
 * Engineering notation: mantissa in [1, 1000), exponent a multiple of 3.
 * Values between 0.01 and 1000 stay plain.
 * @param {number} v
 * @param {number} [digits] significant digits
 * @returns {string} e.g. "12.3e21", "1.5e9", "0.25", "-4.56e-6"
 */
export function formatEng(v, digits = DEFAULT_DIGITS) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1000) {
    const p = formatPlain(v, digits);
    if (Math.abs(Number(p)) < 1000) return p;
  }
  let e3 = 3 * Math.floor(Math.log10(a) / 3);
  let m = Number((v / 10 ** e3).toPrecision(digits));
  if (Math.abs(m) >= 1000) {
    e3 += 3;
    m = Number((m / 1000).toPrecision(digits));
  } else if (Math.abs(m) < 1) {
    // log10 rounding just below a power of 1000
    e3 -= 3;
    m = Number((m * 1000).toPrecision(digits));
  }
  const mant = trimZeros(m.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(m))))));
  return e3 === 0 ? mant : `${mant}e${e3}`;
}

/**
 * Scientific notation with a trimmed mantissa: 1e21, 2.5e21, 3e-4.
 * @param {number} v
 * @param {number} [digits]
 * @returns {string}
 */
export function formatSci(v, digits = DEFAULT_DIGITS) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const [mant, exp] = v.toExponential(digits - 1).split("e");
  return `${trimZeros(mant)}e${Number(exp)}`;
}

/**
 * Whether a domain is best labelled in scientific notation.
 * @param {number[]} domain
 * @returns {boolean}
 */
export function needsSci(domain) {
  const top = Math.max(...domain.map(Math.abs));
  return Number.isFinite(top) && top > 0 && (top >= 1e4 || top < 1e-2);
}

/**
 * A tick formatter for a domain: scientific when the domain reaches 1e4 or below 0.01.
 * @param {number[]} domain
 * @returns {(v: number) => string}
 */
export function tickFormatter(domain) {
  return needsSci(domain) ? (v) => formatSci(v) : (v) => formatPlain(v, 4);
}

/**
 * An interval "lower – upper" in engineering notation.
 * @param {number} lower
 * @param {number} upper
 * @param {number} [digits]
 * @returns {string}
 */
export function formatInterval(lower, upper, digits = DEFAULT_DIGITS) {
  return `${formatEng(lower, digits)} – ${formatEng(upper, digits)}`;
}

/**
 * A credible level as a percentage: 0.95 -> "95%", 0.975 -> "97.5%".
 * @param {number} level
 * @returns {string}
 */
export function formatLevel(level) {
  return `${trimZeros((level * 100).toFixed(1))}%`;
}
