/**
 * Removes secrets from any text we are about to surface (error messages, log fields).
 *
 * Gateways sometimes echo the submitted values in their error messages, and a zod or
 * network error can carry fragments of a request. Two layers: the exact secrets of the
 * request in hand (PAN, CVV, API key), then shapes that look like a PAN or a secret key,
 * so a value we did not know about is masked too.
 */
const PAN_LIKE = /\d(?:[ -]?\d){12,18}/g;
const SECRET_KEY_LIKE = /smtgw_sk_[^\s"',;]*/g;
const REDACTED = "[redacted]";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    // Short secrets (a 3-digit CVV) only as a whole token, so "1234 ms" keeps its "123"-free
    // neighbours intact and we do not shred unrelated numbers.
    const pattern = secret.length < 8 ? new RegExp(`(?<![0-9A-Za-z])${escapeRegExp(secret)}(?![0-9A-Za-z])`, "g") : new RegExp(escapeRegExp(secret), "g");
    out = out.replace(pattern, REDACTED);
  }
  return out.replace(SECRET_KEY_LIKE, REDACTED).replace(PAN_LIKE, REDACTED);
}
