/**
 * Small checks on text that arrives from outside, before it reaches the database: PostgreSQL
 * refuses a NUL character in text ("invalid byte sequence"), which would otherwise turn a
 * hostile request into a 500 instead of a 4xx.
 */

/** The app's URL tokens (shopper pages, webhook URLs) are base64url; anything else names nothing. */
export function isUrlToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/** Whether a parsed JSON value holds a NUL character in any string, key or value, at any depth. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes("\u0000") || containsNul(item, depth + 1));
}
