/** The process-wide rate budget (docs/decisions/accrue-a13-rate-budget.md) on a virtual clock. */
import { describe, expect, it } from "vitest";
import { createRateBudget, DEFAULT_REQUESTS_PER_MINUTE, sharedRateBudget } from "~/accrue";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs } from "~/accrue/retry-policy";

function virtual(perMinute: number) {
  let now = 0;
  const sleeps: number[] = [];
  const budget = createRateBudget({
    perMinute,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return { budget, sleeps, now: () => now };
}

describe("rate budget", () => {
  it("lets one second's worth through at once, then spaces requests at the rate", async () => {
    const { budget, sleeps, now } = virtual(120); // 2 per second, burst of 2
    for (let n = 0; n < 5; n += 1) await budget.acquire();
    expect(sleeps).toEqual([500, 500, 500]);
    expect(now()).toBe(1500);
  });

  it("serves concurrent waiters in arrival order", async () => {
    const { budget } = virtual(60);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => budget.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });

  it("a pause holds everyone until it ends", async () => {
    const { budget, sleeps, now } = virtual(6_000);
    budget.pause(5_000);
    await budget.acquire();
    expect(sleeps).toEqual([5_000]);
    expect(now()).toBe(5_000);
    budget.pause(1_000);
    budget.pause(200); // a shorter pause never shortens a longer one
    await budget.acquire();
    expect(now()).toBe(6_000);
  });

  it("one shared budget per environment; the default leaves a margin under the documented 10,000/min", () => {
    expect(sharedRateBudget("sandbox")).toBe(sharedRateBudget("sandbox"));
    expect(sharedRateBudget("live")).not.toBe(sharedRateBudget("sandbox"));
    expect(DEFAULT_REQUESTS_PER_MINUTE).toBe(8_000);
    expect(() => createRateBudget({ perMinute: 0 })).toThrow(RangeError);
  });
});

describe("backoff", () => {
  it("full jitter within the exponential step, capped", () => {
    expect([1, 2, 3, 4, 10].map((retry) => backoffDelayMs(DEFAULT_RETRY_POLICY, retry, () => 0.999))).toEqual([200, 400, 799, 1598, 4995]);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(0);
  });

  it("Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfterMs("3", 0)).toBe(3_000);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfterMs("soon", 0)).toBeNull();
    expect(parseRetryAfterMs(null, 0)).toBeNull();
  });
});
