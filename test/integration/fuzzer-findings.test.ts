import { describe, expect, it } from "vitest";
import { withSeededShop } from "../support/seeded-shop";
import { callRoute, merchantRequest } from "../support/shopify-auth";

/**
 * What the route fuzzer (test/fuzz/routes.test.ts) found, pinned as examples: each was a 500.
 * PostgreSQL refuses a NUL character in text, and the Shopify library throws on some queries.
 */
const SHOP = "findings-shop.myshopify.com";
const { db } = withSeededShop(SHOP, "smtgw_sk_test_Findings000001");

const HEADERS = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "r-1", "Shopify-Api-Version": "2026-04" };

describe("fuzzer findings", () => {
  it.each([
    ["pay.$token", "loader"],
    ["pay.$token", "action"],
    ["pay.$token.return", "loader"],
    ["card-3ds.$token", "loader"],
    ["card-3ds.$token.return", "action"],
  ] as const)("a shopper URL whose token holds a NUL character is a 404 (%s %s)", async (route, kind) => {
    const module = (await import(`../../app/routes/${route}.tsx`)) as Record<string, unknown>;
    const request = new Request("http://localhost:3999/pay/%00", kind === "action" ? { method: "POST", body: "number=4242" } : {});
    expect((await callRoute(module[kind] as never, request, { token: "\u0000" })).status).toBe(404);
  });

  it("an Accelebit webhook URL whose token holds a NUL character is a 404", async () => {
    const { action } = await import("~/routes/webhooks.accelebit.$token");
    expect(
      (await callRoute(action as never, new Request("http://localhost:3999/webhooks/accelebit/%00", { method: "POST", body: "{}" }), { token: "\u0000" }))
        .status,
    ).toBe(404);
  });

  it("a session request with a NUL character in any field is a 400 and stores nothing", async () => {
    const { action } = await import("~/routes/shopify.payment");
    const body = { id: "FindingsNul0000000000000", merchant_locale: "en\u0000", nested: { ["k\u0000"]: 1 } };
    const res = await callRoute(
      action as never,
      new Request("http://localhost:3999/shopify/payment", { method: "POST", headers: HEADERS, body: JSON.stringify(body) }),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("Body holds a NUL character");
    expect(await db().paymentSession.count()).toBe(0);
  });

  it("a merchant search, transaction id or form with a NUL character is a 4xx", async () => {
    const list = await import("~/routes/app.transactions._index");
    expect((await callRoute(list.loader as never, merchantRequest(SHOP, "/app/transactions?q=%00"))).status).toBe(400);
    const detail = await import("~/routes/app.transactions.$id");
    expect((await callRoute(detail.loader as never, merchantRequest(SHOP, "/app/transactions/%00"), { id: "\u0000" })).status).toBe(404);
    const settings = await import("~/routes/app._index");
    const post = merchantRequest(SHOP, "/app?index", { method: "POST", body: new URLSearchParams({ testApiKey: "smtgw_sk_test_\u0000" }) });
    expect((await callRoute(settings.action as never, post)).status).toBe(400);
  });

  it("the embedded-app pages under /auth are a 404, and an OAuth shop the library refuses is a 400", async () => {
    const { loader } = await import("~/routes/auth.$");
    expect((await callRoute(loader as never, new Request("http://localhost:3999/auth/exit-iframe?exitIframe=https://evil.example"))).status).toBe(404);
    expect((await callRoute(loader as never, new Request("http://localhost:3999/auth/session-token"))).status).toBe(404);
    const res = await callRoute(loader as never, new Request(`http://localhost:3999/auth/?code=x&state=%24&shop=${encodeURIComponent("ǣ𛇕🛥")}`));
    expect(res.status).toBe(400);
  });
});
