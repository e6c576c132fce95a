import { describe, expect, it } from "vitest";
import { err, ok } from "~/lib/result";
import { decideCapture } from "~/payments/captures.server";
import type { GatewayAccount, GatewayCapabilities, GatewayPayment, PaymentGateway } from "~/payments/gateway/port";
import type { PaymentLedger } from "~/payments/ledger.server";
import { decideRefund } from "~/payments/refunds.server";
import { decideVoid } from "~/payments/voids.server";

/**
 * The decision tables of refund, capture and void sessions (docs/decisions/0012-capture-and-void-by-capability.md,
 * docs/decisions/0015-payment-ledger.md), without a database or a simulator: the gateway is an
 * in-memory fake of the port whose capabilities each case sets. The same cases against the
 * Accelebit simulator are in test/integration/refunds.test.ts and captures-voids.test.ts.
 */

const NONE: GatewayCapabilities = {
  delayedCapture: false,
  partialCapture: false,
  void: false,
  multipleRefunds: false,
  threeDSecure: false,
  idempotencyKeyLifetimeMs: null,
  lookupByReference: false,
};
const ALL: GatewayCapabilities = { ...NONE, delayedCapture: true, partialCapture: true, void: true, multipleRefunds: true };

/** A gateway that keeps its payments in a map; only what the deciders read matters here, the rest answers honestly. */
function fakeGateway(capabilities: GatewayCapabilities, { refusesCurrency }: { refusesCurrency?: string } = {}) {
  const payments = new Map<string, GatewayPayment>();
  const notFound = (id: string) => err({ code: "NOT_FOUND" as const, category: "terminal" as const, gatewayCode: null, message: `no payment ${id}` });
  const account: GatewayAccount = {
    mode: "test",
    charge: async () => err({ code: "INVALID_REQUEST", category: "terminal", gatewayCode: null, message: "the fake takes no charges" }),
    retrieve: async (id) => (payments.has(id) ? ok(payments.get(id)!) : notFound(id)),
    findByReference: async () => ok(null),
    capture: async (id) => notFound(id),
    cancel: async (id) => notFound(id),
    refund: async (id) => notFound(id),
    retrieveRefund: async (id) => notFound(id),
  };
  return {
    id: "accrue",
    displayName: "Fake Pay",
    instrument: "wallet",
    capabilities,
    amountProblem: (amount) => (amount.currency === refusesCurrency ? `${amount.currency} is not supported` : null),
    account: () => ok(account),
    checkCredentials: async () => ({ ok: true }),
    verifyWebhook: () => ({ ok: false, reason: "the fake sends no webhooks" }),
  } satisfies PaymentGateway;
}

const ledger = (over: Partial<PaymentLedger> = {}): PaymentLedger => ({
  captured: 5000n,
  refunded: 0n,
  capturedByShopify: 0n,
  voided: false,
  refundIds: [],
  ...over,
});
const captured = { gatewayStatus: "captured", gatewayPaymentId: "pay_1", currency: "USD", authorizationExpiresAt: null };
const authorized = { ...captured, gatewayStatus: "authorized" };
const NOW = new Date("2026-12-01T12:00:00Z");

describe("refunds", () => {
  it("refund what is left, at most; a second refund only where the gateway takes several", () => {
    expect(decideRefund(captured, fakeGateway(ALL), "50.00", ledger())).toEqual({ status: "processing" });
    expect(decideRefund(captured, fakeGateway(ALL), "20.00", ledger({ refunded: 3000n }))).toEqual({ status: "processing" });
    expect(decideRefund(captured, fakeGateway(ALL), "20.01", ledger({ refunded: 3000n }))).toMatchObject({
      status: "rejecting",
      rejectReason: "PROCESSING_ERROR",
      merchantMessage: expect.stringContaining("more than is left to refund on this payment (20.00 USD of 50.00 USD)"),
    });
    expect(decideRefund(captured, fakeGateway(NONE), "10.00", ledger({ refunded: 1000n }))).toMatchObject({
      status: "rejecting",
      merchantMessage: "Fake Pay takes one refund per payment, and this payment was refunded already.",
    });
    expect(decideRefund(captured, fakeGateway(NONE), "10.00", ledger())).toEqual({ status: "processing" });
  });

  it("nothing is refunded of money never captured, of a voided payment, or in an amount the gateway cannot take", () => {
    expect(decideRefund(authorized, fakeGateway(ALL), "10.00", ledger())).toMatchObject({
      merchantMessage: expect.stringContaining("only authorized this payment and never captured it"),
    });
    expect(decideRefund({ ...captured, gatewayStatus: "failed" }, fakeGateway(ALL), "10.00", ledger())).toMatchObject({
      merchantMessage: expect.stringContaining("was not completed at Fake Pay"),
    });
    expect(decideRefund(captured, fakeGateway(ALL), "10.00", ledger({ voided: true }))).toMatchObject({
      merchantMessage: expect.stringContaining("This payment was voided"),
    });
    expect(decideRefund(captured, fakeGateway(ALL), "10.001", ledger())).toMatchObject({
      merchantMessage: expect.stringContaining("This amount cannot be refunded"),
    });
    const eur = { ...captured, currency: "EUR" };
    expect(decideRefund(eur, fakeGateway(ALL, { refusesCurrency: "EUR" }), "10.00", ledger())).toMatchObject({
      merchantMessage: "Fake Pay cannot refund this amount: EUR is not supported.",
    });
  });
});

describe("captures", () => {
  it("an authorization is captured at the gateway only where delayed capture exists", () => {
    expect(decideCapture(authorized, fakeGateway(ALL), "50.00", ledger(), NOW)).toEqual({ status: "processing" });
    expect(decideCapture(authorized, fakeGateway(NONE), "50.00", ledger(), NOW)).toMatchObject({
      status: "rejecting",
      rejectReason: "PROCESSING_ERROR",
      merchantMessage: expect.stringContaining("Delayed capture is not supported by Fake Pay"),
    });
  });

  it("a partial capture needs partial capture; more than authorized, a second capture or an expired authorization are refused", () => {
    expect(decideCapture(authorized, fakeGateway(ALL), "20.00", ledger(), NOW)).toEqual({ status: "processing" });
    expect(decideCapture(authorized, fakeGateway({ ...ALL, partialCapture: false }), "20.00", ledger(), NOW)).toMatchObject({
      merchantMessage: "Fake Pay captures the whole authorization only (50.00 USD); no money was captured.",
    });
    expect(decideCapture(authorized, fakeGateway(ALL), "50.01", ledger(), NOW)).toMatchObject({
      merchantMessage: expect.stringContaining("more than is left to capture"),
    });
    expect(decideCapture(authorized, fakeGateway(ALL), "10.00", ledger({ capturedByShopify: 1000n }), NOW)).toMatchObject({
      merchantMessage: "This authorization was captured already; no money was captured.",
    });
    const expired = { ...authorized, authorizationExpiresAt: new Date(NOW.getTime() - 1) };
    expect(decideCapture(expired, fakeGateway(ALL), "50.00", ledger(), NOW)).toMatchObject({
      status: "rejecting",
      rejectReason: "AUTHORIZATION_EXPIRED",
    });
  });

  it("a payment the gateway captured already is resolved at once, up to what Shopify has not captured yet", () => {
    for (const capabilities of [ALL, NONE]) {
      expect(decideCapture(captured, fakeGateway(capabilities), "50.00", ledger(), NOW)).toEqual({ status: "resolving" });
      expect(decideCapture(captured, fakeGateway(capabilities), "30.01", ledger({ capturedByShopify: 2000n }), NOW)).toMatchObject({
        status: "rejecting",
        merchantMessage: expect.stringContaining("(30.00 USD of 50.00 USD)"),
      });
    }
    expect(decideCapture(captured, fakeGateway(ALL), "10.00", ledger({ voided: true }), NOW)).toMatchObject({ status: "rejecting" });
    expect(decideCapture({ ...captured, gatewayStatus: "failed" }, fakeGateway(ALL), "10.00", ledger(), NOW)).toMatchObject({
      merchantMessage: "This payment was not completed at Fake Pay, so there is nothing to capture.",
    });
  });
});

describe("voids", () => {
  it("an authorization is released where the gateway can void, else refused", () => {
    expect(decideVoid(authorized, fakeGateway(ALL), ledger())).toEqual({ decision: { status: "processing" }, action: { release: true } });
    expect(decideVoid(authorized, fakeGateway(NONE), ledger()).decision).toMatchObject({ status: "rejecting", rejectReason: "PROCESSING_ERROR" });
    expect(decideVoid(authorized, fakeGateway(ALL), ledger({ capturedByShopify: 5000n })).decision).toMatchObject({
      merchantMessage: "This authorization was captured already; refund it instead of voiding it.",
    });
  });

  it("a captured payment is voided by refunding what is left; nothing left means resolved without a call", () => {
    expect(decideVoid(captured, fakeGateway(NONE), ledger({ refunded: 1500n }))).toEqual({
      decision: { status: "processing" },
      action: { amount: "35.00", currency: "USD" },
    });
    expect(decideVoid(captured, fakeGateway(NONE), ledger({ refunded: 5000n }))).toEqual({ decision: { status: "resolving" } });
  });

  it("a second void, a void after a capture in Shopify, or of money never captured is refused", () => {
    expect(decideVoid(captured, fakeGateway(ALL), ledger({ voided: true })).decision).toMatchObject({ status: "rejecting" });
    expect(decideVoid(captured, fakeGateway(NONE), ledger({ capturedByShopify: 5000n })).decision).toMatchObject({
      merchantMessage: "This payment was already captured in Shopify; refund it instead of voiding it.",
    });
    expect(decideVoid({ ...captured, gatewayStatus: "failed" }, fakeGateway(ALL), ledger()).decision).toMatchObject({ status: "rejecting" });
  });
});
