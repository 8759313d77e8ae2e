// One way to print numbers in every view: axes, read-outs, tooltips, legends.
// Mirrors src/bayescale/_format.py rule for rule; both are tested against the same
// cases (js/test/format_cases.json):
// - `digits` significant digits (3 by default), rounded half away from zero on the exact
//   binary value (toExponential), trailing zeros dropped;
// - plain notation when the rounded value lies in [0.01, 10000): 0.0123, 2.35, 1230;
//   otherwise scientific with a one-digit mantissa: 1.4e12, 5.76e23, 1e24, -4.2e-5
//   (never 100e24 or 1.0000e+23);
// - "0" for zero, "NaN", "inf" and "-inf" for the rest.

/** Significant digits used when a caller gives none. */
export const DEFAULT_DIGITS = 3;
/** Rounded values with a decimal exponent in [PLAIN_MIN, PLAIN_MAX] print plainly. */
const PLAIN_MIN = -2;
const PLAIN_MAX = 3;

/**
 * Significant digits and decimal exponent of `a > 0` rounded to `digits`.
 * @param {number} a
 * @param {number} digits
 * @returns {[string, number]}
 */
function digitsExponent(a, digits) {
  const [mant, exp] = a.toExponential(digits - 1).split("e");
  return [mant.replace(".", ""), Number(exp)];
}

/**
 * Print a number with `digits` significant digits.
 * @param {number} value
 * @param {number} [digits] 1 to 17
 * @param {"auto" | "sci" | "plain"} [notation] "auto": plain for rounded values in
 *   [0.01, 10000), scientific otherwise; "sci": always scientific; "plain": never
 * @returns {string} e.g. "1.4e12", "5.76e23", "2.35", "0.0123", "-4.2e-5"
 */
export function formatNumber(value, digits = DEFAULT_DIGITS, notation = "auto") {
  if (!(digits >= 1 && digits <= 17)) throw new RangeError(`digits must be between 1 and 17, got ${digits}`);
  const v = Number(value);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const [ds, e] = digitsExponent(Math.abs(v), digits);
  const sign = v < 0 ? "-" : "";
  const plain = notation === "plain" || (notation === "auto" && e >= PLAIN_MIN && e <= PLAIN_MAX);
  if (!plain) {
    const rest = ds.slice(1).replace(/0+$/, "");
    return `${sign}${ds[0]}${rest ? `.${rest}` : ""}e${e}`;
  }
  let whole;
  let frac;
  if (e >= 0) {
    whole = ds.slice(0, e + 1).padEnd(e + 1, "0");
    frac = ds.slice(e + 1).replace(/0+$/, "");
  } else {
    whole = "0";
    frac = ("0".repeat(-e - 1) + ds).replace(/0+$/, "");
  }
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}

/**
 * An interval "lower – upper" (an en dash), each by formatNumber.
 * @param {number} lower
 * @param {number} upper
 * @param {number} [digits]
 * @returns {string}
 */
export function formatInterval(lower, upper, digits = DEFAULT_DIGITS) {
  return `${formatNumber(lower, digits)} – ${formatNumber(upper, digits)}`;
}

/**
 * A credible level as a percentage: 0.95 -> "95%", 0.975 -> "97.5%".
 * @param {number} level
 * @returns {string}
 */
export function formatLevel(level) {
  return `${formatNumber(100 * level, 4, "plain")}%`;
}

/**
 * Labels of an axis' tick values: formatNumber with the fewest digits (3 or more) that
 * keeps the labels distinct, all in scientific notation when any one needs it.
 * @param {number[]} values
 * @returns {string[]}
 */
export function tickLabels(values) {
  const sci = values.some((v) => v !== 0 && Number.isFinite(v) && formatNumber(v).includes("e"));
  const notation = sci ? "sci" : "auto";
  let labels = [];
  for (let digits = DEFAULT_DIGITS; digits <= 17; digits++) {
    labels = values.map((v) => formatNumber(v, digits, notation));
    if (new Set(labels).size === labels.length) break;
  }
  return labels;
}
