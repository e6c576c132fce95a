// npm run bench — prints figures; asserts nothing.
//   1. Payment session intake (POST /shopify/payment) on SQLite and on PostgreSQL: throughput
//      and p50/p95/p99 latency, beside a bare node:http server answering the same JSON in the
//      same run (the floor this machine sets).
//   2. The app's own time per card submission (POST /pay/:token → Shopify's next action) with
//      the Accelebit sandbox and the Shopify simulator answering at once.
//   3. The merchant's transactions pages with 100,000 payment sessions in one shop, on SQLite
//      and on PostgreSQL: list (first page, filtered, searched, deep page), detail, the HTML
//      page, and the CSV export of every row. Requests are sequential and signed in.
// The built app runs as its own process (npm run build first); load comes from this process.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startAccelebitSandbox } from "../test/simulators/accelebit/server";
import { startShopifySimulator } from "../test/simulators/shopify";
import { createTestDatabase } from "../test/support/database";
import { createPrismaClient } from "../app/db.server";
import { merchantSessionCookies } from "../app/shopify/session-cookie";

const INTAKE_REQUESTS = Number(process.env.BENCH_INTAKE_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CARD_SUBMISSIONS = Number(process.env.BENCH_CARD_SUBMISSIONS ?? 200);
const DASHBOARD_SESSIONS = Number(process.env.BENCH_DASHBOARD_SESSIONS ?? 100_000);
const DASHBOARD_REQUESTS = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 200);
const SHOP = "bench-shop.myshopify.com";
const TOKEN = "shpat_bench";
const KEY = "smtgw_sk_test_BenchKey00000001";

interface Figures {
  label: string;
  requests: number;
  seconds: number;
  latencies: number[];
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function report(f: Figures) {
  const sorted = [...f.latencies].sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(2)} ms`.padStart(10);
  console.log(
    `${f.label.padEnd(44)} ${String(Math.round(f.requests / f.seconds)).padStart(6)} req/s  p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}  p99 ${ms(percentile(sorted, 99))}  errors ${f.errors}`,
  );
}

/** Runs `total` requests, `concurrency` at a time; each is timed on its own. */
async function load(label: string, total: number, concurrency: number, send: (i: number) => Promise<boolean>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        const ok = await send(i);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  return { label, requests: total, seconds: (performance.now() - started) / 1000, latencies, errors };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function sessionBody(id: string) {
  return JSON.stringify({
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: `group-${id}`,
    session_id: `s-${id}`,
    amount: "49.99",
    currency: "EUR",
    test: true,
    merchant_locale: "en",
    payment_method: { type: "offsite", data: { cancel_url: "https://bench-shop.example/checkout" } },
    proposed_at: new Date().toISOString(),
    kind: "sale",
    customer: {
      email: "buyer@example.com",
      billing_address: { given_name: "Alice", family_name: "Smith", line1: "1 Main St", city: "Valletta", country_code: "MT" },
    },
  });
}

const headers = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "bench", "Shopify-Api-Version": "2026-04" };

async function bareServerFigures(): Promise<Figures> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ redirect_url: `http://127.0.0.1/pay/${randomBytes(24).toString("base64url")}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shopify/payment`;
  const figures = await load("bare node:http (same JSON answer)", INTAKE_REQUESTS, CONCURRENCY, async (i) => {
    const res = await fetch(url, { method: "POST", headers, body: sessionBody(`bare-${i}`) });
    await res.arrayBuffer();
    return res.status === 201;
  });
  await new Promise((r) => server.close(r));
  return figures;
}

type Simulator = Awaited<ReturnType<typeof startShopifySimulator>>;

async function withApp<T>(provider: "sqlite" | "postgresql", fn: (appUrl: string, shopify: Simulator, databaseUrl: string) => Promise<T>): Promise<T> {
  process.env.TEST_DATABASE_PROVIDER = provider;
  const database = await createTestDatabase();
  const sandbox = await startAccelebitSandbox();
  const shopify = await startShopifySimulator();
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "test" as const, // production requires Shopify's mutual TLS, and the bench posts plain HTTP
    DATABASE_URL: database.url,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench-secret",
    SHOPIFY_APP_URL: appUrl,
    SCOPES: "write_payment_gateways,write_payment_sessions",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  };
  execFileSync(process.execPath, ["--import", "tsx", "scripts/seed-shop.ts", "--shop", SHOP, "--access-token", TOKEN, "--accelebit-test-key", KEY], {
    env: { ...env, NODE_ENV: "development" as const },
    stdio: "ignore",
  });
  const app: ChildProcess = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    for (let i = 0; i < 100 && !(await fetch(`${appUrl}/readyz`).catch(() => null))?.ok; i++) await new Promise((r) => setTimeout(r, 100));
    return await fn(appUrl, shopify, database.url);
  } finally {
    app.kill("SIGTERM");
    await new Promise((r) => app.once("exit", r));
    await Promise.all([sandbox.close(), shopify.close()]);
    await database.drop();
  }
}

async function intakeFigures(provider: "sqlite" | "postgresql"): Promise<Figures> {
  return withApp(provider, async (appUrl) => {
    // Warm-up: JIT, connection pools, prepared statements.
    await load(
      "warm-up",
      100,
      CONCURRENCY,
      async (i) => (await fetch(`${appUrl}/shopify/payment`, { method: "POST", headers, body: sessionBody(`warm-${i}`) })).ok,
    );
    return load(`app intake on ${provider}`, INTAKE_REQUESTS, CONCURRENCY, async (i) => {
      const res = await fetch(`${appUrl}/shopify/payment`, { method: "POST", headers, body: sessionBody(`${provider}-${i}`) });
      await res.arrayBuffer();
      return res.status === 201;
    });
  });
}

async function main() {
  console.log(`intake: ${INTAKE_REQUESTS} requests, ${CONCURRENCY} concurrent; card submissions: ${CARD_SUBMISSIONS}, 4 concurrent`);
  report(await bareServerFigures());
  for (const provider of ["sqlite", "postgresql"] as const) report(await intakeFigures(provider));
  for (const provider of ["sqlite", "postgresql"] as const) report(await withApp(provider, (appUrl, shopify) => cardFigures(appUrl, shopify, provider)));
  for (const provider of ["sqlite", "postgresql"] as const)
    await withApp(provider, (appUrl, _shopify, databaseUrl) => dashboardFigures(appUrl, databaseUrl, provider));
}

/** Sessions are created the way Shopify does, so the simulator accepts the app's resolves. */
async function cardFigures(appUrl: string, shopify: Simulator, provider: string): Promise<Figures> {
  const pages: string[] = [];
  for (let i = 0; i < CARD_SUBMISSIONS; i++) {
    const request = shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR" });
    const delivery = await shopify.sendPaymentSession(`${appUrl}/shopify/payment`, request);
    pages.push((delivery.body as { redirect_url: string }).redirect_url);
  }
  const card = new URLSearchParams({ name: "Alice Smith", number: "4242424242424242", expiry: "12/39", cvc: "123" }).toString();
  return load(`card submission → resolved (${provider})`, pages.length, 4, async (i) => {
    const res = await fetch(pages[i]!, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: card, redirect: "manual" });
    await res.arrayBuffer();
    return res.status === 303 && (res.headers.get("Location") ?? "").includes("/__sim/orders/");
  });
}

/**
 * Writes `count` payment sessions for SHOP the way the flows leave them (two timeline events,
 * one card attempt and one finished job each; a resolved refund on one in twenty), spread over
 * the last year, in createMany batches. Returns a session from the middle, for the detail.
 */
async function seedDashboard(databaseUrl: string, count: number): Promise<{ id: string; gatewayPaymentId: string }> {
  const db = createPrismaClient(databaseUrl);
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
  const statuses = ["resolved", "resolved", "resolved", "resolved", "resolved", "resolved", "rejected", "awaiting_card", "three_ds", "pending"];
  const now = Date.now();
  const spacingMs = Math.floor((365 * 24 * 3600_000) / count);
  const BATCH = 2000;
  for (let start = 0; start < count; start += BATCH) {
    const sessions = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => {
      const i = start + k;
      const id = `bench${String(i).padStart(8, "0")}`;
      return {
        id,
        shopId: shop.id,
        shopifyId: `shopify${i}`,
        gid: `gid://shopify/PaymentSession/shopify${i}`,
        group: `group${Math.floor(i / 2)}`,
        kind: "sale",
        amount: `${1 + (i % 500)}.${String(i % 100).padStart(2, "0")}`,
        currency: "EUR",
        test: i % 10 < 7,
        paymentMethodType: "offsite",
        status: statuses[i % statuses.length]!,
        shopperToken: `bench-token-${i}`,
        gatewayPaymentId: `pay_${i.toString(16).padStart(8, "0")}`,
        provider: "visa",
        pendingExpiresAt: i % 10 === 9 ? new Date(now + (i % 72) * 3600_000) : null,
        createdAt: new Date(now - (count - i) * spacingMs),
      };
    });
    await db.paymentSession.createMany({ data: sessions });
    await db.sessionEvent.createMany({
      data: sessions.flatMap((s) => [
        { shopId: shop.id, paymentSessionId: s.id, kind: "shopify.request", summary: `Shopify sent a test sale of ${s.amount} EUR`, createdAt: s.createdAt },
        { shopId: shop.id, paymentSessionId: s.id, kind: "decision", summary: "Decided to resolve: Accelebit confirmed the payment", createdAt: s.createdAt },
      ]),
    });
    await db.paymentAttempt.createMany({
      data: sessions.map((s) => ({
        paymentSessionId: s.id,
        number: 1,
        idempotencyKey: `shopify-${s.shopifyId}-attempt-1`,
        merchantRef: `${s.shopifyId}-attempt-1`,
        status: "captured",
        cardBrand: "visa",
        cardLast4: "4242",
      })),
    });
    await db.job.createMany({
      data: sessions.map((s) => ({
        type: "payment-session.finalize",
        payload: "{}",
        dedupeKey: `finalize:${s.id}:resolving`,
        status: "done",
        shopId: shop.id,
      })),
    });
    await db.refundSession.createMany({
      data: sessions
        .filter((_, k) => (start + k) % 20 === 0)
        .map((s) => ({
          shopId: shop.id,
          shopifyId: `refund-${s.shopifyId}`,
          gid: `gid://shopify/RefundSession/refund-${s.shopifyId}`,
          paymentShopifyId: s.shopifyId,
          paymentSessionId: s.id,
          amount: "1.00",
          currency: "EUR",
          test: s.test,
          status: "resolved",
        })),
    });
  }
  // Production PostgreSQL has autovacuum refresh the planner's statistics after a bulk load
  // like this one; run it now rather than wait. (The app never runs ANALYZE on SQLite.)
  if (databaseUrl.startsWith("postgres")) await db.$executeRawUnsafe("ANALYZE");
  const middle = await db.paymentSession.findUniqueOrThrow({ where: { id: `bench${String(Math.floor(count / 2)).padStart(8, "0")}` } });
  await db.$disconnect();
  return { id: middle.id, gatewayPaymentId: middle.gatewayPaymentId! };
}

async function dashboardFigures(appUrl: string, databaseUrl: string, provider: string) {
  const started = performance.now();
  const middle = await seedDashboard(databaseUrl, DASHBOARD_SESSIONS);
  console.log(`dashboard (${provider}): ${DASHBOARD_SESSIONS} sessions seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const merchant = {
    Cookie: merchantSessionCookies(SHOP, "bench-secret")
      .map((c) => `${c.name}=${c.value}`)
      .join("; "),
    // shopifyApp answers 410 to user agents that look like bots.
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  };
  const get = async (path: string) => {
    const res = await fetch(`${appUrl}${path}`, { headers: merchant, redirect: "manual" });
    await res.arrayBuffer();
    return res.status === 200;
  };
  const listData = (query: string) => `/app/transactions?${query}${query ? "&" : ""}_data=routes%2Fapp.transactions._index`;
  // A cursor deep in the list (page 501 of 2,000), taken from the list itself.
  const depth = Math.min(500, Math.floor(DASHBOARD_SESSIONS / 50) - 1);
  let cursor = "";
  for (let i = 0; i < depth; i++) {
    const res = await fetch(`${appUrl}${listData(cursor ? `after=${cursor}` : "")}`, { headers: merchant });
    cursor = ((await res.json()) as { nextCursor: string }).nextCursor;
  }
  const day = new Date(Date.now() - 100 * 86400_000).toISOString().slice(0, 10);
  const cases: [string, string][] = [
    ["list: first page", listData("")],
    ["list: pending + live", listData("status=pending&mode=live")],
    // No session is processing: the filter reads the whole shop (the worst case).
    ["list: no status match", listData("status=processing")],
    ["list: one day", listData(`from=${day}&to=${day}`)],
    ["list: Accelebit id", listData(`q=${middle.gatewayPaymentId}`)],
    [`list: page ${depth + 1}`, listData(`after=${cursor}`)],
    ["detail", `/app/transactions/${middle.id}?_data=routes%2Fapp.transactions.%24id`],
    ["list page HTML", "/app/transactions"],
  ];
  for (const [label, path] of cases) {
    await load("warm-up", 20, 1, () => get(path));
    report(await load(`dashboard ${label} (${provider})`, DASHBOARD_REQUESTS, 1, () => get(path)));
  }
  const exportStarted = performance.now();
  const res = await fetch(`${appUrl}/app/transactions/export.csv`, { headers: merchant });
  const csv = await res.text();
  const seconds = (performance.now() - exportStarted) / 1000;
  const rows = csv.split("\r\n").length - 2;
  console.log(
    `${`dashboard CSV export (${provider})`.padEnd(44)} ${rows} rows, ${(csv.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s), status ${res.status}`,
  );
}

await main();
process.exit(0);
