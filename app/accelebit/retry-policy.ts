/**
 * Decision "5xx / 429 / network errors": retry with the same Idempotency-Key, exponential
 * backoff with jitter, bounded; honour Retry-After. This module only computes waits; the
 * transport decides what is retryable (errors.ts) and does the waiting.
 */
export interface RetryPolicy {
  /** Total HTTP requests per call, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The longest Retry-After we wait in-line. Beyond it we give up and hand the wait to the
   * caller (RATE_LIMITED carries retryAfterMs) instead of holding a shopper's request.
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
};

/**
 * Wait before retry number `retry` (1 = the first retry). "Equal jitter": half of the
 * exponential step is fixed so a retry is never immediate, half is random so clients that
 * failed together do not come back together.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}
