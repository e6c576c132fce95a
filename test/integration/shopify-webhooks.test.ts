import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import { callRoute, shopifyWebhookRequest } from "../support/shopify-auth";

let database: TestDatabase;
let db: typeof import("~/db.server").db;
let action: typeof import("~/routes/webhooks").action;
let seedShop: typeof import("~/merchants/seed-shop.server").seedShop;
let secretBox: typeof import("~/lib/secret-box.server").secretBox;

const SHOP = "webhook-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";

beforeAll(async () => {
  database = await createTestDatabase();
  useAppEnv({ DATABASE_URL: database.url });
  ({ db } = await import("~/db.server"));
  ({ action } = await import("~/routes/webhooks"));
  ({ seedShop } = await import("~/merchants/seed-shop.server"));
  ({ secretBox } = await import("~/lib/secret-box.server"));
});

afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

async function seed(shop: string) {
  const row = await seedShop(
    { shop, accessToken: `shpat_${shop}`, accelebitTestKey: "smtgw_sk_test_abcdefgh1234", scopes: "write_payment_sessions" },
    secretBox(),
  );
  await db().paymentSession.create({
    data: {
      shopId: row.id,
      shopifyId: `pay_${shop}`,
      gid: `gid://shopify/PaymentSession/pay_${shop}`,
      group: "grp_1",
      kind: "sale",
      amount: "12.50",
      currency: "EUR",
      test: true,
      paymentMethodType: "offsite",
      status: "resolved",
      shopperToken: `tok_${shop}`,
      customerEmail: "buyer@example.com",
      customerPhone: "+35699123456",
      billingAddress: JSON.stringify({ line1: "1 Main St", city: "Valletta" }),
      clientIp: "203.0.113.7",
    },
  });
  return row;
}

const post = (request: Request) => callRoute(action as never, request);

/** app/uninstalled carries the shop resource (id, domain, myshopify_domain, …). */
const uninstalledBody = (shop: string) => ({ id: 548380009, name: "Shop", domain: "www.example.com", myshopify_domain: shop });

describe("Shopify webhooks", () => {
  it("rejects a bad HMAC with 401 and changes nothing", async () => {
    const shop = await seed(SHOP);
    const res = await post(shopifyWebhookRequest("app/uninstalled", SHOP, uninstalledBody(SHOP), { secret: "not-the-app-secret" }));
    expect(res.status).toBe(401);
    expect((await db().shop.findUniqueOrThrow({ where: { id: shop.id } })).active).toBe(true);
    expect(await db().webhookDelivery.count()).toBe(0);
  });

  it("answers malformed JSON with a valid HMAC with 400 and stores nothing", async () => {
    const res = await post(shopifyWebhookRequest("customers/redact", SHOP, null, { rawBody: "{not json" }));
    expect(res.status).toBe(400);
    expect(await db().complianceRequest.count()).toBe(0);
  });

  it("refuses other methods, unknown topics and oversized bodies, storing nothing", async () => {
    expect((await post(new Request("http://localhost:3999/webhooks", { method: "GET" }))).status).toBe(405);
    expect((await post(shopifyWebhookRequest("orders/create", SHOP, { id: 1 }))).status).toBe(404);
    const huge = { shop_id: 1, shop_domain: SHOP, customer: { email: "x".repeat(300 * 1024) }, orders_to_redact: [] };
    expect((await post(shopifyWebhookRequest("customers/redact", SHOP, huge))).status).toBe(413);
    expect(await db().webhookDelivery.count()).toBe(0);
    expect(await db().complianceRequest.count()).toBe(0);
  });

  it("customers/data_request records the request and the data held for that customer", async () => {
    const res = await post(
      shopifyWebhookRequest(
        "customers/data_request",
        SHOP,
        { shop_id: 1, shop_domain: SHOP, customer: { id: 42, email: "buyer@example.com", phone: null }, orders_requested: [1], data_request: { id: 9 } },
        { webhookId: "wh-data-1" },
      ),
    );
    expect(res.status).toBe(200);
    const request = await db().complianceRequest.findUniqueOrThrow({ where: { webhookId: "wh-data-1" } });
    expect(request).toMatchObject({ topic: "customers/data_request", shopDomain: SHOP, customerId: "42" });
    const exported = JSON.parse(request.result!);
    expect(exported.paymentSessions).toHaveLength(1);
    expect(exported.paymentSessions[0]).toMatchObject({
      shopifyId: `pay_${SHOP}`,
      amount: "12.5",
      customerEmail: "buyer@example.com",
      clientIp: "203.0.113.7",
    });
  });

  it("customers/redact erases that customer's personal data but keeps the financial record; a redelivery is harmless", async () => {
    const body = { shop_id: 1, shop_domain: SHOP, customer: { id: 42, email: "buyer@example.com" }, orders_to_redact: [1] };
    expect((await post(shopifyWebhookRequest("customers/redact", SHOP, body, { webhookId: "wh-redact-1" }))).status).toBe(200);
    expect((await post(shopifyWebhookRequest("customers/redact", SHOP, body, { webhookId: "wh-redact-1" }))).status).toBe(200);
    const session = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: `pay_${SHOP}` } });
    expect(session).toMatchObject({ customerEmail: null, customerPhone: null, billingAddress: null, clientIp: null, currency: "EUR", status: "resolved" });
    expect(session.amount.toString()).toBe("12.5");
    expect(session.customerRedactedAt).not.toBeNull();
    // The earlier data-request export held the same personal data: gone too.
    expect((await db().complianceRequest.findUniqueOrThrow({ where: { webhookId: "wh-data-1" } })).result).toBeNull();
    expect(await db().complianceRequest.count({ where: { topic: "customers/redact" } })).toBe(1);
  });

  it("app/uninstalled drops the shop's sessions and credentials and marks it inactive; a stale delivery after reinstall is ignored", async () => {
    const shop = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const res = await post(shopifyWebhookRequest("app/uninstalled", SHOP, uninstalledBody(SHOP), { webhookId: "wh-uninstall-1" }));
    expect(res.status).toBe(200);
    expect(await db().session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db().shopSettings.count({ where: { shopId: shop.id } })).toBe(0);
    expect((await db().shop.findUniqueOrThrow({ where: { id: shop.id } })).active).toBe(false);
    // Financial records stay until shop/redact.
    expect(await db().paymentSession.count({ where: { shopId: shop.id } })).toBe(1);

    // Reinstall, then a late redelivery of an older uninstall (new webhook id) arrives.
    await seed(OTHER);
    await db().shop.update({ where: { id: shop.id }, data: { active: true, installedAt: new Date() } });
    const late = await post(
      shopifyWebhookRequest("app/uninstalled", SHOP, uninstalledBody(SHOP), {
        webhookId: "wh-uninstall-0",
        triggeredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    expect(late.status).toBe(200);
    expect((await db().shop.findUniqueOrThrow({ where: { id: shop.id } })).active).toBe(true);
  });

  it("shop/redact of a shop that is installed now deletes nothing (Shopify sends it only after an uninstall)", async () => {
    const res = await post(shopifyWebhookRequest("shop/redact", SHOP, { shop_id: 1, shop_domain: SHOP }, { webhookId: "wh-shop-redact-early" }));
    expect(res.status).toBe(200);
    expect(await db().shop.count({ where: { domain: SHOP } })).toBe(1);
    expect(await db().paymentSession.count({ where: { shopifyId: `pay_${SHOP}` } })).toBe(1);
  });

  it("shop/redact deletes everything of that shop and nothing of another", async () => {
    await db().shop.update({ where: { domain: SHOP }, data: { active: false, uninstalledAt: new Date() } });
    const res = await post(shopifyWebhookRequest("shop/redact", SHOP, { shop_id: 1, shop_domain: SHOP }, { webhookId: "wh-shop-redact" }));
    expect(res.status).toBe(200);
    expect(await db().shop.count({ where: { domain: SHOP } })).toBe(0);
    expect(await db().paymentSession.count({ where: { shopifyId: `pay_${SHOP}` } })).toBe(0);
    expect(await db().complianceRequest.count({ where: { shopDomain: SHOP } })).toBe(0);
    expect(await db().shop.count({ where: { domain: OTHER } })).toBe(1);
    expect(await db().paymentSession.count({ where: { shopifyId: `pay_${OTHER}` } })).toBe(1);
    expect(await db().session.count({ where: { shop: OTHER } })).toBe(1);
  });
});

describe("Shopify webhooks: the signed body decides", () => {
  const VICTIM = "victim-shop.myshopify.com";
  const ATTACKER = "attacker-shop.myshopify.com";

  async function snapshot(shop: string) {
    const row = await db().shop.findUnique({ where: { domain: shop } });
    return {
      shop: row && { active: row.active },
      sessions: await db().session.count({ where: { shop } }),
      settings: row ? await db().shopSettings.count({ where: { shopId: row.id } }) : 0,
      payments: await db().paymentSession.findMany({ where: { shop: { domain: shop } }, select: { customerEmail: true, clientIp: true } }),
      compliance: await db().complianceRequest.count({ where: { shopDomain: shop } }),
    };
  }

  beforeAll(async () => {
    await seed(VICTIM);
    await seed(ATTACKER);
    // Uninstalled, so a shop/redact would be acted on.
    await db().shop.update({ where: { domain: VICTIM }, data: { active: false } });
  });

  it.each([
    ["shop/redact", { shop_id: 7, shop_domain: ATTACKER }],
    ["customers/redact", { shop_id: 7, shop_domain: ATTACKER, customer: { id: 1, email: "buyer@example.com" }, orders_to_redact: [] }],
    ["customers/data_request", { shop_id: 7, shop_domain: ATTACKER, customer: { id: 1, email: "buyer@example.com" }, orders_requested: [] }],
    ["app/uninstalled", uninstalledBody(ATTACKER)],
  ])("a signed %s body of one shop sent with another shop's header is a 401 and touches neither", async (topic, body) => {
    const before = [await snapshot(VICTIM), await snapshot(ATTACKER)];
    const res = await post(shopifyWebhookRequest(topic, VICTIM, body));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("Webhook refused: the signed body names another shop than X-Shopify-Shop-Domain");
    expect([await snapshot(VICTIM), await snapshot(ATTACKER)]).toEqual(before);
    expect(await db().webhookDelivery.count({ where: { shopDomain: { in: [VICTIM, ATTACKER] } } })).toBe(0);
  });

  it.each([
    ["customers/redact", "shop/redact", { shop_id: 7, shop_domain: VICTIM, customer: { id: 1, email: "buyer@example.com" }, orders_to_redact: [1] }],
    ["customers/data_request", "customers/redact", { shop_id: 7, shop_domain: VICTIM, customer: { id: 1 }, orders_requested: [1], data_request: { id: 3 } }],
    ["customers/redact", "customers/data_request", { shop_id: 7, shop_domain: VICTIM, customer: { id: 1 }, orders_to_redact: [1] }],
    ["shop/redact", "app/uninstalled", { shop_id: 7, shop_domain: VICTIM }],
    ["app/uninstalled", "shop/redact", uninstalledBody(VICTIM)],
  ])("a captured %s body replayed as %s is a 400 and does nothing", async (_real, claimed, body) => {
    const before = await snapshot(VICTIM);
    const res = await post(shopifyWebhookRequest(claimed, VICTIM, body));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(new RegExp(`^Webhook payload does not fit ${claimed.replace("/", "\\/")}: `));
    expect(await snapshot(VICTIM)).toEqual(before);
  });

  it("a delivery triggered more than 30 days ago is refused (its id may be forgotten) and one without a date too", async () => {
    const before = await snapshot(VICTIM);
    const old = new Date(Date.now() - 31 * 24 * 3600_000).toISOString();
    const late = await post(shopifyWebhookRequest("shop/redact", VICTIM, { shop_id: 7, shop_domain: VICTIM }, { triggeredAt: old }));
    expect(late.status).toBe(400);
    expect(await late.text()).toBe("Webhook refused: triggered more than 30 days ago, outside the replay window");
    const undated = shopifyWebhookRequest("shop/redact", VICTIM, { shop_id: 7, shop_domain: VICTIM });
    undated.headers.delete("X-Shopify-Triggered-At");
    expect((await post(undated)).status).toBe(400);
    expect(await snapshot(VICTIM)).toEqual(before);
  });

  it("webhook ids are remembered for 30 days: a redelivery within them is a no-op, older ids are pruned", async () => {
    const day = 24 * 3600_000;
    await db().webhookDelivery.createMany({
      data: [
        { webhookId: "wh-old-1", topic: "customers/redact", shopDomain: OTHER, receivedAt: new Date(Date.now() - 31 * day) },
        { webhookId: "wh-old-2", topic: "customers/redact", shopDomain: OTHER, receivedAt: new Date(Date.now() - 45 * day) },
        { webhookId: "wh-recent", topic: "customers/redact", shopDomain: OTHER, receivedAt: new Date(Date.now() - 29 * day) },
      ],
    });
    const old = { webhookId: { in: ["wh-old-1", "wh-old-2"] } };
    expect(await db().webhookDelivery.count({ where: old })).toBe(2);
    const body = { shop_id: 8, shop_domain: ATTACKER, customer: { id: 5, email: "buyer@example.com" }, orders_to_redact: [] };
    expect((await post(shopifyWebhookRequest("customers/redact", ATTACKER, body, { webhookId: "wh-prune" }))).status).toBe(200);
    expect(await db().webhookDelivery.count({ where: old })).toBe(0);
    expect(await db().webhookDelivery.count({ where: { webhookId: { in: ["wh-recent", "wh-prune"] } } })).toBe(2);
    // Shopify's redelivery of the same id changes nothing more.
    const redacted = await db().complianceRequest.count({ where: { shopDomain: ATTACKER, topic: "customers/redact" } });
    expect((await post(shopifyWebhookRequest("customers/redact", ATTACKER, body, { webhookId: "wh-prune" }))).status).toBe(200);
    expect(await db().complianceRequest.count({ where: { shopDomain: ATTACKER, topic: "customers/redact" } })).toBe(redacted);
  });
});
