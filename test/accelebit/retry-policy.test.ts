import { describe, expect, it } from "vitest";
import { backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from "~/accelebit/retry-policy";

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 10_000 };

describe("retry policy", () => {
  it("grows exponentially, is capped, and jitters within the upper half of each step", () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(policy, retry, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(policy, retry, () => 0.999999))).toEqual([100, 200, 400, 800, 1000]);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = new Date("2026-04-09T12:00:00.000Z");
    expect(parseRetryAfterMs("7", now)).toBe(7_000);
    expect(parseRetryAfterMs("Thu, 09 Apr 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfterMs("Thu, 09 Apr 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeNull();
    expect(parseRetryAfterMs(null, now)).toBeNull();
  });
});
