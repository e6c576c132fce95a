import { describe, expect, it } from "vitest";
import { amountToMinorUnits, compareAmounts, formatAccelebitAmount, isAccelebitAmount, minorUnitsToAmount } from "~/accelebit";

describe("Accelebit amounts (decimal strings, never floats)", () => {
  it("converts to and from integer minor units", () => {
    expect(amountToMinorUnits("55.00")).toBe(5500n);
    expect(amountToMinorUnits("100.5")).toBe(10050n);
    expect(amountToMinorUnits("7")).toBe(700n);
    expect(amountToMinorUnits("99999999999999.99")).toBe(9999999999999999n);
    expect(minorUnitsToAmount(5n)).toBe("0.05");
    expect(minorUnitsToAmount(10050n)).toBe("100.50");
  });

  it("compares without floating point error", () => {
    // 0.1 + 0.2 !== 0.3 in floats; in minor units it is exact.
    expect(minorUnitsToAmount(amountToMinorUnits("0.1") + amountToMinorUnits("0.2"))).toBe("0.30");
    expect(compareAmounts("10.10", "10.1")).toBe(0);
    expect(compareAmounts("10.09", "10.1")).toBe(-1);
    expect(compareAmounts("55.01", "55")).toBe(1);
  });

  it.each(["55.00", "0.5", "100", "100.50"])("%s is an Accelebit amount", (value) => expect(isAccelebitAmount(value)).toBe(true));
  it.each(["55.001", "-1.00", "1e3", "", ".50", "55.", "055.00", " 5.00", "5,00"])("%j is not", (value) => expect(isAccelebitAmount(value)).toBe(false));

  it("formats amounts to two decimals, zero-decimal currencies included", () => {
    expect(formatAccelebitAmount("10.5", "eur")).toEqual({ ok: true, value: "10.50" });
    expect(formatAccelebitAmount("1500", "JPY")).toEqual({ ok: true, value: "1500.00" });
    expect(formatAccelebitAmount("10.500", "USD")).toEqual({ ok: true, value: "10.50" });
  });

  it("refuses instead of rounding", () => {
    expect(formatAccelebitAmount("10.505", "USD")).toMatchObject({ ok: false, error: { reason: "too_precise" } });
    expect(formatAccelebitAmount("1.250", "BHD")).toMatchObject({ ok: false, error: { reason: "three_decimal_currency" } });
    expect(formatAccelebitAmount("1.00", "KWD")).toMatchObject({ ok: false, error: { reason: "three_decimal_currency" } });
    expect(formatAccelebitAmount("1.00", "XYZ")).toMatchObject({ ok: false, error: { reason: "unknown_currency" } });
    expect(formatAccelebitAmount("0.00", "EUR")).toMatchObject({ ok: false, error: { reason: "not_positive" } });
    expect(formatAccelebitAmount("1e2", "EUR")).toMatchObject({ ok: false, error: { reason: "not_a_decimal" } });
  });
});
