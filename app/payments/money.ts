/**
 * Money in the payments domain: integer minor units of one ISO 4217 currency, never floats
 * (docs/decisions/0010-money.md). Shopify sends decimal strings ("49.99", "1500", "12.345");
 * they are parsed here, exactly, with the currency's exponent, and every sum, comparison and
 * ledger check works on bigint minor units. Gateways format amounts their own way in their
 * adapters, from a Money.
 */
import { err, ok, type Result } from "~/lib/result";

export interface Money {
  /** Minor units: cents for EUR, yen for JPY, fils for KWD. */
  readonly minor: bigint;
  /** ISO 4217, upper case. */
  readonly currency: string;
}

const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));
const exponents = new Map<string, number>();

export function isIsoCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code.toUpperCase());
}

/** The currency's minor unit digits (EUR 2, JPY 0, KWD 3), as ISO 4217 (through Intl) says; 2 for a code Intl does not know. */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  let digits = exponents.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    exponents.set(code, digits);
  }
  return digits;
}

export type MoneyError =
  | { readonly reason: "not_a_decimal"; readonly message: string }
  | { readonly reason: "unknown_currency"; readonly message: string }
  | { readonly reason: "too_precise"; readonly message: string }
  | { readonly reason: "not_positive"; readonly message: string };

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/**
 * "49.99" EUR → 4999n; "1500" JPY → 1500n; "12.345" KWD → 12345n. Exact: a value with more
 * significant decimals than the currency has is refused, never rounded.
 */
export function parseMoney(decimal: string, currency: string, { allowZero = false } = {}): Result<Money, MoneyError> {
  const code = currency.toUpperCase();
  if (!isIsoCurrency(code)) return err({ reason: "unknown_currency", message: `${currency} is not an ISO 4217 currency` });
  const match = DECIMAL.exec(decimal);
  if (!match) return err({ reason: "not_a_decimal", message: "amount must be a plain decimal string" });
  const exponent = currencyExponent(code);
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exponent) {
    return err({ reason: "too_precise", message: `amount has more than ${exponent} decimal(s) for ${code} and will not be rounded` });
  }
  const minor = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor === 0n && !allowZero) return err({ reason: "not_positive", message: "amount must be greater than zero" });
  return ok({ minor, currency: code });
}

/** A stored amount (Prisma Decimal or string) that was validated when it was written. */
export function storedMoney(amount: { toString(): string }, currency: string): Money {
  const parsed = parseMoney(amount.toString(), currency, { allowZero: true });
  if (!parsed.ok) throw new RangeError(`Stored amount cannot be read: ${parsed.error.message}`);
  return parsed.value;
}

/** 4999n EUR → "49.99"; 1500n JPY → "1500"; 12345n KWD → "12.345". */
export function toDecimal(money: Money): string {
  if (money.minor < 0n) throw new RangeError("amounts are never negative");
  const exponent = currencyExponent(money.currency);
  if (exponent === 0) return money.minor.toString();
  const text = money.minor.toString().padStart(exponent + 1, "0");
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}

/** "49.99 EUR", for messages. */
export const describeMoney = (money: Money): string => `${toDecimal(money)} ${money.currency}`;

export function moneyOf(minor: bigint, currency: string): Money {
  return { minor, currency: currency.toUpperCase() };
}

export function sameCurrency(a: Money, b: Money): boolean {
  return a.currency === b.currency;
}
