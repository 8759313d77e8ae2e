import { describe, expect, it } from "vitest";
import { formatEng, formatInterval, formatLevel, formatSci, needsSci, tickFormatter } from "../src/format.js";

describe("formatEng", () => {
  it.each([
    [1.234e21, "1.23e21"], [12345, "12.3e3"], [999.96, "1e3"], [0.5, "0.5"], [2.3456, "2.35"],
    [0.012345, "0.0123"], [1e-6, "1e-6"], [-4.56e-6, "-4.56e-6"], [9.9996e23, "1e24"],
    [4.2e-5, "42e-6"], [0, "0"], [Number.NaN, "NaN"], [Infinity, "∞"],
  ])("%s -> %s", (v, s) => expect(formatEng(v)).toBe(s));

  it("keeps exponents a multiple of three", () => {
    for (let e = -12; e <= 27; e++) {
      const m = formatEng(3.7 * 10 ** e).match(/e(-?\d+)$/);
      if (m) expect(Math.abs(Number(m[1]) % 3)).toBe(0);
    }
  });
});

describe("scientific ticks", () => {
  it("formats powers and mantissas", () => {
    expect(formatSci(1e21)).toBe("1e21");
    expect(formatSci(2.5e21)).toBe("2.5e21");
    expect(formatSci(3e-4)).toBe("3e-4");
  });
  it("chooses notation from the domain", () => {
    expect(needsSci([1e18, 1e24])).toBe(true);
    expect(needsSci([1.5, 3.5])).toBe(false);
    expect(needsSci([1e-4, 5e-3])).toBe(true);
    expect(tickFormatter([1e18, 1e24])(1e20)).toBe("1e20");
    expect(tickFormatter([1.5, 3.5])(2.5)).toBe("2.5");
  });
});

describe("levels and intervals", () => {
  it("formats", () => {
    expect(formatLevel(0.95)).toBe("95%");
    expect(formatLevel(0.975)).toBe("97.5%");
    expect(formatInterval(1.2e21, 3.4e22)).toBe("1.2e21 – 34e21");
  });
});
