/**
 * Every point the Accrue document leaves open or states two ways is a sandbox knob; the client
 * is tried against each reading. Where the client cannot serve a reading by itself (Basic auth,
 * a missing /api/v1 prefix), the test shows the configuration that does and the clear error
 * without it.
 */
import { describe, expect, it } from "vitest";
import { declineReason, type AccrueCredentials, type AccrueClientOptions } from "~/accrue";
import type { AccrueSandbox, Behaviour } from "../simulators/accrue/server";
import { clientFor, HOUR, MAGIC_PHONES, MINUTE, shopperIntent, startSandbox, virtualClock, sandboxPerTest } from "./support";

let sandbox: AccrueSandbox;
let merchant: AccrueCredentials;

sandboxPerTest((s, m) => {
  sandbox = s;
  merchant = m;
});

const client = (options: Partial<AccrueClientOptions> = {}) => clientFor(sandbox.url, merchant, options).client;
const requests = (method: string, suffix: string) => sandbox.requests().filter((r) => r.method === method && r.route.endsWith(suffix));
const state = () => sandbox.state(merchant.clientId);

async function authorize(amount = 1999, phone: string = MAGIC_PHONES.approved) {
  const intentId = shopperIntent(sandbox, merchant, phone, amount);
  const result = await client().authorizePaymentIntent(intentId, amount);
  if (!result.ok) throw new Error(result.error.message);
  return { intentId, paymentId: result.value.payment.id, status: result.value.payment.status };
}

/** Another process (not our client) posting authorize directly, to create the states our client must cope with. */
async function rawAuthorize(intentId: string, amount: number): Promise<number> {
  const response = await fetch(`${sandbox.url}/api/v1/payment-intents/${intentId}/authorize`, {
    method: "POST",
    headers: { "Client-ID": merchant.clientId, Authorization: `Bearer ${merchant.clientSecret}`, "Content-Type": "application/vnd.api+json" },
    body: JSON.stringify({ data: { type: "AuthorizePaymentIntent", attributes: { amount } } }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("hosts, paths and authentication", () => {
  it.each([
    ["api_v1", "/api/v1", true],
    ["api_v1", "", false],
    ["none", "", true],
    ["none", "/api/v1", false],
    ["both", "/api/v1", true],
    ["both", "", true],
  ] as const)("path prefix reading %s, client prefix %j: works = %s", async (pathPrefix, clientPrefix, works) => {
    sandbox.setBehaviour({ pathPrefix });
    const result = await client({ pathPrefix: clientPrefix }).listPayments();
    expect(result.ok).toBe(works);
    if (!works) expect(result).toMatchObject({ ok: false, error: { code: "NOT_FOUND", httpStatus: 404 } });
  });

  it.each([
    ["bearer", "bearer", true],
    ["bearer", "basic", false],
    ["basic", "bearer", false],
    ["basic", "basic", true],
    ["either", "bearer", true],
    ["either", "basic", true],
  ] as const)("auth reading %s, client scheme %s: works = %s", async (auth, authScheme, works) => {
    sandbox.setBehaviour({ auth });
    const check = await client({ authScheme }).checkCredentials();
    expect(check.ok).toBe(works);
    if (!works) expect(check).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(sandbox.requests()[0]?.authScheme).toBe(authScheme);
  });

  it.each(["strict", "lenient"] as const)("media type %s: the client's application/vnd.api+json is accepted", async (mediaType) => {
    sandbox.setBehaviour({ mediaType });
    await authorize();
    expect(requests("POST", "/authorize")[0]?.contentType).toBe("application/vnd.api+json");
  });
});

describe("errors", () => {
  it.each([
    ["string", "snake", 422],
    ["number", "snake", 400],
    ["string", "upper", 402],
    ["number", "upper", 422],
  ] as const)("status as %s, codes %s, declines %i: a decline is read the same", async (errorStatusType, errorCodeStyle, declineStatus) => {
    sandbox.setBehaviour({ errorStatusType, errorCodeStyle, declineStatus });
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.insufficientFunds);
    const result = await client().authorizePaymentIntent(intentId, 1999);
    expect(result).toMatchObject({ ok: false, error: { code: "REJECTED", category: "terminal", httpStatus: declineStatus } });
    expect(!result.ok && result.error.gatewayErrors[0]?.status).toBe(String(declineStatus));
    expect(!result.ok && declineReason(result.error)).toBe("insufficient_funds");
  });

  it.each([400, 409, 422] as const)("a refused state change answered %i is REJECTED, never repeated", async (stateErrorStatus) => {
    sandbox.setBehaviour({ stateErrorStatus });
    const { paymentId } = await authorize();
    await client().capturePayment(paymentId, 1999);
    expect(await client().capturePayment(paymentId, 1999)).toMatchObject({
      ok: false,
      error: { code: "REJECTED", httpStatus: stateErrorStatus, category: "terminal" },
    });
    expect(requests("POST", "/capture")).toHaveLength(2);
  });
});

describe("payment states", () => {
  it.each(["Created", "Authorized"] as const)("status after authorize %s: authorize, capture and cancel all work", async (statusAfterAuthorize) => {
    sandbox.setBehaviour({ statusAfterAuthorize });
    const first = await authorize();
    expect(first.status).toBe(statusAfterAuthorize);
    expect(await client().capturePayment(first.paymentId, 1999)).toMatchObject({ ok: true, value: { status: "Waiting" } });
    const second = await authorize();
    expect(await client().cancelPayment(second.paymentId)).toMatchObject({ ok: true, value: { status: "Canceled" } });
  });

  it("cancel of an Authorized payment refused: REJECTED, the payment stays Authorized", async () => {
    sandbox.setBehaviour({ statusAfterAuthorize: "Authorized", cancelAuthorized: "refused" });
    const { paymentId } = await authorize();
    expect(await client().cancelPayment(paymentId)).toMatchObject({ ok: false, error: { code: "REJECTED", gatewayCode: "payment_not_cancelable" } });
    expect(state().payments[0]?.attributes.status).toBe("Authorized");
  });

  it.each([
    ["new_payment", [200, 200], 2],
    ["same_payment", [200, 200], 1],
    ["error", [200, 422], 1],
  ] as const)(
    "repeated authorize by another process (%s): our client adopts the newest live payment and reports the others",
    async (repeatedAuthorize, statuses, payments) => {
      sandbox.setBehaviour({ repeatedAuthorize });
      const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
      expect([await rawAuthorize(intentId, 1999), await rawAuthorize(intentId, 1999)]).toEqual(statuses);
      const result = await client().authorizePaymentIntent(intentId, 1999);
      const all = state().payments.map((p) => p.id);
      expect(all).toHaveLength(payments);
      expect(result).toMatchObject({ ok: true, value: { adopted: true, payment: { id: all.at(-1) }, otherPayments: all.slice(0, -1).map((id) => ({ id })) } });
      expect(requests("POST", "/authorize")).toHaveLength(2);
    },
  );

  it.each([
    ["captured", 3000],
    ["authorized", 5000],
  ] as const)("amount after a partial capture reads as the %s amount", async (amountAfterPartialCapture, shown) => {
    sandbox.setBehaviour({ amountAfterPartialCapture });
    const { paymentId } = await authorize(5000);
    expect(await client().capturePayment(paymentId, 3000)).toMatchObject({ ok: true, value: { amount: shown } });
    expect(state().payments[0]).toMatchObject({ capturedAmount: 3000, authorizedAmount: 5000 });
  });

  it.each([
    ["unchanged", "Created", "authorization_expired"],
    ["Canceled", "Canceled", "payment_not_capturable"],
    ["Expired", "Expired", "payment_not_capturable"],
  ] as const)("an expired authorization (%s): status %s, capture refused with %s", async (expiredAuthorization, status, gatewayCode) => {
    sandbox.setBehaviour({ expiredAuthorization });
    const { paymentId } = await authorize();
    sandbox.advanceClock(7 * 24 * HOUR + 1);
    expect(await client().getPayment(paymentId)).toMatchObject({ ok: true, value: { payment: { status } } });
    expect(await client().capturePayment(paymentId, 1999)).toMatchObject({ ok: false, error: { code: "REJECTED", gatewayCode } });
  });

  it.each([
    ["present", "kept", 30 * MINUTE, 1999, "ref-session-1"],
    ["absent", "dropped", null, null, null],
  ] as const)("intent amount %s, widget reference %s, intent TTL %s", async (intentAmount, widgetReference, intentTtlMs, amount, reference) => {
    sandbox.setBehaviour({ intentAmount, widgetReference, intentTtlMs });
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 1999, "ref-session-1");
    const read = await client().getPaymentIntent(intentId);
    expect(read).toMatchObject({ ok: true, value: { intent: { amount, reference } } });
    expect(read.ok && read.value.intent.expiresAt === null).toBe(intentTtlMs === null);
  });
});

describe("refunds", () => {
  it.each(["payment", "refund"] as const)("refund answer shaped as a %s: ours is found", async (refundAnswer) => {
    sandbox.setBehaviour({ refundAnswer });
    const { paymentId } = await authorize(2000);
    await client().capturePayment(paymentId, 2000);
    const result = await client().refundPayment(paymentId, 500, { knownRefundIds: [], idempotencyKey: "r1" });
    expect(result).toMatchObject({ ok: true, value: { refund: { amount: 500, status: "Pending", id: state().refunds[0]?.id }, adopted: false } });
    expect(result.ok && result.value.payment === null).toBe(refundAnswer === "refund");
  });

  it.each([
    ["Succeeded", "after_payment_sent", 5 * MINUTE, "Pending"],
    ["Completed", "after_payment_sent", 2 * HOUR, "Completed"],
    ["Refunded", "immediately", 5 * MINUTE, "Refunded"],
  ] as const)(
    "success status %s, settles %s: after %i ms the refund reads %s, exactly as sent",
    async (refundSuccessStatus, refundSettles, after, expected) => {
      sandbox.setBehaviour({ refundSuccessStatus, refundSettles });
      const { paymentId } = await authorize(2000);
      await client().capturePayment(paymentId, 2000);
      await client().refundPayment(paymentId, 500, { knownRefundIds: [], idempotencyKey: "r1" });
      sandbox.advanceClock(after);
      expect(await client().getPayment(paymentId)).toMatchObject({ ok: true, value: { refunds: [{ status: expected }] } });
    },
  );
});

describe("webhook management", () => {
  it.each([
    ["bare", 2],
    ["wrapped", 1],
    ["either", 1],
  ] as const)("create/update request shape %s: the client gets there (%i POSTs)", async (webhookRequestShape, creates) => {
    sandbox.setBehaviour({ webhookRequestShape });
    const created = await client().createWebhook({ name: "app", url: "https://app.example/hook", topics: ["PaymentCreated"] });
    expect(created).toMatchObject({ ok: true, value: { webhook: { topics: ["PaymentCreated"] } } });
    expect(requests("POST", "/webhooks").map((r) => r.status)).toEqual(creates === 2 ? [400, 201] : [201]);
    const id = created.ok ? created.value.webhook.id : "";
    expect(await client().updateWebhook(id, { topics: ["*"], name: "renamed" })).toMatchObject({ ok: true, value: { topics: ["*"], name: "renamed" } });
  });

  it.each(["PATCH", "PUT", "either"] as const)("update method %s", async (webhookUpdateMethod) => {
    sandbox.setBehaviour({ webhookUpdateMethod });
    const created = await client().createWebhook({ name: "app", url: "https://app.example/hook", topics: ["PaymentCreated"] });
    const id = created.ok ? created.value.webhook.id : "";
    expect(await client().updateWebhook(id, { enabled: false })).toMatchObject({ ok: true, value: { enabled: false } });
    expect(state().webhooks[0]?.enabled).toBe(false);
  });

  it.each([
    ["shown", true],
    ["hidden", false],
  ] as const)("secret on GET %s", async (secretOnGet, shown) => {
    sandbox.setBehaviour({ secretOnGet });
    const created = await client().createWebhook({ name: "app", url: "https://app.example/hook", topics: ["*"] });
    const id = created.ok ? created.value.webhook.id : "";
    const read = await client().getWebhook(id);
    expect(read).toMatchObject({ ok: true, value: { secret: shown ? (created.ok ? created.value.secret : "") : null } });
  });

  it.each([
    ["webhooks", ["/webhooks"]],
    ["webhook-events", ["/webhooks", "/webhook-events"]],
    ["both", ["/webhooks"]],
  ] as const)("events list at %s", async (eventsListPath, paths) => {
    sandbox.setBehaviour({ eventsListPath });
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    expect(await client().listWebhookEvents({ since: new Date(Date.now() - HOUR) })).toMatchObject({ ok: true, value: [{ topic: "PaymentIntentCreated" }] });
    expect(sandbox.requests().map((r) => r.route)).toEqual(paths);
  });

  it.each(["inside_data", "top_level"] as const)("event included %s", async (eventIncludedPlacement) => {
    sandbox.setBehaviour({ eventIncludedPlacement });
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    const listed = await client().listWebhookEvents({ since: new Date(Date.now() - HOUR) });
    const eventId = listed.ok ? (listed.value[0]?.id ?? "") : "";
    expect(await client().getWebhookEvent(eventId)).toMatchObject({ ok: true, value: { resources: [{ type: "PaymentIntent", id: intentId }] } });
  });
});

describe("idempotency, paging, include, rate limiting", () => {
  it.each(["ignored", "honoured"] as const)(
    "Idempotency-Key %s: a capture re-sent after a read-back carries the same key; one capture",
    async (idempotency) => {
      sandbox.setBehaviour({ idempotency });
      const { paymentId } = await authorize();
      sandbox.setFaults({ serverError: { count: 1, match: "POST /payments/" } });
      expect(await client().capturePayment(paymentId, 1999)).toMatchObject({ ok: true });
      expect(requests("POST", "/capture").map((r) => r.idempotencyKey)).toEqual([`capture:${paymentId}`, `capture:${paymentId}`]);
      expect(state().captures).toHaveLength(1);
    },
  );

  it("honoured keys: the same key with another body is refused by Accrue", async () => {
    sandbox.setBehaviour({ idempotency: "honoured" });
    const { paymentId } = await authorize(3000);
    await client().capturePayment(paymentId, 3000);
    const first = await client().refundPayment(paymentId, 100, { knownRefundIds: [], idempotencyKey: "same" });
    expect(first.ok).toBe(true);
    expect(await client().refundPayment(paymentId, 200, { knownRefundIds: [first.ok ? first.value.refund.id : ""], idempotencyKey: "same" })).toMatchObject({
      ok: false,
      error: { code: "REJECTED", gatewayCode: "idempotency_key_reused" },
    });
    expect(state().refunds).toHaveLength(1);
  });

  it.each([
    ["operations", "required"],
    ["introduction", "optional"],
    ["capped", "required"],
  ] as const)("page limits per %s, include %s: lists work", async (pageLimit, listInclude) => {
    sandbox.setBehaviour({ pageLimit, listInclude } satisfies Partial<Behaviour>);
    await authorize();
    expect(await client().listPaymentIntents()).toMatchObject({
      ok: true,
      value: [{ intent: { status: "PromotedToPayment" }, payments: [{ status: "Created" }] }],
    });
    expect(await client().listPayments()).toMatchObject({ ok: true, value: [{ status: "Created" }] });
  });

  it.each(["data", "empty_object"] as const)("an empty list answered as %s reads as no items", async (emptyList) => {
    sandbox.setBehaviour({ emptyList });
    expect(await client().listPayments()).toEqual({ ok: true, value: [] });
    expect(await client().listPaymentIntents()).toEqual({ ok: true, value: [] });
    expect(await client().findPaymentIntentsByReference("x")).toEqual({ ok: true, value: { matches: [], pagesRead: 1 } });
  });

  it.each(["all", "error"] as const)("events without since read as %s: the client always sends since", async (eventsSinceDefault) => {
    sandbox.setBehaviour({ eventsSinceDefault });
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    expect(await client().listWebhookEvents({ since: new Date(0) })).toMatchObject({ ok: true, value: [{ topic: "PaymentIntentCreated" }] });
    expect(new URLSearchParams(sandbox.requests()[0]?.query).get("filter[since]")).toBe("1970-01-01T00:00:00.000Z");
  });

  it("429 without Retry-After from the sandbox's own limit: backoff, then RATE_LIMITED", async () => {
    const clock = virtualClock();
    const limited = await startSandbox({ now: () => new Date(clock.now()), behaviour: { rateLimitPerMinute: 1, rateLimitRetryAfter: "omitted" } });
    try {
      const credentials = limited.createMerchant();
      const { client: c, sleeps } = clientFor(limited.url, credentials, {}, clock);
      expect(await c.listPayments()).toMatchObject({ ok: true });
      expect(await c.listPayments()).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", attempts: 4 } });
      expect(sleeps).toEqual([100, 200, 400]);
      expect(limited.requests().map((r) => r.status)).toEqual([200, 429, 429, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
