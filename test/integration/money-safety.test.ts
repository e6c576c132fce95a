/**
 * Every card attempt accounted for: the paths where money moved and Shopify was never told, or
 * where a session never reached a final state, each driven once through the real use cases,
 * the Accelebit sandbox and the Shopify simulator (the model-based explorer in test/model/
 * searches the interleavings around them).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { generateCardKeyPairForTest } from "../card-decryption/encrypt-for-test";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";

const SHOP = "safety-shop.myshopify.com";
const TOKEN = "shpat_safety";
const KEY = "smtgw_sk_test_SafetyShopKey0001";
const SECRET = "whsec_safety_0123456789abcdef";
const FINGERPRINT = "5afe".padEnd(64, "0");
const cardKeys = generateCardKeyPairForTest();
const form = (number: string) => ({ name: "Alice Smith", number, expiry: "12/39", cvc: "123" });
const PAN = { captured: "4242424242424242", declined: "4000000000000002", threeDs: "4000000000003220" };
const MINUTE = 60_000;

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let charge: typeof import("~/payments/charge.server");
let deps: import("~/payments/charge.server").ChargeDeps;
let shopId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox({ sleep: async () => {}, behaviour: { webhooks: "held" } });
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/shopify/card/payment": await import("~/routes/shopify.card.payment"),
    "/shopify/card/confirm": await import("~/routes/shopify.card.confirm"),
    "/shopify/refund": await import("~/routes/shopify.refund"),
    "/webhooks/accelebit/:token": await import("~/routes/webhooks.accelebit.$token"),
  });
  useAppEnv({
    DATABASE_URL: database.url,
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    SHOPIFY_APP_URL: app.url,
    MAX_CARD_ATTEMPTS: "3",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    CARD_DECRYPTION_KEYS: JSON.stringify([{ fingerprint: FINGERPRINT, privateKeyPem: cardKeys.privateKeyPem }]),
  });
  ({ db } = await import("~/db.server"));
  charge = await import("~/payments/charge.server");
  deps = (await import("~/payments/charge-deps.server")).chargeDeps();
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const shop = await seedShop(
    { shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, webhookSecret: SECRET, scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  shopId = shop.id;
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  shopify.setCardEncryptionKey({ publicKeyPem: cardKeys.publicKeyPem, fingerprint: FINGERPRINT });
  shopify.setConfirmationCallbackUrl(`${app.url}/shopify/card/confirm`);
  sandbox.configureWebhooks({ url: `${app.url}/webhooks/accelebit/${shop.webhookToken}`, secret: SECRET }, KEY);
});

afterAll(async () => {
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

beforeEach(async () => {
  sandbox.clearFaults();
  sandbox.setBehaviour({ declineStyle: "error_400", merchantRefLookup: "newest", webhooks: "held" });
  await sandbox.releaseWebhooks();
});

/** Jobs due by `minutesLater` run, with the worker's clock moved that far. */
async function runJobs(minutesLater = 0) {
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  const { JOB_HANDLERS } = await import("~/background.server");
  const worker = createWorker({ handlers: JOB_HANDLERS, logger, now: () => new Date(Date.now() + minutesLater * MINUTE) });
  while ((await worker.runDueJobs()) > 0);
}

/** The sweeper passes `minutesLater`, then what it scheduled runs. */
async function sweepAt(minutesLater: number) {
  const { sweep } = await import("~/payments/sweeper.server");
  const report = await sweep(deps, new Date(Date.now() + minutesLater * MINUTE));
  await runJobs(minutesLater);
  return report;
}

async function offsiteSession(amount = "40.00") {
  const request = shopify.createPaymentSession({ shop: SHOP, amount, currency: "EUR" });
  expect((await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request)).status).toBe(201);
  const row = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  return { request, token: row.shopperToken, id: row.id };
}

async function cardSession(pan: string) {
  const request = shopify.createPaymentSession({
    shop: SHOP,
    amount: "25.00",
    currency: "EUR",
    paymentMethodType: "credit_card",
    card: { full_name: "Alice Smith", pan, month: 12, year: 2039, verification_value: "987" },
  });
  expect((await shopify.sendPaymentSession(`${app.url}/shopify/card/payment`, request)).status).toBe(201);
  const row = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  return { request, token: row.shopperToken, id: row.id };
}

const attemptsAtAccelebit = (shopifyId: string) => sandbox.payments(KEY).filter((p) => p.merchantRef?.startsWith(`${shopifyId}-attempt-`));
const captures = (shopifyId: string) => attemptsAtAccelebit(shopifyId).filter((p) => p.status === "captured" && p.refundedAmount === "0.00");
const applied = (gid: string, field?: string) =>
  shopify.mutations.filter((m) => m.sessionGid === gid && m.effect === "applied" && (!field || m.field === field));
const session = (id: string) => db().paymentSession.findUniqueOrThrow({ where: { id }, include: { attempts: { orderBy: { number: "asc" } } } });

/** 150 pending sessions of another shop, due for the sweeper since an hour, each with an attempt whose outcome only Accelebit knows. */
async function seedStuckSessions(otherShopId: string, prefix: string) {
  const ids = Array.from({ length: 150 }, (_, i) => `${prefix}-session-${i}`);
  await db().paymentSession.createMany({
    data: ids.map((id, i) => ({
      id,
      shopId: otherShopId,
      shopifyId: `${prefix}-${i}`,
      gid: `gid://shopify/PaymentSession/${prefix}-${i}`,
      group: `${prefix}-group-${i}`,
      kind: "sale",
      amount: "10.00",
      currency: "EUR",
      test: true,
      paymentMethodType: "offsite",
      status: "pending",
      shopperToken: `${prefix}-token-${i}`,
      pendingExpiresAt: new Date(Date.now() + 48 * 60 * MINUTE),
      nextCheckAt: new Date(Date.now() - 60 * MINUTE),
    })),
  });
  await db().paymentAttempt.createMany({
    data: ids.map((id, i) => ({
      paymentSessionId: id,
      number: 1,
      idempotencyKey: `shopify-${prefix}-${i}-attempt-1`,
      merchantRef: `${prefix}-${i}-attempt-1`,
      status: "unknown",
    })),
  });
}

describe("a decline, then a charge whose answer is lost", () => {
  it.each(["newest", "oldest", "list"] as const)("charges once and resolves, whichever payment the merchantRef lookup answers (%s)", async (lookup) => {
    sandbox.setBehaviour({ merchantRefLookup: lookup });
    const { request, token, id } = await offsiteSession();
    expect(await charge.submitCard(token, form(PAN.declined), null, deps)).toMatchObject({ kind: "try-again" });
    // Accelebit records the capture, and the connection drops before its answer arrives.
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/payments" } });
    expect(await charge.submitCard(token, form(PAN.captured), null, deps)).toEqual({ kind: "resolving" });
    await runJobs();
    expect(captures(request.id)).toHaveLength(1);
    expect(applied(request.gid).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
    const row = await session(id);
    expect(row.attempts.map((a) => [a.merchantRef, a.status])).toEqual([
      [`${request.id}-attempt-1`, "failed"],
      [`${request.id}-attempt-2`, "captured"],
    ]);
    expect(row.gatewayPaymentId).toBe(captures(request.id)[0]!.id);
  });
});

describe("1. a declined attempt's payment id is stored on its attempt", () => {
  it("from the decline itself (201 with status failed) or from the payment.failed webhook (a 4xx decline carries no id)", async () => {
    sandbox.setBehaviour({ declineStyle: "created_failed" });
    const first = await offsiteSession();
    await charge.submitCard(first.token, form(PAN.declined), null, deps);
    const [failed] = attemptsAtAccelebit(first.request.id);
    expect((await session(first.id)).attempts[0]!.gatewayPaymentId).toBe(failed!.id);

    sandbox.setBehaviour({ declineStyle: "error_400" });
    const second = await offsiteSession();
    await charge.submitCard(second.token, form(PAN.declined), null, deps);
    expect((await session(second.id)).attempts[0]!.gatewayPaymentId).toBeNull();
    await sandbox.releaseWebhooks();
    await runJobs();
    expect((await session(second.id)).attempts[0]!.gatewayPaymentId).toBe(attemptsAtAccelebit(second.request.id)[0]!.id);
    expect((await session(second.id)).status).toBe("awaiting_card");
  });
});

describe("2. a read is applied to the attempt it names", () => {
  it("a late webhook about attempt 1 while attempt 2 is in 3-D Secure leaves the session in 3-D Secure; the sweeper reads attempt 2", async () => {
    const { request, token, id } = await offsiteSession();
    await charge.submitCard(token, form(PAN.declined), null, deps);
    const outcome = await charge.submitCard(token, form(PAN.threeDs), null, deps);
    expect(outcome.kind).toBe("three-ds");
    // Attempt 1's payment.failed arrives only now (late), twice.
    const late = sandbox.heldWebhooks().filter((w) => w.type === "payment.failed");
    expect(late).toHaveLength(1);
    await sandbox.releaseWebhooks({ eventIds: [late[0]!.eventId], twice: true });
    await runJobs();
    let row = await session(id);
    expect(row.status).toBe("three_ds");
    expect(row.attempts.map((a) => a.status)).toEqual(["failed", "action_required"]);

    const before = sandbox.requests().length;
    await sweepAt(11);
    const reads = sandbox
      .requests()
      .slice(before)
      .filter((r) => r.method === "GET");
    expect(reads.map((r) => r.path)).toEqual([`/v1/payments/${row.attempts[1]!.gatewayPaymentId}`]);

    expect(sandbox.answerChallenge(KEY, row.attempts[1]!.gatewayPaymentId!, "approve")).toBe(true);
    expect(await charge.finishThreeDs(token, deps)).toEqual({ kind: "resolving" });
    await runJobs();
    row = await session(id);
    expect(row.status).toBe("resolved");
    expect(captures(request.id)).toHaveLength(1);
  });
});

describe("3. a credit card passes 3-D Secure and the shopper never comes back", () => {
  it.each(["webhook", "sweeper"] as const)("the %s finishes it exactly as the return would: confirm, then resolve with authentication", async (path) => {
    const { request, id } = await cardSession(PAN.threeDs);
    await runJobs(); // charge → 3-D Secure → paymentSessionRedirect
    const payment = (await session(id)).attempts[0]!.gatewayPaymentId!;
    expect(sandbox.answerChallenge(KEY, payment, "approve")).toBe(true);
    if (path === "webhook") {
      await sandbox.releaseWebhooks();
      await runJobs();
    } else {
      await sweepAt(11);
    }
    expect(applied(request.gid, "paymentSessionConfirm")).toHaveLength(1);
    await expect.poll(async () => (await session(id)).status, { timeout: 10_000 }).toBe("resolving");
    await runJobs();
    const resolve = applied(request.gid, "paymentSessionResolve");
    expect(resolve).toHaveLength(1);
    expect(resolve[0]!.variables).toMatchObject({ authentication: { authenticationData: { transStatus: "Y" } } });
    expect(captures(request.id)).toHaveLength(1);
  });

  it("a challenge never answered is rejected CANCELLED_PAYMENT at the deadline, after Accelebit was read", async () => {
    const { request } = await cardSession(PAN.threeDs);
    await runJobs();
    await sweepAt(31);
    const reject = applied(request.gid, "paymentSessionReject");
    expect(reject).toHaveLength(1);
    expect(reject[0]!.variables).toMatchObject({
      reason: { code: "CANCELLED_PAYMENT" },
      authentication: { authenticationData: { transStatus: "U", transStatusReason: "14" } },
    });
  });
});

describe("4. offsite 3-D Secure abandoned", () => {
  it("becomes pending at the deadline, stays pending (no way back to 3-D Secure), and a later failure rejects it AUTHENTICATION_FAILED", async () => {
    const { request, token, id } = await offsiteSession();
    await charge.submitCard(token, form(PAN.threeDs), null, deps);
    await sweepAt(31);
    expect(applied(request.gid, "paymentSessionPending")).toHaveLength(1);
    await sweepAt(45);
    expect((await session(id)).status).toBe("pending");
    sandbox.answerChallenge(KEY, (await session(id)).attempts[0]!.gatewayPaymentId!, "fail");
    await sandbox.releaseWebhooks();
    await runJobs();
    expect((await session(id)).status).toBe("rejected");
    expect(applied(request.gid, "paymentSessionReject")[0]!.variables).toMatchObject({ reason: { code: "AUTHENTICATION_FAILED" } });
  });

  it("sessions the sweeper cannot settle go to the back: 150 of a shop without a key, one of them undecryptable, do not hold up another shop's session", async () => {
    const other = await db().shop.create({ data: { domain: "keyless-shop.myshopify.com" } });
    await db().shopSettings.create({ data: { shopId: other.id, ready: true } });
    await db().gatewayCredential.create({
      data: { shopId: other.id, gateway: "accelebit", mode: "test", secretCiphertext: "v1:not-a-real:ciphertext:at:all", secretLast4: "0000" },
    });
    // Each waits for an outcome Accelebit must be asked about: with this shop's key, it cannot be.
    await seedStuckSessions(other.id, "stuck");
    const { request, token } = await offsiteSession();
    await charge.submitCard(token, form(PAN.threeDs), null, deps);
    const good = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
    sandbox.answerChallenge(KEY, good.gatewayPaymentId!, "approve");

    try {
      const first = await sweepAt(11);
      expect(first.failed).toBe(150); // the undecryptable key fails each of its sessions, not the pass
      expect((await session(good.id)).status).toBe("resolved");
      // The 150 were pushed back with their own backoff: a pass right after finds none of them due.
      expect((await sweepAt(12)).checked).toBe(0);
      expect(await db().paymentSession.count({ where: { shopId: other.id, status: "pending" } })).toBe(150);
    } finally {
      await db().shop.delete({ where: { id: other.id } });
    }
  });

  it("the sweeper's job books its next run before it works, so a failing pass never stops it", async () => {
    const { reconcileHandler, RECONCILE_PAYMENTS } = await import("~/payments/sweeper.server");
    const { logger } = await import("~/lib/logger");
    const broken = reconcileHandler(() => {
      throw new Error("database is down");
    });
    const now = new Date(Date.now() + 100 * 24 * 60 * MINUTE);
    await expect(broken({}, { jobId: "j", attempt: 1, shopId: null, now, finalAttempt: false, logger })).rejects.toThrow("database is down");
    const next = await db().job.findFirst({ where: { type: RECONCILE_PAYMENTS, runAt: { gt: now } } });
    expect(next).not.toBeNull();
  });
});

describe("5. a key removed while the shopper is at their bank", () => {
  it("rejects nothing without Accelebit's word; once the key is back the capture resolves", async () => {
    const { secretBox } = await import("~/lib/secret-box.server");
    const { removeCredentials, saveCredentials } = await import("~/merchants/credentials.server");
    const key = { shopId, gateway: "accelebit", mode: "test" } as const;
    const { request, token, id } = await offsiteSession();
    await charge.submitCard(token, form(PAN.threeDs), null, deps);
    await removeCredentials(db(), key);
    sandbox.answerChallenge(KEY, (await session(id)).gatewayPaymentId!, "approve");
    expect(await charge.finishThreeDs(token, deps)).toEqual({ kind: "still-pending" });
    await sandbox.releaseWebhooks();
    await sweepAt(31); // no key: the webhook job and the sweeper wait; the deadline only makes it pending
    expect(applied(request.gid, "paymentSessionReject")).toHaveLength(0);
    expect((await session(id)).status).toBe("pending");

    await saveCredentials(db(), secretBox(), key, { secret: KEY, publicId: null });
    await sweepAt(40);
    expect((await session(id)).status).toBe("resolved");
    expect(applied(request.gid).map((m) => m.field)).toEqual(["paymentSessionPending", "paymentSessionResolve"]);
  });
});

describe("6. a credit-card charge whose outcome stays unknown", () => {
  it("is POSTed again only inside its window (one hour, one Idempotency-Key); after it, only read", async () => {
    // Every answer to the charge is lost, and Accelebit cannot be looked up for a while.
    sandbox.setFaults({ dropConnection: { count: 100, match: "POST /v1/payments" }, serverErrors: { count: 1000, match: "GET /v1/payments" } });
    const { request, id } = await cardSession(PAN.captured);
    await runJobs();
    await runJobs(2);
    expect((await session(id)).status).toBe("processing");
    const posts = () => sandbox.requests().filter((r) => r.method === "POST" && r.idempotencyKey === `shopify-${request.id}-attempt-1`).length;
    const postedInWindow = posts();
    expect(postedInWindow).toBeGreaterThan(1);
    expect(
      new Set(
        sandbox
          .requests()
          .filter((r) => r.method === "POST" && r.path === "/v1/payments")
          .map((r) => r.idempotencyKey),
      ).has(`shopify-${request.id}-attempt-1`),
    ).toBe(true);

    sandbox.clearFaults();
    await runJobs(90); // past the window: the job reads instead of posting
    expect(posts()).toBe(postedInWindow);
    expect(await db().cardPayload.count({ where: { paymentSessionId: id } })).toBe(0);
    expect((await session(id)).status).toBe("resolved");
    expect(captures(request.id)).toHaveLength(1);
  });
});

describe("7. a transient paymentsAppConfigure failure", () => {
  it("keeps the shop ready; retries of stored sessions and refunds of captured payments are never refused", async () => {
    const { saveSettings } = await import("~/merchants/settings.server");
    const { secretBox } = await import("~/lib/secret-box.server");
    const { request, token } = await offsiteSession("30.00");
    await charge.submitCard(token, form(PAN.captured), null, deps);
    await runJobs();
    const saved = await saveSettings(
      SHOP,
      { testApiKey: KEY },
      {
        checkKey: async () => ({ ok: true }),
        configure: async () => ({ ok: false, failure: "Shopify answered 503" }),
        box: secretBox(),
        appUrl: app.url,
        apiKey: "test-client-id",
      },
    );
    expect(saved).toMatchObject({ status: "saved", configured: false, failure: "Shopify answered 503" });
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shopId } })).ready).toBe(true);

    // Even a shop that is not ready replays stored answers and takes refunds of money it holds.
    await db().shopSettings.update({ where: { shopId }, data: { ready: false } });
    const retried = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
    expect(retried.status).toBe(201);
    const refund = shopify.createRefundSession({ paymentId: request.id, amount: "30.00", currency: "EUR" });
    expect((await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund)).status).toBe(201);
    await runJobs(1);
    expect(applied(refund.gid, "refundSessionResolve")).toHaveLength(1);
    // A new payment session still needs a ready shop.
    const fresh = shopify.createPaymentSession({ shop: SHOP, amount: "5.00", currency: "EUR" });
    expect((await shopify.sendPaymentSession(`${app.url}/shopify/payment`, fresh)).status).toBe(403);
    await db().shopSettings.update({ where: { shopId }, data: { ready: true } });
  });
});

describe("the same bugs through other doors (each of these failed on the code before the fix)", () => {
  it("0b. the issue's headline: a decline, a capture whose answer is lost, the lookup answers the oldest, the shopper pays again: charged once", async () => {
    sandbox.setBehaviour({ merchantRefLookup: "oldest" });
    const { request, token } = await offsiteSession();
    await charge.submitCard(token, form(PAN.declined), null, deps);
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/payments" } });
    await charge.submitCard(token, form(PAN.captured), null, deps);
    sandbox.clearFaults();
    await charge.submitCard(token, form(PAN.captured), null, deps); // told "declined", the shopper pays again
    await runJobs();
    expect(captures(request.id)).toHaveLength(1);
  });

  it("2b. point 2 through a path the old code can reach: attempt 1 failed its 3-D Secure (its id is stored), attempt 2 is in 3-D Secure, attempt 1's payment.failed arrives late", async () => {
    const { id, token } = await offsiteSession();
    expect((await charge.submitCard(token, form(PAN.threeDs), null, deps)).kind).toBe("three-ds");
    const first = (await session(id)).attempts[0]!.gatewayPaymentId!;
    expect(sandbox.answerChallenge(KEY, first, "fail")).toBe(true);
    expect(await charge.finishThreeDs(token, deps)).toMatchObject({ kind: "try-again" }); // the shopper is back and told to try again
    expect((await charge.submitCard(token, form(PAN.threeDs), null, deps)).kind).toBe("three-ds");
    const late = sandbox.heldWebhooks().filter((w) => w.type === "payment.failed" && w.objectId === first);
    expect(late).toHaveLength(1);
    await sandbox.releaseWebhooks({ eventIds: [late[0]!.eventId] });
    await runJobs();
    const row = await session(id);
    expect({ status: row.status, attempts: row.attempts.map((a) => a.status) }).toEqual({ status: "three_ds", attempts: ["failed", "action_required"] });
  });

  it("2c. the reconciler's fallback: attempt 2's answer is lost (no id), the pass reads the session's last stored id (attempt 1's failure) and must not reject while attempt 2 is captured", async () => {
    const { request, id, token } = await offsiteSession();
    await charge.submitCard(token, form(PAN.threeDs), null, deps);
    sandbox.answerChallenge(KEY, (await session(id)).attempts[0]!.gatewayPaymentId!, "fail");
    expect(await charge.finishThreeDs(token, deps)).toMatchObject({ kind: "try-again" });
    // Attempt 2 is captured at Accelebit, its answer is lost and the lookup cannot be made now.
    sandbox.setFaults({ dropConnection: { count: 1000, match: "POST /v1/payments" }, serverErrors: { count: 1000, match: "GET /v1/payments" } });
    await charge.submitCard(token, form(PAN.captured), null, deps);
    sandbox.clearFaults();
    expect(captures(request.id)).toHaveLength(1);
    await sweepAt(11);
    expect(applied(request.gid, "paymentSessionReject")).toHaveLength(0);
    expect((await session(id)).status).toBe("resolved");
  });

  it("4b'. 150 sessions of a shop with no key at all (nothing to decrypt) do not hold up another shop's session", async () => {
    const other = await db().shop.create({ data: { domain: "no-key-shop.myshopify.com" } });
    await db().shopSettings.create({ data: { shopId: other.id, ready: true } });
    await seedStuckSessions(other.id, "nokey");
    const { request, token } = await offsiteSession();
    await charge.submitCard(token, form(PAN.threeDs), null, deps);
    const good = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
    sandbox.answerChallenge(KEY, good.gatewayPaymentId!, "approve");
    try {
      await sweepAt(11);
      expect((await session(good.id)).status).toBe("resolved");
    } finally {
      await db().shop.delete({ where: { id: other.id } });
    }
  });

  it("6b. past Accelebit's 24 h Idempotency-Key lifetime the unknown charge is not POSTed again", async () => {
    sandbox.setFaults({ dropConnection: { count: 1000, match: "POST /v1/payments" }, serverErrors: { count: 1000, match: "GET /v1/payments" } });
    const { request } = await cardSession(PAN.captured);
    await runJobs();
    await runJobs(2);
    const posts = () => sandbox.requests().filter((r) => r.method === "POST" && r.idempotencyKey === `shopify-${request.id}-attempt-1`).length;
    const before = posts();
    await runJobs(25 * 60); // 25 hours later: a POST with this key would be a new charge
    expect(posts()).toBe(before);
  });

  it("7b. a shop that is not ready still replays a stored session and takes a refund of money it holds", async () => {
    const { request, token } = await offsiteSession("30.00");
    await charge.submitCard(token, form(PAN.captured), null, deps);
    await runJobs();
    await db().shopSettings.update({ where: { shopId }, data: { ready: false } });
    try {
      const retried = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
      const refund = shopify.createRefundSession({ paymentId: request.id, amount: "30.00", currency: "EUR" });
      const refunded = await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund);
      expect({ replay: retried.status, refund: refunded.status }).toEqual({ replay: 201, refund: 201 });
    } finally {
      await db().shopSettings.update({ where: { shopId }, data: { ready: true } });
    }
  });

  it("8b'. a charge job that dies retrying an unknown outcome leaves no card data", async () => {
    sandbox.setFaults({ dropConnection: { count: 1000, match: "POST /v1/payments" }, serverErrors: { count: 1000, match: "GET /v1/payments" } });
    const { id } = await cardSession(PAN.captured);
    await db().job.updateMany({ where: { dedupeKey: `card-charge:${id}` }, data: { maxAttempts: 1 } });
    await runJobs();
    expect((await db().job.findFirstOrThrow({ where: { dedupeKey: `card-charge:${id}` } })).status).toBe("dead");
    // The job's last run took the card with it; the sweeper settles the session from Accelebit's record.
    expect(await db().cardPayload.count({ where: { paymentSessionId: id } })).toBe(0);
    sandbox.clearFaults();
    await sweepAt(61);
    expect((await session(id)).status).toBe("resolved");
  });
});

describe("a refund the worker only reaches a day later (found by the model-based explorer)", () => {
  it("is still made: the key's 23 hours count from the first send, not from the refusal", async () => {
    const { receiveConfirmation } = await import("~/payments/card/confirmation.server");
    shopify.setConfirmationCallbackUrl(null); // Shopify's answer is given below, by hand
    try {
      const { request, id } = await cardSession(PAN.threeDs);
      await runJobs();
      sandbox.answerChallenge(KEY, (await session(id)).attempts[0]!.gatewayPaymentId!, "approve");
      await sweepAt(11); // 3-D Secure passed: paymentSessionConfirm
      expect(applied(request.gid, "paymentSessionConfirm")).toHaveLength(1);
      await receiveConfirmation(
        { shop: SHOP, requestId: "r-refused", apiVersion: "2026-04" },
        { id: request.id, gid: request.gid, confirmation_result: false },
        deps,
      );
      expect(captures(request.id)).toHaveLength(1);
      await runJobs(26 * 60); // the worker was down for a day
      expect(captures(request.id)).toHaveLength(0);
      expect(sandbox.refunds(KEY).filter((r) => r.reason === "Shopify refused to confirm the payment")).toHaveLength(1);
      expect(applied(request.gid, "paymentSessionReject")[0]!.variables).toMatchObject({ reason: { code: "CONFIRMATION_REJECTED" } });
    } finally {
      shopify.setConfirmationCallbackUrl(`${app.url}/shopify/card/confirm`);
    }
  });
});

describe("8. the sealed card never outlives its window", () => {
  it("a charge job that dies leaves no card data: the sweeper erases it when the window ends", async () => {
    sandbox.setFaults({ serverErrors: { count: 1000, match: "POST /v1/payments" } });
    const { id } = await cardSession(PAN.captured);
    await db().job.updateMany({ where: { dedupeKey: `card-charge:${id}` }, data: { maxAttempts: 1 } });
    await runJobs();
    expect(await db().cardPayload.count({ where: { paymentSessionId: id } })).toBe(0); // 5xx, nothing charged: rejected, card erased
    sandbox.clearFaults();

    // A job that died before doing anything (its payload is gone from its row anyway).
    const second = await cardSession(PAN.captured);
    await db().job.updateMany({ where: { dedupeKey: `card-charge:${second.id}` }, data: { status: "dead" } });
    expect(await db().cardPayload.count({ where: { paymentSessionId: second.id } })).toBe(1);
    await sweepAt(61);
    expect(await db().cardPayload.count({ where: { paymentSessionId: second.id } })).toBe(0);
    expect(JSON.stringify(await db().job.findMany({ where: { dedupeKey: `card-charge:${second.id}` } }))).not.toContain("encrypted_message");
    expect((await session(second.id)).status).toBe("rejected");
  });

  it("secrets:rotate re-encrypts a sealed card waiting for its charge; a job of an older version has its card moved out of the row", async () => {
    const { rotateSecrets } = await import("~/merchants/rotate-secrets.server");
    const { SecretBox } = await import("~/lib/secret-box");
    const { config, decodeKey } = await import("~/lib/config.server");
    const { id } = await cardSession(PAN.captured);
    const before = (await db().cardPayload.findUniqueOrThrow({ where: { paymentSessionId: id } })).ciphertext;
    const appKey = decodeKey(config().ENCRYPTION_KEY)!;
    const newKey = randomBytes(32);
    const rotated = new SecretBox(newKey, [appKey]);
    expect((await rotateSecrets(rotated)).rotated).toBeGreaterThan(0);
    // Rotate back, so the shop's secrets stay readable by this process's box for later tests.
    onTestFinished(() => rotateSecrets(new SecretBox(appKey, [newKey])).then(() => undefined));
    const after = (await db().cardPayload.findUniqueOrThrow({ where: { paymentSessionId: id } })).ciphertext;
    expect(after).not.toBe(before);
    expect(rotated.decrypt(after, `card-session:${id}`)).toContain("encrypted_message");

    // An older version's job carried the sealed card in its payload.
    const job = await db().job.findFirstOrThrow({ where: { dedupeKey: `card-charge:${id}` } });
    await db().cardPayload.delete({ where: { paymentSessionId: id } });
    await db().job.update({ where: { id: job.id }, data: { payload: JSON.stringify({ paymentSessionId: id, sealed: before, moto: false }), status: "done" } });
    const { chargeCardHandler } = await import("~/payments/card/charge.server");
    const { logger } = await import("~/lib/logger");
    await db().paymentSession.update({ where: { id }, data: { status: "rejected" } });
    await chargeCardHandler(() => ({
      ...deps,
      keyring: () => {
        throw new Error("not needed");
      },
    }))({ paymentSessionId: id, sealed: before, moto: false }, { jobId: job.id, attempt: 1, shopId, now: new Date(), finalAttempt: false, logger });
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).payload).toBe(JSON.stringify({ paymentSessionId: id, moto: false }));
    expect(await db().cardPayload.count({ where: { paymentSessionId: id } })).toBe(0);
  });
});
