import { describe, expect, it } from "vitest";
import { currencyExponent, describeMoney, parseMoney, storedMoney, toDecimal } from "~/payments/money";

describe("money in minor units", () => {
  it("knows each currency's exponent", () => {
    expect([currencyExponent("EUR"), currencyExponent("jpy"), currencyExponent("KWD"), currencyExponent("USD")]).toEqual([2, 0, 3, 2]);
  });

  it("parses Shopify's decimal strings exactly, in the currency's minor units", () => {
    expect(parseMoney("49.99", "EUR")).toEqual({ ok: true, value: { minor: 4999n, currency: "EUR" } });
    expect(parseMoney("10.5", "eur")).toEqual({ ok: true, value: { minor: 1050n, currency: "EUR" } });
    expect(parseMoney("1500", "JPY")).toEqual({ ok: true, value: { minor: 1500n, currency: "JPY" } });
    expect(parseMoney("1500.00", "JPY")).toEqual({ ok: true, value: { minor: 1500n, currency: "JPY" } });
    expect(parseMoney("12.345", "KWD")).toEqual({ ok: true, value: { minor: 12345n, currency: "KWD" } });
    expect(parseMoney("99999999999999.99", "USD")).toEqual({ ok: true, value: { minor: 9999999999999999n, currency: "USD" } });
  });

  it("never rounds, and refuses what is not money", () => {
    expect(parseMoney("10.001", "EUR")).toMatchObject({ ok: false, error: { reason: "too_precise" } });
    expect(parseMoney("1500.5", "JPY")).toMatchObject({ ok: false, error: { reason: "too_precise" } });
    expect(parseMoney("0.00", "EUR")).toMatchObject({ ok: false, error: { reason: "not_positive" } });
    expect(parseMoney("0.00", "EUR", { allowZero: true })).toEqual({ ok: true, value: { minor: 0n, currency: "EUR" } });
    for (const bad of ["1e3", "-1", "1,00", " 1", "01", ".5", "1."])
      expect(parseMoney(bad, "EUR")).toMatchObject({ ok: false, error: { reason: "not_a_decimal" } });
    expect(parseMoney("1.00", "XYZ")).toMatchObject({ ok: false, error: { reason: "unknown_currency" } });
  });

  it("formats back to decimals with the currency's digits", () => {
    expect(toDecimal({ minor: 4999n, currency: "EUR" })).toBe("49.99");
    expect(toDecimal({ minor: 5n, currency: "EUR" })).toBe("0.05");
    expect(toDecimal({ minor: 1500n, currency: "JPY" })).toBe("1500");
    expect(toDecimal({ minor: 12345n, currency: "KWD" })).toBe("12.345");
    expect(describeMoney(storedMoney("40", "EUR"))).toBe("40.00 EUR");
  });
});
