/**
 * Money as Accelebit wants it: decimal strings with at most two decimals. Never floats:
 * arithmetic and comparisons go through integer minor units (bigint).
 *
 * Decision "Amount precision" lives here (formatAccelebitAmount): currencies with three
 * minor digits cannot be expressed and are refused; zero-decimal currencies are sent as
 * "1500.00"-style strings until the real API says otherwise.
 */
import { err, ok, type Result } from "~/lib/result";

/** A non-negative decimal string with at most two decimals: "55", "55.5", "55.00". */
const AMOUNT_PATTERN = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
/** Any non-negative decimal string, used to accept input that may carry trailing zeros. */
const DECIMAL_PATTERN = /^(0|[1-9]\d*)(\.\d+)?$/;

/** ISO 4217 currencies whose minor unit has three digits: Accelebit's two-decimal amounts cannot carry them. */
export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

export function isIsoCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code.toUpperCase());
}

export function isAccelebitAmount(value: string): boolean {
  return AMOUNT_PATTERN.test(value);
}

/** "55.5" → 5550n. Throws on a string that is not an Accelebit amount: check first. */
export function amountToMinorUnits(amount: string): bigint {
  const match = AMOUNT_PATTERN.exec(amount);
  if (!match) throw new RangeError("not an Accelebit amount (decimal string, at most two decimals)");
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? ".").slice(1).padEnd(2, "0");
  return BigInt(whole) * 100n + BigInt(fraction);
}

/** 5550n → "55.50" */
export function minorUnitsToAmount(minor: bigint): string {
  if (minor < 0n) throw new RangeError("amounts are never negative");
  const whole = minor / 100n;
  const cents = (minor % 100n).toString().padStart(2, "0");
  return `${whole}.${cents}`;
}

export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const x = amountToMinorUnits(a);
  const y = amountToMinorUnits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export type AmountFormatError =
  | { readonly reason: "not_a_decimal"; readonly message: string }
  | { readonly reason: "unknown_currency"; readonly message: string }
  | { readonly reason: "three_decimal_currency"; readonly message: string }
  | { readonly reason: "too_precise"; readonly message: string }
  | { readonly reason: "not_positive"; readonly message: string };

/**
 * Turns a decimal amount (e.g. Shopify's "10.5" or "1500") into Accelebit's two-decimal
 * string ("10.50", "1500.00"). Never rounds: an amount that needs more than two decimals is
 * refused with a reason the caller can show to the merchant.
 */
export function formatAccelebitAmount(decimal: string, currency: string): Result<string, AmountFormatError> {
  const code = currency.toUpperCase();
  if (!isIsoCurrency(code)) return err({ reason: "unknown_currency", message: `${currency} is not an ISO 4217 currency` });
  if (THREE_DECIMAL_CURRENCIES.has(code)) {
    return err({
      reason: "three_decimal_currency",
      message: `${code} has three minor digits; Accelebit amounts allow at most two decimals`,
    });
  }
  if (!DECIMAL_PATTERN.test(decimal)) return err({ reason: "not_a_decimal", message: "amount must be a plain decimal string" });
  const [whole = "0", fraction = ""] = decimal.split(".");
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > 2) {
    return err({ reason: "too_precise", message: "amount has more than two decimals and will not be rounded" });
  }
  const formatted = `${whole}.${significant.padEnd(2, "0")}`;
  if (amountToMinorUnits(formatted) === 0n) return err({ reason: "not_positive", message: "amount must be greater than zero" });
  return ok(formatted);
}
