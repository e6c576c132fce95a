/**
 * Faults, each before and after the effect: no POST of unknown outcome is repeated before the
 * state is read back, authorize and refund are never sent twice, money never moves twice.
 * Waits are virtual (the client's sleep records them); nothing asserts wall-clock time.
 */
import { describe, expect, it } from "vitest";
import type { AccrueCredentials } from "~/accrue";
import type { AccrueSandbox, FaultSettings } from "../simulators/accrue/server";
import { clientFor, closedPortUrl, MAGIC_PHONES, shopperIntent, startSandbox, virtualClock, sandboxPerTest } from "./support";

let sandbox: AccrueSandbox;
let merchant: AccrueCredentials;

sandboxPerTest((s, m) => {
  sandbox = s;
  merchant = m;
});

/** Short write/read timeouts so a hang is over in a fraction of a second. */
const testClient = () => clientFor(sandbox.url, merchant, { timeouts: { getMs: 300, writeMs: 300 } });
const requests = (method: string, suffix: string) => sandbox.requests().filter((r) => r.method === method && r.route.endsWith(suffix));
const state = () => sandbox.state(merchant.clientId);

async function until(condition: () => boolean): Promise<void> {
  for (let n = 0; n < 200 && !condition(); n += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error("condition not reached");
}

async function authorizedPayment(amount = 1999) {
  const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, amount);
  const result = await testClient().client.authorizePaymentIntent(intentId, amount);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.payment.id;
}

async function capturedPayment(amount = 1999) {
  const paymentId = await authorizedPayment(amount);
  const result = await testClient().client.capturePayment(paymentId, amount);
  if (!result.ok) throw new Error(result.error.message);
  return paymentId;
}

const beforeEffect: [string, (match: string) => FaultSettings][] = [
  ["5xx before the effect", (match) => ({ serverError: { status: 503, count: 1, match } })],
  ["a dropped connection before the effect", (match) => ({ dropConnection: { count: 1, match } })],
  ["a hang before the effect (client timeout)", (match) => ({ hang: { count: 1, match } })],
  ["408 before the effect", (match) => ({ requestTimeout: { count: 1, match } })],
];
const afterEffect: [string, (match: string) => FaultSettings][] = [
  ["5xx after the effect", (match) => ({ serverError: { status: 500, count: 1, afterEffect: true, match } })],
  ["a dropped connection after the effect", (match) => ({ dropConnection: { count: 1, afterEffect: true, match } })],
  ["a hang after the effect (client timeout)", (match) => ({ hang: { count: 1, afterEffect: true, match } })],
];

describe("authorize", () => {
  it.each(afterEffect)("%s: read back, the promoted intent's payment is adopted; one authorize, one payment", async (_label, fault) => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults(fault(`POST /payment-intents/${intentId}/authorize`));
    const result = await testClient().client.authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: true, value: { adopted: true, payment: { status: "Created", amount: 1999 }, otherPayments: [] } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(state().payments.map((p) => p.id)).toEqual([result.ok && result.value.payment.id]);
  });

  it.each(beforeEffect)("%s: read back Promotable, the intent is fenced (canceled); AUTHORIZE_NOT_APPLIED, nothing authorized", async (_label, fault) => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults(fault(`POST /payment-intents/${intentId}/authorize`));
    const result = await testClient().client.authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "AUTHORIZE_NOT_APPLIED", category: "terminal", observedStatus: "Canceled" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(requests("POST", "/cancel")).toHaveLength(1);
    expect(state().payments).toEqual([]);
    expect(state().intents[0]?.attributes.status).toBe("Canceled");
  });

  it("a slow authorize that lands after our timeout is blocked by the fence: nothing authorized", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ latency: { ms: 600, count: 1, match: `POST /payment-intents/${intentId}/authorize` } });
    const result = await testClient().client.authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "AUTHORIZE_NOT_APPLIED" } });
    await until(() => requests("POST", "/authorize")[0]?.processed === true);
    expect(requests("POST", "/authorize")[0]?.status).toBe(422);
    expect(state().payments).toEqual([]);
  });

  it("the fence loses the race (the slow authorize lands before the cancel): adopted, one payment", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ latency: { ms: 600, count: 2, match: `POST /payment-intents/${intentId}/` } });
    const result = await testClient().client.authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: true, value: { adopted: true, payment: { status: "Created" } } });
    await until(() => requests("POST", "/cancel")[0]?.processed === true);
    expect(requests("POST", "/cancel")[0]?.status).toBe(422);
    expect(state().payments).toHaveLength(1);
    expect(requests("POST", "/authorize")).toHaveLength(1);
  });

  it("another process promotes the intent while our authorize is in flight: the refusal is not a decline, the payment is adopted", async () => {
    sandbox.setBehaviour({ repeatedAuthorize: "error" });
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ latency: { ms: 300, count: 1, match: `POST /payment-intents/${intentId}/authorize` } });
    const ours = clientFor(sandbox.url, merchant).client.authorizePaymentIntent(intentId, 1999);
    await until(() => requests("POST", "/authorize").length === 1);
    const theirs = await fetch(`${sandbox.url}/api/v1/payment-intents/${intentId}/authorize`, {
      method: "POST",
      headers: { "Client-ID": merchant.clientId, Authorization: `Bearer ${merchant.clientSecret}`, "Content-Type": "application/vnd.api+json" },
      body: JSON.stringify({ data: { type: "AuthorizePaymentIntent", attributes: { amount: 1999 } } }),
    });
    expect(theirs.status).toBe(200);
    const result = await ours;
    expect(result).toMatchObject({ ok: true, value: { adopted: true, payment: { id: state().payments[0]?.id }, otherPayments: [] } });
    expect(requests("POST", "/authorize").map((r) => r.status)).toEqual([422, 200]);
    expect(state().payments).toHaveLength(1);
  });

  it("the fence itself cannot be set: outcome_unknown, and still nothing authorized", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ dropConnection: { count: 3, match: `POST /payment-intents/${intentId}/` } });
    const result = await testClient().client.authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "NETWORK_ERROR", category: "outcome_unknown" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(requests("POST", "/cancel")).toHaveLength(2);
    expect(state().payments).toEqual([]);
    expect(state().intents[0]?.attributes.status).toBe("Promotable");
  });

  it("the reconciler settles it later without ever sending authorize: fenced, or adopted", async () => {
    const { client } = testClient();
    const unpromoted = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    expect(await client.resolveAuthorization(unpromoted)).toMatchObject({ ok: false, error: { code: "AUTHORIZE_NOT_APPLIED", observedStatus: "Canceled" } });
    const promoted = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    const first = await client.authorizePaymentIntent(promoted, 1999);
    expect(await client.resolveAuthorization(promoted)).toMatchObject({
      ok: true,
      value: { adopted: true, payment: { id: first.ok && first.value.payment.id } },
    });
    expect(requests("POST", "/authorize")).toHaveLength(1);
  });

  it("401 on authorize: terminal, no read-back, no repeat", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ unauthorized: { count: 1, match: "POST /payment-intents/" } });
    expect(await testClient().client.authorizePaymentIntent(intentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", category: "terminal" },
    });
    expect(sandbox.requests().map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "POST 401"]);
  });

  it("a 429 is refused before processing: waited out (Retry-After), then authorized once", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ rateLimit: { count: 2, retryAfterSeconds: 2, match: "POST /payment-intents/" } });
    const { client, sleeps } = testClient();
    expect(await client.authorizePaymentIntent(intentId, 1999)).toMatchObject({ ok: true, value: { adopted: false } });
    expect(requests("POST", "/authorize").map((r) => r.status)).toEqual([429, 429, 200]);
    expect(state().payments).toHaveLength(1);
    expect(sleeps).toEqual([2000, 2000]);
  });
});

describe("capture, cancel, complete: read back, then at most one more send", () => {
  it.each(afterEffect)("capture, %s: read back Waiting → ok; one capture", async (_label, fault) => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults(fault(`POST /payments/${paymentId}/capture`));
    expect(await testClient().client.capturePayment(paymentId, 1999)).toMatchObject({ ok: true, value: { status: "Waiting" } });
    expect(requests("POST", "/capture")).toHaveLength(1);
    expect(state().captures).toHaveLength(1);
  });

  it.each(beforeEffect)("capture, %s: read back Created → sent once more → ok; one capture", async (_label, fault) => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults(fault(`POST /payments/${paymentId}/capture`));
    expect(await testClient().client.capturePayment(paymentId, 1999)).toMatchObject({ ok: true, value: { status: "Waiting" } });
    expect(requests("POST", "/capture")).toHaveLength(2);
    expect(state().captures).toHaveLength(1);
  });

  it("capture unknown twice: two sends at most, outcome_unknown, nothing captured", async () => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults({ serverError: { status: 500, count: 5, match: `POST /payments/${paymentId}/capture` } });
    expect(await testClient().client.capturePayment(paymentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "SERVER_ERROR", category: "outcome_unknown" },
    });
    expect(requests("POST", "/capture")).toHaveLength(2);
    expect(state().captures).toEqual([]);
  });

  it("capture unknown and the read-back fails too: outcome_unknown, one send", async () => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults({
      dropConnection: { count: 1, afterEffect: true, match: `POST /payments/${paymentId}/capture` },
      serverError: { status: 503, count: 10, match: `GET /payments/${paymentId}` },
    });
    const result = await testClient().client.capturePayment(paymentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "NETWORK_ERROR", category: "outcome_unknown" } });
    expect(!result.ok && result.error.message).toContain("reading the state back failed");
    expect(requests("POST", "/capture")).toHaveLength(1);
    expect(requests("GET", paymentId)).toHaveLength(4);
  });

  it.each([...beforeEffect, ...afterEffect])("cancel payment, %s: Canceled exactly once", async (_label, fault) => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults(fault(`POST /payments/${paymentId}/cancel`));
    expect(await testClient().client.cancelPayment(paymentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
    expect(state().payments[0]?.attributes.status).toBe("Canceled");
    expect(requests("POST", "/cancel").length).toBeLessThanOrEqual(2);
  });

  it.each([...beforeEffect, ...afterEffect])("complete, %s: Complete", async (_label, fault) => {
    const paymentId = await capturedPayment();
    sandbox.setFaults(fault(`POST /payments/${paymentId}/complete`));
    expect(await testClient().client.completePayment(paymentId)).toMatchObject({ ok: true, value: { status: "Complete" } });
  });

  it("cancel intent, 5xx after: read back Canceled → ok, one send", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.setFaults({ serverError: { count: 1, afterEffect: true, match: "POST /payment-intents/" } });
    expect(await testClient().client.cancelPaymentIntent(intentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
    expect(requests("POST", "/cancel")).toHaveLength(1);
  });

  it("increase authorization, drop after: read back the new amount, one send", async () => {
    const paymentId = await authorizedPayment(1000);
    sandbox.setFaults({ dropConnection: { count: 1, afterEffect: true, match: "POST /payments/" } });
    expect(await testClient().client.increaseAuthorization(paymentId, 250)).toMatchObject({ ok: true, value: { amount: 1250 } });
    expect(requests("POST", "/increase-authorization")).toHaveLength(1);
    expect(state().payments[0]?.authorizedAmount).toBe(1250);
  });
});

describe("refund: never sent twice", () => {
  it.each(afterEffect)("%s: the new refund is found by reading the payment; one refund", async (_label, fault) => {
    const paymentId = await capturedPayment(3000);
    sandbox.setFaults(fault(`POST /payments/${paymentId}/refund`));
    const result = await testClient().client.refundPayment(paymentId, 1000, { knownRefundIds: [], idempotencyKey: "ledger-1" });
    expect(result).toMatchObject({ ok: true, value: { adopted: true, refund: { amount: 1000, status: "Pending" } } });
    expect(requests("POST", "/refund")).toHaveLength(1);
    expect(state().refunds.map((r) => r.id)).toEqual([result.ok && result.value.refund.id]);
  });

  it.each(beforeEffect)("%s: no new refund on read-back → outcome_unknown, not sent again", async (_label, fault) => {
    const paymentId = await capturedPayment(3000);
    sandbox.setFaults(fault(`POST /payments/${paymentId}/refund`));
    const { client } = testClient();
    const result = await client.refundPayment(paymentId, 1000, { knownRefundIds: [], idempotencyKey: "ledger-1" });
    expect(result).toMatchObject({ ok: false, error: { category: "outcome_unknown" } });
    expect(!result.ok && result.error.message).toContain("Do not refund again");
    expect(requests("POST", "/refund")).toHaveLength(1);
    expect(state().refunds).toEqual([]);
    expect(await client.findNewRefund(paymentId, 1000, [])).toEqual({ ok: true, value: null });
  });

  it("an earlier refund of the same amount in the ledger is never mistaken for the lost one", async () => {
    const paymentId = await capturedPayment(3000);
    const { client } = testClient();
    const first = await client.refundPayment(paymentId, 1000, { knownRefundIds: [], idempotencyKey: "ledger-1" });
    const firstId = first.ok ? first.value.refund.id : "";
    sandbox.setFaults({ serverError: { count: 1, match: "POST /payments/" } });
    expect(await client.refundPayment(paymentId, 1000, { knownRefundIds: [firstId], idempotencyKey: "ledger-2" })).toMatchObject({
      ok: false,
      error: { category: "outcome_unknown" },
    });
    expect(state().refunds).toHaveLength(1);
  });
});

describe("reads are retried; 429 storms back off for the whole process", () => {
  it("a GET after two 5xx is retried with full-jitter backoff", async () => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults({ serverError: { status: 500, count: 2, match: "GET /payments/" } });
    const { client, sleeps } = testClient();
    expect(await client.getPayment(paymentId)).toMatchObject({ ok: true });
    expect(requests("GET", paymentId).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(sleeps).toEqual([100, 200]);
  });

  it("a GET that hangs past the short timeout is retried", async () => {
    const paymentId = await authorizedPayment();
    sandbox.setFaults({ hang: { count: 1, match: "GET /payments/" } });
    expect(await testClient().client.getPayment(paymentId)).toMatchObject({ ok: true });
    expect(requests("GET", paymentId).map((r) => r.status)).toEqual(["hung", 200]);
  });

  it("a GET failing every time ends SERVER_ERROR, retryable, after four attempts", async () => {
    sandbox.setFaults({ serverError: { status: 502, match: "GET /payment-intents" } });
    expect(await testClient().client.listPaymentIntents()).toMatchObject({ ok: false, error: { code: "SERVER_ERROR", category: "retryable", attempts: 4 } });
  });

  it("a 429 storm without Retry-After: exponential backoff with jitter, then RATE_LIMITED", async () => {
    sandbox.setFaults({ rateLimit: { retryAfterSeconds: null, match: "GET /payments" } });
    const { client, sleeps } = testClient();
    expect(await client.listPayments()).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", category: "retryable", attempts: 4, httpStatus: 429 } });
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it("a Retry-After longer than we wait in-line is handed to the caller", async () => {
    sandbox.setFaults({ rateLimit: { retryAfterSeconds: 120, match: "GET /payments" } });
    const { client, sleeps } = testClient();
    expect(await client.listPayments()).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: 120_000, attempts: 1 } });
    expect(sleeps).toEqual([]);
    // The budget stays paused for our in-line bound (20 s): the next request waits that long.
    await client.getPaymentIntent("11111111-1111-4111-8111-111111111111");
    expect(sleeps).toEqual([20_000]);
  });

  it("the sandbox's own limit (A13): a burst over the limit waits for the window, every request eventually served", async () => {
    const clock = virtualClock();
    const limited = await startSandbox({ now: () => new Date(clock.now()), behaviour: { rateLimitPerMinute: 3 } });
    try {
      const credentials = limited.createMerchant();
      const { client, sleeps } = clientFor(limited.url, credentials, { retry: { maxRetryAfterMs: 60_000 } }, clock);
      for (let n = 0; n < 5; n += 1) expect(await client.listPayments()).toMatchObject({ ok: true });
      expect(limited.requests().map((r) => r.status)).toEqual([200, 200, 200, 429, 200, 200]);
      expect(sleeps).toEqual([60_000]);
    } finally {
      await limited.close();
    }
  });

  it("one merchant's 429 pauses every merchant sharing the process-wide budget", async () => {
    const { createAccrueClient, createRateBudget } = await import("~/accrue");
    const clock = virtualClock();
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    };
    const budget = createRateBudget({ perMinute: 600_000, now: clock.now, sleep });
    const accrue = createAccrueClient({
      baseUrl: sandbox.url,
      environment: "sandbox",
      budget,
      sleep,
      now: clock.now,
      random: () => 0.5,
      retry: { maxAttempts: 1 },
    });
    const second = sandbox.createMerchant();
    sandbox.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 5, match: "GET /payments" } });
    expect(await accrue.forMerchant(merchant).listPayments()).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", retryAfterMs: 5000 } });
    expect(sleeps).toEqual([]);
    expect(await accrue.forMerchant(second).listPayments()).toMatchObject({ ok: true });
    expect(sleeps).toEqual([5000]);
  });

  it("a POST that provably never left (connection refused) is repeated, then NETWORK_ERROR retryable", async () => {
    const { client } = clientFor(await closedPortUrl(), merchant);
    expect(await client.capturePayment("11111111-1111-4111-8111-111111111111", 100)).toMatchObject({
      ok: false,
      error: { code: "NETWORK_ERROR", category: "retryable", attempts: 4 },
    });
  });
});

describe("webhooks", () => {
  it("create with 5xx before or after: outcome_unknown, never created twice by us", async () => {
    for (const afterEffect of [false, true]) {
      sandbox.reset();
      merchant = sandbox.createMerchant();
      sandbox.setFaults({ serverError: { count: 1, afterEffect, match: "POST /webhooks" } });
      const result = await testClient().client.createWebhook({ name: "n", url: "https://app.example/hook", topics: ["*"] });
      expect(result).toMatchObject({ ok: false, error: { code: "SERVER_ERROR", category: "outcome_unknown" } });
      expect(requests("POST", "/webhooks")).toHaveLength(1);
      expect(state().webhooks).toHaveLength(afterEffect ? 1 : 0);
    }
  });

  it("delete with a dropped answer: read back 404 → deleted", async () => {
    const created = await testClient().client.createWebhook({ name: "n", url: "https://app.example/hook", topics: ["*"] });
    const id = created.ok ? created.value.webhook.id : "";
    sandbox.setFaults({ dropConnection: { count: 1, afterEffect: true, match: "DELETE /webhooks/" } });
    expect(await testClient().client.deleteWebhook(id)).toEqual({ ok: true, value: undefined });
    expect(requests("DELETE", id)).toHaveLength(1);
  });
});
