import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_SCHEDULE,
  maximumRetryWindowMs,
  MIN_RETRY_DELAY_MS,
  minimumRetryWindowMs,
  nextRetryDelayMs,
  retryDelayMs,
  type RetrySchedule,
} from "~/jobs/schedule";

const HOUR = 60 * 60_000;
const lowest = () => 0;
const highest = () => 0.999999999;

describe("retry schedule", () => {
  it("retries for at least 24 hours with the default attempts, even when every jitter draw is the shortest", () => {
    const minimum = minimumRetryWindowMs(DEFAULT_RETRY_SCHEDULE, DEFAULT_MAX_ATTEMPTS);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(34);
    // 5+10+20+40+80+160+320+640+1280+2560 s, then 23 capped half-steps of 1 h.
    expect(minimum).toBe((5_115 + 23 * 3_600) * 1000);
    expect(minimum).toBeGreaterThanOrEqual(24 * HOUR);
    // And not more attempts than that takes: one fewer would fall short.
    expect(minimumRetryWindowMs(DEFAULT_RETRY_SCHEDULE, DEFAULT_MAX_ATTEMPTS - 1)).toBeLessThan(24 * HOUR);
    expect(maximumRetryWindowMs(DEFAULT_RETRY_SCHEDULE, DEFAULT_MAX_ATTEMPTS)).toBe((10_230 + 23 * 7_200) * 1000);
  });

  it("sums exactly what retryDelayMs draws at its lower bound", () => {
    let sum = 0;
    for (let attempt = 1; attempt < DEFAULT_MAX_ATTEMPTS; attempt++) sum += retryDelayMs(DEFAULT_RETRY_SCHEDULE, attempt, lowest);
    expect(sum).toBe(minimumRetryWindowMs(DEFAULT_RETRY_SCHEDULE, DEFAULT_MAX_ATTEMPTS));
  });

  it("doubles per attempt, is capped per step, and jitters within the upper half of each step", () => {
    const schedule: RetrySchedule = { baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(schedule, n, lowest))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(schedule, n, highest))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(retryDelayMs(schedule, 3, () => 0.5)).toBe(3_000);
    expect(retryDelayMs(schedule, 10_000, highest)).toBe(10_000);
  });

  it("treats a handler's retryAfterMs as a floor, clamped to [1 s, 24 h]", () => {
    const s = DEFAULT_RETRY_SCHEDULE;
    expect(nextRetryDelayMs(s, 1, lowest)).toBe(5_000);
    expect(nextRetryDelayMs(s, 1, lowest, 90_000)).toBe(90_000);
    // Shorter than the backoff: the backoff wins, so the 24-hour window still holds.
    expect(nextRetryDelayMs(s, 20, lowest, 2_000)).toBe(HOUR);
    expect(nextRetryDelayMs(s, 1, lowest, 30 * 24 * HOUR)).toBe(24 * HOUR);
    expect(nextRetryDelayMs({ baseDelayMs: 0, maxDelayMs: 0 }, 1, lowest, 0)).toBe(MIN_RETRY_DELAY_MS);
  });
});
