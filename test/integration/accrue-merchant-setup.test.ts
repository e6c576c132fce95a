import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startSandbox } from "../accrue/support";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { TEST_API_KEY, TEST_APP_URL, useAppEnv } from "../support/app-env";
import { callRoute, merchantRequest } from "../support/shopify-auth";

/**
 * The setup page's Accrue section and the Accrue webhook route, against two Accrue sandboxes
 * (sandbox and live are separate systems) and the Shopify simulator
 * (docs/decisions/accrue-merchant-setup.md).
 */

const SHOP = "accrue-setup.myshopify.com";
const BOTH = "both-gateways.myshopify.com";
const ACCELEBIT_KEY = "smtgw_sk_test_BothGatewaysKey0042";
const SIX_TOPICS = ["PaymentCreated", "PaymentIntentCreated", "PaymentIntentUpdated", "PaymentUpdated", "RefundCreated", "RefundUpdated"];

let database: TestDatabase;
let sandbox: AccrueSandbox;
let live: AccrueSandbox;
let shopify: ShopifySimulator;
let db: typeof import("~/db.server").db;
let route: typeof import("~/routes/app._index");
let webhookRoute: typeof import("~/routes/webhooks.accrue.$token");
let credentials: typeof import("~/merchants/credentials.server");
let box: import("~/lib/secret-box").SecretBox;
let merchant: { clientId: string; clientSecret: string };

async function installed(shop: string, token: string) {
  const { recordInstall } = await import("~/merchants/shops.server");
  const { shopify: app } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  await recordInstall(shop);
  await app().sessionStorage!.storeSession(
    new Session({ id: `offline_${shop}`, shop, state: "s", isOnline: false, accessToken: token, scope: "write_payment_gateways,write_payment_sessions" }),
  );
  shopify.registerShop({ shop, accessToken: token });
}

beforeAll(async () => {
  database = await createTestDatabase();
  [sandbox, live] = await Promise.all([startSandbox(), startSandbox({ environment: "live" })]);
  shopify = await startShopifySimulator();
  useAppEnv({
    DATABASE_URL: database.url,
    ACCRUE_SANDBOX_API_URL: sandbox.url,
    ACCRUE_API_URL: live.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    WORKER: "off",
  });
  ({ db } = await import("~/db.server"));
  route = await import("~/routes/app._index");
  webhookRoute = await import("~/routes/webhooks.accrue.$token");
  credentials = await import("~/merchants/credentials.server");
  box = (await import("~/lib/secret-box.server")).secretBox();
  await installed(SHOP, "shpat_accrue_setup");
  const { seedShop } = await import("~/merchants/seed-shop.server");
  await seedShop({ shop: BOTH, accessToken: "shpat_both", accelebitTestKey: ACCELEBIT_KEY, scopes: "write_payment_gateways,write_payment_sessions" }, box);
  shopify.registerShop({ shop: BOTH, accessToken: "shpat_both" });
  merchant = sandbox.createMerchant({ name: "Accrue setup shop" });
});

afterAll(async () => {
  await db().$disconnect();
  await Promise.all([sandbox.close(), live.close(), shopify.close()]);
  await database.drop();
});

beforeEach(() => {
  sandbox.clearFaults();
  live.clearFaults();
});

function save(shop: string, fields: Record<string, string>) {
  return callRoute(
    route.action as never,
    merchantRequest(shop, "/app?index", {
      method: "POST",
      body: new URLSearchParams({ intent: "accrue", ...fields }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
}

const shopIdOf = async (shop: string) => (await db().shop.findUniqueOrThrow({ where: { domain: shop } })).id;
/** Everything the shop has stored of Accrue: its credential rows and its webhook row. */
const accrueRows = async (shop: string) => {
  const shopId = await shopIdOf(shop);
  return {
    credentials: await db().gatewayCredential.findMany({ where: { shopId, gateway: "accrue" }, orderBy: { mode: "asc" } }),
    gateway: await db().shopGateway.findUnique({ where: { shopId_gateway: { shopId, gateway: "accrue" } } }),
  };
};
const nothingStored = async (shop: string) => {
  const rows = await accrueRows(shop);
  expect(rows.credentials).toEqual([]);
  expect(rows.gateway?.webhookSecretCiphertext ?? null).toBeNull();
  expect(rows.gateway?.webhookId ?? null).toBeNull();
};
const configureCalls = (shop: string) => shopify.mutations.filter((m) => m.field === "paymentsAppConfigure" && m.shop === shop);
const webhookCreates = (s: AccrueSandbox) => s.requests().filter((r) => r.method === "POST" && r.route === "/webhooks");

/** The stored bytes (SQLite file and its write-ahead log) never hold the secret. */
function expectNotInDatabaseFile(secret: string) {
  if (!database.file) return;
  for (const file of [database.file, `${database.file}-wal`]) {
    try {
      expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

describe("the setup page's Accrue section", () => {
  it("validates the form at the edge: a malformed Client ID or secret is a field message, nothing is sent or written", async () => {
    const before = sandbox.requests().length;
    const res = await save(SHOP, { accrueTestClientId: "not-a-uuid", accrueTestClientSecret: "short secret" });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      form: "accrue",
      status: "invalid",
      fieldErrors: {
        accrueTestClientId: "Enter an Accrue Client ID: a UUID such as 123e4567-e89b-12d3-a456-426614174000.",
        accrueTestClientSecret: "Enter an Accrue Client Secret: 16 to 512 characters, no spaces, as shown in your Accrue dashboard.",
      },
    });
    const blank = await save(SHOP, {});
    expect(blank.status).toBe(422);
    expect(((await blank.json()) as { fieldErrors: object }).fieldErrors).toEqual({
      accrueTestClientId: "Sandbox credentials are required: Shopify test orders use them.",
    });
    const lonely = await save(SHOP, { accrueTestClientId: merchant.clientId });
    expect(((await lonely.json()) as { fieldErrors: object }).fieldErrors).toEqual({
      accrueTestClientSecret: "Enter the sandbox Client Secret that goes with this Client ID.",
    });
    const unknownForm = await save(SHOP, { intent: "everything" });
    expect(unknownForm.status).toBe(400);
    expect(sandbox.requests().length).toBe(before);
    await nothingStored(SHOP);
    expect(configureCalls(SHOP)).toHaveLength(0);
  });

  it("a 401 from Accrue is shown on the secret field and nothing is written", async () => {
    const res = await save(SHOP, { accrueTestClientId: merchant.clientId, accrueTestClientSecret: "f".repeat(64) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      form: "accrue",
      status: "invalid",
      fieldErrors: {
        accrueTestClientSecret:
          "Accrue's sandbox environment did not accept this Client ID and Client Secret (401 Unauthorized). Copy both again from your Accrue dashboard (sandbox credentials).",
      },
    });
    // The harmless authenticated GET, and nothing else.
    expect(sandbox.requests().at(-1)).toMatchObject({ method: "GET", route: "/payment-intents", status: 401 });
    expect(webhookCreates(sandbox)).toHaveLength(0);
    await nothingStored(SHOP);
    expect(configureCalls(SHOP)).toHaveLength(0);
  });

  it("an unreachable Accrue is a banner (503) and nothing is written", async () => {
    sandbox.setFaults({ serverError: { status: 503 } });
    const res = await save(SHOP, { accrueTestClientId: merchant.clientId, accrueTestClientSecret: merchant.clientSecret });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { form: string; status: string; message: string };
    expect(body).toMatchObject({ form: "accrue", status: "gateway-unreachable" });
    expect(body.message).toMatch(/^Accrue could not be reached to check your sandbox credentials; nothing was saved\. Try again in a minute\./);
    expect(body.message).not.toContain(merchant.clientSecret);
    await nothingStored(SHOP);
    expect(configureCalls(SHOP)).toHaveLength(0);
  });

  it("proven credentials are stored encrypted, the webhook is registered for the six topics and its secret stored encrypted, Shopify is told", async () => {
    const res = await save(SHOP, { accrueTestClientId: merchant.clientId, accrueTestClientSecret: merchant.clientSecret });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      form: "accrue",
      status: "saved",
      webhooks: { test: "registered", live: "none" },
      webhookProblems: [],
      configured: true,
      settingsUrl: `https://${SHOP}/services/payments_partners/gateways/${TEST_API_KEY}/settings`,
    });

    const rows = await accrueRows(SHOP);
    expect(rows.credentials).toHaveLength(1);
    const [row] = rows.credentials;
    expect(row).toMatchObject({ mode: "test", publicId: merchant.clientId, secretLast4: merchant.clientSecret.slice(-4) });
    expect(row!.secretCiphertext).not.toContain(merchant.clientSecret);
    const shopId = await shopIdOf(SHOP);
    expect(await credentials.loadCredentials(shopId, "accrue", "test", box)).toEqual({ secret: merchant.clientSecret, publicId: merchant.clientId });

    // One webhook at Accrue, for the six documented topics (not "*"), at the shop's URL.
    const [webhook, ...more] = sandbox.state(merchant.clientId).webhooks;
    expect(more).toEqual([]);
    expect([...webhook!.topics].sort()).toEqual(SIX_TOPICS);
    expect(webhook!.url).toBe(`${TEST_APP_URL}/webhooks/accrue/${rows.gateway!.webhookToken}`);
    expect(webhook!.enabled).toBe(true);
    const secret = sandbox.webhookSecret(merchant.clientId, webhook!.id)!;
    expect(rows.gateway!.webhookId).toBe(JSON.stringify({ test: webhook!.id }));
    expect(rows.gateway!.webhookSecretCiphertext).not.toContain(secret);
    expect(await credentials.loadModeWebhooks(db(), shopId, "accrue", box)).toEqual({ test: { webhookId: webhook!.id, secret } });
    for (const value of [merchant.clientSecret, secret]) expectNotInDatabaseFile(value);

    const calls = configureCalls(SHOP);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.variables).toEqual({ externalHandle: `Accrue sandbox ••••${merchant.clientId.slice(-4)}`, ready: true });
    expect(shopify.configuration(SHOP)).toEqual({ externalHandle: `Accrue sandbox ••••${merchant.clientId.slice(-4)}`, ready: true });
  });

  it("the page says which gateway is ready per mode and shows only the secret's last four", async () => {
    const res = await callRoute(route.loader as never, merchantRequest(SHOP, "/app"));
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.gateways).toEqual({
      accelebit: { test: false, live: false },
      accrue: { test: true, live: false, webhook: { test: true, live: false } },
    });
    expect(view.accrue).toMatchObject({
      testClientId: merchant.clientId,
      testSecretLast4: merchant.clientSecret.slice(-4),
      liveClientId: null,
      liveSecretLast4: null,
    });
    expect(view.accrue.webhookUrl).toMatch(/^http:\/\/localhost:3999\/webhooks\/accrue\/[A-Za-z0-9_-]{24}$/);
    expect(view.ready).toBe(true);
    expect(JSON.stringify(view)).not.toContain(merchant.clientSecret);
    // What the shopper's page needs for a session's mode: the public Client ID, nothing decrypted.
    expect(await credentials.loadPublicId(await shopIdOf(SHOP), "accrue", "test")).toBe(merchant.clientId);
    expect(await credentials.loadPublicId(await shopIdOf(SHOP), "accrue", "live")).toBeNull();
    const [webhook] = sandbox.state(merchant.clientId).webhooks;
    expect(JSON.stringify(view)).not.toContain(sandbox.webhookSecret(merchant.clientId, webhook!.id)!);
  });

  it("saving again without changes keeps the credentials and the webhook (no new registration)", async () => {
    const creates = webhookCreates(sandbox).length;
    const before = await accrueRows(SHOP);
    const res = await save(SHOP, { accrueTestClientId: merchant.clientId });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "saved", webhooks: { test: "kept", live: "none" } });
    expect(webhookCreates(sandbox)).toHaveLength(creates);
    const after = await accrueRows(SHOP);
    expect(after.gateway!.webhookId).toBe(before.gateway!.webhookId);
    expect(after.credentials.map((c) => c.secretCiphertext)).toEqual(before.credentials.map((c) => c.secretCiphertext));
  });

  it("new credentials re-register: the new webhook is stored, the old one deleted; live credentials go to the live environment", async () => {
    const old = { ...merchant };
    const [oldWebhook] = sandbox.state(old.clientId).webhooks;
    merchant = sandbox.createMerchant({ name: "Accrue setup shop, new account" });
    const liveMerchant = live.createMerchant({ name: "Accrue setup shop, live" });
    const res = await save(SHOP, {
      accrueTestClientId: merchant.clientId,
      accrueTestClientSecret: merchant.clientSecret,
      accrueLiveClientId: liveMerchant.clientId,
      accrueLiveClientSecret: liveMerchant.clientSecret,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "saved", webhooks: { test: "registered", live: "registered" }, webhookProblems: [], configured: true });
    // The old account's webhook is gone, deleted with the old credentials.
    expect(sandbox.state(old.clientId).webhooks).toEqual([]);
    expect(sandbox.requests().some((r) => r.method === "DELETE" && r.route === `/webhooks/${oldWebhook!.id}` && r.clientId === old.clientId)).toBe(true);
    const [testWebhook] = sandbox.state(merchant.clientId).webhooks;
    const [liveWebhook] = live.state(liveMerchant.clientId).webhooks;
    expect([...liveWebhook!.topics].sort()).toEqual(SIX_TOPICS);
    const shopId = await shopIdOf(SHOP);
    expect(await credentials.loadModeWebhooks(db(), shopId, "accrue", box)).toEqual({
      test: { webhookId: testWebhook!.id, secret: sandbox.webhookSecret(merchant.clientId, testWebhook!.id) },
      live: { webhookId: liveWebhook!.id, secret: live.webhookSecret(liveMerchant.clientId, liveWebhook!.id) },
    });
    expect((await credentials.loadCredentials(shopId, "accrue", "live", box))?.publicId).toBe(liveMerchant.clientId);
    // The live account names the shop's handle at Shopify.
    expect(configureCalls(SHOP).at(-1)!.variables).toEqual({ externalHandle: `Accrue live ••••${liveMerchant.clientId.slice(-4)}`, ready: true });

    // Sandbox credentials in the live fields: the live environment refuses them, on the live field.
    const wrong = await save(SHOP, { accrueLiveClientId: merchant.clientId, accrueLiveClientSecret: merchant.clientSecret });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { fieldErrors: Record<string, string> }).fieldErrors.accrueLiveClientSecret).toMatch(
      /^Accrue's live environment did not accept this Client ID and Client Secret \(401 Unauthorized\)/,
    );
    expect((await credentials.loadCredentials(shopId, "accrue", "live", box))?.publicId).toBe(liveMerchant.clientId);

    // Removing the live credentials deletes the live webhook.
    const removed = await save(SHOP, { removeAccrueLive: "on" });
    expect(await removed.json()).toMatchObject({ status: "saved", webhooks: { test: "kept", live: "none" } });
    expect(live.state(liveMerchant.clientId).webhooks).toEqual([]);
    expect(await credentials.loadCredentials(shopId, "accrue", "live", box)).toBeNull();
    expect(Object.keys(await credentials.loadModeWebhooks(db(), shopId, "accrue", box))).toEqual(["test"]);
  });

  it("a registration that fails after the credentials were proven saves them, says so, and is retried on the next save", async () => {
    const shop = "accrue-registration.myshopify.com";
    await installed(shop, "shpat_registration");
    const account = sandbox.createMerchant({ name: "Registration shop" });
    sandbox.setFaults({ serverError: { status: 503, match: "POST /webhooks" } });
    const res = await save(shop, { accrueTestClientId: account.clientId, accrueTestClientSecret: account.clientSecret });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; webhooks: object; webhookProblems: string[]; configured: boolean };
    expect(body).toMatchObject({ status: "saved", webhooks: { test: "failed", live: "none" }, configured: true });
    expect(body.webhookProblems).toHaveLength(1);
    expect(body.webhookProblems[0]).toMatch(/^Your sandbox credentials are saved, but Accrue did not register our webhook \(.+\)\. Payments still work/);
    expect(body.webhookProblems[0]).toMatch(/Save again to retry\.$/);
    const rows = await accrueRows(shop);
    expect(rows.credentials.map((c) => c.publicId)).toEqual([account.clientId]);
    expect(rows.gateway!.webhookSecretCiphertext).toBeNull();
    const view = await (await callRoute(route.loader as never, merchantRequest(shop, "/app"))).json();
    expect(view.gateways.accrue).toEqual({ test: true, live: false, webhook: { test: false, live: false } });

    sandbox.clearFaults();
    const retried = await save(shop, {});
    expect(await retried.json()).toMatchObject({ status: "saved", webhooks: { test: "registered", live: "none" }, webhookProblems: [] });
    const webhooks = sandbox.state(account.clientId).webhooks;
    // A create of unknown outcome may have left an orphan (accrue-a12); the stored one is the last.
    const stored = await credentials.loadModeWebhooks(db(), await shopIdOf(shop), "accrue", box);
    expect(stored.test?.webhookId).toBe(webhooks.at(-1)!.id);
  });

  it("each gateway's form saves on its own: Accrue needs no Accelebit keys and Accelebit's save keeps Accrue; Shopify's handle names both", async () => {
    const account = sandbox.createMerchant({ name: "Both gateways" });
    const res = await save(BOTH, { accrueTestClientId: account.clientId, accrueTestClientSecret: account.clientSecret });
    expect(res.status).toBe(200);
    const handle = `Accelebit test ••••0042, Accrue sandbox ••••${account.clientId.slice(-4)}`;
    expect(configureCalls(BOTH).at(-1)!.variables).toEqual({ externalHandle: handle, ready: true });
    const accelebitBefore = await db().gatewayCredential.findMany({ where: { shopId: await shopIdOf(BOTH), gateway: "accelebit" } });

    // The Accelebit form, all blank: it keeps its key and Accrue's credentials and webhook untouched.
    const accrueBefore = await accrueRows(BOTH);
    const accelebit = await callRoute(
      route.action as never,
      merchantRequest(BOTH, "/app?index", {
        method: "POST",
        body: new URLSearchParams({ intent: "accelebit" }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
    );
    expect(accelebit.status).toBe(200);
    expect(await accelebit.json()).toMatchObject({ status: "saved", configured: true });
    expect(await accrueRows(BOTH)).toEqual(accrueBefore);
    expect(await db().gatewayCredential.findMany({ where: { shopId: await shopIdOf(BOTH), gateway: "accelebit" } })).toEqual(accelebitBefore);
    expect(configureCalls(BOTH).at(-1)!.variables).toEqual({ externalHandle: handle, ready: true });
    const view = await (await callRoute(route.loader as never, merchantRequest(BOTH, "/app"))).json();
    expect(view.gateways).toEqual({ accelebit: { test: true, live: false }, accrue: { test: true, live: false, webhook: { test: true, live: false } } });
  });
});

describe("the Accrue webhook route", () => {
  const post = (token: string, body: string, signature: string | null) =>
    callRoute(
      webhookRoute.action as never,
      new Request(`http://localhost:3999/webhooks/accrue/${token}`, {
        method: "POST",
        headers: { "Content-Type": "application/vnd.api+json", ...(signature === null ? {} : { "x-accrue-signature": signature }) },
        body,
      }),
      { token },
    );

  let token: string;
  let shopId: string;
  beforeAll(async () => {
    shopId = await shopIdOf(SHOP);
    token = (await db().shopGateway.findUniqueOrThrow({ where: { shopId_gateway: { shopId, gateway: "accrue" } } })).webhookToken;
  });

  /** A delivery the sandbox made to the shop's registered webhook: the exact bytes and their signature. */
  async function sandboxDelivery(topic: string) {
    const before = sandbox.webhookDeliveries().length;
    sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: "+12125550100", amount: 1999, reference: null });
    await sandbox.waitForWebhooks();
    const delivery = sandbox
      .webhookDeliveries()
      .slice(before)
      .find((d) => d.topic === topic);
    if (!delivery) throw new Error(`no ${topic} delivery`);
    return delivery;
  }

  it("a signed delivery from the sandbox is 200, recorded once, and queues a re-read that brings the shop's open Accrue sessions forward", async () => {
    // An open Accrue session of the shop, due for its next check in an hour.
    const later = new Date(Date.now() + 60 * 60_000);
    const session = await db().paymentSession.create({
      data: {
        shopId,
        shopifyId: "accrue-open-1",
        gid: "gid://shopify/PaymentSession/accrue-open-1",
        group: "g-accrue-open-1",
        gateway: "accrue",
        kind: "sale",
        amount: "19.99",
        currency: "USD",
        test: true,
        paymentMethodType: "offsite",
        status: "processing",
        shopperToken: "accrue-open-shopper-token-0001",
        nextCheckAt: later,
      },
    });
    const delivery = await sandboxDelivery("PaymentIntentCreated");
    const res = await post(token, delivery.body, delivery.signature);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    const event = await db().gatewayEvent.findUniqueOrThrow({ where: { shopId_eventId: { shopId, eventId: `accrue-event:${delivery.eventId}` } } });
    expect(event).toMatchObject({ gateway: "accrue", type: "PaymentIntentCreated", objectId: null, signatureValid: true, processedAt: null });
    const job = await db().job.findUniqueOrThrow({ where: { dedupeKey: `event:${event.id}` } });
    expect(job).toMatchObject({ type: "gateway.event", status: "pending", shopId });

    // The job: nothing from the payload is applied; the session is due now and a sweep runs at once.
    const { gatewayEventHandler } = await import("~/payments/gateway-events.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    const { logger } = await import("~/lib/logger");
    const now = new Date();
    await gatewayEventHandler(chargeDeps)(typeof job.payload === "string" ? JSON.parse(job.payload) : job.payload, {
      jobId: job.id,
      attempt: 1,
      shopId,
      now,
      finalAttempt: false,
      logger,
    });
    const after = await db().paymentSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(after.nextCheckAt!.getTime()).toBe(now.getTime());
    expect(after.status).toBe("processing");
    expect(await db().job.findUniqueOrThrow({ where: { dedupeKey: `reconcile:event-${event.id}` } })).toMatchObject({
      type: "payments.reconcile",
      status: "pending",
    });
    expect((await db().gatewayEvent.findUniqueOrThrow({ where: { id: event.id } })).processedAt).not.toBeNull();
  });

  it("a payment event that includes its payment names it for the re-read", async () => {
    sandbox.setBehaviour({ paymentWebhookIncluded: "payment" });
    try {
      const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: "+12125550100", amount: 500, reference: null });
      const { createAccrueClient } = await import("~/accrue");
      const client = createAccrueClient({ baseUrl: sandbox.url, environment: "sandbox" }).forMerchant(merchant);
      const authorized = await client.authorizePaymentIntent(intent.id, 500);
      if (!authorized.ok) throw new Error(authorized.error.message);
      await sandbox.waitForWebhooks();
      const delivery = sandbox.webhookDeliveries().find((d) => d.topic === "PaymentCreated")!;
      expect((await post(token, delivery.body, delivery.signature)).status).toBe(200);
      const event = await db().gatewayEvent.findUniqueOrThrow({ where: { shopId_eventId: { shopId, eventId: `accrue-event:${delivery.eventId}` } } });
      expect(event.objectId).toBe(authorized.value.payment.id);
    } finally {
      sandbox.setBehaviour({ paymentWebhookIncluded: "empty" });
    }
  });

  it("a forged delivery is 401 and nothing is stored", async () => {
    const delivery = await sandboxDelivery("PaymentIntentCreated");
    const events = await db().gatewayEvent.count();
    const jobs = await db().job.count();
    const forged = await post(token, delivery.body, "0".repeat(64));
    expect(forged.status).toBe(401);
    expect(await forged.text()).toBe("Webhook refused: bad_signature");
    const tampered = await post(token, delivery.body.replace("PaymentIntentCreated", "PaymentIntentUpdated"), delivery.signature);
    expect(tampered.status).toBe(401);
    expect((await post(token, delivery.body, null)).status).toBe(401);
    // Signed by another shop's webhook secret: refused too.
    const other = JSON.parse(JSON.stringify(delivery)) as typeof delivery;
    const { signAccrueWebhook } = await import("~/accrue");
    expect((await post(token, other.body, signAccrueWebhook(other.body, "c3".repeat(32)))).status).toBe(401);
    expect(await db().gatewayEvent.count()).toBe(events);
    expect(await db().job.count()).toBe(jobs);
  });

  it("a duplicate delivery is deduplicated: one event, one job", async () => {
    const delivery = await sandboxDelivery("PaymentIntentCreated");
    expect((await post(token, delivery.body, delivery.signature)).status).toBe(200);
    const jobs = await db().job.count();
    expect((await post(token, delivery.body, delivery.signature)).status).toBe(200);
    expect(await db().gatewayEvent.count({ where: { shopId, eventId: `accrue-event:${delivery.eventId}` } })).toBe(1);
    expect(await db().job.count()).toBe(jobs);
  });

  it("an unknown topic is 2xx and ignored; an unknown token is 404", async () => {
    const [webhook] = sandbox.state(merchant.clientId).webhooks;
    const secret = sandbox.webhookSecret(merchant.clientId, webhook!.id)!;
    const body = JSON.stringify({
      id: "7d1c7f2e-1b7a-4d0e-8c55-5a9e0c6f0a01",
      type: "WebhookEvent",
      attributes: { topic: "WalletUpdated", createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
      included: [],
    });
    const { signAccrueWebhook } = await import("~/accrue");
    const events = await db().gatewayEvent.count();
    const jobs = await db().job.count();
    const res = await post(token, body, signAccrueWebhook(body, secret));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ignored");
    expect(await db().gatewayEvent.count()).toBe(events);
    expect(await db().job.count()).toBe(jobs);

    const unknown = await post("A".repeat(24), body, signAccrueWebhook(body, secret));
    expect(unknown.status).toBe(404);
    // Accelebit's token on Accrue's route: not this gateway's URL.
    const accelebitToken = (await db().shopGateway.findUniqueOrThrow({ where: { shopId_gateway: { shopId: await shopIdOf(BOTH), gateway: "accelebit" } } }))
      .webhookToken;
    expect((await post(accelebitToken, body, signAccrueWebhook(body, secret))).status).toBe(404);
    expect(await db().gatewayEvent.count()).toBe(events);
  });
});

describe("uninstalling the app", () => {
  const GONE = "accrue-uninstall.myshopify.com";

  async function connected() {
    const owner = sandbox.createMerchant({ name: "Uninstalling shop" });
    const res = await save(GONE, { accrueTestClientId: owner.clientId, accrueTestClientSecret: owner.clientSecret });
    expect(res.status).toBe(200);
    expect(sandbox.state(owner.clientId).webhooks).toHaveLength(1);
    return owner;
  }

  async function runRemoval() {
    const { removeGatewayWebhooksHandler, REMOVE_GATEWAY_WEBHOOKS } = await import("~/merchants/gateway-webhooks.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    const jobs = await db().job.findMany({ where: { type: REMOVE_GATEWAY_WEBHOOKS, shopId: await shopIdOf(GONE) } });
    expect(jobs).toHaveLength(1);
    const payload: unknown = typeof jobs[0]!.payload === "string" ? JSON.parse(jobs[0]!.payload) : jobs[0]!.payload;
    return removeGatewayWebhooksHandler(chargeDeps)(payload, {} as never);
  }

  it("deletes the webhooks the app registered at Accrue, once Accrue answers; a redelivered uninstall books no second removal", async () => {
    await installed(GONE, "shpat_accrue_uninstall");
    const owner = await connected();
    const { handleAppUninstalled } = await import("~/merchants/compliance.server");
    const at = new Date();
    await handleAppUninstalled(GONE, at);
    await handleAppUninstalled(GONE, new Date(at.getTime() + 1000));

    // Accrue down: the job fails (and is retried), nothing is forgotten.
    sandbox.setFaults({ serverError: { count: 20, match: "DELETE /webhooks/" } });
    await expect(runRemoval()).rejects.toThrow(/Webhooks not deleted yet: Accrue test/);
    expect(sandbox.state(owner.clientId).webhooks).toHaveLength(1);
    expect((await accrueRows(GONE)).gateway?.webhookId).not.toBeNull();

    sandbox.clearFaults();
    await runRemoval();
    expect(sandbox.state(owner.clientId).webhooks).toEqual([]);
    const rows = await accrueRows(GONE);
    expect(rows.gateway?.webhookId ?? null).toBeNull();
    expect(rows.gateway?.webhookSecretCiphertext ?? null).toBeNull();
  });

  it("a shop reinstalled before the job ran keeps its webhooks", async () => {
    await installed(GONE, "shpat_accrue_uninstall_2");
    const owner = await connected();
    await db().job.deleteMany({ where: { shopId: await shopIdOf(GONE) } });
    const { handleAppUninstalled } = await import("~/merchants/compliance.server");
    await handleAppUninstalled(GONE, new Date());
    const { recordInstall } = await import("~/merchants/shops.server");
    await recordInstall(GONE);
    await runRemoval();
    expect(sandbox.state(owner.clientId).webhooks).toHaveLength(1);
  });
});
