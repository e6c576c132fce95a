import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { useAppEnv } from "../support/app-env";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { MAGIC_PHONES, startSandbox } from "../accrue/support";
import type { Worker } from "~/jobs";

/**
 * The shopper's side of an Accrue payment, through our real routes: Shopify's session request
 * (/shopify/accrue/payment), our page with Accrue's widget (GET /pay/:token), the widget's
 * intent id posted back (POST /pay/:token), the adapter against the Accrue sandbox, and the
 * decision reported to the Shopify simulator. The widget's part (a shopper signing in by phone)
 * is the sandbox's createPaymentIntent with the reference our page gave the widget.
 */

const SHOP = "accrue-shopper.myshopify.com";
const TOKEN = "shpat_accrue_shopper";

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
  merchant = accrue.createMerchant({ name: "Accrue shopper shop" });
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/accrue/payment": await import("~/routes/shopify.accrue.payment"),
    "/pay/:token": await import("~/routes/pay.$token"),
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
    { shop: SHOP, accessToken: TOKEN, accelebitTestKey: "smtgw_sk_test_AccrueShopperKey01", scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  const { id: shopId } = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
  await saveCredentials(db(), secretBox(), { shopId, gateway: "accrue", mode: "test" }, { secret: merchant.clientSecret, publicId: merchant.clientId });
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  background = await import("~/background.server");
  background.startBackgroundWorker();
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  worker = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "accrue-shopper-test" });
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([accrue.close(), shopify.close(), app.close()]);
  await database.drop();
});

beforeEach(() => accrue.setFaults({}));

async function runJobs(advanceMs = 10_000) {
  clock = Math.max(clock, Date.now()) + advanceMs;
  await worker.runDueJobs();
}

/** A session Shopify sent to the Accrue extension, and our page as the shopper first sees it. */
async function openCheckout(options: { amount?: string; kind?: "sale" | "authorization" } = {}) {
  const amount = options.amount ?? "19.99";
  const request = shopify.createPaymentSession({ shop: SHOP, amount, currency: "USD", kind: options.kind ?? "sale" });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/accrue/payment`, request);
  expect(delivery.status).toBe(201);
  const pageUrl = (JSON.parse(delivery.text) as { redirect_url: string }).redirect_url;
  const page = await fetch(pageUrl);
  const html = await page.text();
  const reference = /<accrue-pay [^>]*reference="([^"]+)"/.exec(html)?.[1];
  return { request, cents: Math.round(Number(amount) * 100), pageUrl, page, html, reference: reference ?? null };
}

type Checkout = Awaited<ReturnType<typeof openCheckout>>;

/** What the widget does when the shopper signs in with `phone` and pays: an intent with our page's reference. */
function widgetIntent(checkout: Checkout, phone: string = MAGIC_PHONES.approved, override: { amount?: number; reference?: string | null } = {}) {
  const amount = override.amount ?? checkout.cents;
  return accrue.createPaymentIntent({
    clientId: merchant.clientId,
    phoneNumber: phone,
    amount,
    reference: override.reference === undefined ? checkout.reference : override.reference,
  });
}

async function postIntent(checkout: Checkout, intentId: string) {
  const answer = await fetch(checkout.pageUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intentId }),
    redirect: "manual",
  });
  return { status: answer.status, html: await answer.text(), location: answer.headers.get("location") };
}

const session = (checkout: Checkout) =>
  db().paymentSession.findFirstOrThrow({ where: { shopifyId: checkout.request.id }, include: { attempts: { orderBy: { number: "asc" } } } });
const posts = (suffix: string) => accrue.requests().filter((r) => r.method === "POST" && r.path.endsWith(suffix));
const requestsFor = (intentId: string) => accrue.requests().filter((r) => r.path.includes(intentId));
/** The sandbox's payments of one intent (each payment names its intent in its relationships). */
const paymentsOf = (intentId: string) => accrue.state(merchant.clientId).payments.filter((p) => JSON.stringify(p.relationships ?? {}).includes(intentId));

async function settled(checkout: Checkout) {
  await runJobs();
  await expect.poll(() => shopify.sessionState(checkout.request.gid)?.status, { timeout: 10_000 }).toMatch(/resolved|rejected/);
  return shopify.sessionState(checkout.request.gid);
}

describe("the shopper's page for an Accrue session", () => {
  it("loads Accrue's sandbox widget with the merchant's client id, the exact cents and an opaque reference, under a CSP that allows only that origin", async () => {
    const checkout = await openCheckout({ amount: "19.99" });
    expect(checkout.page.status).toBe(200);
    const csp = checkout.page.headers.get("content-security-policy") ?? "";
    const origin = new URL(accrue.url).origin;
    expect(csp).toContain(`script-src 'self' ${origin}`);
    expect(csp).toContain(`frame-src ${origin}`);
    expect(csp).toContain("default-src 'none'");
    expect(checkout.html).toContain(`<script src="${accrue.url}/main.js" data-script="accrue-pay" data-client-id="${merchant.clientId}"></script>`);
    expect(checkout.html).toMatch(/<accrue-pay flow="wallet" amount="1999" reference="ref_[A-Za-z0-9_-]{24}"><\/accrue-pay>/);
    const stored = await session(checkout);
    // The reference is the session's own random value: neither Shopify's id nor the page's token.
    expect(checkout.reference).toBe(stored.walletReference);
    expect(checkout.reference).not.toContain(stored.shopifyId);
    expect(checkout.reference).not.toContain(stored.shopperToken);
    // A second view shows the same reference.
    const again = await fetch(checkout.pageUrl).then((r) => r.text());
    expect(again).toContain(`reference="${checkout.reference}"`);
    expect(checkout.html).not.toContain(merchant.clientSecret);
  });

  it("a sale: one authorize of Shopify's exact amount, one capture, resolved at Shopify", async () => {
    const checkout = await openCheckout({ amount: "19.99" });
    const intent = widgetIntent(checkout);
    const answer = await postIntent(checkout, intent.id);
    expect(answer.status).toBeLessThan(500);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    expect(posts(`/payment-intents/${intent.id}/authorize`)).toHaveLength(1);
    expect(posts(`/payment-intents/${intent.id}/authorize`)[0]?.body).toMatchObject({ data: { attributes: { amount: 1999 } } });
    const stored = await session(checkout);
    expect(stored.attempts).toHaveLength(1);
    expect(stored.attempts[0]).toMatchObject({ status: "captured", merchantRef: checkout.reference, intentKey: `accrue:test:${intent.id}`, cardLast4: null });
    const payment = accrue.state(merchant.clientId).payments.find((p) => p.id === stored.gatewayPaymentId);
    expect(payment).toMatchObject({ authorizedAmount: 1999, capturedAmount: 1999 });
    expect(posts(`/payments/${stored.gatewayPaymentId}/capture`)).toHaveLength(1);

    // The merchant finds it by the Accrue payment id and by the intent id.
    const { listTransactions } = await import("~/dashboard/transactions.server");
    const { parseTransactionSearch } = await import("~/dashboard/filters");
    for (const q of [stored.gatewayPaymentId!, intent.id]) {
      const search = parseTransactionSearch(new URLSearchParams({ q }));
      if (!search.ok) throw new Error(search.message);
      const found = await listTransactions(stored.shopId, search.filters, search.page);
      expect(found.rows.map((row) => row.shopifyId)).toEqual([stored.shopifyId]);
    }
  });

  it("an authorization session only authorizes, and resolves with Accrue's expiry", async () => {
    const checkout = await openCheckout({ amount: "5.00", kind: "authorization" });
    const intent = widgetIntent(checkout);
    await postIntent(checkout, intent.id);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    const stored = await session(checkout);
    expect(stored.attempts[0]?.status).toBe("authorized");
    expect(accrue.state(merchant.clientId).payments.find((p) => p.id === stored.gatewayPaymentId)).toMatchObject({
      authorizedAmount: 500,
      capturedAmount: null,
    });
    expect(posts(`/payments/${stored.gatewayPaymentId}/capture`)).toHaveLength(0);
  });

  it("a decline first: the page offers the widget again, and the second intent pays once", async () => {
    const checkout = await openCheckout();
    const declined = widgetIntent(checkout, MAGIC_PHONES.declined);
    const first = await postIntent(checkout, declined.id);
    expect(first.status).toBe(200);
    expect(first.html).toContain("Your wallet could not pay this amount");
    expect(first.html).toContain(`reference="${checkout.reference}"`);
    expect((await session(checkout)).status).toBe("awaiting_card");
    expect(shopify.sessionState(checkout.request.gid)?.status).toBe("open");

    // The same declined intent posted again is not tried again.
    const repeat = await postIntent(checkout, declined.id);
    expect(repeat.html).toContain("That payment was already tried");
    expect(posts(`/payment-intents/${declined.id}/authorize`)).toHaveLength(1);

    const paid = widgetIntent(checkout, MAGIC_PHONES.approved);
    await postIntent(checkout, paid.id);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    const stored = await session(checkout);
    expect(stored.attempts.map((a) => a.status)).toEqual(["failed", "captured"]);
    expect(posts(`/payment-intents/${paid.id}/authorize`)).toHaveLength(1);
  });

  it("declined to the last attempt: rejected INSTRUMENT_DECLINED, with Accrue's code for the merchant", async () => {
    const checkout = await openCheckout();
    for (let i = 0; i < 3; i += 1) await postIntent(checkout, widgetIntent(checkout, MAGIC_PHONES.declined).id);
    expect(await settled(checkout)).toMatchObject({ status: "rejected", rejection: expect.objectContaining({ reason: "INSTRUMENT_DECLINED" }) });
    const stored = await session(checkout);
    expect(stored.attempts).toHaveLength(3);
    expect(stored.merchantMessage).toMatch(/Accrue declined it/);
  });

  it("an empty wallet at the last attempt: rejected INSUFFICIENT_FUNDS", async () => {
    const checkout = await openCheckout();
    for (let i = 0; i < 3; i += 1) await postIntent(checkout, widgetIntent(checkout, MAGIC_PHONES.insufficientFunds).id);
    expect(await settled(checkout)).toMatchObject({ status: "rejected", rejection: expect.objectContaining({ reason: "INSUFFICIENT_FUNDS" }) });
  });
});

describe("a session Accrue cannot take", () => {
  it("a non-USD session is answered 201, then rejected INVALID_CURRENCY with nothing sent to Accrue", async () => {
    const before = accrue.requests().length;
    const request = shopify.createPaymentSession({ shop: SHOP, amount: "19.99", currency: "EUR", kind: "sale" });
    const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/accrue/payment`, request);
    expect(delivery.status).toBe(201);
    await runJobs();
    await expect.poll(() => shopify.sessionState(request.gid)?.status, { timeout: 10_000 }).toBe("rejected");
    expect(shopify.sessionState(request.gid)?.rejection).toMatchObject({ reason: "INVALID_CURRENCY", merchantMessage: expect.stringContaining("EUR") });
    expect(accrue.requests().length).toBe(before);
  });
});

describe("intents that are not this checkout's", () => {
  it("a malformed id: nothing is sent, no attempt, the shopper can try again", async () => {
    const checkout = await openCheckout();
    const before = accrue.requests().length;
    const answer = await postIntent(checkout, "../../payments?x=1");
    expect(answer.status).toBe(200);
    expect(answer.html).toContain("Your payment was not started");
    expect(accrue.requests().length).toBe(before);
    expect((await session(checkout)).attempts).toHaveLength(0);
  });

  it.each([
    ["an unknown (forged) intent id", (_c: Checkout) => "5f0c7d0e-3f7a-4c1e-9a55-000000000bad", /not_found|NOT_FOUND/],
    [
      "an intent another session's widget created",
      (_c: Checkout) => widgetIntent(_c, MAGIC_PHONES.approved, { reference: "ref_someone_elses_checkout_0000" }).id,
      /not created for this checkout/,
    ],
    ["an intent without a reference", (c: Checkout) => widgetIntent(c, MAGIC_PHONES.approved, { reference: null }).id, /not created for this checkout/],
    ["an intent for another amount", (c: Checkout) => widgetIntent(c, MAGIC_PHONES.approved, { amount: 100 }).id, /is for 100 cents, not 1999/],
    ["an intent Accrue marked with an error", (c: Checkout) => widgetIntent(c, MAGIC_PHONES.linkedAccountUnverified).id, /LinkedAccountUnverified/],
    [
      "an expired intent",
      (c: Checkout) => {
        accrue.setBehaviour({ intentTtlMs: 1 });
        const id = widgetIntent(c).id;
        accrue.setBehaviour({ intentTtlMs: 30 * 60_000 });
        return id;
      },
      /has expired/,
    ],
  ])("%s: never authorized, and the session ends with a clear merchant message", async (_name, makeIntent, message) => {
    const checkout = await openCheckout();
    const tried: string[] = [];
    for (let i = 0; i < 3 && (await session(checkout)).status === "awaiting_card"; i += 1) {
      tried.push(makeIntent(checkout));
      await postIntent(checkout, tried.at(-1)!);
    }
    const state = await settled(checkout);
    expect(state?.status).toBe("rejected");
    expect(posts("/authorize").filter((r) => tried.some((id) => r.path.includes(id)))).toHaveLength(0);
    expect((await session(checkout)).merchantMessage).toMatch(message);
  });

  it("an intent made at another merchant's Accrue account (even with our reference): not found with our credentials, never authorized", async () => {
    const checkout = await openCheckout();
    const other = accrue.createMerchant({ name: "Another shop" });
    const foreign = accrue.createPaymentIntent({
      clientId: other.clientId,
      phoneNumber: MAGIC_PHONES.approved,
      amount: checkout.cents,
      reference: checkout.reference,
    });
    await postIntent(checkout, foreign.id);
    expect(await settled(checkout)).toMatchObject({ status: "rejected", rejection: expect.objectContaining({ reason: "PROCESSING_ERROR" }) });
    expect(posts(`/payment-intents/${foreign.id}/authorize`)).toHaveLength(0);
    expect(accrue.state(other.clientId).payments).toHaveLength(0);
  });

  it("the intent another session already paid with: refused by the binding, no second authorize", async () => {
    const first = await openCheckout();
    const intent = widgetIntent(first);
    await postIntent(first, intent.id);
    expect(await settled(first)).toMatchObject({ status: "resolved" });

    const second = await openCheckout();
    await postIntent(second, intent.id);
    expect(await settled(second)).toMatchObject({ status: "rejected", rejection: expect.objectContaining({ reason: "PROCESSING_ERROR" }) });
    expect(posts(`/payment-intents/${intent.id}/authorize`)).toHaveLength(1);
    expect((await session(second)).attempts[0]).toMatchObject({ status: "failed", intentKey: null });
    expect(paymentsOf(intent.id).length).toBeGreaterThanOrEqual(1);
  });

  it("a double post of the same intent authorizes once", async () => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    await Promise.all([postIntent(checkout, intent.id), postIntent(checkout, intent.id)]);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    expect(posts(`/payment-intents/${intent.id}/authorize`)).toHaveLength(1);
    expect((await session(checkout)).attempts).toHaveLength(1);
  });
});

describe("Accrue failing while the shopper pays", () => {
  it("401 on authorize: rejected PROCESSING_ERROR, the merchant is told to check the credentials", async () => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    accrue.setFaults({ unauthorized: { count: 1, match: `POST /payment-intents/${intent.id}/authorize` } });
    await postIntent(checkout, intent.id);
    expect(await settled(checkout)).toMatchObject({ status: "rejected", rejection: expect.objectContaining({ reason: "PROCESSING_ERROR" }) });
    expect((await session(checkout)).merchantMessage).toMatch(/Accrue refused/);
    expect(paymentsOf(intent.id)).toHaveLength(0);
  });

  it.each([
    ["a 500 after the authorize took effect", { serverError: { count: 1, afterEffect: true, match: "" } }],
    ["a dropped connection after the authorize took effect", { dropConnection: { count: 1, afterEffect: true, match: "" } }],
    ["a 429 with Retry-After", { rateLimit: { count: 1, retryAfterSeconds: 0, match: "" } }],
  ])("%s: read back, never authorized twice, resolved once", async (_name, fault) => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    const match = `POST /payment-intents/${intent.id}/authorize`;
    const [kind, settings] = Object.entries(fault)[0]!;
    accrue.setFaults({ [kind]: { ...settings, match } });
    await postIntent(checkout, intent.id);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    const applied = paymentsOf(intent.id).filter((p) => p.attributes.status !== "Canceled");
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ capturedAmount: 1999 });
    expect(requestsFor(intent.id).filter((r) => r.method === "POST" && r.processed !== false).length).toBeGreaterThanOrEqual(1);
  });

  it("a 500 before the authorize took effect: the intent is fenced (canceled), nothing charged, the shopper pays with a new one", async () => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    accrue.setFaults({ serverError: { count: 1, match: `POST /payment-intents/${intent.id}/authorize` } });
    const first = await postIntent(checkout, intent.id);
    expect(first.html).toContain("The payment could not be processed right now");
    expect(accrue.state(merchant.clientId).intents.find((i) => i.id === intent.id)).toMatchObject({
      attributes: expect.objectContaining({ status: "Canceled" }),
    });
    expect(paymentsOf(intent.id)).toHaveLength(0);
    const next = widgetIntent(checkout);
    await postIntent(checkout, next.id);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    expect((await session(checkout)).attempts.map((a) => a.status)).toEqual(["failed", "captured"]);
  });

  it("the capture's answer and every read of it lost, then 600 newer intents: the session waits, and the sweeper reads the attempt's own intent by id and resolves", async () => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    accrue.setFaults({
      dropConnection: { count: 1, afterEffect: true, match: "POST /payments/" },
      serverError: { count: 50, match: "GET /payments/" },
    });
    await postIntent(checkout, intent.id);
    const waiting = await session(checkout);
    expect(waiting.attempts[0]).toMatchObject({ status: "unknown", gatewayPaymentId: null });
    expect(shopify.sessionState(checkout.request.gid)?.status).not.toBe("rejected");
    accrue.setFaults({});
    // A busy shop: 600 newer intents since, more than a search of recent intents reaches; the
    // sweeper reads the attempt's own intent by id.
    for (let i = 0; i < 600; i += 1)
      accrue.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 100, reference: `ref_other_${i}` });
    const { sweep } = await import("~/payments/sweeper.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    await sweep(chargeDeps(), new Date(Date.now() + 40 * 60_000));
    for (let i = 0; i < 5; i += 1) await runJobs(60_000);
    await expect.poll(() => shopify.sessionState(checkout.request.gid)?.status, { timeout: 10_000 }).toBe("resolved");
    expect(posts(`/payment-intents/${intent.id}/authorize`)).toHaveLength(1);
    const kept = paymentsOf(intent.id).filter((p) => p.attributes.status !== "Canceled");
    expect(kept).toEqual([expect.objectContaining({ capturedAmount: 1999 })]);
    expect(posts(`/payments/${kept[0]!.id}/capture`)).toHaveLength(1);
    expect((await session(checkout)).gatewayPaymentId).toBe(kept[0]!.id);
  });

  /** The capture's answer is lost and the payment cannot be read back: the attempt's outcome is unknown. */
  async function loseTheCapture(checkout: Checkout, phone: string, afterEffect: boolean) {
    const intent = widgetIntent(checkout, phone);
    accrue.setFaults({ dropConnection: { count: 1, afterEffect, match: "POST /payments/" }, serverError: { count: 50, match: "GET /payments/" } });
    await postIntent(checkout, intent.id);
    expect((await session(checkout)).attempts[0]).toMatchObject({ status: "unknown" });
    accrue.setFaults({});
    return intent;
  }

  async function sweepAndRun() {
    const { sweep } = await import("~/payments/sweeper.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    await sweep(chargeDeps(), new Date(Date.now() + 40 * 60_000));
    for (let i = 0; i < 5; i += 1) await runJobs(60_000);
  }

  it("a sale whose capture never happened (lost before it took effect): the sweeper finds it only authorized and captures it, once", async () => {
    const checkout = await openCheckout();
    const intent = await loseTheCapture(checkout, MAGIC_PHONES.approved, false);
    expect(paymentsOf(intent.id)).toEqual([expect.objectContaining({ authorizedAmount: 1999, capturedAmount: null })]);
    await sweepAndRun();
    await expect.poll(() => shopify.sessionState(checkout.request.gid)?.status, { timeout: 10_000 }).toBe("resolved");
    const [payment] = paymentsOf(intent.id);
    expect(payment).toMatchObject({ capturedAmount: 1999 });
    expect(accrue.state(merchant.clientId).captures.filter((c) => JSON.stringify(c).includes(payment!.id))).toHaveLength(1);
    expect(posts(`/payment-intents/${intent.id}/authorize`)).toHaveLength(1);
  });

  it("a sale whose capture Accrue refused, the refusal lost: the authorization is released and the session rejected, nothing held", async () => {
    const checkout = await openCheckout();
    const intent = await loseTheCapture(checkout, MAGIC_PHONES.captureFails, true);
    await sweepAndRun();
    await expect.poll(() => shopify.sessionState(checkout.request.gid)?.status, { timeout: 10_000 }).toBe("rejected");
    expect(paymentsOf(intent.id)).toEqual([expect.objectContaining({ capturedAmount: null, attributes: expect.objectContaining({ status: "Canceled" }) })]);
  });

  it("a dropped connection on the capture after it took effect: captured once, resolved", async () => {
    const checkout = await openCheckout();
    const intent = widgetIntent(checkout);
    accrue.setFaults({ dropConnection: { count: 1, afterEffect: true, match: "POST /payments/" } });
    await postIntent(checkout, intent.id);
    expect(await settled(checkout)).toMatchObject({ status: "resolved" });
    const stored = await session(checkout);
    expect(accrue.state(merchant.clientId).captures.filter((c) => JSON.stringify(c).includes(stored.gatewayPaymentId!))).toHaveLength(1);
  });
});
