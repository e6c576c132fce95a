import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL, useAppEnv } from "../support/app-env";
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

function cookiesFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("OAuth install", () => {
  it("the callback exchanges the code and stores an encrypted, expiring offline session and the shop", async () => {
    const begin = await callRoute(loader as never, new Request(`${TEST_APP_URL}/auth?shop=${SHOP}`));
    expect(begin.status).toBe(302);
    const authorize = new URL(begin.headers.get("Location")!);
    expect(authorize.origin).toBe(`https://${SHOP}`);
    expect(authorize.pathname).toBe("/admin/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(TEST_API_KEY);
    const state = authorize.searchParams.get("state")!;

    // Shopify's token endpoint, as Shopify answers an expiring offline token exchange.
    const tokenRequests: { url: string; body: Record<string, unknown> }[] = [];
    // shopify-api keeps its own reference to fetch (set by its runtime adapter).
    const { setAbstractFetchFunc } = await import("@shopify/shopify-api/runtime");
    setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      tokenRequests.push({ url, body: JSON.parse(String(init?.body ?? "{}")) });
      return Response.json({
        access_token: "shpat_install_token_123",
        scope: "write_payment_gateways,write_payment_sessions",
        expires_in: 3600,
        refresh_token: "shprt_install_refresh_456",
        refresh_token_expires_in: 7_776_000,
      });
    });

    const query = new URLSearchParams({
      code: "auth-code-1",
      host: Buffer.from(`${SHOP}/admin`).toString("base64url"),
      shop: SHOP,
      state,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    const message = [...query.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
    query.set("hmac", createHmac("sha256", TEST_API_SECRET).update(message).digest("hex"));
    const callback = await callRoute(loader as never, new Request(`${TEST_APP_URL}/auth/callback?${query}`, { headers: { Cookie: cookiesFrom(begin) } }));
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
    expect(shop.webhookToken.length).toBeGreaterThanOrEqual(24);
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
});
