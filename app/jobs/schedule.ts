/**
 * When a failed job runs again.
 *
 * Exponential backoff with "equal jitter": the wait after failed attempt n is drawn from
 * [step/2, step], step = min(maxDelayMs, baseDelayMs · 2^(n-1)). Full jitter ([0, step])
 * spreads retries a little more, but its lower bound is zero, so no number of attempts
 * would guarantee the 24-hour delivery window the outbox promises; with equal jitter the
 * guaranteed window is the sum of the half-steps (minimumRetryWindowMs), and the random
 * half still keeps instances that failed together from retrying together.
 */
export interface RetrySchedule {
  /** Upper bound of the first wait. */
  readonly baseDelayMs: number;
  /** Cap on any one step (the wait is then between maxDelayMs/2 and maxDelayMs). */
  readonly maxDelayMs: number;
}

/** 10 s, 20 s, 40 s, … doubling up to 2 h: quick for a shopper's redirect, patient in an outage. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseDelayMs: 10_000, maxDelayMs: 2 * 60 * 60_000 };

/**
 * Runs per job, the first included. 33 retries at their shortest waits add up to 24 h 25 m
 * (32 would fall short of 24 h); at their longest, 48 h 50 m. See test/jobs/schedule.test.ts.
 */
export const DEFAULT_MAX_ATTEMPTS = 34;

/** Never retry sooner than this, whatever a handler asks (a zero wait would spin). */
export const MIN_RETRY_DELAY_MS = 1_000;
/** Never honour a requested wait longer than this (a bogus Retry-After must not park a job for weeks). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** The upper bound of the wait after failed attempt `attempt` (1-based). */
export function retryStepMs(schedule: RetrySchedule, attempt: number): number {
  // The exponent is clamped so 2 ** n stays finite for absurd attempt counts.
  const exponent = Math.min(Math.max(0, attempt - 1), 52);
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
}

/** The shortest wait after failed attempt `attempt`, whatever the jitter draws. */
export function minimumRetryDelayMs(schedule: RetrySchedule, attempt: number): number {
  return Math.ceil(retryStepMs(schedule, attempt) / 2);
}

/** The wait after failed attempt `attempt`; `random` returns [0, 1) like Math.random. */
export function retryDelayMs(schedule: RetrySchedule, attempt: number, random: () => number): number {
  const step = retryStepMs(schedule, attempt);
  const half = minimumRetryDelayMs(schedule, attempt);
  return Math.min(step, half + Math.floor(random() * (step - half + 1)));
}

/**
 * The wait before the next run. A handler's retryAfterMs (e.g. Shopify THROTTLED) is a
 * floor, not a replacement: honouring a short request in place of the backoff would let a
 * throttling storm burn through every attempt in minutes and break the 24-hour window.
 */
export function nextRetryDelayMs(schedule: RetrySchedule, attempt: number, random: () => number, retryAfterMs?: number): number {
  const backoff = retryDelayMs(schedule, attempt, random);
  const requested = retryAfterMs === undefined || !Number.isFinite(retryAfterMs) ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(MIN_RETRY_DELAY_MS, backoff, Math.ceil(requested));
}

/** The least time between a job's first run and its last, when every run fails. */
export function minimumRetryWindowMs(schedule: RetrySchedule, maxAttempts: number): number {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) total += minimumRetryDelayMs(schedule, attempt);
  return total;
}

/** The most time between a job's first run and its last (every wait at its step). */
export function maximumRetryWindowMs(schedule: RetrySchedule, maxAttempts: number): number {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) total += retryStepMs(schedule, attempt);
  return total;
}
