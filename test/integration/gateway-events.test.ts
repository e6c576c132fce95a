import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import { threeDsChallengeUrl } from "../support/shopper-pages";

const SHOP = "events-shop.myshopify.com";
const TOKEN = "shpat_events";
const KEY = "smtgw_sk_test_EventsShopKey0001";
const SECRET = "whsec_events_0123456789abcdef";
const CARD = { name: "Alice Smith", number: "4242424242424242", expiry: "12/39", cvc: "123" };
const THREE_DS = { ...CARD, number: "4000000000003220" };

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");
let webhookUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox({ sleep: async () => {} });
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/pay/:token": await import("~/routes/pay.$token"),
    "/pay/:token/return": await import("~/routes/pay.$token.return"),
    "/webhooks/accelebit/:token": await import("~/routes/webhooks.accelebit.$token"),
    "/shopify/refund": await import("~/routes/shopify.refund"),
  });
  useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url, SHOPIFY_APP_URL: app.url });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const shop = await seedShop(
    { shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, webhookSecret: SECRET, scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  webhookUrl = `${app.url}/webhooks/accelebit/${shop.webhookToken}`;
  background = await import("~/background.server");
});

afterAll(async () => {
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

async function runJobs(minutesLater = 0) {
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  await createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(Date.now() + minutesLater * 60_000) }).runDueJobs();
}

/** A payment session the shopper started with a 3-D Secure card and then walked away from. */
async function abandonedThreeDs() {
  const request = shopify.createPaymentSession({ shop: SHOP, amount: "30.00", currency: "EUR" });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
  const page = (delivery.body as { redirect_url: string }).redirect_url;
  const res = await fetch(page, { method: "POST", body: new URLSearchParams(THREE_DS), redirect: "manual" });
  const challengeUrl = await threeDsChallengeUrl(res);
  const session = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  expect(session.status).toBe("three_ds");
  return { request, challengeUrl, paymentId: session.gatewayPaymentId! };
}

/** The bank's side of 3-D Secure, done without the shopper's browser ever coming back to us. */
async function completeChallenge(challengeUrl: string, outcome: "approve" | "fail") {
  const page = await (await fetch(challengeUrl)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, "&");
  const res = await fetch(new URL(action, challengeUrl), { method: "POST", body: new URLSearchParams({ outcome }), redirect: "manual" });
  expect(res.status).toBe(303);
}

function signedDelivery(body: object, secret = SECRET) {
  const raw = JSON.stringify(body);
  return fetch(webhookUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Accelebit-Signature": createHmac("sha256", secret).update(raw).digest("hex") },
    body: raw,
  });
}

const applied = (gid: string, field: string) => shopify.mutations.filter((m) => m.sessionGid === gid && m.field === field && m.effect === "applied");

describe("Accelebit webhooks", () => {
  it("a bad or missing signature is refused with 401 and changes nothing", async () => {
    const { request, paymentId } = await abandonedThreeDs();
    const body = { id: "evt_bad", type: "payment.captured", data: { id: paymentId, status: "captured" } };
    expect((await signedDelivery(body, "not-the-secret")).status).toBe(401);
    expect((await fetch(webhookUrl, { method: "POST", body: JSON.stringify(body) })).status).toBe(401);
    expect((await fetch(`${app.url}/webhooks/accelebit/unknown-token`, { method: "POST", body: "{}" })).status).toBe(404);
    await runJobs();
    expect(await db().gatewayEvent.count()).toBe(0);
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(0);
  });

  it("a correctly signed event dated outside the 72-hour replay window is refused with 401 and changes nothing", async () => {
    const { request, challengeUrl, paymentId } = await abandonedThreeDs();
    await completeChallenge(challengeUrl, "approve");
    const stale = new Date(Date.now() - 73 * 3600_000).toISOString();
    const res = await signedDelivery({ id: "evt_stale", type: "payment.captured", createdAt: stale, data: { id: paymentId, status: "captured" } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("Webhook refused: outside_replay_window");
    await runJobs();
    expect(await db().gatewayEvent.count({ where: { eventId: { contains: "evt_stale" } } })).toBe(0);
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(0);
  });

  it("a forged webhook with a valid signature cannot resolve a payment Accelebit reports as failed", async () => {
    const { request, challengeUrl, paymentId } = await abandonedThreeDs();
    await completeChallenge(challengeUrl, "fail");
    const res = await signedDelivery({ id: "evt_forged", type: "payment.captured", data: { id: paymentId, status: "captured" } });
    expect(res.status).toBe(200);
    await runJobs();
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(0);
    // Re-read from Accelebit: the challenge failed, so the shopper may try another card.
    const session = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id }, include: { attempts: true } });
    expect(session.status).toBe("awaiting_card");
    expect(session.attempts[0]).toMatchObject({ status: "failed" });
  });

  it("Accelebit's own webhook after the bank approved resolves the session once, however often it is delivered", async () => {
    sandbox.configureWebhooks({ url: webhookUrl, secret: SECRET }, KEY);
    const { request, challengeUrl } = await abandonedThreeDs();
    await completeChallenge(challengeUrl, "approve");
    await sandbox.waitForWebhooks();
    const delivered = sandbox.webhookDeliveries().filter((d) => d.type === "payment.captured" && d.state === "delivered");
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    // Accelebit retries deliveries: send the same event twice more.
    const event = { id: delivered.at(-1)!.eventId, type: "payment.captured", data: { id: delivered.at(-1)!.objectId, status: "captured" } };
    expect((await signedDelivery(event)).status).toBe(200);
    expect((await signedDelivery(event)).status).toBe(200);
    await runJobs();
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    expect(await db().gatewayEvent.count({ where: { eventId: { contains: event.id } } })).toBe(1);
    sandbox.configureWebhooks({ url: "http://127.0.0.1:9/unused", secret: SECRET }, KEY);
  });

  it("refund.created hurries a refund whose answer was lost instead of waiting for its next retry", async () => {
    const payment = shopify.createPaymentSession({ shop: SHOP, amount: "12.00", currency: "EUR" });
    const page = ((await shopify.sendPaymentSession(`${app.url}/shopify/payment`, payment)).body as { redirect_url: string }).redirect_url;
    // No worker runs in this file: the shopper waits, then a worker delivers the resolve.
    expect((await fetch(page, { method: "POST", body: new URLSearchParams(CARD), redirect: "manual" })).status).toBe(200);
    await runJobs();
    expect(shopify.sessionState(payment.gid)!.status).toBe("resolved");
    const refund = shopify.createRefundSession({ paymentId: payment.id, amount: "12.00", currency: "EUR" });
    // Accelebit records the refund but every answer is lost: the job must retry later.
    sandbox.setFaults({ dropConnection: { match: "POST /v1/refunds" } });
    expect((await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund)).status).toBe(201);
    await runJobs(1);
    sandbox.clearFaults();
    const stored = await db().refundSession.findFirstOrThrow({ where: { shopifyId: refund.id } });
    expect(stored.status).toBe("processing");
    const job = await db().job.findFirstOrThrow({ where: { dedupeKey: `refund:${stored.id}` } });
    expect(job.status).toBe("pending");
    expect(job.runAt.getTime()).toBeGreaterThan(Date.now());

    const accelebitPayment = (await db().paymentSession.findFirstOrThrow({ where: { shopifyId: payment.id } })).gatewayPaymentId!;
    expect((await signedDelivery({ id: "evt_refund_1", type: "refund.created", data: { id: "r-1", transactionId: accelebitPayment } })).status).toBe(200);
    await runJobs(); // no clock moved: the refund job runs because the webhook hurried it
    await runJobs();
    expect(shopify.mutations.filter((m) => m.sessionGid === refund.gid && m.field === "refundSessionResolve" && m.effect === "applied")).toHaveLength(1);
    expect(sandbox.refunds(KEY).filter((r) => r.transactionId === accelebitPayment)).toHaveLength(1);
  });

  it("unknown event types are acknowledged and ignored", async () => {
    const res = await signedDelivery({ id: "evt_other", type: "customer.updated", data: { id: "c1" } });
    expect(res.status).toBe(200);
  });
});

describe("reconciler", () => {
  it("settles a 3-D Secure payment the shopper abandoned from Accelebit's final status, without any shopper action", async () => {
    const { request, challengeUrl } = await abandonedThreeDs();
    await completeChallenge(challengeUrl, "approve"); // the bank finished; the browser never came back
    await runJobs(5); // too early: the session may still be in the shopper's hands
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(0);
    const { sweep } = await import("~/payments/sweeper.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    expect((await sweep(chargeDeps(), new Date(Date.now() + 11 * 60_000))).settled).toBeGreaterThanOrEqual(1);
    await runJobs(11);
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    expect((await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } })).status).toBe("resolved");
  });
});
