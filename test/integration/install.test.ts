import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { TEST_API_KEY, TEST_APP_URL, useAppEnv } from "../support/app-env";
import { fakeShopifyTokenEndpoint, oauthRoundTrip } from "../support/oauth";
import { callRoute } from "../support/shopify-auth";

const SHOP = "install-shop.myshopify.com";
let database: TestDatabase;
let db: typeof import("~/db.server").db;
let loader: typeof import("~/routes/auth.$").loader;

beforeAll(async () => {
  database = await createTestDatabase();
  useAppEnv({ DATABASE_URL: database.url });
  ({ db } = await import("~/db.server"));
  ({ loader } = await import("~/routes/auth.$"));
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

describe("OAuth install", () => {
  it("the callback exchanges the code and stores an encrypted, expiring offline session and the shop", async () => {
    const tokenRequests = await fakeShopifyTokenEndpoint("shpat_install_token_123", "shprt_install_refresh_456");
    const { begin, authorize, callback: pending } = await oauthRoundTrip(loader, SHOP);
    expect(begin.status).toBe(302);
    expect(authorize.origin).toBe(`https://${SHOP}`);
    expect(authorize.pathname).toBe("/admin/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(TEST_API_KEY);
    const callback = await pending;
    expect(callback.status).toBe(302);

    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.url).toBe(`https://${SHOP}/admin/oauth/access_token`);
    expect(tokenRequests[0]!.body).toMatchObject({ client_id: TEST_API_KEY, code: "auth-code-1", expiring: "1" });

    const row = await db().session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(row).toMatchObject({ shop: SHOP, isOnline: false, scope: "write_payment_gateways,write_payment_sessions" });
    expect(row.expires).not.toBeNull();
    expect(row.refreshTokenExpires).not.toBeNull();
    // Tokens are stored encrypted, never in clear.
    expect(row.accessToken).not.toContain("shpat_install_token_123");
    expect(row.refreshToken).not.toContain("shprt_install_refresh_456");
    expect(row.accessToken).toMatch(/^v1\./);

    const shop = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.active).toBe(true);
    const gateway = await db().shopGateway.findFirstOrThrow({ where: { shopId: shop.id, gateway: "accelebit" } });
    expect(gateway.webhookToken.length).toBeGreaterThanOrEqual(24);
  });

  it("refuses an invalid shop parameter with 400 and stores nothing", async () => {
    const res = await callRoute(loader as never, new Request(`${TEST_APP_URL}/auth?shop=evil.example.com`));
    expect(res.status).toBe(400);
    expect(await db().shop.count({ where: { domain: "evil.example.com" } })).toBe(0);
  });

  it("refuses a callback with a forged HMAC", async () => {
    const query = new URLSearchParams({ code: "x", shop: SHOP, state: "s", timestamp: String(Math.floor(Date.now() / 1000)), hmac: "00".repeat(32) });
    const res = await callRoute(loader as never, new Request(`${TEST_APP_URL}/auth/callback?${query}`, { headers: { Cookie: "shopify_app_state=s" } }));
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).not.toBe(200);
  });

  it("the merchant's session cookie is signed, HttpOnly, Secure and SameSite=Lax, on the whole app", async () => {
    await fakeShopifyTokenEndpoint("shpat_cookie_token", "shprt_cookie_refresh");
    const shop = "cookie-shop.myshopify.com";
    const { begin, callback: pending } = await oauthRoundTrip(loader, shop);
    const stateCookie = begin.headers.getSetCookie().find((c) => c.startsWith("shopify_app_state="))!;
    expect(attributes(stateCookie)).toEqual(new Set(["httponly", "secure", "samesite=lax", "path=/auth/callback", "expires"]));

    const set = (await pending).headers.getSetCookie();
    const session = set.find((c) => c.startsWith("shopify_app_session="))!;
    const signature = set.find((c) => c.startsWith("shopify_app_session.sig="))!;
    expect(session.split(";")[0]).toBe(`shopify_app_session=offline_${shop}`);
    for (const cookie of [session, signature]) expect(attributes(cookie)).toEqual(new Set(["httponly", "secure", "samesite=lax", "path=/", "expires"]));
  });

  it("two OAuth callbacks for one shop at once both succeed and leave one encrypted session and one shop", async () => {
    await fakeShopifyTokenEndpoint("shpat_race_token", "shprt_race_refresh");
    const shop = "race-shop.myshopify.com";
    const first = await oauthRoundTrip(loader, shop, "code-a");
    const second = await oauthRoundTrip(loader, shop, "code-b");
    const [a, b] = await Promise.all([first.callback, second.callback]);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect(await db().session.count({ where: { shop } })).toBe(1);
    expect(await db().shop.count({ where: { domain: shop } })).toBe(1);
    const { shopify } = await import("~/shopify.server");
    expect((await shopify().sessionStorage!.loadSession(`offline_${shop}`))?.accessToken).toBe("shpat_race_token");
  });
});

/** A Set-Cookie's attributes, lower-cased, with Expires' date left out. */
function attributes(setCookie: string): Set<string> {
  return new Set(
    setCookie
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase())
      .map((a) => (a.startsWith("expires=") ? "expires" : a)),
  );
}
