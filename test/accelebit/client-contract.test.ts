/**
 * The client against the sandbox: every endpoint and every error category.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccelebitSandbox } from "../simulators/accelebit/server";
import { CARDS, cardPayment, closedPortUrl, gatewayFor, LIVE_KEY, OTHER_TEST_KEY, startSandbox, TEST_KEY } from "./support";

let sandbox: AccelebitSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ revokedKeys: ["smtgw_sk_test_revoked"] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

function account(key = TEST_KEY) {
  return gatewayFor(sandbox.url).gateway.forKey(key);
}

describe("customers", () => {
  it("creates a customer once per externalId and retrieves it", async () => {
    const client = account();
    const created = await client.createCustomer(
      { externalId: "user_12345", email: "jane@example.com", metadata: { tier: "gold" } },
      { idempotencyKey: "cust_1" },
    );
    expect(created).toMatchObject({ ok: true, value: { externalId: "user_12345", email: "jane@example.com", metadata: { tier: "gold" } } });
    const again = await client.createCustomer({ externalId: "user_12345" }, { idempotencyKey: "cust_2" });
    expect(again.ok && created.ok && again.value.id).toBe(created.ok && created.value.id);
    const fetched = await client.retrieveCustomer(created.ok ? created.value.id : "");
    expect(fetched).toMatchObject({ ok: true, value: { externalId: "user_12345", email: "jane@example.com" } });
    expect(sandbox.stats(TEST_KEY).customers).toBe(1);
  });

  it("an unknown customer is NOT_FOUND, terminal", async () => {
    expect(await account().retrieveCustomer("00000000-0000-4000-8000-000000000000")).toMatchObject({
      ok: false,
      error: { name: "NOT_FOUND", category: "terminal", origin: "gateway", httpStatus: 404, attempts: 1 },
    });
  });
});

describe("payments", () => {
  it("captures, retrieves and finds a payment by merchantRef", async () => {
    const client = account();
    const created = await client.createPayment(cardPayment(), { idempotencyKey: "pay_1" });
    expect(created).toMatchObject({
      ok: true,
      value: { status: "captured", amount: "55.00", currency: "EUR", provider: "everest", threeDsRequired: false, threeDsData: null },
    });
    if (!created.ok) return;
    expect(await client.retrievePayment(created.value.id)).toMatchObject({
      ok: true,
      value: { id: created.value.id, status: "captured", merchantRef: "session_1" },
    });
    expect(await client.findPaymentByMerchantRef("session_1")).toMatchObject({ ok: true, value: { payment: { id: created.value.id }, others: [] } });
    expect(sandbox.stats(TEST_KEY)).toMatchObject({ payments: 1, byStatus: { captured: 1 } });
  });

  it("sends the shop's key, the caller's Idempotency-Key and the buyer's IP", async () => {
    const client = account(LIVE_KEY);
    await client.createPayment(cardPayment({ merchantRef: "session_ip" }), { idempotencyKey: "order_1_attempt_1" });
    const [request] = sandbox.requests();
    expect(request).toMatchObject({ method: "POST", path: "/v1/payments", idempotencyKey: "order_1_attempt_1", account: "smtgw_sk_live_…_one", status: 201 });
    expect(sandbox.stats(LIVE_KEY).payments).toBe(1);
    expect(sandbox.stats(TEST_KEY).payments).toBe(0);
  });

  it("returns authorized payments as they are", async () => {
    expect(await account().createPayment(cardPayment({ cardNumber: CARDS.authorized }), { idempotencyKey: "pay_auth" })).toMatchObject({
      ok: true,
      value: { status: "authorized" },
    });
  });

  it("3-D Secure with a GET redirect: parameters default to {}", async () => {
    const result = await account().createPayment(cardPayment({ cardNumber: CARDS.threeDsGet }), { idempotencyKey: "pay_3ds_get" });
    expect(result).toMatchObject({ ok: true, value: { status: "pending_3ds", threeDsRequired: true, threeDsData: { method: "GET", parameters: {} } } });
    expect(result.ok && result.value.threeDsData?.redirectUrl.startsWith(`${sandbox.url}/3ds/challenge/`)).toBe(true);
  });

  it("3-D Secure with a POST form carries PaReq and TermUrl", async () => {
    const result = await account().createPayment(cardPayment({ cardNumber: CARDS.threeDsPost }), { idempotencyKey: "pay_3ds_post" });
    expect(result).toMatchObject({ ok: true, value: { status: "pending_3ds", threeDsData: { method: "POST", redirectUrl: `${sandbox.url}/3ds/challenge` } } });
    expect(Object.keys(result.ok ? (result.value.threeDsData?.parameters ?? {}) : {}).sort()).toEqual(["PaReq", "TermUrl"]);
  });

  it.each(["error_400", "error_402", "created_failed"] as const)("a decline answered as %s is a terminal CARD_DECLINED", async (declineStyle) => {
    sandbox.setBehaviour({ declineStyle });
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment({ cardNumber: CARDS.declined }), { idempotencyKey: "pay_declined" });
    expect(result).toMatchObject({
      ok: false,
      error: { name: "CARD_DECLINED", gatewayName: "CARD_DECLINED", category: "terminal", origin: "gateway", attempts: 1 },
    });
    expect(sleeps).toEqual([]);
    expect(result.ok ? null : result.error.payment?.status).toBe(declineStyle === "created_failed" ? "failed" : undefined);
    expect(sandbox.stats(TEST_KEY)).toMatchObject({ payments: 1, byStatus: { failed: 1 } });
  });

  it("a failed payment is an ordinary value when read back", async () => {
    const client = account();
    await client.createPayment(cardPayment({ cardNumber: CARDS.declined, merchantRef: "session_declined" }), { idempotencyKey: "pay_d" });
    const lookup = await client.findPaymentByMerchantRef("session_declined");
    expect(lookup).toMatchObject({ ok: true, value: { payment: { status: "failed", error: { name: "CARD_DECLINED" } } } });
  });

  it("PROVIDER_ERROR is retryable: retried with the same key, bounded, and no payment is recorded", async () => {
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment({ cardNumber: CARDS.providerError }), { idempotencyKey: "pay_provider" });
    expect(result).toMatchObject({ ok: false, error: { name: "PROVIDER_ERROR", category: "retryable", httpStatus: 502, attempts: 3 } });
    expect(sleeps).toHaveLength(2);
    const posts = sandbox.requests().filter((r) => r.method === "POST");
    expect(posts.map((r) => r.idempotencyKey)).toEqual(["pay_provider", "pay_provider", "pay_provider"]);
    expect(sandbox.stats(TEST_KEY).payments).toBe(0);
  });

  it("a PROVIDER_ERROR that clears on retry ends in exactly one captured payment", async () => {
    const result = await account().createPayment(cardPayment({ cardNumber: CARDS.providerErrorOnce }), { idempotencyKey: "pay_flaky" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(sandbox.stats(TEST_KEY)).toMatchObject({ payments: 1, byStatus: { captured: 1 } });
  });

  it("a lookup by an unknown merchantRef finds nothing", async () => {
    expect(await account().findPaymentByMerchantRef("nothing-here")).toEqual({ ok: true, value: { payment: null, others: [] } });
  });

  it("a lookup answered as a list: the newest decides and the others are reported", async () => {
    sandbox.setBehaviour({ merchantRefLookup: "list" });
    const client = account();
    const first = await client.createPayment(cardPayment({ cardNumber: CARDS.declined, merchantRef: "session_many" }), { idempotencyKey: "a1" });
    const second = await client.createPayment(cardPayment({ merchantRef: "session_many" }), { idempotencyKey: "a2" });
    const lookup = await client.findPaymentByMerchantRef("session_many");
    expect(lookup.ok && lookup.value.payment?.id).toBe(second.ok && second.value.id);
    expect(lookup.ok && lookup.value.others.map((p) => p.status)).toEqual(["failed"]);
    expect(first.ok).toBe(false);
  });

  it("two keys never see each other's payments", async () => {
    const created = await account(TEST_KEY).createPayment(cardPayment({ merchantRef: "shared_ref" }), { idempotencyKey: "pay_iso" });
    const other = account(OTHER_TEST_KEY);
    expect(await other.retrievePayment(created.ok ? created.value.id : "")).toMatchObject({ ok: false, error: { name: "NOT_FOUND" } });
    expect(await other.findPaymentByMerchantRef("shared_ref")).toEqual({ ok: true, value: { payment: null, others: [] } });
  });
});

describe("refunds", () => {
  async function captured(amount = "55.00") {
    const result = await account().createPayment(cardPayment({ amount }), { idempotencyKey: `pay_${amount}` });
    if (!result.ok) throw new Error("setup payment failed");
    return result.value;
  }

  it("refunds partially, then refuses a refund above the remaining amount", async () => {
    const payment = await captured();
    const client = account();
    const partial = await client.createRefund(
      { transactionId: payment.id, amount: "50.00", currency: "eur", reason: "Customer requested refund" },
      { idempotencyKey: "refund_1" },
    );
    expect(partial).toMatchObject({
      ok: true,
      value: { transactionId: payment.id, amount: "50.00", currency: "EUR", status: "created", reason: "Customer requested refund" },
    });
    const tooMuch = await client.createRefund({ transactionId: payment.id, amount: "5.01", currency: "EUR" }, { idempotencyKey: "refund_2" });
    expect(tooMuch).toMatchObject({ ok: false, error: { name: "INVALID_REQUEST", category: "terminal", origin: "gateway", httpStatus: 400, attempts: 1 } });
    expect(tooMuch.ok ? "" : tooMuch.error.message).toMatch(/^amount: exceeds the refundable amount/);
    const rest = await client.createRefund({ transactionId: payment.id, amount: "5.00", currency: "EUR" }, { idempotencyKey: "refund_3" });
    expect(rest.ok).toBe(true);
    expect(sandbox.stats(TEST_KEY).refunds).toBe(2);
    expect(sandbox.payments(TEST_KEY)[0]?.refundedAmount).toBe("55.00");
  });

  it("refuses a refund in another currency and one against a payment that is not captured", async () => {
    const payment = await captured();
    const client = account();
    expect(await client.createRefund({ transactionId: payment.id, amount: "1.00", currency: "USD" }, { idempotencyKey: "r_usd" })).toMatchObject({
      ok: false,
      error: { name: "INVALID_REQUEST", message: "currency: must match the payment's currency (EUR)" },
    });
    const pending = await client.createPayment(cardPayment({ cardNumber: CARDS.threeDsGet, merchantRef: "s3" }), { idempotencyKey: "p3ds" });
    expect(
      await client.createRefund({ transactionId: pending.ok ? pending.value.id : "", amount: "1.00", currency: "EUR" }, { idempotencyKey: "r_pending" }),
    ).toMatchObject({
      ok: false,
      error: { name: "INVALID_REQUEST", message: "transactionId: only captured payments can be refunded (this payment is pending_3ds)" },
    });
    expect(sandbox.stats(TEST_KEY).refunds).toBe(0);
  });
});

describe("keys", () => {
  it("a well-formed key Accelebit refuses is UNAUTHORIZED, terminal, sent once", async () => {
    const { gateway, sleeps } = gatewayFor(sandbox.url);
    const result = await gateway.forKey("smtgw_sk_test_revoked").createPayment(cardPayment(), { idempotencyKey: "pay_unauth" });
    expect(result).toMatchObject({ ok: false, error: { name: "UNAUTHORIZED", category: "terminal", origin: "gateway", httpStatus: 401, attempts: 1 } });
    expect(sleeps).toEqual([]);
    // A key our client calls live (any other smtgw_sk_ key) but the sandbox does not know.
    expect(await gateway.forKey("smtgw_sk_unknownform").retrievePayment("p1")).toMatchObject({ ok: false, error: { name: "UNAUTHORIZED", httpStatus: 401 } });
  });

  it("checkApiKey: ok, unauthorized, unreachable, unexpected", async () => {
    const { gateway } = gatewayFor(sandbox.url);
    expect(await gateway.checkApiKey(TEST_KEY)).toEqual({ ok: true, mode: "test" });
    expect(await gateway.checkApiKey(LIVE_KEY)).toEqual({ ok: true, mode: "live" });
    expect(await gateway.checkApiKey("smtgw_sk_test_revoked")).toMatchObject({ ok: false, reason: "unauthorized" });

    const closed = gatewayFor(await closedPortUrl()).gateway;
    expect(await closed.checkApiKey(TEST_KEY)).toMatchObject({ ok: false, reason: "unreachable" });

    const teapot = gatewayFor("https://api.gateway.accelebit.com", { fetch: async () => new Response("<html>", { status: 418 }) }).gateway;
    expect(await teapot.checkApiKey(TEST_KEY)).toMatchObject({ ok: false, reason: "unexpected" });
  });
});
