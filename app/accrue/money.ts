/**
 * Accrue amounts are integers in the smallest currency unit (100 = $1.00). Shopify sends
 * decimal strings. Conversions are exact string arithmetic: never a float.
 * USD only (docs/decisions/accrue-a04-usd-only.md), so the exponent is 2.
 */
import { err, ok, type Result } from "~/lib/result";

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/** "19.99" → 1999, "20" → 2000, "0.5" → 50. More than two decimals or any other form: an error. */
export function decimalToCents(amount: string): Result<number, string> {
  const match = DECIMAL.exec(amount.trim());
  if (!match) return err(`"${amount}" is not a non-negative amount with at most two decimals`);
  const [, whole = "0", fraction = ""] = match;
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) return err(`"${amount}" is too large`);
  return ok(Number(cents));
}

/** 1999 → "19.99". */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a non-negative integer amount: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}
