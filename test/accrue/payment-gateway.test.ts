/**
 * The Accrue adapter behind the gateway port, against the Accrue sandbox: charges of widget
 * intents (sale, authorization), capture, void, refunds, declines, binding checks, credentials,
 * rate limits, faults before and after the effect, webhooks, and the domain's deciders reading
 * ACCRUE_CAPABILITIES. Outcomes are asserted as the requests the sandbox saw and the states it
 * holds; waits are virtual (the client's sleep records them), never wall-clock.
 */
import { describe, expect, it } from "vitest";
import { signAccrueWebhook, type AccrueCredentials } from "~/accrue";
import { ACCRUE_CAPABILITIES, createAccruePaymentGateway, REFUND_SETTLE_MS } from "~/accrue/payment-gateway";
import { createRateBudget } from "~/accrue/rate-budget";
import { decideCapture } from "~/payments/captures.server";
import { chargeFact } from "~/payments/gateway-facts.server";
import type { ChargeRequest, GatewayAccount, GatewayCredentials, GatewayMode } from "~/payments/gateway/port";
import type { PaymentLedger } from "~/payments/ledger.server";
import { parseMoney, type Money } from "~/payments/money";
import { decideRefund } from "~/payments/refunds.server";
import { decideVoid } from "~/payments/voids.server";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { clientFor, closedPortUrl, MAGIC_PHONES, MINUTE, sandboxPerTest, shopperIntent, virtualClock } from "./support";

let sandbox: AccrueSandbox;
let merchant: AccrueCredentials;

sandboxPerTest((s, m) => {
  sandbox = s;
  merchant = m;
});

const REFERENCE = "ref-session-1";
const usd = (decimal: string): Money => {
  const parsed = parseMoney(decimal, "USD");
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};
const credentials = (over: Partial<GatewayCredentials> = {}): GatewayCredentials => ({ secret: merchant.clientSecret, publicId: merchant.clientId, ...over });

/** The adapter on the sandbox for both modes, with short timeouts and a virtual clock for waits; `now` is the adapter's own clock for expiries. */
function gatewayFor(options: { baseUrl?: string; now?: () => number } = {}) {
  const clock = virtualClock();
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const baseUrl = options.baseUrl ?? sandbox.url;
  const gateway = createAccruePaymentGateway({
    liveBaseUrl: baseUrl,
    sandboxBaseUrl: baseUrl,
    now: options.now ?? Date.now,
    client: {
      timeouts: { getMs: 300, writeMs: 300 },
      budget: createRateBudget({ perMinute: 600_000, now: clock.now, sleep }),
      sleep,
      now: clock.now,
      random: () => 0.5,
    },
  });
  return { gateway, sleeps };
}

function accountOf(options: Parameters<typeof gatewayFor>[0] = {}, mode: GatewayMode = "test"): GatewayAccount {
  const account = gatewayFor(options).gateway.account(credentials(), mode);
  if (!account.ok) throw new Error(account.error.message);
  return account.value;
}

const chargeRequest = (intentId: string, over: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amount: usd("19.99"),
  reference: REFERENCE,
  idempotencyKey: "attempt-key-1",
  capture: true,
  instrument: { kind: "intent", intentId },
  metadata: {},
  otherAttemptPaymentIds: [],
  ...over,
});

const requests = (method: string, suffix: string) => sandbox.requests().filter((r) => r.method === method && r.route.endsWith(suffix));
const posts = () => sandbox.requests().filter((r) => r.method === "POST");
const state = () => sandbox.state(merchant.clientId);
const intent = (phone: string = MAGIC_PHONES.approved, amount = 1999, reference: string | null = REFERENCE) =>
  shopperIntent(sandbox, merchant, phone, amount, reference);

async function authorized(account = accountOf(), amount = 1999): Promise<string> {
  const result = await account.charge(chargeRequest(intent(MAGIC_PHONES.approved, amount), { capture: false, amount: usd((amount / 100).toFixed(2)) }));
  if (!result.ok) throw new Error(result.error.message);
  return result.value.id;
}

async function captured(account = accountOf(), phone: string = MAGIC_PHONES.approved): Promise<string> {
  const result = await account.charge(chargeRequest(intent(phone)));
  if (!result.ok) throw new Error(result.error.message);
  return result.value.id;
}

describe("charges of a widget intent", () => {
  it("a sale authorizes exactly Shopify's amount and captures it at once", async () => {
    const result = await accountOf().charge(chargeRequest(intent()));
    expect(result).toMatchObject({ ok: true, value: { status: "captured", amount: { minor: 1999n, currency: "USD" }, action: null, failure: null } });
    expect(requests("POST", "/authorize").map((r) => r.body)).toEqual([{ data: { type: "AuthorizePaymentIntent", attributes: { amount: 1999 } } }]);
    expect(requests("POST", "/capture").map((r) => r.body)).toEqual([{ data: { type: "CapturePayment", attributes: { amount: 1999 } } }]);
    expect(state().payments).toMatchObject([{ attributes: { status: "Waiting" }, capturedAmount: 1999 }]);
  });

  it("an authorization only authorizes, with the hold's expiry; the later capture takes it (partial allowed, once)", async () => {
    const account = accountOf();
    const result = await account.charge(chargeRequest(intent(), { capture: false }));
    expect(result).toMatchObject({ ok: true, value: { status: "authorized", amount: { minor: 1999n } } });
    expect(result.ok && result.value.authorizationExpiresAt).toBeInstanceOf(Date);
    expect(requests("POST", "/capture")).toHaveLength(0);
    const paymentId = result.ok ? result.value.id : "";

    expect(await account.capture(paymentId, usd("15.00"), { idempotencyKey: "cap-1" })).toMatchObject({
      ok: true,
      value: { id: paymentId, status: "captured" },
    });
    expect(state().payments).toMatchObject([{ capturedAmount: 1500 }]);
    // A repeat (a job retried after a lost answer) reads first and adopts: no second capture.
    expect(await account.capture(paymentId, usd("15.00"), { idempotencyKey: "cap-1" })).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(requests("POST", "/capture")).toHaveLength(1);
  });

  it("a capture of more than the authorization, or after it expired, is refused without a call", async () => {
    const paymentId = await authorized();
    expect(await accountOf().capture(paymentId, usd("20.00"), { idempotencyKey: "cap" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", category: "terminal" },
    });
    const later = accountOf({ now: () => Date.now() + 8 * 24 * 60 * MINUTE });
    expect(await later.capture(paymentId, usd("19.99"), { idempotencyKey: "cap" })).toMatchObject({
      ok: false,
      error: { code: "AUTHORIZATION_EXPIRED", category: "terminal" },
    });
    expect(requests("POST", "/capture")).toHaveLength(0);
  });

  it("a second charge for the same intent adopts its payment: one authorize, one capture", async () => {
    const account = accountOf();
    const intentId = intent();
    const first = await account.charge(chargeRequest(intentId));
    const second = await account.charge(chargeRequest(intentId));
    expect(second).toMatchObject({ ok: true, value: { id: first.ok ? first.value.id : "", status: "captured" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(requests("POST", "/capture")).toHaveLength(1);
    // An intent whose payment already serves another attempt of the session is not taken again.
    const third = await account.charge(chargeRequest(intentId, { otherAttemptPaymentIds: [first.ok ? first.value.id : ""] }));
    expect(third).toMatchObject({ ok: false, error: { code: "STATE_MISMATCH", category: "terminal" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
  });

  it("a capture refused for good on a sale releases the authorization", async () => {
    const result = await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.captureFails)));
    expect(result).toMatchObject({ ok: false, error: { category: "terminal", gatewayCode: "capture_failed", payment: { status: "canceled" } } });
    expect(state().payments).toMatchObject([{ attributes: { status: "Canceled" } }]);
    expect(chargeFact(result)).toMatchObject({ kind: "payment", status: "failed", errorName: "CANCELED" });
  });
});

describe("declines and refusals", () => {
  it("a decline and insufficient funds are the domain's DECLINED and INSUFFICIENT_FUNDS, with Accrue's code", async () => {
    const declined = await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.declined)));
    expect(declined).toMatchObject({ ok: false, error: { code: "DECLINED", category: "terminal", gatewayCode: "payment_declined" } });
    expect(chargeFact(declined)).toMatchObject({ kind: "declined", errorName: "DECLINED" });
    const broke = await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.insufficientFunds)));
    expect(broke).toMatchObject({ ok: false, error: { code: "INSUFFICIENT_FUNDS", category: "terminal", gatewayCode: "insufficient_funds" } });
    expect(requests("POST", "/authorize")).toHaveLength(2);
    expect(state().payments).toEqual([]);
  });

  it("an intent Accrue marked with an error is a decline, nothing sent; one still awaiting the shopper is retryable", async () => {
    expect(await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.linkedAccountUnverified)))).toMatchObject({
      ok: false,
      error: { code: "DECLINED", gatewayCode: "LinkedAccountUnverified" },
    });
    expect(await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.requiresAction)))).toMatchObject({
      ok: false,
      error: { code: "STATE_MISMATCH", category: "retryable" },
    });
    expect(posts()).toEqual([]);
  });

  it("a forged intent id is NOT_FOUND; a malformed one is refused before any request", async () => {
    expect(await accountOf().charge(chargeRequest("7d7f6c1e-0000-4000-8000-000000000000"))).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND", category: "terminal" },
    });
    const before = sandbox.requests().length;
    expect(await accountOf().charge(chargeRequest("../payments"))).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", category: "terminal" } });
    expect(sandbox.requests()).toHaveLength(before);
    expect(posts()).toEqual([]);
  });

  it("an intent bound to another reference, or to none, is refused: nothing authorized", async () => {
    for (const reference of ["ref-another-session", null]) {
      const result = await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.approved, 1999, reference)));
      expect(result).toMatchObject({
        ok: false,
        error: { code: "INVALID_REQUEST", category: "terminal", message: expect.stringContaining("not created for this checkout") },
      });
    }
    expect(posts()).toEqual([]);
    expect(chargeFact(await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.approved, 1999, "other"))))).toMatchObject({ kind: "refused" });
  });

  it("an intent for another amount than Shopify's is refused before authorize", async () => {
    const result = await accountOf().charge(chargeRequest(intent(MAGIC_PHONES.approved, 1999), { amount: usd("25.00") }));
    expect(result).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message: expect.stringContaining("1999 cents, not 2500") } });
    expect(posts()).toEqual([]);
  });

  it("an expired intent is refused before authorize", async () => {
    const intentId = intent();
    const later = accountOf({ now: () => Date.now() + 31 * MINUTE });
    expect(await later.charge(chargeRequest(intentId))).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", message: expect.stringContaining("expired") },
    });
    expect(posts()).toEqual([]);
  });

  it("non-USD amounts are refused by amountProblem and by every write, with no request", async () => {
    const { gateway } = gatewayFor();
    const eur = parseMoney("19.99", "EUR");
    if (!eur.ok) throw new Error("EUR");
    expect(gateway.amountProblem(eur.value)).toBe("Accrue takes US dollars only, not EUR");
    expect(gateway.amountProblem(usd("19.99"))).toBeNull();
    const account = accountOf();
    expect(await account.charge(chargeRequest(intent(), { amount: eur.value }))).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect(await account.refund("7d7f6c1e-0000-4000-8000-000000000000", eur.value, { idempotencyKey: "k", reason: "r", knownRefundIds: [] })).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST" },
    });
    expect(sandbox.requests()).toEqual([]);
  });

  it("a card instrument is refused: Accrue charges widget intents only", async () => {
    const card = { number: "4242424242424242", expiryMonth: "12", expiryYear: "2030", cvv: "123", holderName: "A B" };
    const result = await accountOf().charge(
      chargeRequest("x", { instrument: { kind: "card", card, billing: {}, buyerIp: null, returnUrl: "https://app.test/r" } }),
    );
    expect(result).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message: "Accrue charges payment intents from its widget only" } });
    expect(sandbox.requests()).toEqual([]);
  });
});

describe("void and refunds", () => {
  it("a void cancels the uncaptured authorization; a repeat reads and sends nothing", async () => {
    const account = accountOf();
    const paymentId = await authorized(account);
    expect(await account.cancel(paymentId, { idempotencyKey: "void-1" })).toMatchObject({ ok: true, value: { id: paymentId, status: "canceled" } });
    expect(await account.cancel(paymentId, { idempotencyKey: "void-1" })).toMatchObject({ ok: true, value: { status: "canceled" } });
    expect(requests("POST", "/cancel")).toHaveLength(1);
    expect(state().payments).toMatchObject([{ attributes: { status: "Canceled" } }]);
  });

  it("a captured payment is not voided (refund it instead)", async () => {
    const paymentId = await captured();
    expect(await accountOf().cancel(paymentId, { idempotencyKey: "void" })).toMatchObject({
      ok: false,
      error: { code: "STATE_MISMATCH", category: "terminal" },
    });
    expect(requests("POST", "/cancel")).toHaveLength(0);
  });

  it("partial and multiple refunds, each told apart by the ledger's known ids; pending until Accrue settles them", async () => {
    const account = accountOf();
    const paymentId = await captured(account);
    const first = await account.refund(paymentId, usd("5.00"), { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] });
    expect(first).toMatchObject({ ok: true, value: { status: "pending", amount: { minor: 500n } } });
    const firstId = first.ok ? first.value.id : "";
    const second = await account.refund(paymentId, usd("7.00"), { idempotencyKey: "refund-2", reason: "r", knownRefundIds: [firstId] });
    expect(second).toMatchObject({ ok: true, value: { status: "pending", amount: { minor: 700n } } });
    const secondId = second.ok ? second.value.id : "";
    expect(secondId).not.toBe(firstId);
    expect(requests("POST", "/refund")).toHaveLength(2);
    expect(state().payments).toMatchObject([{ refundedAmount: 1200 }]);

    sandbox.setBehaviour({ refundSettles: "immediately" });
    sandbox.advanceClock(10 * MINUTE);
    expect(await account.retrieveRefund(paymentId, firstId)).toMatchObject({ ok: true, value: { id: firstId, status: "succeeded" } });
    expect(await account.retrieveRefund(paymentId, "7d7f6c1e-0000-4000-8000-000000000000")).toMatchObject({ ok: false, error: { category: "retryable" } });
  });

  it("a refund that failed at Accrue reads back as failed", async () => {
    const account = accountOf();
    const paymentId = await captured(account, MAGIC_PHONES.refundFails);
    const refund = await account.refund(paymentId, usd("5.00"), { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] });
    sandbox.setBehaviour({ refundSettles: "immediately" });
    sandbox.advanceClock(10 * MINUTE);
    expect(await account.retrieveRefund(paymentId, refund.ok ? refund.value.id : "")).toMatchObject({ ok: true, value: { status: "failed" } });
  });

  it("a refund above what is left is refused by Accrue (terminal), and by the ledger before any call", async () => {
    const account = accountOf();
    const paymentId = await captured(account);
    const first = await account.refund(paymentId, usd("15.00"), { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] });
    const firstId = first.ok ? first.value.id : "";
    const tooMuch = await account.refund(paymentId, usd("6.00"), { idempotencyKey: "refund-2", reason: "r", knownRefundIds: [firstId] });
    expect(tooMuch).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", category: "terminal" } });
    expect(state().payments).toMatchObject([{ refundedAmount: 1500 }]);

    const { gateway } = gatewayFor();
    const ledger: PaymentLedger = { captured: 1999n, refunded: 1500n, capturedByShopify: 1999n, voided: false, refundIds: [firstId] };
    const payment = { gatewayStatus: "captured", gatewayPaymentId: paymentId, currency: "USD" };
    expect(decideRefund(payment, gateway, "6.00", ledger)).toMatchObject({
      status: "rejecting",
      merchantMessage: expect.stringContaining("more than is left to refund"),
    });
    expect(decideRefund(payment, gateway, "4.99", ledger)).toEqual({ status: "processing" });
  });

  it("a refund whose answer was lost is never sent again: the retry finds it new to the ledger", async () => {
    const account = accountOf();
    const paymentId = await captured(account);
    sandbox.setFaults({ dropConnection: { count: 1, afterEffect: true, match: `POST /payments/${paymentId}/refund` } });
    // The client's own read-back already finds it.
    expect(await account.refund(paymentId, usd("5.00"), { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] })).toMatchObject({
      ok: true,
      value: { status: "pending" },
    });
    // Its answer lost entirely (the job never stored the id): the next run reads first and adopts.
    expect(await account.refund(paymentId, usd("5.00"), { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] })).toMatchObject({ ok: true });
    expect(requests("POST", "/refund")).toHaveLength(1);
    expect(state().payments).toMatchObject([{ refundedAmount: 500 }]);
  });

  it("a refund of unknown outcome not found on reading back asks the job to wait out Accrue's longest timeout; then it is sent", async () => {
    const account = accountOf();
    const paymentId = await captured(account);
    sandbox.setFaults({ serverError: { status: 500, count: 1, match: `POST /payments/${paymentId}/refund` } });
    const options = { idempotencyKey: "refund-1", reason: "r", knownRefundIds: [] };
    expect(await account.refund(paymentId, usd("5.00"), options)).toMatchObject({
      ok: false,
      error: { code: "UNAVAILABLE", category: "outcome_unknown", retryAfterMs: REFUND_SETTLE_MS },
    });
    // The job's next run, after that wait: the read finds nothing new, so the refund is sent.
    expect(await account.refund(paymentId, usd("5.00"), options)).toMatchObject({ ok: true, value: { status: "pending" } });
    expect(requests("POST", "/refund").map((r) => r.status)).toEqual([500, 200]);
    expect(state().payments).toMatchObject([{ refundedAmount: 500 }]);
  });
});

describe("credentials", () => {
  it("missing or malformed credentials are a CredentialProblem with a clear message; nothing is sent", () => {
    const { gateway } = gatewayFor();
    expect(gateway.account(null, "test")).toMatchObject({ ok: false, error: { reason: "missing", message: "No Accrue Client Secret is saved for this mode" } });
    expect(gateway.account(credentials({ publicId: null }), "test")).toMatchObject({
      ok: false,
      error: { reason: "missing", message: expect.stringContaining("Client ID") },
    });
    expect(gateway.account(credentials({ publicId: "shop-one" }), "live")).toMatchObject({
      ok: false,
      error: { reason: "malformed", message: expect.stringContaining("UUID") },
    });
    const spaced = gateway.account(credentials({ secret: `${merchant.clientSecret} \n` }), "test");
    expect(spaced).toMatchObject({ ok: false, error: { reason: "malformed" } });
    expect(JSON.stringify(spaced)).not.toContain(merchant.clientSecret);
    expect(sandbox.requests()).toEqual([]);
  });

  it("401: the charge is CREDENTIALS_REFUSED (never a decline); the settings check says refused", async () => {
    const { gateway } = gatewayFor();
    const wrong = gateway.account(credentials({ secret: "f".repeat(64) }), "test");
    if (!wrong.ok) throw new Error(wrong.error.message);
    const result = await wrong.value.charge(chargeRequest(intent()));
    expect(result).toMatchObject({ ok: false, error: { code: "CREDENTIALS_REFUSED", category: "terminal" } });
    expect(chargeFact(result)).toMatchObject({ kind: "refused", merchantKey: true });
    expect(await gateway.checkCredentials(credentials({ secret: "f".repeat(64) }), "test")).toMatchObject({ ok: false, reason: "refused" });
    expect(await gateway.checkCredentials(credentials(), "live")).toEqual({ ok: true });
    expect(JSON.stringify(result)).not.toContain("f".repeat(64));
  });

  it("an unreachable Accrue is reported as unreachable by the settings check", async () => {
    const { gateway } = gatewayFor({ baseUrl: await closedPortUrl() });
    expect(await gateway.checkCredentials(credentials(), "test")).toMatchObject({ ok: false, reason: "unreachable" });
  });
});

describe("rate limits and faults", () => {
  it("429 is refused before processing: waited out in-line, then authorized once", async () => {
    sandbox.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 2, match: "POST /payment-intents/" } });
    const { gateway, sleeps } = gatewayFor();
    const account = gateway.account(credentials(), "test");
    if (!account.ok) throw new Error("account");
    expect(await account.value.charge(chargeRequest(intent(), { capture: false }))).toMatchObject({ ok: true, value: { status: "authorized" } });
    expect(requests("POST", "/authorize").map((r) => r.status)).toEqual([429, 200]);
    expect(sleeps).toEqual([2000]);
  });

  it("a 429 asking for longer than we wait in-line is RATE_LIMITED, retryable, with the wait", async () => {
    sandbox.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 120, match: "POST /payment-intents/" } });
    const result = await accountOf().charge(chargeRequest(intent()));
    expect(result).toMatchObject({ ok: false, error: { code: "RATE_LIMITED", category: "retryable", retryAfterMs: 120_000 } });
    expect(chargeFact(result)).toMatchObject({ kind: "not-charged" });
    expect(state().payments).toEqual([]);
  });

  it("5xx before the capture took effect: read back, still uncaptured, sent once more", async () => {
    const account = accountOf();
    const paymentId = await authorized(account);
    sandbox.setFaults({ serverError: { status: 503, count: 1, match: `POST /payments/${paymentId}/capture` } });
    expect(await account.capture(paymentId, usd("19.99"), { idempotencyKey: "cap" })).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(requests("POST", "/capture").map((r) => r.status)).toEqual([503, 200]);
    expect(state().captures).toHaveLength(1);
  });

  it("5xx after the capture took effect: read back and adopted, never sent twice", async () => {
    const account = accountOf();
    const paymentId = await authorized(account);
    sandbox.setFaults({ serverError: { status: 500, count: 1, afterEffect: true, match: `POST /payments/${paymentId}/capture` } });
    expect(await account.capture(paymentId, usd("19.99"), { idempotencyKey: "cap" })).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(requests("POST", "/capture")).toHaveLength(1);
  });

  it("5xx after the authorize took effect: the promoted intent's payment is adopted; one authorize", async () => {
    const intentId = intent();
    sandbox.setFaults({ serverError: { status: 500, count: 1, afterEffect: true, match: `POST /payment-intents/${intentId}/authorize` } });
    expect(await accountOf().charge(chargeRequest(intentId))).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(state().payments).toHaveLength(1);
  });

  it.each([
    ["5xx", { serverError: { status: 503, count: 1 } }],
    ["a dropped connection", { dropConnection: { count: 1 } }],
    ["a timeout", { hang: { count: 1 } }],
  ])("%s before the authorize took effect: the intent is fenced, nothing authorized, the shopper may pay again", async (_label, fault) => {
    const intentId = intent();
    sandbox.setFaults(
      Object.fromEntries(Object.entries(fault).map(([name, value]) => [name, { ...value, match: `POST /payment-intents/${intentId}/authorize` }])),
    );
    const result = await accountOf().charge(chargeRequest(intentId));
    expect(result).toMatchObject({ ok: false, error: { code: "UNAVAILABLE", category: "retryable", gatewayCode: "AUTHORIZE_NOT_APPLIED" } });
    expect(chargeFact(result)).toMatchObject({ kind: "not-charged" });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(state().intents).toMatchObject([{ attributes: { status: "Canceled" } }]);
    expect(state().payments).toEqual([]);
  });

  it.each([
    ["a dropped connection", { dropConnection: { count: 1, afterEffect: true } }],
    ["a timeout", { hang: { count: 1, afterEffect: true } }],
  ])("%s after the authorize took effect is settled by reading: adopted, never a second authorize", async (_label, fault) => {
    const intentId = intent();
    sandbox.setFaults(
      Object.fromEntries(Object.entries(fault).map(([name, value]) => [name, { ...value, match: `POST /payment-intents/${intentId}/authorize` }])),
    );
    expect(await accountOf().charge(chargeRequest(intentId, { capture: false }))).toMatchObject({ ok: true, value: { status: "authorized" } });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(state().payments).toHaveLength(1);
  });

  it("an authorize whose outcome cannot be settled (the fence fails too) is outcome_unknown, never sent again", async () => {
    const intentId = intent();
    sandbox.setFaults({
      dropConnection: { count: 1, match: `POST /payment-intents/${intentId}/authorize` },
      hang: { count: 2, match: `POST /payment-intents/${intentId}/cancel` },
    });
    const result = await accountOf().charge(chargeRequest(intentId));
    expect(result).toMatchObject({ ok: false, error: { category: "outcome_unknown" } });
    expect(chargeFact(result)).toMatchObject({ kind: "unknown" });
    expect(requests("POST", "/authorize")).toHaveLength(1);
    expect(state().payments).toEqual([]);
  });
});

describe("lookup by reference (the intent id or payment id was lost)", () => {
  it("finds the live payment of the intent carrying our reference, none of the session's others", async () => {
    const account = accountOf();
    const paymentId = await authorized(account);
    expect(await account.findByReference(REFERENCE, { amount: usd("19.99"), others: [] })).toMatchObject({
      ok: true,
      value: { id: paymentId, status: "authorized" },
    });
    expect(await account.findByReference(REFERENCE, { amount: usd("19.99"), others: [paymentId] })).toEqual({ ok: true, value: null });
    expect(await account.findByReference(REFERENCE, { amount: usd("5.00"), others: [] })).toEqual({ ok: true, value: null });
    expect(await account.findByReference("ref-nobody", { amount: usd("19.99"), others: [] })).toEqual({ ok: true, value: null });
  });

  it("an intent of ours still Promotable is fenced so a late authorize cannot land; then there is no payment", async () => {
    intent();
    expect(await accountOf().findByReference(REFERENCE, { amount: usd("19.99"), others: [] })).toEqual({ ok: true, value: null });
    expect(state().intents).toMatchObject([{ attributes: { status: "Canceled" } }]);
    expect(requests("POST", "/authorize")).toHaveLength(0);
  });
});

describe("webhooks", () => {
  async function delivery() {
    sandbox.setBehaviour({ paymentWebhookIncluded: "payment" });
    const { client } = clientFor(sandbox.url, merchant);
    const created = await client.createWebhook({ name: "app", url: `${await closedPortUrl()}/hook`, topics: ["PaymentCreated"] });
    if (!created.ok) throw new Error(created.error.message);
    const paymentId = await authorized();
    await sandbox.waitForWebhooks();
    const [first] = sandbox.webhookDeliveries();
    if (!first) throw new Error("no delivery");
    return { secret: created.value.secret, paymentId, body: first.body, signature: first.signature };
  }
  const headers = (signature: string) => new Headers({ "x-accrue-signature": signature, "content-type": "application/vnd.api+json" });

  it("a valid delivery verifies over the raw bytes and names the payment to re-read", async () => {
    const { secret, paymentId, body, signature } = await delivery();
    const { gateway } = gatewayFor();
    expect(gateway.verifyWebhook({ rawBody: body, headers: headers(signature), secret })).toEqual({
      ok: true,
      event: { dedupeKey: expect.stringMatching(/^accrue-event:/), type: "PaymentCreated", subject: "payment", paymentId, reference: null },
    });
  });

  it("a forged delivery (wrong key, tampered body, no signature, no saved secret) is refused", async () => {
    const { secret, body, signature } = await delivery();
    const { gateway } = gatewayFor();
    expect(gateway.verifyWebhook({ rawBody: body, headers: headers(signAccrueWebhook(body, "a".repeat(64))), secret })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(gateway.verifyWebhook({ rawBody: body.replace("PaymentCreated", "PaymentUpdated"), headers: headers(signature), secret })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(gateway.verifyWebhook({ rawBody: body, headers: new Headers(), secret })).toEqual({ ok: false, reason: "missing_signature" });
    expect(gateway.verifyWebhook({ rawBody: body, headers: headers(signature), secret: null })).toMatchObject({ ok: false });
  });

  it("a replayed delivery verifies with the same dedupe key, so it is applied once", async () => {
    const { secret, body, signature } = await delivery();
    const { gateway } = gatewayFor();
    const first = gateway.verifyWebhook({ rawBody: body, headers: headers(signature), secret });
    const replay = gateway.verifyWebhook({ rawBody: body, headers: headers(signature), secret });
    expect(first.ok && replay.ok && first.event.dedupeKey === replay.event.dedupeKey).toBe(true);
  });
});

describe("ACCRUE_CAPABILITIES drive the domain's deciders", () => {
  /** Only what the deciders read: the capabilities record itself. */
  const gateway = { displayName: "Accrue", capabilities: ACCRUE_CAPABILITIES, amountProblem: () => null };
  const ledger = (over: Partial<PaymentLedger> = {}): PaymentLedger => ({
    captured: 1999n,
    refunded: 0n,
    capturedByShopify: 0n,
    voided: false,
    refundIds: [],
    ...over,
  });
  const authorizedRow = { gatewayStatus: "authorized", gatewayPaymentId: "pay_1", currency: "USD", authorizationExpiresAt: null };
  const NOW = new Date("2026-12-01T12:00:00Z");

  it("an authorization's capture is processed at Accrue (whole or partial), once", () => {
    expect(decideCapture(authorizedRow, gateway, "19.99", ledger(), NOW)).toEqual({ status: "processing" });
    expect(decideCapture(authorizedRow, gateway, "10.00", ledger(), NOW)).toEqual({ status: "processing" });
    expect(decideCapture(authorizedRow, gateway, "10.00", ledger({ capturedByShopify: 1000n }), NOW)).toMatchObject({ status: "rejecting" });
  });

  it("an authorization's void is processed at Accrue as a release", () => {
    expect(decideVoid(authorizedRow, gateway, ledger())).toEqual({ decision: { status: "processing" }, action: { release: true } });
  });

  it("refunds: several, up to what was captured", () => {
    const capturedRow = { ...authorizedRow, gatewayStatus: "captured" };
    expect(decideRefund(capturedRow, gateway, "5.00", ledger({ refunded: 500n, capturedByShopify: 1999n }))).toEqual({ status: "processing" });
    const adapter = gatewayFor().gateway;
    expect(decideRefund(capturedRow, adapter, "5.00", ledger({ refunded: 500n }))).toEqual({ status: "processing" });
    expect(adapter.capabilities).toBe(ACCRUE_CAPABILITIES);
    expect(decideCapture(authorizedRow, adapter, "19.99", ledger(), NOW)).toEqual({ status: "processing" });
    expect(decideVoid(authorizedRow, adapter, ledger())).toMatchObject({ decision: { status: "processing" } });
  });

  it("the refund job is told to wait out Accrue's longest timeout before reading back", () => {
    expect(REFUND_SETTLE_MS).toBeGreaterThan(90_000);
  });
});
