import { describe, expect, it } from "vitest";
import { formatInterval, formatLevel, formatNumber, tickLabels } from "../src/format.js";
import { ticks, makeScale } from "../src/scales.js";
import CASES from "./format_cases.json";

// The cases tests/test_format.py checks against src/bayescale/_format.py too.
const num = (v) => (typeof v === "string" ? Number(v) : v);

describe("formatNumber agrees with the shared cases", () => {
  it.each(CASES.number)("%s (%s digits, %s) -> %s", (v, digits, notation, s) => {
    expect(formatNumber(num(v), digits, notation)).toBe(s);
  });
  it.each(CASES.level)("level %s -> %s", (v, s) => expect(formatLevel(v)).toBe(s));
  it.each(CASES.interval)("interval %s, %s -> %s", (a, b, s) => expect(formatInterval(a, b)).toBe(s));
});

describe("formatNumber", () => {
  it("never prints engineering mantissas, plus signs or padded exponents", () => {
    for (let e = -30; e <= 30; e++) {
      for (const m of [1, 1.5, 3.7, 9.99, 5.76]) {
        const s = formatNumber(m * 10 ** e);
        expect(s).not.toMatch(/e\+|e-?0\d|^\d{2,}(\.\d+)?e/);
        expect(Number(s) / (m * 10 ** e)).toBeCloseTo(1, 2);
      }
    }
  });
  it("rejects impossible digit counts", () => {
    expect(() => formatNumber(1, 0)).toThrow(RangeError);
    expect(() => formatNumber(1, 18)).toThrow(RangeError);
  });
});

describe("tick labels", () => {
  it("label decades of a log axis in scientific notation", () => {
    expect(tickLabels([1e18, 1e20, 1e22, 1e24])).toEqual(["1e18", "1e20", "1e22", "1e24"]);
    const t = ticks(makeScale(true, [1e18, 1e25], [0, 600]), true);
    for (const l of t.labels) expect(l).toMatch(/^1e\d+$/);
  });
  it("use one notation on one axis", () => {
    expect(tickLabels([0, 5000, 10000, 15000])).toEqual(["0", "5e3", "1e4", "1.5e4"]);
    expect(tickLabels([1.5, 2, 2.5, 3])).toEqual(["1.5", "2", "2.5", "3"]);
  });
  it("add digits until neighbouring labels differ", () => {
    expect(tickLabels([2.0005, 2.001, 2.0015])).toEqual(["2.0005", "2.001", "2.0015"]);
  });
});
