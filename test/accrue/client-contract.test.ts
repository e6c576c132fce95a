/**
 * The Accrue client against the sandbox, endpoint by endpoint, with exact outcomes on both
 * sides: what the client returns and what the sandbox recorded.
 */
import { describe, expect, it } from "vitest";
import { declineReason, type AccrueCredentials } from "~/accrue";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { clientFor, closedPortUrl, HOUR, MAGIC_PHONES, MINUTE, shopperIntent, sandboxPerTest } from "./support";

let sandbox: AccrueSandbox;
let merchant: AccrueCredentials;
let other: AccrueCredentials;

sandboxPerTest((s, m) => {
  sandbox = s;
  merchant = m;
  other = s.createMerchant({ name: "Shop two" });
});

const client = (credentials: AccrueCredentials = merchant) => clientFor(sandbox.url, credentials).client;
const posts = (route: string) => sandbox.requests().filter((r) => r.method === "POST" && r.route.startsWith(route));

async function authorized(phone: string = MAGIC_PHONES.approved, amount = 1999) {
  const intentId = shopperIntent(sandbox, merchant, phone, amount);
  const result = await client().authorizePaymentIntent(intentId, amount);
  if (!result.ok) throw new Error(`authorize failed: ${result.error.message}`);
  return { intentId, paymentId: result.value.payment.id };
}

async function captured(amount = 1999, phone: string = MAGIC_PHONES.approved) {
  const { paymentId, intentId } = await authorized(phone, amount);
  const capture = await client().capturePayment(paymentId, amount);
  if (!capture.ok) throw new Error(`capture failed: ${capture.error.message}`);
  return { paymentId, intentId };
}

describe("credentials", () => {
  it("a harmless GET proves good credentials, and sends Client-ID with the secret as Bearer", async () => {
    expect(await client().checkCredentials()).toEqual({ ok: true });
    const [request] = sandbox.requests();
    expect(request).toMatchObject({ method: "GET", path: "/api/v1/payment-intents", clientId: merchant.clientId, authScheme: "bearer", status: 200 });
    expect(sandbox.state(merchant.clientId).intents).toEqual([]);
  });

  it.each([
    ["a wrong secret", () => ({ ...merchant, clientSecret: "0".repeat(64) })],
    ["an unknown Client ID", () => ({ ...merchant, clientId: "00000000-0000-4000-8000-000000000000" })],
    ["a revoked secret", () => (sandbox.revokeMerchant(merchant.clientId), merchant)],
  ])("401 for %s: unauthorized, asked once", async (_label, credentials) => {
    const creds = credentials();
    expect(await client(creds).checkCredentials()).toEqual({ ok: false, reason: "unauthorized", message: "Accrue refused this Client ID and Client Secret" });
    expect(sandbox.requests().map((r) => r.status)).toEqual([401]);
  });

  it("a rotated secret: the old one is refused, the new one works", async () => {
    const rotated = sandbox.rotateSecret(merchant.clientId);
    expect((await client(merchant).checkCredentials()).ok).toBe(false);
    expect(await client(rotated).checkCredentials()).toEqual({ ok: true });
  });

  it("an unreachable Accrue is 'unreachable'", async () => {
    const { client: offline } = clientFor(await closedPortUrl(), merchant, { retry: { maxAttempts: 2 } });
    expect(await offline.checkCredentials()).toMatchObject({ ok: false, reason: "unreachable" });
  });

  it("every operation with bad credentials is UNAUTHORIZED, terminal, never repeated", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    const bad = client({ ...merchant, clientSecret: "f".repeat(64) });
    expect(await bad.authorizePaymentIntent(intentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", category: "terminal", httpStatus: 401, gatewayCode: "unauthorized", operation: "payment_intents.authorize" },
    });
    expect(sandbox.requests()).toHaveLength(1);
  });
});

describe("payment intents", () => {
  it("reads an intent with its payments; another merchant's intent is NOT_FOUND", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 2500, "tok-abc");
    const read = await client().getPaymentIntent(intentId);
    expect(read).toMatchObject({
      ok: true,
      value: { intent: { id: intentId, status: "Promotable", reference: "tok-abc", amount: 2500, error: null, paymentIds: [] }, payments: [] },
    });
    expect(read.ok && read.value.intent.expiresAt).toBe(new Date(Date.parse(read.ok ? (read.value.intent.createdAt ?? "") : "") + 30 * MINUTE).toISOString());
    expect(await client(other).getPaymentIntent(intentId)).toMatchObject({ ok: false, error: { code: "NOT_FOUND", category: "terminal", httpStatus: 404 } });
  });

  it("refuses an id that is not an Accrue id before sending", async () => {
    expect(await client().getPaymentIntent("../payments")).toMatchObject({ ok: false, error: { code: "INVALID_INPUT", origin: "client", attempts: 0 } });
    expect(sandbox.requests()).toEqual([]);
  });

  it("lists intents newest first with paging and a status filter", async () => {
    const ids = [1, 2, 3].map((n) => shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 100 * n, `r${n}`));
    const needsAction = shopperIntent(sandbox, merchant, MAGIC_PHONES.requiresAction, 400, "r4");
    const page = await client().listPaymentIntents({ limit: 2, offset: 1 });
    expect(page.ok && page.value.map((entry) => entry.intent.id)).toEqual([ids[2], ids[1]]);
    const filtered = await client().listPaymentIntents({ status: "RequiresAction" });
    expect(filtered.ok && filtered.value.map((entry) => entry.intent.id)).toEqual([needsAction]);
  });

  it("finds an intent by reference across pages, stopping on an empty page", async () => {
    sandbox.setBehaviour({ pageLimit: "capped", pageLimitCap: 3 });
    const target = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 1999, "needle");
    for (let n = 0; n < 7; n += 1) shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 100, `hay-${n}`);
    const found = await client().findPaymentIntentsByReference("needle");
    expect(found).toMatchObject({ ok: true, value: { pagesRead: 4, matches: [{ intent: { id: target } }] } });
    const listings = sandbox.requests().map((r) => new URLSearchParams(r.query).get("page[offset]"));
    expect(listings).toEqual(["0", "3", "6", "8"]);
  });

  it("the reference scan stops at maxPages and at createdAfter", async () => {
    sandbox.setBehaviour({ pageLimit: "capped", pageLimitCap: 2 });
    for (let n = 0; n < 6; n += 1) shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 100, `x${n}`);
    expect(await client().findPaymentIntentsByReference("absent", { maxPages: 2 })).toMatchObject({ ok: true, value: { matches: [], pagesRead: 2 } });
    sandbox.reset();
    merchant = sandbox.createMerchant();
    sandbox.setBehaviour({ pageLimit: "capped", pageLimitCap: 2 });
    for (let n = 0; n < 6; n += 1) shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 100, `x${n}`);
    const future = new Date(Date.now() + HOUR);
    expect(await client().findPaymentIntentsByReference("absent", { createdAfter: future })).toMatchObject({ ok: true, value: { pagesRead: 1 } });
  });

  it("cancels a Promotable intent; a promoted one is REJECTED", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    expect(await client().cancelPaymentIntent(intentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
    expect(sandbox.state(merchant.clientId).intents[0]?.attributes.status).toBe("Canceled");
    const { intentId: promoted } = await authorized();
    expect(await client().cancelPaymentIntent(promoted)).toMatchObject({
      ok: false,
      error: { code: "REJECTED", category: "terminal", httpStatus: 422, gatewayCode: "payment_intent_not_cancelable" },
    });
  });
});

describe("authorize", () => {
  it("reads the intent, authorizes our exact amount once, and returns the new payment", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 1999);
    const result = await client().authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({
      ok: true,
      value: {
        intent: { id: intentId, status: "PromotedToPayment" },
        payment: { status: "Created", amount: 1999, paymentIntentId: intentId },
        adopted: false,
        otherPayments: [],
      },
    });
    const state = sandbox.state(merchant.clientId);
    expect(state.payments.map((p) => [p.id, p.attributes.status, p.authorizedAmount])).toEqual([[result.ok && result.value.payment.id, "Created", 1999]]);
    const authorize = posts("/payment-intents/");
    expect(authorize.map((r) => [r.route, r.idempotencyKey, r.body])).toEqual([
      [`/payment-intents/${intentId}/authorize`, `authorize:${intentId}`, { data: { type: "AuthorizePaymentIntent", attributes: { amount: 1999 } } }],
    ]);
    expect(sandbox.requests().map((r) => `${r.method} ${r.route}`)).toEqual([
      `GET /payment-intents/${intentId}`,
      `POST /payment-intents/${intentId}/authorize`,
    ]);
  });

  it("the payment's expiresAt is the authorization expiry (7 days by default)", async () => {
    const { paymentId } = await authorized();
    const payment = await client().getPayment(paymentId);
    expect(payment.ok && Date.parse(payment.value.payment.expiresAt ?? "") - Date.parse(payment.value.payment.createdAt ?? "")).toBe(7 * 24 * HOUR);
  });

  it.each([
    ["insufficient funds", MAGIC_PHONES.insufficientFunds, "insufficient_funds", "insufficient_funds"],
    ["declined", MAGIC_PHONES.declined, "payment_declined", "declined"],
  ] as const)("a decline (%s) is REJECTED, terminal, with its code; nothing is created", async (_label, phone, gatewayCode, reason) => {
    const intentId = shopperIntent(sandbox, merchant, phone);
    const result = await client().authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "REJECTED", category: "terminal", httpStatus: 422, gatewayCode } });
    expect(!result.ok && declineReason(result.error)).toBe(reason);
    expect(sandbox.state(merchant.clientId).payments).toEqual([]);
    expect(posts("/payment-intents/")).toHaveLength(1);
  });

  it("an intent with LinkedAccountUnverified is refused without sending authorize", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.linkedAccountUnverified);
    expect(await client().authorizePaymentIntent(intentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "STATE_MISMATCH", category: "terminal", observedStatus: "RequiresAction" },
    });
    expect(posts("/payment-intents/")).toEqual([]);
  });

  it("RequiresAction waits; once cleared (or its time passes) the intent authorizes", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.requiresAction);
    expect(await client().authorizePaymentIntent(intentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "STATE_MISMATCH", observedStatus: "RequiresAction" },
    });
    sandbox.clearRequiredAction(merchant.clientId, intentId);
    expect(await client().authorizePaymentIntent(intentId, 1999)).toMatchObject({ ok: true, value: { payment: { status: "Created" } } });

    sandbox.setBehaviour({ requiresActionMs: 2 * MINUTE });
    const timed = shopperIntent(sandbox, merchant, MAGIC_PHONES.requiresAction);
    sandbox.advanceClock(2 * MINUTE);
    expect(await client().authorizePaymentIntent(timed, 1999)).toMatchObject({ ok: true });
  });

  it("an intent already promoted (an earlier attempt landed) is adopted, never authorized again", async () => {
    const { intentId, paymentId } = await authorized();
    const again = await client().authorizePaymentIntent(intentId, 1999);
    expect(again).toMatchObject({ ok: true, value: { payment: { id: paymentId }, adopted: true, otherPayments: [] } });
    expect(posts("/payment-intents/")).toHaveLength(1);
  });

  it("a canceled or expired intent is not authorized", async () => {
    const canceled = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await client().cancelPaymentIntent(canceled);
    expect(await client().authorizePaymentIntent(canceled, 1999)).toMatchObject({ ok: false, error: { code: "STATE_MISMATCH", observedStatus: "Canceled" } });
    const expired = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    sandbox.advanceClock(31 * MINUTE);
    expect(await client().authorizePaymentIntent(expired, 1999)).toMatchObject({
      ok: false,
      error: { code: "REJECTED", gatewayCode: "payment_intent_expired" },
    });
    expect(sandbox.state(merchant.clientId).payments).toEqual([]);
  });

  it("refuses a non-integer or non-positive amount before sending", async () => {
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    for (const amount of [19.99, 0, -5]) {
      expect(await client().authorizePaymentIntent(intentId, amount)).toMatchObject({ ok: false, error: { code: "INVALID_INPUT", attempts: 0 } });
    }
    expect(sandbox.requests()).toEqual([]);
  });
});

describe("payments: capture, increase, cancel, complete", () => {
  it("captures in full; the clock moves it Waiting → Processing → Sent", async () => {
    const { paymentId } = await authorized();
    expect(await client().capturePayment(paymentId, 1999)).toMatchObject({ ok: true, value: { id: paymentId, status: "Waiting", amount: 1999 } });
    expect(sandbox.state(merchant.clientId).captures).toMatchObject([{ paymentId, amount: 1999 }]);
    sandbox.advanceClock(10 * MINUTE);
    expect(await client().getPayment(paymentId)).toMatchObject({ ok: true, value: { payment: { status: "Processing" } } });
    sandbox.advanceClock(HOUR);
    expect(await client().getPayment(paymentId)).toMatchObject({ ok: true, value: { payment: { status: "Sent" } } });
  });

  it("a partial capture releases the rest to the wallet", async () => {
    const { paymentId } = await authorized(MAGIC_PHONES.approved, 5000);
    expect(await client().capturePayment(paymentId, 3000)).toMatchObject({ ok: true, value: { status: "Waiting", amount: 3000 } });
    expect(sandbox.state(merchant.clientId).payments[0]).toMatchObject({ authorizedAmount: 5000, capturedAmount: 3000 });
  });

  it("refuses a second capture, one above the authorization, and one after expiry", async () => {
    const { paymentId } = await authorized();
    expect(await client().capturePayment(paymentId, 2000)).toMatchObject({
      ok: false,
      error: { code: "REJECTED", gatewayCode: "amount_exceeds_authorization" },
    });
    await client().capturePayment(paymentId, 1999);
    expect(await client().capturePayment(paymentId, 1999)).toMatchObject({ ok: false, error: { code: "REJECTED", gatewayCode: "payment_not_capturable" } });
    const late = await authorized();
    sandbox.advanceClock(7 * 24 * HOUR + 1);
    expect(await client().capturePayment(late.paymentId, 1999)).toMatchObject({ ok: false, error: { code: "REJECTED", gatewayCode: "authorization_expired" } });
    expect(sandbox.state(merchant.clientId).captures).toHaveLength(1);
  });

  it("the capture-fails phone: REJECTED capture_failed, payment stays Created", async () => {
    const { paymentId } = await authorized(MAGIC_PHONES.captureFails);
    expect(await client().capturePayment(paymentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "REJECTED", gatewayCode: "capture_failed", category: "terminal" },
    });
    expect(sandbox.state(merchant.clientId).payments[0]?.attributes.status).toBe("Created");
  });

  it("increases an authorization", async () => {
    const { paymentId } = await authorized(MAGIC_PHONES.approved, 1000);
    expect(await client().increaseAuthorization(paymentId, 500)).toMatchObject({ ok: true, value: { amount: 1500 } });
    expect(sandbox.state(merchant.clientId).payments[0]?.authorizedAmount).toBe(1500);
  });

  it("cancels an uncaptured payment and a Waiting one; refuses a Sent one", async () => {
    const first = await authorized();
    expect(await client().cancelPayment(first.paymentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
    const second = await captured();
    expect(await client().cancelPayment(second.paymentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
    const third = await captured();
    sandbox.advanceClock(2 * HOUR);
    expect(await client().cancelPayment(third.paymentId)).toMatchObject({ ok: false, error: { code: "REJECTED", gatewayCode: "payment_not_cancelable" } });
  });

  it("completes a payment", async () => {
    const { paymentId } = await captured();
    expect(await client().completePayment(paymentId)).toMatchObject({ ok: true, value: { status: "Complete" } });
  });

  it("lists payments", async () => {
    const { paymentId } = await authorized();
    expect(await client().listPayments()).toMatchObject({ ok: true, value: [{ id: paymentId, status: "Created" }] });
    expect(await client().listPayments({ status: "Sent" })).toEqual({ ok: true, value: [] });
  });
});

describe("refunds", () => {
  it("partial and multiple refunds, each told apart from the ledger's known ids", async () => {
    const { paymentId } = await captured(5000);
    const first = await client().refundPayment(paymentId, 1000, { knownRefundIds: [], idempotencyKey: "refund-row-1" });
    expect(first).toMatchObject({
      ok: true,
      value: {
        refund: { status: "Pending", amount: 1000 },
        adopted: false,
        message: "Full refund will be initiated after the original payment is successfully received.",
      },
    });
    const firstId = first.ok ? first.value.refund.id : "";
    const second = await client().refundPayment(paymentId, 1000, { knownRefundIds: [firstId], idempotencyKey: "refund-row-2" });
    expect(second.ok && second.value.refund.id).not.toBe(firstId);
    expect(sandbox.state(merchant.clientId).refunds.map((r) => [r.amount, r.status])).toEqual([
      [1000, "Pending"],
      [1000, "Pending"],
    ]);
    expect(
      posts("/payments/")
        .filter((r) => r.route.endsWith("/refund"))
        .map((r) => r.idempotencyKey),
    ).toEqual(["refund-row-1", "refund-row-2"]);
  });

  it("a refund above what is left is REJECTED and changes nothing", async () => {
    const { paymentId } = await captured(2000);
    await client().refundPayment(paymentId, 1500, { knownRefundIds: [], idempotencyKey: "r1" });
    expect(await client().refundPayment(paymentId, 501, { knownRefundIds: [], idempotencyKey: "r2" })).toMatchObject({
      ok: false,
      error: { code: "REJECTED", gatewayCode: "refund_exceeds_captured" },
    });
    expect(sandbox.state(merchant.clientId).payments[0]?.refundedAmount).toBe(1500);
  });

  it("a refund before capture is REJECTED", async () => {
    const { paymentId } = await authorized();
    expect(await client().refundPayment(paymentId, 100, { knownRefundIds: [], idempotencyKey: "r" })).toMatchObject({
      ok: false,
      error: { gatewayCode: "payment_not_refundable" },
    });
  });

  it("Pending settles once the payment is Sent: success, Failed, or never", async () => {
    const outcomes: [string, string][] = [];
    for (const phone of [MAGIC_PHONES.approved, MAGIC_PHONES.refundFails, MAGIC_PHONES.refundStuckPending]) {
      const { paymentId } = await captured(1000, phone);
      const refund = await client().refundPayment(paymentId, 400, { knownRefundIds: [], idempotencyKey: `r-${phone}` });
      outcomes.push([phone, refund.ok ? refund.value.refund.id : ""]);
    }
    sandbox.advanceClock(5 * MINUTE);
    expect(sandbox.state(merchant.clientId).refunds.map((r) => r.status)).toEqual(["Pending", "Pending", "Pending"]);
    sandbox.advanceClock(2 * HOUR);
    expect(sandbox.state(merchant.clientId).refunds.map((r) => r.status)).toEqual(["Succeeded", "Failed", "Pending"]);
    const [paymentWithRefund] = sandbox.state(merchant.clientId).payments;
    const read = await client().getPayment(paymentWithRefund?.id ?? "");
    expect(read).toMatchObject({ ok: true, value: { refunds: [{ id: outcomes[0]?.[1], status: "Succeeded", amount: 400 }] } });
  });

  it("findNewRefund sees only refunds the ledger does not know", async () => {
    const { paymentId } = await captured(1000);
    const refund = await client().refundPayment(paymentId, 300, { knownRefundIds: [], idempotencyKey: "r" });
    const id = refund.ok ? refund.value.refund.id : "";
    expect(await client().findNewRefund(paymentId, 300, [])).toMatchObject({ ok: true, value: { id } });
    expect(await client().findNewRefund(paymentId, 300, [id])).toEqual({ ok: true, value: null });
    expect(await client().findNewRefund(paymentId, 200, [])).toEqual({ ok: true, value: null });
  });
});

describe("webhooks and events", () => {
  it("creates a webhook for the six topics and gets its secret once; get, update, delete", async () => {
    const topics = ["PaymentIntentCreated", "PaymentIntentUpdated", "PaymentCreated", "PaymentUpdated", "RefundCreated", "RefundUpdated"] as const;
    const created = await client().createWebhook({ name: "Accelebit for Shopify", url: "https://app.example/webhooks/accrue/tok", topics: [...topics] });
    expect(created).toMatchObject({ ok: true, value: { webhook: { name: "Accelebit for Shopify", enabled: true, topics: [...topics] } } });
    if (!created.ok) return;
    expect(created.value.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.value.secret).toBe(sandbox.webhookSecret(merchant.clientId, created.value.webhook.id));
    const id = created.value.webhook.id;
    expect(await client().getWebhook(id)).toMatchObject({ ok: true, value: { webhook: { id }, secret: created.value.secret } });
    expect(await client().updateWebhook(id, { enabled: false })).toMatchObject({ ok: true, value: { id, enabled: false } });
    expect(sandbox.state(merchant.clientId).webhooks[0]?.enabled).toBe(false);
    expect(await client().deleteWebhook(id)).toEqual({ ok: true, value: undefined });
    expect(sandbox.state(merchant.clientId).webhooks).toEqual([]);
    expect(await client().getWebhook(id)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await client(other).deleteWebhook(id)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
  });

  it("refuses a webhook without topics or with a non-http URL before sending", async () => {
    expect(await client().createWebhook({ name: "x", url: "ftp://x", topics: ["PaymentCreated"] })).toMatchObject({
      ok: false,
      error: { code: "INVALID_INPUT" },
    });
    expect(await client().createWebhook({ name: "x", url: "https://x.example", topics: [] })).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
    expect(sandbox.requests()).toEqual([]);
  });

  it("lists and gets webhook events with the resource they name", async () => {
    const since = new Date(Date.now() - MINUTE);
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    const listed = await client().listWebhookEvents({ since });
    expect(listed).toMatchObject({ ok: true, value: [{ topic: "PaymentIntentCreated" }] });
    const eventId = listed.ok ? (listed.value[0]?.id ?? "") : "";
    expect(await client().getWebhookEvent(eventId)).toEqual({
      ok: true,
      value: { id: eventId, topic: "PaymentIntentCreated", createdAt: expect.any(String), resources: [{ type: "PaymentIntent", id: intentId }] },
    });
    expect(await client().listWebhookEvents({ since: new Date(Date.now() + HOUR) })).toEqual({ ok: true, value: [] });
  });
});
