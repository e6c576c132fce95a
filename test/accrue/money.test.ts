/** Shopify's decimal strings to Accrue's integer cents and back, exactly (docs/decisions/accrue-a03-amount.md). */
import { describe, expect, it } from "vitest";
import { centsToDecimal, decimalToCents } from "~/accrue";

describe("money", () => {
  it.each([
    ["19.99", 1999],
    ["20", 2000],
    ["0.5", 50],
    ["0.07", 7],
    ["1234567.89", 123456789],
    [" 5.00 ", 500],
  ])("%j → %i cents", (decimal, cents) => {
    expect(decimalToCents(decimal)).toEqual({ ok: true, value: cents });
  });

  it.each(["19.999", "-1.00", "1e3", "", "abc", "01.00", "1.", "9007199254740992.00"])("refuses %j", (decimal) => {
    expect(decimalToCents(decimal).ok).toBe(false);
  });

  it("0.1 + 0.2 style sums stay exact", () => {
    const sum = [0.1, 0.2].map((n) => decimalToCents(String(n))).reduce((total, r) => total + (r.ok ? r.value : NaN), 0);
    expect(centsToDecimal(sum)).toBe("0.30");
  });

  it("formats cents", () => {
    expect([0, 7, 1999, 200000].map(centsToDecimal)).toEqual(["0.00", "0.07", "19.99", "2000.00"]);
    expect(() => centsToDecimal(1.5)).toThrow(RangeError);
  });
});
