import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { TEST_API_KEY, useAppEnv } from "../support/app-env";
import { callRoute, merchantRequest } from "../support/shopify-auth";

const SHOP = "settings-shop.myshopify.com";
const OTHER = "neighbour-shop.myshopify.com";
const GOOD_TEST_KEY = "smtgw_sk_test_GoodKey0123456789";
const GOOD_LIVE_KEY = "smtgw_sk_live_LiveKey0123456789";
const REVOKED_KEY = "smtgw_sk_test_RevokedKey987654";
const OTHER_KEY = "smtgw_sk_test_NeighbourKey55555";

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let db: typeof import("~/db.server").db;
let route: typeof import("~/routes/app._index");
let layout: typeof import("~/routes/app");

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox({ revokedKeys: [REVOKED_KEY] });
  shopify = await startShopifySimulator();
  useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url });
  ({ db } = await import("~/db.server"));
  route = await import("~/routes/app._index");
  layout = await import("~/routes/app");
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { recordInstall } = await import("~/merchants/shops.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const { shopify: app } = await import("~/shopify.server");
  const { Session } = await import("@shopify/shopify-api");
  // SHOP: installed through OAuth, nothing configured yet.
  await recordInstall(SHOP);
  await app().sessionStorage!.storeSession(
    new Session({
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "s",
      isOnline: false,
      accessToken: "shpat_settings",
      scope: "write_payment_gateways,write_payment_sessions",
    }),
  );
  shopify.registerShop({ shop: SHOP, accessToken: "shpat_settings" });
  // OTHER: configured, with its own keys.
  await seedShop(
    { shop: OTHER, accessToken: "shpat_neighbour", accelebitTestKey: OTHER_KEY, scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  shopify.registerShop({ shop: OTHER, accessToken: "shpat_neighbour" });
});

afterAll(async () => {
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close()]);
  await database.drop();
});

beforeEach(() => sandbox.clearFaults());

function save(shop: string, fields: Record<string, string>) {
  const body = new URLSearchParams(fields);
  return callRoute(
    route.action as never,
    merchantRequest(shop, "/app?index", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
  );
}
/** What the shop has stored of its Accelebit set-up (settings, credentials per mode, webhook secret), or null before any save. */
const settingsOf = async (shop: string) => {
  const row = await db().shop.findUnique({
    where: { domain: shop },
    include: { settings: true, credentials: { where: { gateway: "accelebit" } }, gateways: true },
  });
  if (!row || (!row.settings && row.credentials.length === 0)) return null;
  const credential = (mode: string) => row.credentials.find((c) => c.mode === mode);
  return {
    shopId: row.id,
    ready: row.settings?.ready ?? false,
    externalHandle: row.settings?.externalHandle ?? null,
    testApiKeyLast4: credential("test")?.secretLast4 ?? null,
    testApiKeyCiphertext: credential("test")?.secretCiphertext ?? null,
    liveApiKeyLast4: credential("live")?.secretLast4 ?? null,
    liveApiKeyCiphertext: credential("live")?.secretCiphertext ?? null,
    webhookSecretCiphertext: row.gateways.find((g) => g.gateway === "accelebit")?.webhookSecretCiphertext ?? null,
  };
};
const configureCalls = (shop: string) => shopify.mutations.filter((m) => m.field === "paymentsAppConfigure" && m.shop === shop);

describe("merchant setup page", () => {
  it("requires a signed-in merchant: no cookie → login; a forged cookie signature or stale scopes → not the shop's page", async () => {
    const anonymous = await callRoute(layout.loader as never, new Request("http://localhost:3999/app"));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/auth/login");
    const forged = await callRoute(
      route.loader as never,
      new Request("http://localhost:3999/app", { headers: { Cookie: `shopify_app_session=offline_${SHOP}; shopify_app_session.sig=AAAA` } }),
    );
    expect(forged.status).not.toBe(200);
    // A session granted fewer scopes than the app now needs: back to login (and OAuth), not a 500.
    const { shopify: app } = await import("~/shopify.server");
    const { Session } = await import("@shopify/shopify-api");
    const stale = "stale-scopes.myshopify.com";
    await app().sessionStorage!.storeSession(
      new Session({ id: `offline_${stale}`, shop: stale, state: "s", isOnline: false, accessToken: "shpat_stale", scope: "read_products" }),
    );
    const res = await callRoute(route.loader as never, merchantRequest(stale, "/app"));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/auth/login");
  });

  it("rejects a malformed key with a field message, without calling Accelebit or writing anything", async () => {
    const before = sandbox.requests().length;
    const res = await save(SHOP, { testApiKey: "sk_test_123" });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ status: "invalid", fieldErrors: { testApiKey: "Enter an Accelebit test secret key: it starts with smtgw_sk_test_." } });
    const live = await save(SHOP, { testApiKey: GOOD_TEST_KEY, liveApiKey: GOOD_TEST_KEY });
    expect(((await live.json()) as { fieldErrors: object }).fieldErrors).toEqual({ liveApiKey: "This is a test key; enter it in the test key field." });
    expect(sandbox.requests().length).toBe(before);
    expect(await settingsOf(SHOP)).toBeNull();
    expect(configureCalls(SHOP)).toHaveLength(0);
  });

  it("shows Accelebit's UNAUTHORIZED inline on the field and saves nothing", async () => {
    const res = await save(SHOP, { testApiKey: REVOKED_KEY });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      status: "invalid",
      fieldErrors: { testApiKey: "Accelebit did not accept this test key (UNAUTHORIZED). Copy it again from your Accelebit dashboard." },
    });
    expect(await settingsOf(SHOP)).toBeNull();
  });

  it("an unreachable gateway is a clear banner (503), not a crash, and saves nothing", async () => {
    // Every call fails with 503, retries included: Accelebit is down.
    sandbox.setFaults({ serverErrors: { status: 503, rate: 1 } });
    const res = await save(SHOP, { testApiKey: GOOD_TEST_KEY });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; message: string };
    expect(body.status).toBe("gateway-unreachable");
    expect(body.message).toMatch(/^Accelebit could not be reached to check your test key; nothing was saved\./);
    expect(body.message).not.toContain(GOOD_TEST_KEY);
    expect(await settingsOf(SHOP)).toBeNull();
  });

  it("saves valid keys encrypted, calls paymentsAppConfigure with the right variables and offers the return link", async () => {
    const res = await save(SHOP, { testApiKey: GOOD_TEST_KEY, liveApiKey: GOOD_LIVE_KEY, webhookSecret: "whsec_0123456789abcdef" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "saved",
      configured: true,
      settingsUrl: `https://${SHOP}/services/payments_partners/gateways/${TEST_API_KEY}/settings`,
    });
    const calls = configureCalls(SHOP);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.variables).toEqual({ externalHandle: "Accelebit live ••••6789", ready: true });
    expect(shopify.configuration(SHOP)).toEqual({ externalHandle: "Accelebit live ••••6789", ready: true });

    const stored = (await settingsOf(SHOP))!;
    expect(stored).toMatchObject({ testApiKeyLast4: "6789", liveApiKeyLast4: "6789", ready: true });
    for (const secret of [GOOD_TEST_KEY, GOOD_LIVE_KEY, "whsec_0123456789abcdef"]) {
      expect(JSON.stringify(stored)).not.toContain(secret);
      // The stored bytes themselves (SQLite file and its write-ahead log) never hold the secret.
      if (database.file) {
        for (const file of [database.file, `${database.file}-wal`]) {
          try {
            expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          }
        }
      }
    }
    const { loadCredentials } = await import("~/merchants/credentials.server");
    const { secretBox } = await import("~/lib/secret-box.server");
    expect((await loadCredentials(stored.shopId, "accelebit", "test", secretBox()))?.secret).toBe(GOOD_TEST_KEY);
    expect((await loadCredentials(stored.shopId, "accelebit", "live", secretBox()))?.secret).toBe(GOOD_LIVE_KEY);
  });

  it("the page shows only the last four characters of saved keys", async () => {
    const res = await callRoute(route.loader as never, merchantRequest(SHOP, "/app"));
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({ shop: SHOP, testKeyLast4: "6789", liveKeyLast4: "6789", hasWebhookSecret: true, ready: true });
    expect(JSON.stringify(view)).not.toContain("GoodKey");
    expect(view.webhookUrl).toMatch(/^http:\/\/localhost:3999\/webhooks\/accelebit\/[A-Za-z0-9_-]{24}$/);
  });

  it("a shop cannot read or change another shop's settings", async () => {
    const before = await settingsOf(OTHER);
    // Signed in as SHOP, asking about OTHER through the query string: still SHOP's page.
    const view = await (await callRoute(route.loader as never, merchantRequest(SHOP, `/app?shop=${OTHER}`))).json();
    expect(view.shop).toBe(SHOP);
    const res = await save(SHOP, { testApiKey: "smtgw_sk_test_ReplacementKey0000", removeLiveKey: "on" });
    expect(res.status).toBe(200);
    expect(await settingsOf(OTHER)).toEqual(before);
    expect((await settingsOf(SHOP))!.liveApiKeyCiphertext).toBeNull();
    expect(configureCalls(OTHER)).toHaveLength(0);
  });

  it("paymentsAppConfigure's userErrors are shown to the merchant, and the shop is not marked ready", async () => {
    shopify.uninstallPaymentsExtension(SHOP);
    const res = await save(SHOP, { testApiKey: GOOD_TEST_KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "saved", configured: false, userErrors: ["Payments App is not installed on this shop"] });
    expect((await settingsOf(SHOP))!.ready).toBe(false);
  });

  it("when Shopify refuses the configuration the merchant is told, and the shop is not marked ready", async () => {
    const restricted = "restricted-shop.myshopify.com";
    const { recordInstall } = await import("~/merchants/shops.server");
    const { shopify: app } = await import("~/shopify.server");
    const { Session } = await import("@shopify/shopify-api");
    await recordInstall(restricted);
    await app().sessionStorage!.storeSession(
      new Session({
        id: `offline_${restricted}`,
        shop: restricted,
        state: "s",
        isOnline: false,
        accessToken: "shpat_restricted",
        scope: "write_payment_gateways,write_payment_sessions",
      }),
    );
    // Granted without write_payment_gateways: Shopify answers ACCESS_DENIED.
    shopify.registerShop({ shop: restricted, accessToken: "shpat_restricted", scopes: ["write_payment_sessions"] });
    const res = await save(restricted, { testApiKey: GOOD_TEST_KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "saved", configured: false, failure: "Shopify could not be reached (ACCESS_DENIED)." });
    expect((await settingsOf(restricted))!.ready).toBe(false);
  });
});
