import { readdirSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";

/**
 * The short soak (npm run soak is the long one): intakes, card submissions and interactive
 * transactions, then the process's open descriptors and resident memory must not keep
 * growing. The libsql client used to leave a connection (2 descriptors, ~230 KB) behind per
 * interactive transaction (docs/decisions/one-sqlite-connection.md).
 */
const SHOP = "soak-shop.myshopify.com";
const TOKEN = "shpat_soak_shop";
const KEY = "smtgw_sk_test_SoakShopKey00001";
const CARD = { name: "Alice Smith", number: "4242 4242 4242 4242", expiry: "12/39", cvc: "123" };

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
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/pay/:token": await import("~/routes/pay.$token"),
  });
  useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url, SHOPIFY_APP_URL: app.url });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  await seedShop({ shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, scopes: "write_payment_gateways,write_payment_sessions" }, secretBox());
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  background = await import("~/background.server");
  background.startBackgroundWorker();
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

const openFds = () => readdirSync("/proc/self/fd").length;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** Live memory: the heap after a full collection, plus what lives outside it (buffers, native). */
function liveMb() {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return (heapUsed + external) / 1e6;
}

/** `rounds` intakes, 8 at a time, a card submission for every tenth, and one interactive transaction per intake. */
async function drive(rounds: number) {
  let next = 0;
  const outcomes: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rounds) {
        const i = next++;
        const request = shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR" });
        const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
        outcomes.push(delivery.status);
        if (i % 10 === 0) {
          const page = (delivery.body as { redirect_url: string }).redirect_url;
          const res = await fetch(page, { method: "POST", body: new URLSearchParams(CARD), redirect: "manual" });
          await res.arrayBuffer();
          outcomes.push(res.status === 303 ? 201 : res.status);
        }
        await db().$transaction(async (tx) => tx.shop.count());
      }
    }),
  );
  return outcomes.filter((s) => s !== 201);
}

describe("a short soak", () => {
  it("leaves descriptors and memory flat over 1,200 intakes, 120 card submissions and 1,200 interactive transactions", async () => {
    expect(await drive(200)).toEqual([]); // warm-up: pools, caches, JIT
    const fds = openFds();
    const rss = rssMb();
    const live = liveMb();
    expect(await drive(1000)).toEqual([]);
    // The leak grew 2 descriptors and ~230 KB (outside V8's heap) per transaction: 2,000 descriptors and ~230 MB here.
    expect(openFds() - fds).toBeLessThanOrEqual(10);
    // The simulators in this process keep every session they saw (a few KB each): room for that, not for a leak.
    expect(liveMb() - live).toBeLessThan(40);
    expect(rssMb() - rss).toBeLessThan(200);
    console.log(`soak: fds ${fds} → ${openFds()}, live ${live.toFixed(0)} → ${liveMb().toFixed(0)} MB, rss ${rss.toFixed(0)} → ${rssMb().toFixed(0)} MB`);
  }, 180_000); // a soak: long by design, and slower on a shared machine
});
