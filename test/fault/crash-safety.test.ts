/**
 * Crash safety: the built app runs as a real process and is killed with SIGKILL at a random
 * moment while a shopper's card submission (or Shopify's refund request) is in flight —
 * before, during or after the Accelebit call, before or after the Shopify mutation. After a
 * restart, and once time has passed for deadlines and the reconciler, every session must be
 * in its correct final state at the Shopify simulator, with at most one charge per payment
 * session and never more refunded than captured.
 *
 * FAULT_RUNS (default 50) kills per scenario. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { appEnv } from "../support/app-env";

const RUNS = Number(process.env.FAULT_RUNS ?? 50);
const SHOP = "crash-shop.myshopify.com";
const TOKEN = "shpat_crash";
const KEY = "smtgw_sk_test_CrashShopKey00001";
const CARD = new URLSearchParams({ name: "Alice Smith", number: "4242424242424242", expiry: "12/39", cvc: "123" }).toString();
const DECLINED_CARD = new URLSearchParams({ name: "Alice Smith", number: "4000000000000002", expiry: "12/39", cvc: "123" }).toString();

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let env: NodeJS.ProcessEnv;
let appUrl: string;
let app: ChildProcess | null = null;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function startApp() {
  app = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "ignore", "ignore"] });
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`${appUrl}/readyz`).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the app did not become ready");
}

async function killApp() {
  const child = app!;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
  app = null;
}

/** Runs `action`, kills the app somewhere inside it, restarts the app. */
async function crashDuring(action: () => Promise<unknown>) {
  const pending = action().catch(() => null); // the connection dies with the process
  await new Promise((r) => setTimeout(r, randomInt(0, 120)));
  await killApp();
  await pending;
  await startApp();
}

/**
 * Time passes: the reconciler and every due job run, as the restarted app's worker would later.
 * The app process is stopped first: this process stands in for it with a moved clock (and a
 * SQLite file takes one writer at a time).
 */
async function letTimePass() {
  if (app) await killApp();
  const { createWorker } = await import("~/jobs");
  const { JOB_HANDLERS } = await import("~/background.server");
  const { logger } = await import("~/lib/logger");
  const { sweep } = await import("~/payments/sweeper.server");
  const { chargeDeps } = await import("~/payments/charge-deps.server");
  for (const minutes of [11, 45, 24 * 60]) {
    const later = new Date(Date.now() + minutes * 60_000);
    await sweep(chargeDeps(), later, { batch: 500 });
    const worker = createWorker({ handlers: JOB_HANDLERS, logger, now: () => later, workerId: `later-${minutes}` });
    while ((await worker.runDueJobs()) > 0);
  }
}

beforeAll(async () => {
  if (!existsSync("build/index.js")) throw new Error("Build the app first: npm run build");
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox();
  shopify = await startShopifySimulator();
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  appUrl = `http://127.0.0.1:${await freePort()}`;
  env = {
    ...process.env,
    ...appEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url, SHOPIFY_APP_URL: appUrl }),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    PORT: new URL(appUrl).port,
    HOST: "127.0.0.1",
    NODE_ENV: "test",
  } as NodeJS.ProcessEnv;
  // This process reads the same database with the same key, to run "later" workers.
  Object.assign(process.env, env);
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  await seedShop({ shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, scopes: "write_payment_gateways,write_payment_sessions" }, secretBox());
  await startApp();
}, 60_000);

afterAll(async () => {
  if (app) await killApp();
  const { db } = await import("~/db.server");
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close()]);
  await database.drop();
});

/** Every attempt of a session carries its own merchantRef, `<shopify id>-attempt-<n>`. */
const attemptOf = (shopifyId: string, merchantRef: string | null) => merchantRef?.startsWith(`${shopifyId}-attempt-`) ?? false;

function chargesFor(shopifyId: string) {
  return sandbox.payments(KEY).filter((p) => attemptOf(shopifyId, p.merchantRef) && (p.status === "captured" || p.status === "authorized"));
}

describe("killed at random points", () => {
  it(`payments: ${RUNS} card submissions (every other one after a declined card), each killed mid-flight → at most one charge, the right final state`, async () => {
    const sessions: { id: string; gid: string }[] = [];
    const submit = (page: string, card: string) =>
      fetch(page, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: card, redirect: "manual" });
    for (let run = 0; run < RUNS; run++) {
      const request = shopify.createPaymentSession({ shop: SHOP, amount: "25.00", currency: "EUR" });
      const delivery = await shopify.sendPaymentSession(`${appUrl}/shopify/payment`, request);
      expect(delivery.status).toBe(201);
      const page = (delivery.body as { redirect_url: string }).redirect_url;
      sessions.push({ id: request.id, gid: request.gid });
      // Real shoppers decline and retry: the crash then hits the second attempt.
      if (run % 2 === 1) expect((await submit(page, DECLINED_CARD)).status).toBe(200);
      await crashDuring(() => submit(page, CARD));
    }
    await letTimePass();

    const outcomes = { resolved: 0, rejected: 0 };
    for (const session of sessions) {
      const charges = chargesFor(session.id);
      expect(charges.length).toBeLessThanOrEqual(1);
      const state = shopify.sessionState(session.gid)!;
      // Charged ⇔ resolved: a charge is never left unreported, nothing is resolved without one.
      expect(state.status).toBe(charges.length === 1 ? "resolved" : "rejected");
      outcomes[state.status as "resolved" | "rejected"]++;
    }
    console.log(`payments after ${RUNS} crashes: ${outcomes.resolved} resolved (charged once), ${outcomes.rejected} rejected (never charged)`);
  }, 600_000);

  it(`refunds: ${RUNS} refund requests, each killed mid-flight → refunded once, never more than captured`, async () => {
    if (!app) await startApp();
    // Payments captured and resolved without crashes, then refunds crashed at random.
    const refunds: { gid: string; paymentShopifyId: string }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const payment = shopify.createPaymentSession({ shop: SHOP, amount: "40.00", currency: "EUR" });
      const page = ((await shopify.sendPaymentSession(`${appUrl}/shopify/payment`, payment)).body as { redirect_url: string }).redirect_url;
      const paid = await fetch(page, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: CARD, redirect: "manual" });
      expect(paid.status).toBe(303);
      const refund = shopify.createRefundSession({ paymentId: payment.id, amount: "40.00", currency: "EUR" });
      refunds.push({ gid: refund.gid, paymentShopifyId: payment.id });
      await crashDuring(() => shopify.sendRefundSession(`${appUrl}/shopify/refund`, refund));
      // Shopify retries a request that got no answer.
      if (!shopify.sessionState(refund.gid) || (shopify.sessionState(refund.gid) as { delivery?: string }).delivery !== "acknowledged") {
        await shopify.sendRefundSession(`${appUrl}/shopify/refund`, refund);
      }
    }
    await letTimePass();

    for (const refund of refunds) {
      const [charge] = chargesFor(refund.paymentShopifyId);
      expect(charge).toBeDefined();
      const refunded = sandbox.refunds(KEY).filter((r) => r.transactionId === charge!.id);
      expect(refunded.length).toBeLessThanOrEqual(1);
      const state = shopify.sessionState(refund.gid)!;
      expect(state.status).toBe(refunded.length === 1 ? "resolved" : "rejected");
      expect(state.status).toBe("resolved");
      expect(refunded[0]!.amount).toBe("40.00");
    }
  }, 600_000);
});
