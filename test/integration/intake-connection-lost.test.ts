import { describe, expect, it } from "vitest";
import { connect } from "~/lib/migrator.server";
import { withSeededShop } from "../support/seeded-shop";
import { callRoute } from "../support/shopify-auth";

/**
 * The intake's own PostgreSQL connections (app/payments/intake-store.server.ts) can be ended by
 * the server at any time (a restart, a failover, an administrator). An idle one that is ended
 * must not become an uncaught exception that stops the process (Vitest fails the run on one);
 * the next intake opens a new connection and is stored as usual.
 */
const POSTGRES = process.env.TEST_DATABASE_PROVIDER === "postgresql";
const SHOP = "lost-conn-shop.myshopify.com";
const { db } = withSeededShop(SHOP, "smtgw_sk_test_LostConnKey00001");

const body = (id: string) => ({
  id,
  gid: `gid://shopify/PaymentSession/${id}`,
  group: "g1",
  amount: "10.00",
  currency: "EUR",
  test: true,
  kind: "sale",
  merchant_locale: "en",
  payment_method: { type: "offsite", data: { cancel_url: "https://shop.example/cancel" } },
  proposed_at: "2026-12-01T00:00:00Z",
});

async function intake(id: string) {
  const { action } = await import("~/routes/shopify.payment");
  const headers = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": `req-${id}`, "Shopify-Api-Version": "2026-04" };
  return callRoute(action as never, new Request("http://localhost:3999/shopify/payment", { method: "POST", headers, body: JSON.stringify(body(id)) }));
}

describe.runIf(POSTGRES)("an intake connection the database server ends", () => {
  it("is dropped quietly and the next intake is stored", async () => {
    expect((await intake("LostConnFirst1")).status).toBe(201);
    const url = process.env.DATABASE_URL!;
    const admin = await connect(url);
    try {
      // Every other connection to this database, the intake's idle pool among them.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    } finally {
      await admin.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // the pool hears of it while idle
    expect((await intake("LostConnSecond2")).status).toBe(201);
    expect(await db().paymentSession.count({ where: { shopifyId: { in: ["LostConnFirst1", "LostConnSecond2"] } } })).toBe(2);
  });
});
