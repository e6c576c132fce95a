// npm run soak — drives SOAK_INTAKES payment intakes (default 100,000) through the built app
// (npm run build first; `npm run soak` builds) on SQLite and on PostgreSQL, with a card
// submission (POST /pay/:token → charge at the Accelebit sandbox → resolve at the Shopify
// simulator) for every SOAK_CARD_EVERY-th session (default 10). Prints the app process's open
// file descriptors (/proc/<pid>/fd), RSS and V8 heap at the start, every 10,000 intakes and at
// the end. Prints figures; asserts nothing (the short variant in test/soak asserts).
// Env: SOAK_INTAKES, SOAK_CARD_EVERY, SOAK_CONCURRENCY (16), SOAK_PROVIDERS (sqlite,postgresql),
// SOAK_APP_NODE_OPTIONS (the app process's NODE_OPTIONS).
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startAccelebitSandbox } from "../test/simulators/accelebit/server";
import { startShopifySimulator } from "../test/simulators/shopify";
import { createTestDatabase } from "../test/support/database";

const INTAKES = Number(process.env.SOAK_INTAKES ?? 100_000);
const CARD_EVERY = Number(process.env.SOAK_CARD_EVERY ?? 10);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const PROVIDERS = (process.env.SOAK_PROVIDERS ?? "sqlite,postgresql").split(",") as ("sqlite" | "postgresql")[];
const SHOP = "soak-shop.myshopify.com";
const TOKEN = "shpat_soak";
const KEY = "smtgw_sk_test_SoakKey000000001";
const METRICS_TOKEN = randomBytes(16).toString("hex");
const CARD = new URLSearchParams({ name: "Alice Smith", number: "4242424242424242", expiry: "12/39", cvc: "123" }).toString();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

interface Sample {
  intakes: number;
  cards: number;
  fds: number;
  rssMb: number;
  heapMb: number;
}

async function sample(pid: number, appUrl: string, intakes: number, cards: number): Promise<Sample> {
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const metrics = await (await fetch(`${appUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const heap = Number(/^accelebit_app_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN);
  return { intakes, cards, fds, rssMb: Math.round(rssMb), heapMb: Math.round(heap / 1e6) };
}

async function soak(provider: "sqlite" | "postgresql") {
  process.env.TEST_DATABASE_PROVIDER = provider;
  const database = await createTestDatabase();
  const sandbox = await startAccelebitSandbox();
  const shopify = await startShopifySimulator();
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "test" as const, // production requires Shopify's mutual TLS; the soak posts plain HTTP
    DATABASE_URL: database.url,
    SHOPIFY_API_KEY: "soak",
    SHOPIFY_API_SECRET: "soak-secret",
    SHOPIFY_APP_URL: appUrl,
    SCOPES: "write_payment_gateways,write_payment_sessions",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    METRICS_TOKEN,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    // e.g. --max-old-space-size=96: a heap that only looks big (uncollected garbage) keeps working under a cap; a leak dies.
    NODE_OPTIONS: process.env.SOAK_APP_NODE_OPTIONS ?? "",
  };
  execFileSync(process.execPath, ["--import", "tsx", "scripts/seed-shop.ts", "--shop", SHOP, "--access-token", TOKEN, "--accelebit-test-key", KEY], {
    env: { ...env, NODE_ENV: "development" as const },
    stdio: "ignore",
  });
  const app = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    for (let i = 0; i < 200 && !(await fetch(`${appUrl}/readyz`).catch(() => null))?.ok; i++) await new Promise((r) => setTimeout(r, 50));
    const pid = app.pid!;
    const samples: Sample[] = [];
    const print = (s: Sample) =>
      console.log(
        `${provider.padEnd(10)} intakes ${String(s.intakes).padStart(6)}  cards ${String(s.cards).padStart(5)}  fds ${String(s.fds).padStart(4)}  rss ${String(s.rssMb).padStart(4)} MB  heap ${String(s.heapMb).padStart(4)} MB`,
      );
    samples.push(await sample(pid, appUrl, 0, 0));
    print(samples[0]!);
    let next = 0;
    let cards = 0;
    let errors = 0;
    let nextSample = 10_000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < INTAKES) {
          const i = next++;
          try {
            const request = shopify.createPaymentSession({ shop: SHOP, amount: "49.99", currency: "EUR" });
            const delivery = await shopify.sendPaymentSession(`${appUrl}/shopify/payment`, request);
            if (delivery.status !== 201) errors++;
            else if (i % CARD_EVERY === 0) {
              const page = (delivery.body as { redirect_url: string }).redirect_url;
              const res = await fetch(page, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
                body: CARD,
                redirect: "manual",
              });
              await res.arrayBuffer();
              if (res.status === 303) cards++;
              else errors++;
            }
          } catch {
            errors++;
          }
          if (i + 1 >= nextSample) {
            nextSample += 10_000;
            const s = await sample(pid, appUrl, i + 1, cards);
            samples.push(s);
            print(s);
          }
        }
      }),
    );
    const end = await sample(pid, appUrl, INTAKES, cards);
    print(end);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${provider}: ${INTAKES} intakes and ${cards} card submissions in ${seconds.toFixed(0)} s, ${errors} errors; fds ${samples[0]!.fds} → ${end.fds}, RSS ${samples[0]!.rssMb} → ${end.rssMb} MB (peak ${Math.max(...samples.map((s) => s.rssMb), end.rssMb)} MB), heap ${samples[0]!.heapMb} → ${end.heapMb} MB`,
    );
  } finally {
    app.kill("SIGTERM");
    await new Promise((r) => (app.exitCode !== null ? r(null) : app.once("exit", r)));
    await Promise.all([sandbox.close(), shopify.close()]);
    await database.drop();
  }
}

for (const provider of PROVIDERS) await soak(provider);
process.exit(0);
