import { currencyExponent } from "~/payments/money";

/**
 * Display money for the merchant's pages and the CSV. Amounts arrive as Prisma Decimals and
 * leave as decimal strings; sums go through bigint units, never floats (docs/decisions/0010-money.md).
 */

/** What Prisma returns for a Decimal column; `toFixed()` without digits never uses exponents. */
export interface DecimalLike {
  toFixed(decimalPlaces?: number): string;
}

function parts(amount: DecimalLike | string): { whole: string; fraction: string } {
  const text = typeof amount === "string" ? amount : amount.toFixed();
  const [whole = "0", fraction = ""] = text.split(".");
  return { whole, fraction };
}

/**
 * "10.5" EUR → "10.50", "1500" JPY → "1500". Padded to the currency's digits but never cut:
 * an amount stored with more digits is shown as it is rather than rounded.
 */
export function formatDecimalAmount(amount: DecimalLike | string, currency: string): string {
  const { whole, fraction } = parts(amount);
  const digits = Math.max(currencyExponent(currency), fraction.replace(/0+$/, "").length);
  return digits === 0 ? whole : `${whole}.${fraction.padEnd(digits, "0").slice(0, digits)}`;
}

/** The exact sum of decimal amounts of one currency, formatted like formatDecimalAmount. */
export function sumAmounts(amounts: readonly (DecimalLike | string)[], currency: string): string {
  const split = amounts.map(parts);
  const scale = Math.max(currencyExponent(currency), ...split.map((p) => p.fraction.length));
  const total = split.reduce((sum, p) => sum + BigInt(p.whole + p.fraction.padEnd(scale, "0")), 0n);
  if (scale === 0) return total.toString();
  const text = total.toString().padStart(scale + 1, "0");
  return formatDecimalAmount(`${text.slice(0, -scale)}.${text.slice(-scale)}`, currency);
}
