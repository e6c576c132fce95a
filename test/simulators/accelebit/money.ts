/**
 * The sandbox's own decimal arithmetic (integer cents), written apart from the app's so a
 * mistake in one is caught by the other.
 */
export function cents(amount: string): bigint {
  const [whole = "0", fraction = ""] = amount.split(".");
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
}

export function formatCents(value: bigint): string {
  return `${value / 100n}.${(value % 100n).toString().padStart(2, "0")}`;
}
