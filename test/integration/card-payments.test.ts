import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptCardPayloadForTest, generateCardKeyPairForTest, type TestCard } from "../card-decryption/encrypt-for-test";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";

const SHOP = "card-shop.myshopify.com";
const TOKEN = "shpat_card_shop";
const KEY = "smtgw_sk_test_CardShopKey00001";
const FINGERPRINT = "c0ffee".padEnd(64, "0");
const keys = generateCardKeyPairForTest();
const card = (pan: string): TestCard => ({ full_name: "Alice Smith", pan, month: 12, year: 2039, verification_value: "987" });
const CARDS = { captured: "4242424242424242", declined: "4000000000000002", threeDsGet: "4000000000003220", threeDsPost: "4000000000003063" };

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox();
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/card/payment": await import("~/routes/shopify.card.payment"),
    "/shopify/card/confirm": await import("~/routes/shopify.card.confirm"),
    "/card-3ds/:token": await import("~/routes/card-3ds.$token"),
    "/card-3ds/:token/return": await import("~/routes/card-3ds.$token.return"),
  });
  useAppEnv({
    DATABASE_URL: database.url,
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    SHOPIFY_APP_URL: app.url,
    CARD_DECRYPTION_KEYS: JSON.stringify([{ fingerprint: FINGERPRINT, privateKeyPem: keys.privateKeyPem }]),
  });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  await seedShop({ shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, scopes: "write_payment_gateways,write_payment_sessions" }, secretBox());
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  shopify.setCardEncryptionKey({ publicKeyPem: keys.publicKeyPem, fingerprint: FINGERPRINT });
  shopify.setConfirmationCallbackUrl(`${app.url}/shopify/card/confirm`);
  background = await import("~/background.server");
  background.startBackgroundWorker();
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

async function cardSession(pan: string, options: { confirmationResult?: boolean; amount?: string; paymentMethodData?: Record<string, unknown> } = {}) {
  const request = shopify.createPaymentSession({
    shop: SHOP,
    amount: options.amount ?? "25.00",
    currency: "EUR",
    paymentMethodType: "credit_card",
    card: card(pan),
    confirmationResult: options.confirmationResult,
    paymentMethodData: options.paymentMethodData,
  });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/card/payment`, request);
  return { request, delivery };
}

const applied = (gid: string, field?: string) =>
  shopify.mutations.filter((m) => m.sessionGid === gid && m.effect === "applied" && (!field || m.field === field));
const fieldsOf = (gid: string) => applied(gid).map((m) => m.field);
const finalized = (gid: string) =>
  expect.poll(() => applied(gid).some((m) => m.field === "paymentSessionResolve" || m.field === "paymentSessionReject"), { timeout: 20_000 }).toBe(true);

/** Opens the 3-D Secure page Shopify was given, answers the sandbox challenge, and follows the shopper back. */
async function passChallenge(gid: string, outcome: "approve" | "fail"): Promise<Response> {
  await expect.poll(() => applied(gid, "paymentSessionRedirect").length, { timeout: 20_000 }).toBe(1);
  const redirectUrl = String(applied(gid, "paymentSessionRedirect")[0]!.variables.redirectUrl);
  const page = await fetch(redirectUrl, { redirect: "manual" });
  expect(page.status).toBe(303);
  const challengeUrl = page.headers.get("location")!;
  expect(challengeUrl.startsWith(sandbox.url)).toBe(true);
  const challenge = await (await fetch(challengeUrl)).text();
  const action = new URL(/action="([^"]+)"/.exec(challenge)![1]!.replace(/&amp;/g, "&"), challengeUrl);
  const answered = await fetch(action, { method: "POST", body: new URLSearchParams({ outcome }), redirect: "manual" });
  expect(answered.status).toBe(303);
  return fetch(answered.headers.get("location")!, { redirect: "manual" });
}

describe("credit-card payment sessions", () => {
  it("answers 201 with an empty body; duplicates create one session and one charge, then resolve without authentication", async () => {
    const before = sandbox.payments(KEY).length;
    const { request, delivery } = await cardSession(CARDS.captured);
    expect(delivery.status).toBe(201);
    expect(delivery.text).toBe("");
    const retries = await Promise.all(Array.from({ length: 4 }, () => shopify.sendPaymentSession(`${app.url}/shopify/card/payment`, request)));
    for (const retry of retries) expect([retry.status, retry.text]).toEqual([201, ""]);
    await finalized(request.gid);
    expect(fieldsOf(request.gid)).toEqual(["paymentSessionResolve"]);
    expect(applied(request.gid)[0]!.variables.authentication).toBeUndefined();
    expect(sandbox.payments(KEY).length).toBe(before + 1);
    expect(await db().paymentSession.count({ where: { shopifyId: request.id } })).toBe(1);
    const charged = sandbox.payments(KEY).at(-1)!;
    expect(charged.status).toBe("captured");
  });

  it("a declined card is rejected with CARD_DECLINED (one attempt only)", async () => {
    const { request } = await cardSession(CARDS.declined);
    await finalized(request.gid);
    expect(fieldsOf(request.gid)).toEqual(["paymentSessionReject"]);
    expect(applied(request.gid)[0]!.variables).toMatchObject({ reason: { code: "CARD_DECLINED" } });
    expect(await db().paymentAttempt.count({ where: { paymentSession: { shopifyId: request.id } } })).toBe(1);
  });

  it("a tampered payload is rejected with PROCESSING_ERROR without calling Accelebit", async () => {
    const requestsBefore = sandbox.requests().length;
    const data = encryptCardPayloadForTest(card(CARDS.captured), keys.publicKeyPem, FINGERPRINT);
    const tag = Buffer.from(data.tag, "base64");
    tag[0] = tag[0]! ^ 0xff;
    const { request, delivery } = await cardSession(CARDS.captured, { paymentMethodData: { ...data, tag: tag.toString("base64"), moto: false } });
    expect(delivery.status).toBe(201);
    await finalized(request.gid);
    expect(applied(request.gid)[0]!.variables).toMatchObject({ reason: { code: "PROCESSING_ERROR" } });
    expect(sandbox.requests().length).toBe(requestsBefore);
  });

  it("3-D Secure passed: redirect, confirm, and resolve with authentication data after Shopify's callback", async () => {
    const { request } = await cardSession(CARDS.threeDsGet);
    const back = await passChallenge(request.gid, "approve");
    // The page checkout may frame sends the whole window (target _top) on to Shopify's nextAction.
    expect(back.status).toBe(200);
    const leave = await back.text();
    expect(leave).toContain(`<a href="${shopify.url}/__sim/checkout/${request.id}" target="_top" data-leave-frame>Continue</a>`);
    expect(leave).toContain('<script type="module" src="/leave-frame.js"></script>');
    await finalized(request.gid);
    expect(fieldsOf(request.gid)).toEqual(["paymentSessionRedirect", "paymentSessionConfirm", "paymentSessionResolve"]);
    expect(applied(request.gid, "paymentSessionResolve")[0]!.variables.authentication).toEqual({
      authenticationData: { transStatus: "Y", authenticationFlow: "CHALLENGE", version: "UNKNOWN", chargebackLiability: "UNKNOWN" },
    });
  });

  it("3-D Secure page may be framed by checkout and nothing else", async () => {
    const { request } = await cardSession(CARDS.threeDsPost, { amount: "26.00" });
    await expect.poll(() => applied(request.gid, "paymentSessionRedirect").length, { timeout: 20_000 }).toBe(1);
    const page = await fetch(String(applied(request.gid, "paymentSessionRedirect")[0]!.variables.redirectUrl));
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain(`frame-ancestors https://*.myshopify.com https://checkout.shopify.com ${shopify.url}`);
    expect(csp).toContain("default-src 'none'");
    expect(await page.text()).toContain('name="PaReq"');
  });

  it("confirmation_result false: the captured payment is refunded and the session rejected with CONFIRMATION_REJECTED", async () => {
    const { request } = await cardSession(CARDS.threeDsGet, { confirmationResult: false, amount: "27.00" });
    await passChallenge(request.gid, "approve");
    await finalized(request.gid);
    expect(fieldsOf(request.gid)).toEqual(["paymentSessionRedirect", "paymentSessionConfirm", "paymentSessionReject"]);
    const reject = applied(request.gid, "paymentSessionReject")[0]!;
    expect(reject.variables).toMatchObject({ reason: { code: "CONFIRMATION_REJECTED" }, authentication: { authenticationData: { transStatus: "Y" } } });
    const session = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
    await expect.poll(() => sandbox.refunds(KEY).filter((r) => r.transactionId === session.gatewayPaymentId).length, { timeout: 20_000 }).toBe(1);
    expect(sandbox.requests().find((r) => r.path === "/v1/refunds" && r.idempotencyKey === `shopify-${request.id}-attempt-1-refund`)).toBeDefined();
  });

  it("3-D Secure failed: rejected with AUTHENTICATION_FAILED and authentication data", async () => {
    const { request } = await cardSession(CARDS.threeDsGet, { amount: "28.00" });
    await passChallenge(request.gid, "fail");
    await finalized(request.gid);
    expect(fieldsOf(request.gid)).toEqual(["paymentSessionRedirect", "paymentSessionReject"]);
    expect(applied(request.gid, "paymentSessionReject")[0]!.variables).toMatchObject({
      reason: { code: "AUTHENTICATION_FAILED" },
      authentication: { authenticationData: { transStatus: "N", transStatusReason: "01", chargebackLiability: "MERCHANT" } },
    });
  });

  it("no card number or security code is stored in any row", async () => {
    const rows = JSON.stringify([
      await db().paymentSession.findMany(),
      await db().paymentAttempt.findMany(),
      await db().sessionEvent.findMany(),
      await db().job.findMany(),
    ]);
    for (const pan of Object.values(CARDS)) expect(rows).not.toContain(pan);
    expect(rows).not.toContain('"987"');
    expect(rows).not.toMatch(/4242\s?4242\s?4242/);
  });
});
