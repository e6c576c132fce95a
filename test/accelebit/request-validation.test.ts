/**
 * Requests that break a documented rule are refused before anything is sent: a typed
 * INVALID_REQUEST naming the field, and not a single fetch call.
 */
import { describe, expect, it, vi } from "vitest";
import { createAccelebitGateway, type AccelebitError } from "~/accelebit";
import { captureLogger, cardPayment, TEST_KEY } from "./support";

function offlineGateway() {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => {
    throw new Error("the network must not be reached");
  });
  const gateway = createAccelebitGateway({ baseUrl: "https://api.gateway.accelebit.com", logger: captureLogger().logger, fetch });
  return { account: gateway.forKey(TEST_KEY), fetch };
}

function expectRefusedLocally(result: { ok: boolean; error?: AccelebitError }, path: string) {
  expect(result.ok).toBe(false);
  expect(result.error).toMatchObject({ name: "INVALID_REQUEST", category: "terminal", origin: "client", attempts: 0, httpStatus: null });
  expect(result.error?.issues?.map((issue) => issue.path)).toContain(path);
}

const base = cardPayment();
const card = base.card;
const billing = base.billing;

describe("payment requests are validated before sending", () => {
  it.each([
    ["amount with three decimals", { amount: "55.001" }, "amount"],
    ["amount as a float-like string", { amount: "1e3" }, "amount"],
    ["zero amount", { amount: "0.00" }, "amount"],
    ["two-letter currency", { currency: "EU" }, "currency"],
    ["unknown currency", { currency: "XYZ" }, "currency"],
    ["three-decimal currency", { currency: "BHD" }, "currency"],
    ["PAN of 12 digits", { card: { ...card, number: "424242424242" } }, "card.number"],
    ["PAN of 20 digits", { card: { ...card, number: "42424242424242424242" } }, "card.number"],
    ["PAN with spaces", { card: { ...card, number: "4242 4242 4242 4242" } }, "card.number"],
    ["expiry month 13", { card: { ...card, expiryMonth: "13" } }, "card.expiryMonth"],
    ["expiry month 00", { card: { ...card, expiryMonth: "00" } }, "card.expiryMonth"],
    ["one-digit expiry month", { card: { ...card, expiryMonth: "1" } }, "card.expiryMonth"],
    ["four-digit expiry year", { card: { ...card, expiryYear: "2028" } }, "card.expiryYear"],
    ["CVV of 2 digits", { card: { ...card, cvv: "12" } }, "card.cvv"],
    ["CVV of 5 digits", { card: { ...card, cvv: "12345" } }, "card.cvv"],
    ["phone shorter than 5", { billing: { ...billing, phone: "+356" } }, "billing.phone"],
    ["bad email", { billing: { ...billing, email: "jane-at-example" } }, "billing.email"],
    ["three-letter country", { billing: { ...billing, country: "MLT" } }, "billing.country"],
    ["US without state", { billing: { ...billing, country: "US" } }, "billing.state"],
    ["CA without state", { billing: { ...billing, country: "ca" } }, "billing.state"],
    ["no buyer IP", { billing: { ...billing, ip: undefined as unknown as string } }, "billing.ip"],
    ["buyer IP not IPv4", { billing: { ...billing, ip: "not-an-ip" } }, "billing.ip"],
    ["date of birth not YYYY-MM-DD", { billing: { ...billing, dateOfBirth: "09/04/1990" } }, "billing.dateOfBirth"],
    ["impossible date of birth", { billing: { ...billing, dateOfBirth: "1990-02-30" } }, "billing.dateOfBirth"],
    ["gender not M/F", { billing: { ...billing, gender: "X" as "M" } }, "billing.gender"],
    ["device fingerprint over 128", { deviceFingerprint: "f".repeat(129) }, "deviceFingerprint"],
    ["no merchantRef", { merchantRef: "" }, "merchantRef"],
    ["returnUrl not a URL", { returnUrl: "not a url" }, "returnUrl"],
  ])("%s", async (_label, override, path) => {
    const { account, fetch } = offlineGateway();
    expectRefusedLocally(await account.createPayment({ ...base, ...override }, { idempotencyKey: "pay_1" }), path);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("requires the card for card payments and a UUID for stored cards", async () => {
    const { account, fetch } = offlineGateway();
    const { card: _card, ...withoutCard } = base;
    expectRefusedLocally(await account.createPayment(withoutCard as typeof base, { idempotencyKey: "pay_1" }), "card");
    const { card: _c, ...rest } = base;
    expectRefusedLocally(
      await account.createPayment({ ...rest, paymentMethod: "stored_card", storedCardId: "card-1" }, { idempotencyKey: "pay_1" }),
      "storedCardId",
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it("requires the caller's Idempotency-Key and never invents one", async () => {
    const { account, fetch } = offlineGateway();
    for (const idempotencyKey of [undefined, "", "has space", "x".repeat(256)]) {
      const result = await account.createPayment(base, { idempotencyKey } as { idempotencyKey: string });
      expectRefusedLocally(result, "idempotencyKey");
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("accepts US with a state (the rule is about presence) and uppercases currency and country", async () => {
    const requests: RequestInit[] = [];
    const fetch = vi.fn<typeof globalThis.fetch>(async (_url, init) => {
      requests.push(init ?? {});
      return new Response(JSON.stringify({ data: { id: "p1", status: "captured" } }), { status: 201 });
    });
    const gateway = createAccelebitGateway({ baseUrl: "https://api.gateway.accelebit.com", logger: captureLogger().logger, fetch });
    const result = await gateway
      .forKey(TEST_KEY)
      .createPayment({ ...base, currency: "usd", billing: { ...billing, country: "us", state: "NY" } }, { idempotencyKey: "pay_us" });
    expect(result.ok).toBe(true);
    const body = JSON.parse(String(requests[0]?.body)) as { currency: string; billing: { country: string; state: string; ip: string } };
    expect(body.currency).toBe("USD");
    expect(body.billing).toMatchObject({ country: "US", state: "NY", ip: "203.0.113.7" });
  });
});

describe("refund, customer and id validation", () => {
  const refund = { transactionId: "f47ac10b-58cc-4372-a567-0e02b2c3d479", amount: "10.00", currency: "EUR" };

  it.each([
    ["transactionId not a UUID", { transactionId: "abc" }, "transactionId"],
    ["amount with three decimals", { amount: "1.001" }, "amount"],
    ["currency not ISO", { currency: "EURO" }, "currency"],
    ["reason over 500 characters", { reason: "r".repeat(501) }, "reason"],
  ])("refund: %s", async (_label, override, path) => {
    const { account, fetch } = offlineGateway();
    expectRefusedLocally(await account.createRefund({ ...refund, ...override }, { idempotencyKey: "refund_1" }), path);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a 500-character reason is allowed", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(
      async () => new Response(JSON.stringify({ data: { ...refund, id: "r1", status: "created" } }), { status: 201 }),
    );
    const gateway = createAccelebitGateway({ baseUrl: "https://api.gateway.accelebit.com", logger: captureLogger().logger, fetch });
    expect((await gateway.forKey(TEST_KEY).createRefund({ ...refund, reason: "r".repeat(500) }, { idempotencyKey: "refund_1" })).ok).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("customers, path ids and merchantRef are checked too", async () => {
    const { account, fetch } = offlineGateway();
    expectRefusedLocally(await account.createCustomer({ externalId: "" }, { idempotencyKey: "c1" }), "externalId");
    expectRefusedLocally(await account.createCustomer({ externalId: "u1", email: "nope" }, { idempotencyKey: "c1" }), "email");
    expectRefusedLocally(await account.retrievePayment("../refunds"), "paymentId");
    expectRefusedLocally(await account.retrieveCustomer(""), "customerId");
    expectRefusedLocally(await account.findPaymentByMerchantRef(""), "merchantRef");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a key that is not an Accelebit secret key is refused without a request", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const gateway = createAccelebitGateway({ baseUrl: "https://api.gateway.accelebit.com", logger: captureLogger().logger, fetch });
    const result = await gateway.forKey("pk_test_123").createPayment(base, { idempotencyKey: "pay_1" });
    expect(result).toMatchObject({ ok: false, error: { name: "UNAUTHORIZED", origin: "client", attempts: 0 } });
    expect(await gateway.checkApiKey("pk_test_123")).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(fetch).not.toHaveBeenCalled();
  });
});
