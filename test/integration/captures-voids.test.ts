import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import type { Worker } from "~/jobs";

/**
 * Capture and void sessions end to end (docs/capture-and-void.md). Accelebit has no capture or
 * void endpoint: an `authorization` payment is charged like a sale, a capture resolves without
 * a gateway call when the money is already captured, a void gives it back with a refund, and
 * a payment Accelebit only authorized is answered with a reject that says why.
 */

const SHOP = "capture-shop.myshopify.com";
const TOKEN = "shpat_capture_shop";
const KEY = "smtgw_sk_test_CaptureShopKey001";
const CAPTURED_CARD = { name: "Alice Smith", number: "4242 4242 4242 4242", expiry: "12/39", cvc: "123" };
const AUTHORIZED_ONLY_CARD = { ...CAPTURED_CARD, number: "4000 0000 0000 0077" };

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");
let worker: Worker;
let clock = Date.now();
let messages: { DELAYED_CAPTURE_UNSUPPORTED: string; VOID_UNSUPPORTED: string };

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox();
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/pay/:token": await import("~/routes/pay.$token"),
    "/shopify/refund": await import("~/routes/shopify.refund"),
    "/shopify/capture": await import("~/routes/shopify.capture"),
    "/shopify/void": await import("~/routes/shopify.void"),
  });
  useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url, SHOPIFY_APP_URL: app.url });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  await seedShop({ shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, scopes: "write_payment_gateways,write_payment_sessions" }, secretBox());
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  background = await import("~/background.server");
  background.startBackgroundWorker();
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  worker = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "captures-voids-test" });
  const { delayedCaptureUnsupported } = await import("~/payments/captures.server");
  const { voidUnsupported } = await import("~/payments/voids.server");
  messages = { DELAYED_CAPTURE_UNSUPPORTED: delayedCaptureUnsupported("Accelebit"), VOID_UNSUPPORTED: voidUnsupported("Accelebit") };
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

/** Runs what is due a little later: past the grace that lets Shopify receive our answer first. */
async function runJobs(advanceMs = 10_000) {
  clock = Math.max(clock, Date.now()) + advanceMs;
  await worker.runDueJobs();
}

/** An `authorization` payment through the real flow; Shopify holds it resolved. */
async function authorizedPayment(card = CAPTURED_CARD) {
  const request = shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR", kind: "authorization" });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
  expect(delivery.status).toBe(201);
  await fetch((delivery.body as { redirect_url: string }).redirect_url, { method: "POST", body: new URLSearchParams(card), redirect: "manual" });
  await expect.poll(() => shopify.sessionState(request.gid)?.status, { timeout: 10_000 }).toBe("resolved");
  const stored = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  return { request, stored, gatewayPaymentId: stored.gatewayPaymentId! };
}
type Payment = Awaited<ReturnType<typeof authorizedPayment>>;

async function capture(payment: Payment, amount?: string) {
  const request = shopify.createCaptureSession({ paymentId: payment.request.id, amount });
  const delivery = await shopify.sendCaptureSession(`${app.url}/shopify/capture`, request);
  expect([delivery.status, delivery.text]).toEqual([201, ""]);
  return request;
}

async function voidPayment(payment: Payment) {
  const request = shopify.createVoidSession({ paymentId: payment.request.id });
  const delivery = await shopify.sendVoidSession(`${app.url}/shopify/void`, request);
  expect([delivery.status, delivery.text]).toEqual([201, ""]);
  return request;
}

const mutationsFor = (gid: string) => shopify.mutations.filter((m) => m.sessionGid === gid);
const refundsOf = (payment: Payment) => sandbox.refunds(KEY).filter((r) => r.transactionId === payment.gatewayPaymentId);
const gatewayCalls = () => sandbox.requests().length;

function expectApplied(gid: string, field: string, variables: Record<string, unknown>) {
  expect(mutationsFor(gid)).toEqual([expect.objectContaining({ field, variables, effect: "applied" })]);
}

describe("captures", () => {
  it("a payment Accelebit captured is resolved without a gateway call", async () => {
    const payment = await authorizedPayment();
    const calls = gatewayCalls();
    const request = await capture(payment);
    expect(await db().captureSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({ status: "resolving" });
    await runJobs();
    expectApplied(request.gid, "captureSessionResolve", { id: request.gid });
    expect(gatewayCalls()).toBe(calls);
    const row = await db().captureSession.findFirstOrThrow({ where: { shopifyId: request.id } });
    expect(row).toMatchObject({ status: "resolved", paymentSessionId: payment.stored.id, currency: "EUR", rejectReason: null });
    expect(row.amount.toFixed(2)).toBe("49.99");
  });

  it("partial captures are tracked: together they never exceed what Accelebit captured", async () => {
    const payment = await authorizedPayment();
    const first = await capture(payment, "20.00");
    const second = await capture(payment, "29.99");
    const third = await capture(payment, "0.01");
    await runJobs();
    expectApplied(first.gid, "captureSessionResolve", { id: first.gid });
    expectApplied(second.gid, "captureSessionResolve", { id: second.gid });
    expectApplied(third.gid, "captureSessionReject", {
      id: third.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "A capture of 0.01 EUR is more than is left to capture on this payment (0.00 EUR of 49.99 EUR)." },
    });
  });

  it("a payment Accelebit only authorized is rejected: delayed capture is not supported", async () => {
    const payment = await authorizedPayment(AUTHORIZED_ONLY_CARD);
    expect(payment.stored).toMatchObject({ gatewayStatus: "authorized", kind: "authorization" });
    const calls = gatewayCalls();
    const request = await capture(payment);
    await runJobs();
    expectApplied(request.gid, "captureSessionReject", {
      id: request.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: messages.DELAYED_CAPTURE_UNSUPPORTED },
    });
    expect(messages.DELAYED_CAPTURE_UNSUPPORTED).toContain("Delayed capture is not supported by Accelebit");
    expect(gatewayCalls()).toBe(calls);
    expect(await db().captureSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({ status: "rejected" });
  });

  it("after the authorization's expiry the capture is rejected with AUTHORIZATION_EXPIRED", async () => {
    const payment = await authorizedPayment(AUTHORIZED_ONLY_CARD);
    const expiredAt = new Date(Date.now() - 60_000);
    await db().paymentSession.update({ where: { id: payment.stored.id }, data: { authorizationExpiresAt: expiredAt } });
    const request = await capture(payment);
    await runJobs();
    expectApplied(request.gid, "captureSessionReject", {
      id: request.gid,
      reason: { code: "AUTHORIZATION_EXPIRED", merchantMessage: `The authorization expired on ${expiredAt.toISOString()}; no money was captured.` },
    });
  });
});

describe("voids", () => {
  it("a captured payment is voided by refunding it in full at Accelebit, then resolved", async () => {
    const payment = await authorizedPayment();
    const request = await voidPayment(payment);
    expect(await db().voidSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({ status: "processing" });
    expect(mutationsFor(request.gid)).toHaveLength(0);
    await runJobs();
    expectApplied(request.gid, "voidSessionResolve", { id: request.gid });
    const refunds = refundsOf(payment);
    expect(refunds).toEqual([expect.objectContaining({ amount: "49.99", currency: "EUR", reason: `Shopify void ${request.id}` })]);
    expect(sandbox.requests().filter((r) => r.path === "/v1/refunds" && r.idempotencyKey === `shopify-void-${request.id}`)).toHaveLength(1);
    expect(await db().voidSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({
      status: "resolved",
      gatewayVoidId: refunds[0]!.id,
      paymentSessionId: payment.stored.id,
    });

    // Shopify retrying the void changes nothing; a refund afterwards finds nothing left.
    const retry = await shopify.sendVoidSession(`${app.url}/shopify/void`, request);
    expect([retry.status, retry.text]).toEqual([201, ""]);
    const refund = shopify.createRefundSession({ paymentId: payment.request.id, amount: "1.00" });
    expect((await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund)).status).toBe(201);
    await runJobs();
    expectApplied(request.gid, "voidSessionResolve", { id: request.gid });
    expectApplied(refund.gid, "refundSessionReject", {
      id: refund.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "This payment was voided: its whole amount already went back to the buyer, so no refund was made." },
    });
    expect(refundsOf(payment)).toHaveLength(1);
  });

  it("a void after a partial refund returns only what is left", async () => {
    const payment = await authorizedPayment();
    const refund = shopify.createRefundSession({ paymentId: payment.request.id, amount: "10.00" });
    expect((await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund)).status).toBe(201);
    await runJobs();
    const request = await voidPayment(payment);
    await runJobs();
    expectApplied(request.gid, "voidSessionResolve", { id: request.gid });
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["10.00", "39.99"]);
  });

  it("a payment Accelebit only authorized cannot be voided: rejected with the reason, no gateway call", async () => {
    const payment = await authorizedPayment(AUTHORIZED_ONLY_CARD);
    const calls = gatewayCalls();
    const request = await voidPayment(payment);
    await runJobs();
    expectApplied(request.gid, "voidSessionReject", { id: request.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: messages.VOID_UNSUPPORTED } });
    expect(gatewayCalls()).toBe(calls);
  });
});

describe("both", () => {
  it("an unknown payment is rejected and Accelebit is never asked", async () => {
    const payment = await authorizedPayment();
    const calls = gatewayCalls();
    const captureRequest = shopify.createCaptureSession({ paymentId: payment.request.id });
    captureRequest.body = { ...captureRequest.body, payment_id: "NoSuchPayment000000000000" };
    const voidRequest = shopify.createVoidSession({ paymentId: payment.request.id });
    voidRequest.body = { ...voidRequest.body, payment_id: "NoSuchPayment000000000000" };
    expect((await shopify.sendCaptureSession(`${app.url}/shopify/capture`, captureRequest)).status).toBe(201);
    expect((await shopify.sendVoidSession(`${app.url}/shopify/void`, voidRequest)).status).toBe(201);
    await runJobs();
    expectApplied(captureRequest.gid, "captureSessionReject", {
      id: captureRequest.gid,
      reason: {
        code: "PROCESSING_ERROR",
        merchantMessage: "Accelebit for Shopify has no payment NoSuchPayment000000000000 on this shop; no capture was made.",
      },
    });
    expectApplied(voidRequest.gid, "voidSessionReject", {
      id: voidRequest.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "Accelebit for Shopify has no payment NoSuchPayment000000000000 on this shop; no void was made." },
    });
    expect(gatewayCalls()).toBe(calls);
  });

  it("bad requests get a clear 4xx and store nothing", async () => {
    const payment = await authorizedPayment();
    const captureRequest = shopify.createCaptureSession({ paymentId: payment.request.id });
    const voidRequest = shopify.createVoidSession({ paymentId: payment.request.id });
    const counts = () => Promise.all([db().captureSession.count(), db().voidSession.count(), db().job.count()]);
    const before = await counts();
    const post = (path: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${app.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
    const cases: [string, Record<string, string>, unknown, number, string][] = [
      ["/shopify/capture", captureRequest.headers, { ...captureRequest.body, amount: undefined }, 422, "amount must be a decimal string"],
      [
        "/shopify/capture",
        captureRequest.headers,
        { ...captureRequest.body, gid: voidRequest.body.gid },
        422,
        "gid must be a CaptureSession gid naming the request's id (gid://shopify/CaptureSession/<id>)",
      ],
      ["/shopify/void", voidRequest.headers, { ...voidRequest.body, id: "has spaces" }, 422, "id must be a Shopify session id: 1–64 letters and digits"],
      ["/shopify/void", { ...voidRequest.headers, "Shopify-Api-Version": "latest" }, voidRequest.body, 400, "Shopify-Api-Version must look like 2026-04"],
      ["/shopify/void", voidRequest.headers, [], 422, "Invalid void session"],
    ];
    for (const [path, headers, body, status, message] of cases) {
      const res = await post(path, headers, body);
      expect([res.status, await res.text()]).toEqual([status, expect.stringContaining(message)]);
    }
    expect(await counts()).toEqual(before);
  });
});
