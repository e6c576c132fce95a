/**
 * In-line retries (docs/decisions/accrue-a13-rate-budget.md, accrue-a14-timeouts.md): bounded,
 * exponential backoff with full jitter, Retry-After honoured. This module only computes waits;
 * the transport decides what may be repeated at all (never a POST of unknown outcome).
 */
export interface RetryPolicy {
  /** HTTP requests per call, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest Retry-After we wait in-line; beyond it the caller gets RATE_LIMITED with the wait. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 20_000 };

/** Full jitter: anywhere between 0 and the exponential step (1 = the first retry). */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * step);
}

/** Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
