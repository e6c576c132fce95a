// npm run bench — prints figures; asserts nothing. Load never comes from this process:
//   - throughput at 1 and 32 connections: wrk (Debian's package; installed here when missing)
//     with scripts/bench/intake.lua, which makes every request a new payment session;
//   - latency at a fixed rate, and the card submissions: scripts/bench/load.mjs, our own
//     generator (paced = open loop), also in its own process;
//   - the floor: a bare node:http server in its own process (scripts/bench/bare-server.mjs)
//     answering the same JSON, measured in the same run with the same requests. Compare
//     ratios, not figures: the machine is shared.
// Cases: intake (POST /shopify/payment) on SQLite and PostgreSQL; a card submission
// (POST /pay/:token → Shopify's next action, the Accelebit sandbox and the Shopify simulator
// answering at once); draining a backlog of due resolve jobs (two app instances on
// PostgreSQL, one on SQLite); the merchant's transactions pages (sequential, signed in).
// Figures go to .tmp/bench.json. Env: BENCH_SECONDS (per wrk run, default 5),
// BENCH_PACED_RATE (500), BENCH_CARD_SUBMISSIONS (2000), BENCH_DRAIN_JOBS (10000),
// BENCH_DASHBOARD_SESSIONS (20000; the issue's figure was 100000), BENCH_DASHBOARD_REQUESTS (50),
// BENCH_ONLY (comma list of intake,card,drain,dashboard), BENCH_APP_NODE_OPTIONS (the app processes' NODE_OPTIONS).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startAccelebitSandbox } from "../test/simulators/accelebit/server";
import { startShopifySimulator } from "../test/simulators/shopify";
import { createTestDatabase } from "../test/support/database";
import { createPrismaClient } from "../app/db.server";
import { merchantSessionCookies } from "../app/shopify/session-cookie";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 500);
const CARD_SUBMISSIONS = Number(process.env.BENCH_CARD_SUBMISSIONS ?? 2000);
const DRAIN_JOBS = Number(process.env.BENCH_DRAIN_JOBS ?? 10_000);
const DASHBOARD_SESSIONS = Number(process.env.BENCH_DASHBOARD_SESSIONS ?? 20_000);
const DASHBOARD_REQUESTS = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 50);
const ONLY = new Set((process.env.BENCH_ONLY ?? "intake,card,drain,dashboard").split(","));
const SHOP = "bench-shop.myshopify.com";
const TOKEN = "shpat_bench";
const KEY = "smtgw_sk_test_BenchKey00000001";
const RUN = randomBytes(4)
  .toString("hex")
  .replace(/[^a-z0-9]/g, "x");

interface Figure {
  case: string;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Against the bare server's figure of the same connections (or rate), same run. */
  ratioToBare?: number;
  maxRssMb?: number;
  target?: string;
}
const figures: Figure[] = [];

function record(f: Omit<Figure, "reqPerSec"> & { reqPerSec?: number }): Figure {
  const figure = { ...f, reqPerSec: f.reqPerSec ?? Math.round(f.requests / f.seconds) };
  figures.push(figure);
  const ms = (v: number) => `${v.toFixed(2)}`.padStart(8);
  console.log(
    `${figure.case.padEnd(46)} ${String(figure.reqPerSec).padStart(6)} req/s  p50 ${ms(figure.p50Ms)} ms  p99 ${ms(figure.p99Ms)} ms  errors ${String(figure.errors).padStart(4)}` +
      (figure.ratioToBare !== undefined ? `  ×bare ${figure.ratioToBare.toFixed(3)}` : "") +
      (figure.maxRssMb !== undefined ? `  rss ≤${figure.maxRssMb} MB` : "") +
      (figure.target ? `   target: ${figure.target}` : ""),
  );
  return figure;
}

interface LoadResult {
  requests: number;
  seconds: number;
  errors: number;
  p50: number;
  p99: number;
}

function parseResult(output: string): LoadResult {
  const line = output.split("\n").find((l) => l.startsWith("BENCH_JSON"));
  if (!line) throw new Error(`load generator printed no result:\n${output}`);
  return JSON.parse(line.slice("BENCH_JSON".length)) as LoadResult;
}

function runProcess(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}:\n${out}`))));
  });
}

function ensureWrk() {
  if (existsSync("/usr/bin/wrk")) return;
  console.log("bench: installing Debian's wrk");
  execFileSync("bash", ["-c", "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null"], { stdio: "inherit" });
}

/** wrk: closed loop, `connections` in flight, for SECONDS; every request a new payment session. */
async function wrk(baseUrl: string, connections: number, prefix: string): Promise<LoadResult> {
  const threads = Math.min(2, connections);
  const out = await runProcess("/usr/bin/wrk", [
    `-t${threads}`,
    `-c${connections}`,
    `-d${SECONDS}s`,
    "--timeout",
    "10s",
    "-s",
    "scripts/bench/intake.lua",
    baseUrl,
    "--",
    `${RUN}${prefix}`,
    SHOP,
  ]);
  return parseResult(out);
}

async function loadProcess(spec: Record<string, unknown>): Promise<LoadResult> {
  return parseResult(await runProcess(process.execPath, ["scripts/bench/load.mjs", JSON.stringify(spec)]));
}

/** Paced intake at PACED_RATE for SECONDS (open loop). */
function pacedIntake(baseUrl: string, prefix: string): Promise<LoadResult> {
  return loadProcess({
    mode: "paced",
    rate: PACED_RATE,
    seconds: SECONDS,
    intake: { url: `${baseUrl}/shopify/payment`, shop: SHOP, prefix: `${RUN}${prefix}` },
    expect: { status: 201 },
  });
}

/** Samples a process's resident memory while `fn` runs; returns the peak in MB. */
async function peakRss<T>(pid: number | undefined | (() => number | undefined), fn: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${typeof pid === "function" ? pid() : pid}/status`, "utf8");
      peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // the process is gone
    }
  };
  const timer = setInterval(sample, 100);
  try {
    const result = await fn();
    sample();
    return [result, Math.round(peak)];
  } finally {
    clearInterval(timer);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function bareServer(): Promise<{ url: string; pid: number | undefined; close(): Promise<void> }> {
  const child = spawn(process.execPath, ["scripts/bench/bare-server.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    close: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

type Simulator = Awaited<ReturnType<typeof startShopifySimulator>>;
interface App {
  url: string;
  pids: (number | undefined)[];
  shopify: Simulator;
  databaseUrl: string;
  /** Starts the app's processes (withApp starts one unless told not to). */
  start(instances: number): Promise<void>;
}

async function withApp<T>(provider: "sqlite" | "postgresql", fn: (app: App) => Promise<T>, options: { autostart?: boolean } = {}): Promise<T> {
  process.env.TEST_DATABASE_PROVIDER = provider;
  const database = await createTestDatabase();
  const sandbox = await startAccelebitSandbox();
  const shopify = await startShopifySimulator();
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  const ports = [await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${ports[0]}`;
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
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS ?? "", // e.g. --cpu-prof --cpu-prof-dir=.tmp/prof
  };
  execFileSync(process.execPath, ["--import", "tsx", "scripts/seed-shop.ts", "--shop", SHOP, "--access-token", TOKEN, "--accelebit-test-key", KEY], {
    env: { ...env, NODE_ENV: "development" as const },
    stdio: "ignore",
  });
  const children: ChildProcess[] = [];
  const app: App = {
    url: appUrl,
    pids: [],
    shopify,
    databaseUrl: database.url,
    async start(instances) {
      for (let i = 0; i < instances; i++) {
        const child = spawn(process.execPath, ["server.js"], { env: { ...env, PORT: String(ports[i]) }, stdio: ["ignore", "ignore", "inherit"] });
        children.push(child);
        app.pids.push(child.pid);
      }
      for (const port of ports.slice(0, instances))
        for (let i = 0; i < 200 && !(await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok; i++) await new Promise((r) => setTimeout(r, 50));
    },
  };
  try {
    if (options.autostart !== false) await app.start(1);
    return await fn(app);
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)))));
    await Promise.all([sandbox.close(), shopify.close()]);
    await database.drop();
  }
}

const INTAKE_TARGET = { 1: "—", 32: "≥ 2000 req/s, ≥ the 1-connection figure, p99 ≤ 50 ms, 0 errors, RSS ≤ 300 MB" } as const;

async function intakeCases() {
  const bare = await bareServer();
  const bareAt: Record<string, LoadResult> = {};
  try {
    await wrk(bare.url, 32, "barewarm"); // warm-up
    for (const c of [1, 32] as const) {
      bareAt[c] = await wrk(bare.url, c, `bare${c}c`);
      record({ case: `bare node:http, ${c} conn`, ...fromLoad(bareAt[c]!) });
    }
    bareAt.paced = await pacedIntake(bare.url, "barepaced");
    record({ case: `bare node:http, paced ${PACED_RATE}/s`, ...fromLoad(bareAt.paced) });
  } finally {
    await bare.close();
  }
  for (const provider of ["sqlite", "postgresql"] as const)
    await withApp(provider, async (app) => {
      await wrk(app.url, 32, `${provider}warm`).catch(() => null); // JIT, pools, prepared statements
      for (const c of [1, 32] as const) {
        const [result, rss] = await peakRss(app.pids[0], () => wrk(app.url, c, `${provider}${c}c`));
        record({
          case: `intake ${provider}, ${c} conn`,
          ...fromLoad(result),
          ratioToBare: result.requests / result.seconds / (bareAt[c]!.requests / bareAt[c]!.seconds),
          maxRssMb: rss,
          target: INTAKE_TARGET[c],
        });
      }
      const [paced, rss] = await peakRss(app.pids[0], () => pacedIntake(app.url, `${provider}paced`));
      record({
        case: `intake ${provider}, paced ${PACED_RATE}/s`,
        ...fromLoad(paced),
        ratioToBare: paced.p99 / bareAt.paced!.p99,
        maxRssMb: rss,
        target: "p99 (×bare is the p99 ratio)",
      });
    });
}

function fromLoad(r: LoadResult) {
  return { requests: r.requests, seconds: r.seconds, p50Ms: r.p50, p99Ms: r.p99, errors: r.errors };
}

/** Card submissions: sessions delivered the way Shopify does (so the simulator accepts the resolves), then the card form posted. */
async function cardCases() {
  const card = new URLSearchParams({ name: "Alice Smith", number: "4242424242424242", expiry: "12/39", cvc: "123" }).toString();
  for (const provider of ["sqlite", "postgresql"] as const)
    await withApp(provider, async (app) => {
      for (const c of [1, 32]) {
        const count = c === 1 ? Math.max(50, Math.round(CARD_SUBMISSIONS / 10)) : CARD_SUBMISSIONS;
        const pages = await deliverSessions(app, count);
        const file = `.tmp/bench-card-${provider}-${c}.json`;
        writeFileSync(file, JSON.stringify(pages.map((url) => ({ url, body: card, headers: { "Content-Type": "application/x-www-form-urlencoded" } }))));
        const [result, rss] = await peakRss(app.pids[0], () =>
          loadProcess({ mode: "closed", connections: c, requestsFile: file, expect: { status: 303, locationIncludes: "/__sim/orders/" } }),
        );
        record({
          case: `card submission ${provider}, ${c} conn`,
          ...fromLoad(result),
          maxRssMb: rss,
          target: c === 32 ? "≥ 400 req/s, p99 ≤ 100 ms" : undefined,
        });
      }
    });
}

async function deliverSessions(app: App, count: number): Promise<string[]> {
  const pages: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        next++;
        const request = app.shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR" });
        const delivery = await app.shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
        pages.push((delivery.body as { redirect_url: string }).redirect_url);
      }
    }),
  );
  return pages;
}

/**
 * A backlog of DRAIN_JOBS due resolve jobs (sessions the shopper paid, Shopify not yet told),
 * written before the app starts; timed from the first instance's start until none is left.
 */
async function drainCases() {
  for (const [provider, instances] of [
    ["postgresql", 2],
    ["sqlite", 1],
  ] as const)
    await withApp(
      provider,
      async (app) => {
        const db = createPrismaClient(app.databaseUrl);
        const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
        for (let start = 0; start < DRAIN_JOBS; start += 1000) {
          const sessions = Array.from({ length: Math.min(1000, DRAIN_JOBS - start) }, (_, k) => {
            const request = app.shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR" });
            const id = `drain${String(start + k).padStart(8, "0")}`;
            return {
              id,
              shopId: shop.id,
              shopifyId: request.body.id,
              gid: request.gid,
              group: request.body.group,
              kind: "sale",
              amount: "49.99",
              currency: "EUR",
              test: true,
              paymentMethodType: "offsite",
              status: "resolving",
              shopperToken: `drain-token-${start + k}`,
              gatewayPaymentId: `pay_drain_${start + k}`,
            };
          });
          await db.paymentSession.createMany({ data: sessions });
          await db.job.createMany({
            data: sessions.map((s) => ({
              type: "payment-session.finalize",
              payload: JSON.stringify({ paymentSessionId: s.id }),
              dedupeKey: `finalize:${s.id}:resolving`,
              shopId: shop.id,
            })),
          });
        }
        const open = () => db.job.count({ where: { type: "payment-session.finalize", status: { in: ["pending", "running"] } } });
        const started = performance.now();
        const [, rss] = await peakRss(
          () => app.pids[0],
          async () => {
            await app.start(instances);
            while ((await open()) > 0 && performance.now() - started < 300_000) await new Promise((r) => setTimeout(r, 100));
          },
        );
        const seconds = (performance.now() - started) / 1000;
        const left = await open();
        const resolved = await db.paymentSession.count({ where: { status: "resolved" } });
        await db.$disconnect();
        record({
          case: `drain ${DRAIN_JOBS} resolve jobs ${provider}, ${instances} app${instances > 1 ? "s" : ""}`,
          requests: resolved,
          seconds,
          p50Ms: 0,
          p99Ms: 0,
          errors: DRAIN_JOBS - resolved + left,
          maxRssMb: rss,
          target: provider === "postgresql" ? "10000 in ≤ 30 s (req/s = jobs/s)" : "(jobs/s)",
        });
      },
      { autostart: false },
    );
}

/** Runs `total` requests one after another from this process (the dashboard's pages; one merchant). */
async function sequential(label: string, total: number, send: () => Promise<boolean>, keep = true) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    if (!(await send())) errors++;
    latencies.push(performance.now() - t0);
  }
  if (!keep) return;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  record({ case: label, requests: total, seconds: (performance.now() - started) / 1000, p50Ms: pct(50), p99Ms: pct(99), errors });
}

async function main() {
  ensureWrk();
  mkdirSync(".tmp", { recursive: true });
  const started = new Date();
  console.log(
    `bench: wrk ${SECONDS} s per run at 1 and 32 connections; paced ${PACED_RATE}/s; ${CARD_SUBMISSIONS} card submissions; ${DRAIN_JOBS} resolve jobs; dashboard ${DASHBOARD_SESSIONS} sessions`,
  );
  if (ONLY.has("intake")) await intakeCases();
  if (ONLY.has("card")) await cardCases();
  if (ONLY.has("drain")) await drainCases();
  if (ONLY.has("dashboard"))
    for (const provider of ["sqlite", "postgresql"] as const) await withApp(provider, (app) => dashboardFigures(app.url, app.databaseUrl, provider));
  printTable();
  writeFileSync(".tmp/bench.json", JSON.stringify({ startedAt: started.toISOString(), seconds: SECONDS, pacedRate: PACED_RATE, figures }, null, 2));
  console.log("figures written to .tmp/bench.json");
}

function printTable() {
  const rows = figures.map((f) => [
    f.case,
    String(f.reqPerSec),
    f.p50Ms.toFixed(2),
    f.p99Ms.toFixed(2),
    String(f.errors),
    f.ratioToBare === undefined ? "" : f.ratioToBare.toFixed(3),
    f.maxRssMb === undefined ? "" : String(f.maxRssMb),
    f.target ?? "",
  ]);
  const head = ["case", "req/s", "p50 ms", "p99 ms", "errors", "×bare", "RSS MB", "target"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  console.log("\n" + line(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
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
  const depth = Math.max(1, Math.min(500, Math.floor(DASHBOARD_SESSIONS / 50) - 1));
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
    await sequential("warm-up", 10, () => get(path), false);
    await sequential(`dashboard ${label} (${provider})`, DASHBOARD_REQUESTS, () => get(path));
  }
  const exportStarted = performance.now();
  const res = await fetch(`${appUrl}/app/transactions/export.csv`, { headers: merchant });
  const csv = await res.text();
  const seconds = (performance.now() - exportStarted) / 1000;
  const rows = csv.split("\r\n").length - 2;
  record({ case: `dashboard CSV export (${provider}), rows/s`, requests: rows, seconds, p50Ms: 0, p99Ms: 0, errors: res.status === 200 ? 0 : 1 });
  console.log(`  CSV: ${rows} rows, ${(csv.length / 1e6).toFixed(1)} MB`);
}

await main();
process.exit(0);
