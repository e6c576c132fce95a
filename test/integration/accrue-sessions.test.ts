import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { useAppEnv } from "../support/app-env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { MAGIC_PHONES, startSandbox } from "../accrue/support";
import type { Worker } from "~/jobs";

/**
 * Refund, capture and void sessions of Accrue payments, end to end through the Accrue session
 * routes (/shopify/accrue/…), the jobs and the Accrue sandbox. Each payment is made through the
 * shopper's page: the widget's intent carries the reference our page gave it, the page posts
 * its id, and the session resolves with Shopify (test/integration/accrue-shopper.test.ts covers
 * that page in full).
 */

const SHOP = "accrue-shop.myshopify.com";
const TOKEN = "shpat_accrue_shop";

let database: TestDatabase;
let accrue: AccrueSandbox;
let merchant: { clientId: string; clientSecret: string };
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");
let worker: Worker;
let clock = Date.now();

beforeAll(async () => {
  database = await createTestDatabase();
  accrue = await startSandbox();
  merchant = accrue.createMerchant({ name: "Accrue shop" });
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/accrue/payment": await import("~/routes/shopify.accrue.payment"),
    "/shopify/accrue/refund": await import("~/routes/shopify.accrue.refund"),
    "/shopify/accrue/capture": await import("~/routes/shopify.accrue.capture"),
    "/shopify/accrue/void": await import("~/routes/shopify.accrue.void"),
    "/pay/:token": await import("~/routes/pay.$token"),
    "/webhooks/accrue/:token": await import("~/routes/webhooks.accrue.$token"),
  });
  useAppEnv({
    DATABASE_URL: database.url,
    ACCRUE_API_URL: accrue.url,
    ACCRUE_SANDBOX_API_URL: accrue.url,
    ACCRUE_SANDBOX_WIDGET_URL: `${accrue.url}/main.js`,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    SHOPIFY_APP_URL: app.url,
  });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const { saveCredentials } = await import("~/merchants/credentials.server");
  await seedShop(
    { shop: SHOP, accessToken: TOKEN, accelebitTestKey: "smtgw_sk_test_AccrueShopKey0001", scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  const { id: shopId } = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
  await saveCredentials(db(), secretBox(), { shopId, gateway: "accrue", mode: "test" }, { secret: merchant.clientSecret, publicId: merchant.clientId });
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  background = await import("~/background.server");
  background.startBackgroundWorker();
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  worker = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "accrue-sessions-test" });
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([accrue.close(), shopify.close(), app.close()]);
  await database.drop();
});

/** Runs what is due a little later: past the grace that lets Shopify receive our answer first. */
async function runJobs(advanceMs = 10_000) {
  // From the real clock each time, not from the last jump: accumulated jumps would pass the
  // background worker's 2-minute lease, and this worker would run a job it is still running.
  clock = Date.now() + advanceMs;
  await worker.runDueJobs();
}

/** An Accrue payment through the Accrue route, charged from a widget intent, resolved at Shopify. */
async function accruePayment(kind: "sale" | "authorization", amount = "19.99") {
  const request = shopify.createPaymentSession({ shop: SHOP, amount, currency: "USD", kind });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/accrue/payment`, request);
  expect(delivery.status).toBe(201);
  const session = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  expect(session).toMatchObject({ gateway: "accrue", kind, currency: "USD" });

  const pageUrl = (JSON.parse(delivery.text) as { redirect_url: string }).redirect_url;
  const page = await fetch(pageUrl).then((r) => r.text());
  const reference = /<accrue-pay [^>]*reference="([^"]+)"/.exec(page)?.[1] ?? null;
  expect(reference).toBe((await db().paymentSession.findUniqueOrThrow({ where: { id: session.id } })).walletReference);
  const cents = Math.round(Number(amount) * 100);
  const intent = accrue.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: cents, reference });
  const posted = await fetch(pageUrl, { method: "POST", body: new URLSearchParams({ intentId: intent.id }), redirect: "manual" });
  expect(posted.status).toBeLessThan(500);
  expect((await db().paymentAttempt.findFirstOrThrow({ where: { paymentSessionId: session.id } })).status).toBe(kind === "sale" ? "captured" : "authorized");
  await runJobs();
  await expect.poll(() => shopify.sessionState(request.gid)?.status, { timeout: 10_000 }).toBe("resolved");
  const stored = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  return { request, stored, gatewayPaymentId: stored.gatewayPaymentId! };
}
type Payment = Awaited<ReturnType<typeof accruePayment>>;

const mutationsFor = (gid: string) => shopify.mutations.filter((m) => m.sessionGid === gid);
const paymentAtAccrue = (payment: Payment) => accrue.state(merchant.clientId).payments.find((p) => p.id === payment.gatewayPaymentId);
const accruePosts = (suffix: string) => accrue.requests().filter((r) => r.method === "POST" && r.route.endsWith(suffix));

/** Shopify received exactly this mutation for the session (the worker may still be sending it). */
async function expectApplied(gid: string, field: string, variables: Record<string, unknown>) {
  await expect.poll(() => mutationsFor(gid), { timeout: 10_000 }).toEqual([expect.objectContaining({ field, variables, effect: "applied" })]);
}

async function capture(payment: Payment, amount?: string) {
  const request = shopify.createCaptureSession({ paymentId: payment.request.id, amount });
  const delivery = await shopify.sendCaptureSession(`${app.url}/shopify/accrue/capture`, request);
  expect([delivery.status, delivery.text]).toEqual([201, ""]);
  return request;
}

async function refund(payment: Payment, amount: string) {
  const request = shopify.createRefundSession({ paymentId: payment.request.id, amount });
  const delivery = await shopify.sendRefundSession(`${app.url}/shopify/accrue/refund`, request);
  expect([delivery.status, delivery.text]).toEqual([201, ""]);
  return request;
}

describe("Accrue capture sessions", () => {
  it("an authorization is captured at Accrue, once, then resolved", async () => {
    const payment = await accruePayment("authorization");
    expect(payment.stored).toMatchObject({ gateway: "accrue", gatewayStatus: "authorized" });
    const request = await capture(payment);
    await runJobs();
    await expectApplied(request.gid, "captureSessionResolve", { id: request.gid });
    expect(paymentAtAccrue(payment)).toMatchObject({ attributes: { status: "Waiting" }, capturedAmount: 1999 });
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/capture`)).toHaveLength(1);
    expect(await db().captureSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({ status: "resolved" });
    expect(await db().paymentSession.findUniqueOrThrow({ where: { id: payment.stored.id } })).toMatchObject({ gatewayStatus: "captured" });
  });

  it("a partial capture takes less than the authorization; a second capture is refused by the ledger", async () => {
    const payment = await accruePayment("authorization");
    const first = await capture(payment, "10.00");
    await runJobs();
    await expectApplied(first.gid, "captureSessionResolve", { id: first.gid });
    expect(paymentAtAccrue(payment)).toMatchObject({ capturedAmount: 1000 });
    const second = await capture(payment, "5.00");
    await runJobs();
    await expect
      .poll(() => mutationsFor(second.gid), { timeout: 10_000 })
      .toEqual([expect.objectContaining({ field: "captureSessionReject", effect: "applied" })]);
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/capture`)).toHaveLength(1);
  });
});

describe("Accrue capture sessions past the authorization", () => {
  it("a capture after the authorization expired is rejected AUTHORIZATION_EXPIRED, and nothing is captured", async () => {
    const payment = await accruePayment("authorization");
    const expiresAt = payment.stored.authorizationExpiresAt;
    expect(expiresAt).not.toBeNull();
    const past = expiresAt!.getTime() - Date.now() + 60 * 60_000;
    accrue.advanceClock(past);
    const request = await capture(payment);
    // The app's clock is past the expiry too, for this run of the jobs only.
    clock = Date.now() + past;
    await worker.runDueJobs();
    expect(mutationsFor(request.gid)).toEqual([
      expect.objectContaining({
        field: "captureSessionReject",
        effect: "applied",
        variables: expect.objectContaining({ reason: expect.objectContaining({ code: "AUTHORIZATION_EXPIRED" }) }),
      }),
    ]);
    expect(paymentAtAccrue(payment)).toMatchObject({ capturedAmount: null });
  });
});

describe("Accrue void sessions", () => {
  it("a void of a captured payment is rejected, and nothing is canceled at Accrue", async () => {
    const payment = await accruePayment("authorization");
    await capture(payment);
    await runJobs();
    const request = shopify.createVoidSession({ paymentId: payment.request.id });
    const delivery = await shopify.sendVoidSession(`${app.url}/shopify/accrue/void`, request);
    expect([delivery.status, delivery.text]).toEqual([201, ""]);
    await runJobs();
    await expect
      .poll(() => mutationsFor(request.gid), { timeout: 10_000 })
      .toEqual([expect.objectContaining({ field: "voidSessionReject", effect: "applied" })]);
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/cancel`)).toHaveLength(0);
    expect(paymentAtAccrue(payment)).toMatchObject({ capturedAmount: 1999 });
  });

  it("an authorization is voided by canceling it at Accrue, then resolved", async () => {
    const payment = await accruePayment("authorization");
    const request = shopify.createVoidSession({ paymentId: payment.request.id });
    const delivery = await shopify.sendVoidSession(`${app.url}/shopify/accrue/void`, request);
    expect([delivery.status, delivery.text]).toEqual([201, ""]);
    await runJobs();
    await expectApplied(request.gid, "voidSessionResolve", { id: request.gid });
    expect(paymentAtAccrue(payment)).toMatchObject({ attributes: { status: "Canceled" } });
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/cancel`)).toHaveLength(1);
    expect(await db().voidSession.findFirstOrThrow({ where: { shopifyId: request.id } })).toMatchObject({ status: "resolved" });
  });
});

describe("Accrue refund sessions", () => {
  it("a refund settled at Accrue while its webhooks arrive twice and out of order: each event recorded once, the refund resolved once and made once", async () => {
    // The app's webhook at Accrue, as the setup page registers it: Accrue's deliveries reach the real route.
    const { gateways } = await import("~/gateways.server");
    const { shopGateway, saveModeWebhooks } = await import("~/merchants/credentials.server");
    const { secretBox } = await import("~/lib/secret-box.server");
    const { id: shopId } = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const { webhookToken } = await shopGateway(db(), shopId, "accrue");
    const credentials = { secret: merchant.clientSecret, publicId: merchant.clientId };
    const registered = await gateways("accrue").webhooks!.register(credentials, "test", `${app.url}/webhooks/accrue/${webhookToken}`);
    if (!registered.ok) throw new Error(registered.error.message);
    await saveModeWebhooks(db(), secretBox(), shopId, "accrue", { test: registered.value });
    onTestFinished(async () => {
      await gateways("accrue").webhooks!.remove(credentials, "test", registered.value.webhookId);
    });

    const payment = await accruePayment("sale");
    const request = await refund(payment, "3.00");
    await runJobs();
    expect(mutationsFor(request.gid)).toEqual([]);
    const eventsBefore = await db().gatewayEvent.count();
    accrue.setFaults({ webhookDuplicate: { copies: 2 }, webhookOutOfOrder: { batch: 2 } });
    accrue.setBehaviour({ refundSettles: "immediately" });
    accrue.advanceClock(10 * 60_000);
    accrue.tick();
    accrue.flushWebhooks();
    await accrue.waitForWebhooks();
    accrue.setFaults({});
    // The deliveries only wake the re-read; its job runs (no clock jump needed beyond the job grace).
    await runJobs(15_000);
    await expect.poll(() => mutationsFor(request.gid).map((m) => m.field), { timeout: 10_000 }).toEqual(["refundSessionResolve"]);
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/refund`)).toHaveLength(1);
    expect(paymentAtAccrue(payment)).toMatchObject({ refundedAmount: 300 });
    // Every delivery reached the app's route and was accepted.
    const deliveries = accrue.webhookDeliveries();
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.state === "delivered" && d.attempts.at(-1)?.status === 200)).toBe(true);
    // Each event is recorded once, however often it was delivered.
    const events = await db().gatewayEvent.findMany({ where: { gateway: "accrue" }, select: { eventId: true } });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(events.length).toBeGreaterThan(eventsBefore);
  });

  it("partial and multiple refunds are made at Accrue and resolved once Accrue settles them; more than is left is refused", async () => {
    const payment = await accruePayment("sale");
    const first = await refund(payment, "5.00");
    await runJobs();
    // Accrue's refund starts Pending: the job reads it again (never sends it again) until it settles.
    expect(mutationsFor(first.gid)).toEqual([]);
    expect(await db().refundSession.findFirstOrThrow({ where: { shopifyId: first.id } })).toMatchObject({ status: "processing" });
    accrue.setBehaviour({ refundSettles: "immediately" });
    accrue.advanceClock(10 * 60_000);
    await runJobs(120_000);
    await expectApplied(first.gid, "refundSessionResolve", { id: first.gid });

    const second = await refund(payment, "7.00");
    await runJobs();
    accrue.advanceClock(10 * 60_000);
    await runJobs(120_000);
    await expectApplied(second.gid, "refundSessionResolve", { id: second.gid });
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/refund`)).toHaveLength(2);
    expect(paymentAtAccrue(payment)).toMatchObject({ refundedAmount: 1200 });

    const tooMuch = await refund(payment, "8.00");
    await runJobs();
    await expectApplied(tooMuch.gid, "refundSessionReject", {
      id: tooMuch.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: expect.stringContaining("more than is left to refund on this payment (7.99 USD of 19.99 USD)") },
    });
    expect(accruePosts(`/payments/${payment.gatewayPaymentId}/refund`)).toHaveLength(2);
  });
});
