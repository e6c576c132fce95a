/**
 * Timeouts (docs/decisions/accrue-a14-timeouts.md) on fake timers: a GET gives up after 10 s
 * and is retried; a POST waits the full 90 s, then its outcome is unknown and it is not sent
 * again before the state is read back.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAccrueClient, createRateBudget, DEFAULT_TIMEOUTS } from "~/accrue";

const CREDENTIALS = { clientId: "5b0c7d0e-3f7a-4c1e-9a55-acc0e0000009", clientSecret: "c".repeat(64) };
const PAYMENT_ID = "11111111-1111-4111-8111-111111111111";

interface Call {
  method: string;
  url: string;
  abortedAtMs: number | null;
}

/** A fetch that never answers until aborted, except where `answer` says otherwise. */
function hangingFetch(calls: Call[], answer: (call: Call) => Response | null) {
  return (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = { method: init?.method ?? "GET", url: String(input), abortedAtMs: null };
    calls.push(call);
    const immediate = answer(call);
    if (immediate) return Promise.resolve(immediate);
    return new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => {
        call.abortedAtMs = Date.now();
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  };
}

function client(fetchImpl: typeof fetch) {
  return createAccrueClient({
    baseUrl: "https://merchant-api-sandbox.accruesavings.com",
    environment: "sandbox",
    fetch: fetchImpl,
    budget: createRateBudget({ perMinute: 600_000, sleep: async () => {} }),
    sleep: async () => {},
    random: () => 0,
  }).forMerchant(CREDENTIALS);
}

const payment = (status: string) =>
  new Response(JSON.stringify({ data: { id: PAYMENT_ID, type: "Payment", attributes: { status, amount: 1999, expiresAt: null } } }), {
    status: 200,
    headers: { "Content-Type": "application/vnd.api+json" },
  });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("timeouts", () => {
  it("defaults: 10 s for GETs, 90 s for writes", () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ getMs: 10_000, writeMs: 90_000 });
  });

  it("a GET that hangs is abandoned at 10 s and retried; every attempt times out → TIMEOUT, retryable", async () => {
    const calls: Call[] = [];
    const pending = client(hangingFetch(calls, () => null) as typeof fetch).getPayment(PAYMENT_ID);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(await pending).toMatchObject({ ok: false, error: { code: "TIMEOUT", category: "retryable", attempts: 4 } });
    expect(calls.map((c) => [c.method, c.abortedAtMs])).toEqual([
      ["GET", 10_000],
      ["GET", 20_000],
      ["GET", 30_000],
      ["GET", 40_000],
    ]);
  });

  it("a capture that hangs 90 s: outcome unknown, read back (Waiting) → captured, sent once", async () => {
    const calls: Call[] = [];
    const fetchImpl = hangingFetch(calls, (call) => (call.method === "GET" ? payment("Waiting") : null));
    const pending = client(fetchImpl as typeof fetch).capturePayment(PAYMENT_ID, 1999);
    await vi.advanceTimersByTimeAsync(89_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ ok: true, value: { status: "Waiting" } });
    expect(calls.map((c) => [c.method, c.abortedAtMs])).toEqual([
      ["POST", 90_000],
      ["GET", null],
    ]);
  });

  it("a refund that hangs 90 s with nothing to read back: outcome_unknown, never re-sent", async () => {
    const calls: Call[] = [];
    const fetchImpl = hangingFetch(calls, (call) => (call.method === "GET" ? payment("Sent") : null));
    const pending = client(fetchImpl as typeof fetch).refundPayment(PAYMENT_ID, 500, { knownRefundIds: [], idempotencyKey: "ledger-1" });
    await vi.advanceTimersByTimeAsync(90_000);
    expect(await pending).toMatchObject({ ok: false, error: { code: "TIMEOUT", category: "outcome_unknown" } });
    expect(calls.map((c) => c.method)).toEqual(["POST", "GET"]);
  });
});
