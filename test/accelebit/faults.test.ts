/**
 * Acceptance: retries, lost answers and rate limits never charge twice.
 * Waits are injected (the client's sleep records them); nothing asserts wall-clock time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccelebitSandbox } from "../simulators/accelebit/server";
import { cardPayment, closedPortUrl, gatewayFor, startSandbox, TEST_KEY } from "./support";

let sandbox: AccelebitSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const posts = () => sandbox.requests().filter((r) => r.method === "POST");
const lookups = () => sandbox.requests().filter((r) => r.method === "GET" && r.query.startsWith("?merchantRef="));

describe("5xx", () => {
  it("a 5xx after the payment was recorded: the retry with the same key returns it, exactly one payment", async () => {
    sandbox.setFaults({ serverErrors: { count: 1, afterRecording: true, status: 500, match: "POST /v1/payments" } });
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_5xx" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(result.ok && result.value.id).toBe(sandbox.payments(TEST_KEY)[0]?.id);
    expect(posts().map((r) => [r.idempotencyKey, r.status])).toEqual([
      ["pay_5xx", 500],
      ["pay_5xx", 201],
    ]);
    expect(sleeps).toEqual([188]); // backoff for retry 1 with random 0.5: 250/2 + 0.5 * 250/2
  });

  it("5xx before processing twice, then success: one payment", async () => {
    sandbox.setFaults({ serverErrors: { count: 2, status: 503 } });
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    expect(await gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_503" })).toMatchObject({ ok: true });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(sleeps).toEqual([188, 375]);
  });

  it("5xx on every attempt: SERVER_ERROR, retryable, bounded; the merchantRef lookup ran before giving up", async () => {
    sandbox.setFaults({ serverErrors: { status: 500, match: "POST /v1/payments" } });
    const result = await gatewayFor(sandbox.url).gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_down" });
    expect(result).toMatchObject({ ok: false, error: { name: "SERVER_ERROR", category: "retryable", attempts: 3, httpStatus: 500 } });
    expect(posts()).toHaveLength(3);
    expect(lookups()).toHaveLength(1);
    expect(sandbox.stats(TEST_KEY).payments).toBe(0);
  });

  it("5xx recorded on every attempt: the lookup finds the payment before anyone calls it failed", async () => {
    sandbox.setFaults({ serverErrors: { status: 500, afterRecording: true, match: "POST /v1/payments" } });
    const result = await gatewayFor(sandbox.url).gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_rec" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });
});

describe("a dropped connection after the POST (outcome unknown)", () => {
  it("is resolved through the merchantRef lookup, without a second POST or charge", async () => {
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/payments" } });
    const { gateway, log } = gatewayFor(sandbox.url);
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment({ merchantRef: "session_drop" }), { idempotencyKey: "pay_drop" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured", merchantRef: "session_drop" } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(sandbox.requests().map((r) => `${r.method} ${r.path}${r.query} ${r.status}`)).toEqual([
      "POST /v1/payments dropped",
      "GET /v1/payments?merchantRef=session_drop 200",
    ]);
    expect(log.entries().some((e) => e.msg === "accelebit payment recovered by merchantRef")).toBe(true);
  });

  it("a declined payment found by the lookup is reported as the decline it was", async () => {
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/payments" } });
    const result = await gatewayFor(sandbox.url)
      .gateway.forKey(TEST_KEY)
      .createPayment(cardPayment({ cardNumber: "4000000000000002" }), { idempotencyKey: "pay_drop_d" });
    expect(result).toMatchObject({ ok: false, error: { name: "CARD_DECLINED", category: "terminal", payment: { status: "failed" } } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("an earlier attempt with the same merchantRef is not mistaken for this one", async () => {
    const earlier = await gatewayFor(sandbox.url)
      .gateway.forKey(TEST_KEY)
      .createPayment(cardPayment({ merchantRef: "session_retry" }), { idempotencyKey: "attempt_1" });
    if (!earlier.ok) throw new Error("setup failed");
    // The second attempt times out while still held: the lookup sees only the first attempt,
    // which has the same amount and currency, and must not take it for this one.
    const hold = sandbox.holdNext("POST /v1/payments");
    const { gateway } = gatewayFor(sandbox.url, {
      timeoutMs: 50,
      sleep: async () => {
        hold.release();
        await hold.finished;
      },
    });
    const second = await gateway.forKey(TEST_KEY).createPayment(cardPayment({ merchantRef: "session_retry" }), {
      idempotencyKey: "attempt_2",
      knownEarlierAttemptIds: [earlier.value.id],
    });
    expect(lookups().map((r) => r.status)).toEqual([200]);
    expect(second).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(second.ok && second.value.id).not.toBe(earlier.value.id);
    expect(sandbox.stats(TEST_KEY).payments).toBe(2);
    expect(posts().map((r) => r.idempotencyKey)).toEqual(["attempt_1", "attempt_2", "attempt_2"]);
  });

  it("when every attempt is lost and the lookup cannot see it, the outcome stays unknown", async () => {
    sandbox.setFaults({ dropConnection: { match: "POST /v1/payments" }, serverErrors: { status: 500, match: "GET /v1/payments" } });
    const result = await gatewayFor(sandbox.url).gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_lost" });
    expect(result).toMatchObject({ ok: false, error: { name: "NETWORK_ERROR", category: "outcome_unknown", origin: "network", attempts: 3 } });
    expect(new Set(posts().map((r) => r.idempotencyKey))).toEqual(new Set(["pay_lost"]));
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("a lost refund answer is retried with the same key: one refund", async () => {
    const { gateway } = gatewayFor(sandbox.url);
    const client = gateway.forKey(TEST_KEY);
    const payment = await client.createPayment(cardPayment(), { idempotencyKey: "pay_for_refund" });
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/refunds" } });
    const refund = await client.createRefund(
      { transactionId: payment.ok ? payment.value.id : "", amount: "10.00", currency: "EUR" },
      { idempotencyKey: "refund_drop" },
    );
    expect(refund).toMatchObject({ ok: true, value: { amount: "10.00", status: "created" } });
    expect(sandbox.stats(TEST_KEY).refunds).toBe(1);
    expect(
      posts()
        .filter((r) => r.path === "/v1/refunds")
        .map((r) => r.status),
    ).toEqual(["dropped", 201]);
  });
});

describe("timeouts", () => {
  it("a POST that times out while still running: lookup misses, the same key is re-sent and answered once", async () => {
    const hold = sandbox.holdNext("POST /v1/payments");
    const { gateway, sleeps } = gatewayFor(sandbox.url, {
      timeoutMs: 50,
      // Before the retry, let the held first request finish (it is recorded, then answered late).
      sleep: async (ms) => {
        sleeps.push(ms);
        hold.release();
        await hold.finished;
      },
    });
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment({ merchantRef: "session_slow" }), { idempotencyKey: "pay_slow" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(posts().map((r) => r.idempotencyKey)).toEqual(["pay_slow", "pay_slow"]);
    expect(lookups().map((r) => r.status)).toEqual([404]);
  });

  it("a GET that keeps timing out is TIMEOUT, retryable, after the bounded attempts", async () => {
    sandbox.setFaults({ latency: { ms: 400, match: "GET /v1/payments" } });
    const { gateway } = gatewayFor(sandbox.url, { timeoutMs: 20 });
    expect(await gateway.forKey(TEST_KEY).retrievePayment("f47ac10b-58cc-4372-a567-0e02b2c3d479")).toMatchObject({
      ok: false,
      error: { name: "TIMEOUT", category: "retryable", origin: "network", attempts: 3 },
    });
  });
});

describe("429", () => {
  it("waits for Retry-After, then succeeds with one payment", async () => {
    sandbox.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 7 } });
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    expect(await gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "pay_429" })).toMatchObject({ ok: true });
    expect(sleeps).toEqual([7_000]);
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(posts().map((r) => r.status)).toEqual([429, 201]);
  });

  it("a Retry-After beyond our bound is handed to the caller instead of waited in-line", async () => {
    sandbox.setFaults({ rateLimit: { retryAfterSeconds: 120 } });
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const result = await gateway.forKey(TEST_KEY).retrievePayment("f47ac10b-58cc-4372-a567-0e02b2c3d479");
    expect(result).toMatchObject({ ok: false, error: { name: "RATE_LIMITED", category: "retryable", retryAfterMs: 120_000, attempts: 1 } });
    expect(sleeps).toEqual([]);
  });
});

describe("terminal errors are not retried", () => {
  it("DUPLICATE_REQUEST (same key, different body) is terminal and creates nothing", async () => {
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const client = gateway.forKey(TEST_KEY);
    expect((await client.createPayment(cardPayment(), { idempotencyKey: "pay_dup" })).ok).toBe(true);
    const reused = await client.createPayment(cardPayment({ amount: "99.00" }), { idempotencyKey: "pay_dup" });
    expect(reused).toMatchObject({ ok: false, error: { name: "DUPLICATE_REQUEST", gatewayName: "DUPLICATE_REQUEST", category: "terminal", attempts: 1 } });
    expect(sleeps).toEqual([]);
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
    expect(lookups()).toHaveLength(0);
  });

  it("a connection that never opens is retryable even for a POST (nothing was sent)", async () => {
    const { gateway, sleeps } = gatewayFor(await closedPortUrl());
    const result = await gateway
      .forKey(TEST_KEY)
      .createRefund({ transactionId: "f47ac10b-58cc-4372-a567-0e02b2c3d479", amount: "1.00", currency: "EUR" }, { idempotencyKey: "r" });
    expect(result).toMatchObject({ ok: false, error: { name: "NETWORK_ERROR", category: "retryable", attempts: 3 } });
    expect(sleeps).toHaveLength(2);
  });

  it("a 2xx whose body is not the documented envelope is UNEXPECTED_RESPONSE with the offending field", async () => {
    const fetch = async () => new Response(JSON.stringify({ data: { id: "p1", status: "paid" } }), { status: 200 });
    const result = await gatewayFor("https://api.gateway.accelebit.com", { fetch }).gateway.forKey(TEST_KEY).retrievePayment("p1");
    expect(result).toMatchObject({ ok: false, error: { name: "UNEXPECTED_RESPONSE", category: "terminal", httpStatus: 200 } });
    expect(result.ok ? "" : result.error.message).toContain("status: Invalid option");
  });
});
