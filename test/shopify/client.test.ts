import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPaymentsAppsClient, type PaymentSessionResult } from "~/shopify/payments-apps";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { ACCESS_TOKEN, inOneHour, memoryLogger, OTHER_ACCESS_TOKEN, OTHER_SHOP, SHOP, simulatorClient } from "./helpers";

let simulator: ShopifySimulator;

beforeAll(async () => {
  simulator = await startShopifySimulator();
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
  simulator.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });
  simulator.registerShop({ shop: OTHER_SHOP, accessToken: OTHER_ACCESS_TOKEN });
});

function offsitePayment(kind: "sale" | "authorization" = "sale") {
  return simulator.createPaymentSession({ shop: SHOP, kind, amount: "123.00", currency: "CAD", paymentMethodType: "offsite" });
}

function cardPayment() {
  return simulator.createPaymentSession({ shop: SHOP, amount: "38.11", currency: "USD", paymentMethodType: "credit_card" });
}

function paymentResult(overrides: Partial<PaymentSessionResult> & Pick<PaymentSessionResult, "id" | "state">): PaymentSessionResult {
  return {
    pendingReason: null,
    rejectedReason: null,
    merchantMessage: null,
    nextActionRedirectUrl: null,
    authorizationExpiresAt: null,
    pendingExpiresAt: null,
    ...overrides,
  };
}

const THREE_DS_AUTHENTICATION = {
  authenticationData: {
    transStatus: "Y",
    authenticationFlow: "CHALLENGE",
    version: "V2_2",
    chargebackLiability: "UNKNOWN",
  },
} as const;

describe("payment session mutations against the simulator", () => {
  it("resolves an offsite sale and points the buyer to the order status page", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toEqual({
      kind: "done",
      result: paymentResult({ id: payment.gid, state: "RESOLVED", nextActionRedirectUrl: `${simulator.url}/__sim/orders/${payment.id}` }),
    });
    expect(simulator.sessionState(payment.gid)?.status).toBe("resolved");
    expect(simulator.mutations.map((m) => [m.field, m.sessionGid, m.shop, m.effect, m.apiVersion])).toEqual([
      ["paymentSessionResolve", payment.gid, SHOP, "applied", "2026-04"],
    ]);
  });

  it("resolves an authorization with its expiry", async () => {
    const payment = offsitePayment("authorization");
    const { client } = simulatorClient(simulator);
    const expiresAt = "2030-01-01T00:00:00Z";

    const outcome = await client.paymentSessionResolve({ id: payment.gid, authorizationExpiresAt: expiresAt });

    expect(outcome).toMatchObject({ kind: "done", result: { state: "RESOLVED", authorizationExpiresAt: expiresAt } });
    expect(simulator.sessionState(payment.gid)).toMatchObject({ status: "resolved", authorizationExpiresAt: expiresAt });
  });

  it("rejects with a reason and sends the buyer back to checkout", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentSessionReject({
      id: payment.gid,
      reason: { code: "INSUFFICIENT_FUNDS", merchantMessage: "Declined by issuer (51)", source: "NETWORK" },
    });

    expect(outcome).toEqual({
      kind: "done",
      result: paymentResult({
        id: payment.gid,
        state: "REJECTED",
        rejectedReason: "INSUFFICIENT_FUNDS",
        merchantMessage: "Declined by issuer (51)",
        nextActionRedirectUrl: `${simulator.url}/__sim/checkout/${payment.id}`,
      }),
    });
    expect(simulator.sessionState(payment.gid)).toMatchObject({
      status: "rejected",
      rejection: { reason: "INSUFFICIENT_FUNDS", merchantMessage: "Declined by issuer (51)", source: "NETWORK" },
    });
  });

  it("marks an offsite payment pending, then resolves it", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);
    const pendingExpiresAt = inOneHour();

    const pending = await client.paymentSessionPending({ id: payment.gid, pendingExpiresAt, reason: "PARTNER_ACTION_REQUIRED" });
    const resolved = await client.paymentSessionResolve({ id: payment.gid });

    expect(pending).toEqual({
      kind: "done",
      result: paymentResult({
        id: payment.gid,
        state: "PENDING",
        pendingReason: "PARTNER_ACTION_REQUIRED",
        pendingExpiresAt,
        nextActionRedirectUrl: `${simulator.url}/__sim/orders/${payment.id}`,
      }),
    });
    expect(resolved).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(simulator.mutations.map((m) => [m.field, m.effect])).toEqual([
      ["paymentSessionPending", "applied"],
      ["paymentSessionResolve", "applied"],
    ]);
  });

  it("returns UNSUPPORTED_PAYMENT_METHOD as user-errors when a card payment is marked pending", async () => {
    const payment = cardPayment();
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentSessionPending({ id: payment.gid, pendingExpiresAt: inOneHour(), reason: "BUYER_ACTION_REQUIRED" });

    expect(outcome).toEqual({
      kind: "user-errors",
      userErrors: [{ field: ["id"], message: "Pending is not supported for credit card payment methods.", code: "UNSUPPORTED_PAYMENT_METHOD" }],
    });
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
  });

  it("runs the 3DS path: redirect, confirm, resolve with authentication", async () => {
    const payment = cardPayment();
    const { client } = simulatorClient(simulator);

    const redirect = await client.paymentSessionRedirect({ id: payment.gid, redirectUrl: "https://pay.example.com/3ds/abc" });
    const confirm = await client.paymentSessionConfirm({ id: payment.gid });
    const resolve = await client.paymentSessionResolve({ id: payment.gid, authentication: THREE_DS_AUTHENTICATION });

    expect(redirect).toEqual({ kind: "done", result: paymentResult({ id: payment.gid, state: "REDIRECTING" }) });
    expect(confirm).toEqual({
      kind: "done",
      result: paymentResult({ id: payment.gid, state: "CONFIRMING", nextActionRedirectUrl: `${simulator.url}/__sim/checkout/${payment.id}` }),
    });
    expect(resolve).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(simulator.sessionState(payment.gid)).toMatchObject({ status: "resolved", redirected: true, redirectUrl: "https://pay.example.com/3ds/abc" });
  });

  it("refuses a resolve without authentication after a 3DS redirect", async () => {
    const payment = cardPayment();
    const { client } = simulatorClient(simulator);
    await client.paymentSessionRedirect({ id: payment.gid, redirectUrl: "https://pay.example.com/3ds/abc" });

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toEqual({
      kind: "user-errors",
      userErrors: [{ field: ["authentication"], message: "Authentication is required after paymentSessionRedirect.", code: null }],
    });
    expect(simulator.sessionState(payment.gid)?.status).toBe("redirecting");
  });

  it("answers an unknown gid with a not-found userError", async () => {
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentSessionResolve({ id: "gid://shopify/PaymentSession/doesNotExist" });

    expect(outcome).toEqual({ kind: "user-errors", userErrors: [{ field: ["id"], message: "Payment session not found.", code: null }] });
  });

  it("cannot touch another shop's session: it does not exist for that token", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator, { shop: OTHER_SHOP, getAccessToken: async () => OTHER_ACCESS_TOKEN });

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toMatchObject({ kind: "user-errors", userErrors: [{ message: "Payment session not found." }] });
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
  });
});

describe("refund, capture and void session mutations", () => {
  async function resolvedPayment(kind: "sale" | "authorization") {
    const payment = offsitePayment(kind);
    const { client } = simulatorClient(simulator);
    await client.paymentSessionResolve({ id: payment.gid });
    return payment;
  }

  it("resolves and rejects refunds", async () => {
    const payment = await resolvedPayment("sale");
    const refund = simulator.createRefundSession({ paymentId: payment.id, amount: "23.00" });
    const otherRefund = simulator.createRefundSession({ paymentId: payment.id, amount: "1.00" });
    const { client } = simulatorClient(simulator);

    expect(await client.refundSessionResolve({ id: refund.gid })).toEqual({
      kind: "done",
      result: { id: refund.gid, state: "RESOLVED", rejectedReason: null, merchantMessage: null },
    });
    expect(await client.refundSessionReject({ id: otherRefund.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: "Gateway refused" } })).toEqual({
      kind: "done",
      result: { id: otherRefund.gid, state: "REJECTED", rejectedReason: "PROCESSING_ERROR", merchantMessage: "Gateway refused" },
    });
    expect(simulator.sessionState(refund.gid)?.status).toBe("resolved");
    expect(simulator.sessionState(otherRefund.gid)?.status).toBe("rejected");
  });

  it("resolves captures and rejects an expired authorization's capture", async () => {
    const payment = await resolvedPayment("authorization");
    const capture = simulator.createCaptureSession({ paymentId: payment.id });
    const lateCapture = simulator.createCaptureSession({ paymentId: payment.id });
    const { client } = simulatorClient(simulator);

    expect(await client.captureSessionResolve({ id: capture.gid })).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(await client.captureSessionReject({ id: lateCapture.gid, reason: { code: "AUTHORIZATION_EXPIRED" } })).toEqual({
      kind: "done",
      result: { id: lateCapture.gid, state: "REJECTED", rejectedReason: "AUTHORIZATION_EXPIRED", merchantMessage: null },
    });
  });

  it("resolves and rejects voids", async () => {
    const payment = await resolvedPayment("authorization");
    const voidSession = simulator.createVoidSession({ paymentId: payment.id });
    const secondVoid = simulator.createVoidSession({ paymentId: payment.id });
    const { client } = simulatorClient(simulator);

    expect(await client.voidSessionResolve({ id: voidSession.gid })).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(await client.voidSessionReject({ id: secondVoid.gid, reason: { code: "PROCESSING_ERROR" } })).toMatchObject({
      kind: "done",
      result: { state: "REJECTED", rejectedReason: "PROCESSING_ERROR" },
    });
  });

  it("answers an unknown refund gid with REFUND_SESSION_NOT_FOUND", async () => {
    const { client } = simulatorClient(simulator);

    const outcome = await client.refundSessionResolve({ id: "gid://shopify/RefundSession/nope" });

    expect(outcome).toEqual({
      kind: "user-errors",
      userErrors: [{ field: ["id"], message: "Refund session not found.", code: "REFUND_SESSION_NOT_FOUND" }],
    });
  });
});

describe("paymentsAppConfigure", () => {
  it("stores and returns the configuration for the shop", async () => {
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentsAppConfigure({ externalHandle: "acct_123", ready: true });

    expect(outcome).toEqual({ kind: "done", result: { externalHandle: "acct_123", ready: true } });
    expect(simulator.configuration(SHOP)).toEqual({ externalHandle: "acct_123", ready: true });
    expect(simulator.configuration(OTHER_SHOP)).toBeUndefined();
  });
});

describe("idempotency and conflicts", () => {
  it("repeating a resolve succeeds with the same answer and lands once", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);

    const first = await client.paymentSessionResolve({ id: payment.gid });
    const second = await client.paymentSessionResolve({ id: payment.gid, networkTransactionId: "ignored-on-repeat" });

    expect(second).toEqual(first);
    expect(simulator.mutations.map((m) => m.effect)).toEqual(["applied", "replayed"]);
    expect(simulator.sessionState(payment.gid)).toMatchObject({ status: "resolved", networkTransactionId: null });
  });

  it("repeating a reject keeps the first reason (the new one is ignored)", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);

    await client.paymentSessionReject({ id: payment.gid, reason: { code: "CARD_DECLINED" } });
    const repeat = await client.paymentSessionReject({ id: payment.gid, reason: { code: "EXPIRED_CARD" } });

    expect(repeat).toMatchObject({ kind: "done", result: { state: "REJECTED", rejectedReason: "CARD_DECLINED" } });
  });

  it("reports a conflict when resolving a rejected payment", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);
    await client.paymentSessionReject({ id: payment.gid, reason: { code: "CARD_DECLINED" } });

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toMatchObject({ kind: "conflict", currentState: "REJECTED" });
    expect(simulator.sessionState(payment.gid)?.status).toBe("rejected");
    expect(simulator.mutations.map((m) => [m.field, m.effect])).toEqual([
      ["paymentSessionReject", "applied"],
      ["paymentSessionResolve", "refused"],
    ]);
  });

  it("reports a conflict when rejecting a resolved payment", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);
    await client.paymentSessionResolve({ id: payment.gid });

    expect(await client.paymentSessionReject({ id: payment.gid, reason: { code: "PROCESSING_ERROR" } })).toMatchObject({
      kind: "conflict",
      currentState: "RESOLVED",
    });
  });

  it("reports a conflict for the opposite refund mutation, with Shopify's code", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);
    await client.paymentSessionResolve({ id: payment.gid });
    const refund = simulator.createRefundSession({ paymentId: payment.id });
    await client.refundSessionResolve({ id: refund.gid });

    const outcome = await client.refundSessionReject({ id: refund.gid, reason: { code: "PROCESSING_ERROR" } });

    expect(outcome).toEqual({
      kind: "conflict",
      currentState: "RESOLVED",
      userErrors: [
        {
          field: ["id"],
          message: "Refund session has already been resolved or has already been rejected with a different reason.",
          code: "REFUND_SESSION_INVALID_STATE",
        },
      ],
    });
  });

  it("reports a conflict when a resolved payment is marked pending", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);
    await client.paymentSessionResolve({ id: payment.gid });

    const outcome = await client.paymentSessionPending({ id: payment.gid, pendingExpiresAt: inOneHour(), reason: "BUYER_ACTION_REQUIRED" });

    expect(outcome).toMatchObject({ kind: "conflict", currentState: "RESOLVED", userErrors: [{ code: "PENDING_INVALID_STATE" }] });
  });
});

describe("failures are categorised, never retried by the client", () => {
  it("THROTTLED is retryable with the wait Shopify's bucket implies; nothing lands", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "throttled" });
    const { client } = simulatorClient(simulator);

    const throttled = await client.paymentSessionResolve({ id: payment.gid });

    expect(throttled).toMatchObject({ kind: "failed", category: "retryable", code: "THROTTLED", httpStatus: 200, retryAfterMs: 1 });
    expect(simulator.mutations).toEqual([]);
    expect(simulator.injectedFaults.map((f) => f.kind)).toEqual(["throttled"]);

    // The job system's next attempt goes through; the resolve landed exactly once.
    expect(await client.paymentSessionResolve({ id: payment.gid })).toMatchObject({ kind: "done" });
    expect(simulator.mutations.filter((m) => m.field === "paymentSessionResolve" && m.effect === "applied")).toHaveLength(1);
  });

  it("HTTP 5xx is retryable", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "http-5xx", status: 502 });
    const { client } = simulatorClient(simulator);

    expect(await client.paymentSessionResolve({ id: payment.gid })).toEqual({
      kind: "failed",
      category: "retryable",
      code: "HTTP_ERROR",
      message: "HTTP 502 from the Payments Apps API",
      httpStatus: 502,
      retryAfterMs: null,
    });
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
  });

  it("a 5xx after the mutation landed: the retry is answered by replay, the resolve lands once", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "http-5xx", phase: "after", fields: ["paymentSessionResolve"] });
    const { client } = simulatorClient(simulator);

    const lost = await client.paymentSessionResolve({ id: payment.gid });
    const retried = await client.paymentSessionResolve({ id: payment.gid });

    expect(lost).toMatchObject({ kind: "failed", category: "retryable", httpStatus: 503 });
    expect(retried).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(simulator.mutations.map((m) => [m.effect, m.answerDelivery])).toEqual([
      ["applied", "http-5xx"],
      ["replayed", "sent"],
    ]);
  });

  it("INTERNAL_SERVER_ERROR is retryable", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "internal-error" });
    const { client } = simulatorClient(simulator);

    expect(await client.paymentSessionResolve({ id: payment.gid })).toMatchObject({
      kind: "failed",
      category: "retryable",
      code: "INTERNAL_SERVER_ERROR",
    });
  });

  it("a hanging request times out as retryable", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "hang" });
    const { client } = simulatorClient(simulator, { timeoutMs: 150 });

    expect(await client.paymentSessionResolve({ id: payment.gid })).toMatchObject({ kind: "failed", category: "retryable", code: "TIMEOUT" });
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
  });

  it("a reset connection is a retryable network error", async () => {
    const payment = offsitePayment();
    simulator.injectFaults({ kind: "connection-reset" });
    const { client } = simulatorClient(simulator);

    expect(await client.paymentSessionResolve({ id: payment.gid })).toMatchObject({
      kind: "failed",
      category: "retryable",
      code: "NETWORK_ERROR",
    });
  });

  it("ACCESS_DENIED (missing scope) is terminal and changes nothing", async () => {
    simulator.reset();
    simulator.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN, scopes: ["write_payment_gateways"] });
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator);

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toMatchObject({ kind: "failed", category: "terminal", code: "ACCESS_DENIED", httpStatus: 200 });
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
    expect(simulator.mutations.map((m) => m.effect)).toEqual(["refused"]);
  });

  it("a 401 refreshes the token once and the retried call succeeds", async () => {
    const payment = offsitePayment();
    const tokenCalls: unknown[] = [];
    const { client } = simulatorClient(simulator, {
      getAccessToken: async (options) => {
        tokenCalls.push(options);
        return options?.forceRefresh ? ACCESS_TOKEN : "shpat_expired";
      },
    });

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toMatchObject({ kind: "done", result: { state: "RESOLVED" } });
    expect(tokenCalls).toEqual([undefined, { forceRefresh: true }]);
    expect(simulator.mutations).toHaveLength(1);
  });

  it("a second 401 after the refresh is terminal; no third attempt", async () => {
    const payment = offsitePayment();
    simulator.revokeAccessToken(ACCESS_TOKEN);
    const { client, tokenCalls } = simulatorClient(simulator);

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(outcome).toMatchObject({ kind: "failed", category: "terminal", code: "UNAUTHORIZED", httpStatus: 401 });
    expect(tokenCalls).toEqual([undefined, { forceRefresh: true }]);
  });

  it("a failing token provider is retryable and sends nothing", async () => {
    const payment = offsitePayment();
    const { client } = simulatorClient(simulator, {
      getAccessToken: async () => {
        throw new Error("database unavailable");
      },
    });

    expect(await client.paymentSessionResolve({ id: payment.gid })).toMatchObject({
      kind: "failed",
      category: "retryable",
      code: "ACCESS_TOKEN_UNAVAILABLE",
    });
    expect(simulator.mutations).toEqual([]);
  });
});

describe("endpoint routing", () => {
  function recordingFetch(rewriteTo?: string) {
    const calls: Array<{ url: string; token: string | null }> = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = new Headers(init?.headers);
      calls.push({ url, token: headers.get("x-shopify-access-token") });
      const target = rewriteTo === undefined ? url : `${rewriteTo}${new URL(url).pathname}`;
      return fetch(target, init);
    };
    return { calls, fetchImpl };
  }

  it("with apiOrigin, calls go to that origin and the shop is identified by its token", async () => {
    const payment = offsitePayment();
    const { calls, fetchImpl } = recordingFetch();
    const { client } = simulatorClient(simulator, { fetch: fetchImpl });

    await client.paymentSessionResolve({ id: payment.gid });

    expect(client.endpoint).toBe(`${simulator.url}/payments_apps/api/2026-04/graphql.json`);
    expect(calls).toEqual([{ url: `${simulator.url}/payments_apps/api/2026-04/graphql.json`, token: ACCESS_TOKEN }]);
    expect(simulator.mutations[0]?.shop).toBe(SHOP);
  });

  it("without apiOrigin, calls go to the shop's own Payments Apps endpoint", async () => {
    const payment = offsitePayment();
    const { calls, fetchImpl } = recordingFetch(simulator.url);
    const client = createPaymentsAppsClient({
      shop: SHOP,
      getAccessToken: async () => ACCESS_TOKEN,
      fetch: fetchImpl,
      logger: memoryLogger().logger,
    });

    const outcome = await client.paymentSessionResolve({ id: payment.gid });

    expect(calls).toEqual([{ url: "https://demo-shop.myshopify.com/payments_apps/api/2026-04/graphql.json", token: ACCESS_TOKEN }]);
    expect(outcome).toMatchObject({ kind: "done" });
  });

  it("refuses shop domains that are not *.myshopify.com and origins with a path", () => {
    const base = { getAccessToken: async () => ACCESS_TOKEN, logger: memoryLogger().logger };
    expect(() => createPaymentsAppsClient({ ...base, shop: "evil.example.com" })).toThrow(/myshopify\.com/);
    expect(() => createPaymentsAppsClient({ ...base, shop: "demo-shop.myshopify.com.evil.io" })).toThrow(/myshopify\.com/);
    expect(() => createPaymentsAppsClient({ ...base, shop: SHOP, apiOrigin: "http://127.0.0.1:4020/prefix" })).toThrow(/without a path/);
  });
});

describe("logging", () => {
  it("logs operation, session gid, outcome and duration, never the token or the variables", async () => {
    const payment = offsitePayment();
    const { client, log } = simulatorClient(simulator);

    await client.paymentSessionReject({ id: payment.gid, reason: { code: "CARD_DECLINED", merchantMessage: "buyer alice@example.com" } });
    simulator.injectFaults({ kind: "throttled" });
    await client.paymentSessionResolve({ id: payment.gid });

    const lines = log.lines().map(({ shop, operation, sessionGid, outcome, code, tokenRefreshed, durationMs }) => ({
      shop,
      operation,
      sessionGid,
      outcome,
      code,
      tokenRefreshed,
      durationIsNumber: typeof durationMs === "number",
    }));
    expect(lines).toEqual([
      {
        shop: SHOP,
        operation: "PaymentSessionReject",
        sessionGid: payment.gid,
        outcome: "done",
        code: undefined,
        tokenRefreshed: false,
        durationIsNumber: true,
      },
      {
        shop: SHOP,
        operation: "PaymentSessionResolve",
        sessionGid: payment.gid,
        outcome: "failed",
        code: "THROTTLED",
        tokenRefreshed: false,
        durationIsNumber: true,
      },
    ]);
    expect(log.text()).not.toContain(ACCESS_TOKEN);
    expect(log.text()).not.toContain("alice@example.com");
  });
});
