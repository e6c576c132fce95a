/**
 * The world the payments model runs in: a fresh database, the Accelebit and Accrue sandboxes and
 * the Shopify simulator in this process, the app's real routes over HTTP for what Shopify and
 * Accelebit send (session requests, webhooks) and for the shopper's page of an Accrue session
 * (GET/POST /pay/:token), and the app's real use cases and jobs for what the shopper and the
 * background do. One clock for everything (Date is faked; timers are real), moved only
 * by the model, so a seed replays the same interleaving.
 */
import { randomBytes } from "node:crypto";
import { vi } from "vitest";
import { generateCardKeyPairForTest } from "../card-decryption/encrypt-for-test";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startAccrueSandbox, type AccrueSandbox } from "../simulators/accrue/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { appEnv } from "../support/app-env";

export const SHOP = "model-shop.myshopify.com";
const ACCESS_TOKEN = "shpat_model_shop";
const TEST_KEY = "smtgw_sk_test_ModelShopKey00001";
export const LIVE_KEY = "smtgw_sk_live_ModelShopKey00001";
const WEBHOOK_SECRET = "model-webhook-signing-secret-0123";
const FINGERPRINT = "5eed".padEnd(64, "0");
const cardKeys = generateCardKeyPairForTest();
/** The shop's Accrue sandbox account (test mode), and another merchant's account at the same sandbox. */
export const ACCRUE_MERCHANT = {
  clientId: "5b0c7d0e-3f7a-4c1e-9a55-acc0e0000a01",
  clientSecret: "a".repeat(24) + "0123456789abcdef0123456789abcdef0123456789ab",
} as const;
export const OTHER_ACCRUE_MERCHANT = {
  clientId: "5b0c7d0e-3f7a-4c1e-9a55-acc0e0000b02",
  clientSecret: "b".repeat(24) + "0123456789abcdef0123456789abcdef0123456789ab",
} as const;

type App = typeof import("~/payments/charge.server") & {
  db: typeof import("~/db.server").db;
  sweep: typeof import("~/payments/sweeper.server").sweep;
  receiveConfirmation: typeof import("~/payments/card/confirmation.server").receiveConfirmation;
  createJobHandlers: typeof import("~/background.server").createJobHandlers;
  jobs: typeof import("~/jobs");
  claimNextJob: typeof import("~/jobs/claim.server").claimNextJob;
  secretBox: typeof import("~/lib/secret-box.server").secretBox;
  credentials: typeof import("~/merchants/credentials.server");
  createAccelebitPaymentGateway: typeof import("~/accelebit/payment-gateway").createAccelebitPaymentGateway;
  createAccruePaymentGateway: typeof import("~/accrue/payment-gateway").createAccruePaymentGateway;
  cardKeyring: typeof import("~/payments/card/keyring.server").cardKeyring;
  logger: typeof import("~/lib/logger").logger;
};

/** How the shopper's next card submission dies with the process: before its POST leaves, or after Accelebit answered. */
export type Crash = "before-post" | "after-post";
/** Which POST the crash is armed on: Accelebit's charge, or Accrue's authorize or capture of a wallet submission. */
export type CrashPoint = "accelebit-charge" | "accrue-authorize" | "accrue-capture";

export interface World {
  sandbox: AccelebitSandbox;
  accrue: AccrueSandbox;
  shopify: ShopifySimulator;
  appUrl: string;
  app: App;
  shopId: string;
  deps: import("~/payments/charge.server").ChargeDeps;
  worker: import("~/jobs").Worker;
  handlers: import("~/jobs").JobHandlers;
  /** Makes the next POST /v1/payments of the app (or Accrue's authorize or capture) "crash": resolves once it did. */
  armCrash(crash: Crash, at?: CrashPoint): Promise<void>;
  disarmCrash(): void;
  advance(ms: number): void;
  /** Forgets Accelebit's records of earlier runs (their sessions are all settled), so each run's lookups stay small. */
  forgetEarlierRuns(): void;
  removeLiveKey(): Promise<void>;
  restoreLiveKey(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-01T12:00:00.000Z") });
  const database: TestDatabase = await createTestDatabase();
  const sandbox = await startAccelebitSandbox({ behaviour: { webhooks: "held" }, sleep: async () => {}, webhookRetry: { maxAttempts: 2, baseDelayMs: 1 } });
  // Accrue's sandbox runs on the same (faked) clock; a reset keeps both merchants.
  const accrue = await startAccrueSandbox({
    merchants: [
      { ...ACCRUE_MERCHANT, name: "Model shop" },
      { ...OTHER_ACCRUE_MERCHANT, name: "Another shop" },
    ],
    webhookRetry: { maxAttempts: 2, baseDelayMs: 1 },
    sleep: async () => {},
    random: () => 0.5,
  });
  const shopify = await startShopifySimulator();
  const server = await startAppServer({
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/shopify/card/payment": await import("~/routes/shopify.card.payment"),
    "/shopify/refund": await import("~/routes/shopify.refund"),
    "/shopify/accrue/payment": await import("~/routes/shopify.accrue.payment"),
    "/shopify/accrue/refund": await import("~/routes/shopify.accrue.refund"),
    "/pay/:token": await import("~/routes/pay.$token"),
    "/webhooks/accelebit/:token": await import("~/routes/webhooks.accelebit.$token"),
  });
  // The app reads its configuration once, on first use: set it before any app module runs.
  Object.assign(
    process.env,
    appEnv({
      DATABASE_URL: database.url,
      ACCELEBIT_API_URL: sandbox.url,
      ACCRUE_API_URL: accrue.url,
      ACCRUE_SANDBOX_API_URL: accrue.url,
      ACCRUE_SANDBOX_WIDGET_URL: `${accrue.url}/main.js`,
      ACCRUE_REQUESTS_PER_MINUTE: "10000",
      SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
      SHOPIFY_APP_URL: server.url,
      MAX_CARD_ATTEMPTS: "3",
      ABANDON_AFTER_MINUTES: "30",
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      CARD_DECRYPTION_KEYS: JSON.stringify([{ fingerprint: FINGERPRINT, privateKeyPem: cardKeys.privateKeyPem }]),
    }),
  );
  const app: App = {
    ...(await import("~/payments/charge.server")),
    db: (await import("~/db.server")).db,
    sweep: (await import("~/payments/sweeper.server")).sweep,
    receiveConfirmation: (await import("~/payments/card/confirmation.server")).receiveConfirmation,
    createJobHandlers: (await import("~/background.server")).createJobHandlers,
    jobs: await import("~/jobs"),
    claimNextJob: (await import("~/jobs/claim.server")).claimNextJob,
    secretBox: (await import("~/lib/secret-box.server")).secretBox,
    credentials: await import("~/merchants/credentials.server"),
    createAccelebitPaymentGateway: (await import("~/accelebit/payment-gateway")).createAccelebitPaymentGateway,
    createAccruePaymentGateway: (await import("~/accrue/payment-gateway")).createAccruePaymentGateway,
    cardKeyring: (await import("~/payments/card/keyring.server")).cardKeyring,
    logger: (await import("~/lib/logger")).logger,
  };
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const shop = await seedShop(
    {
      shop: SHOP,
      accessToken: ACCESS_TOKEN,
      accelebitTestKey: TEST_KEY,
      accelebitLiveKey: LIVE_KEY,
      webhookSecret: WEBHOOK_SECRET,
      scopes: "write_payment_gateways,write_payment_sessions",
    },
    app.secretBox(),
  );
  shopify.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });
  shopify.setCardEncryptionKey({ publicKeyPem: cardKeys.publicKeyPem, fingerprint: FINGERPRINT });
  // Shopify's confirmation callback is one of the model's moves, not a timer.
  shopify.setConfirmationCallbackUrl(null);
  const configureWebhooks = () => sandbox.configureWebhooks({ url: `${server.url}/webhooks/accelebit/${shop.webhookToken}`, secret: WEBHOOK_SECRET }, LIVE_KEY);
  configureWebhooks();

  // The process dies in the middle of a shopper's card submission: the request is sent (or not)
  // and nothing ever comes back; the submission's promise is simply abandoned.
  let armed: { crash: Crash; at: CrashPoint; crashed: () => void } | null = null;
  const crashesHere = (at: CrashPoint, path: string) =>
    at === "accelebit-charge"
      ? path === "/v1/payments"
      : at === "accrue-authorize"
        ? /^\/api\/v1\/payment-intents\/[^/]+\/authorize$/.test(path)
        : /^\/api\/v1\/payments\/[^/]+\/capture$/.test(path);
  const crashableFetch: typeof fetch = async (input, init) => {
    const target = String(input instanceof Request ? input.url : input);
    if (armed && init?.method === "POST" && crashesHere(armed.at, new URL(target).pathname)) {
      const { crash, crashed } = armed;
      armed = null;
      if (crash === "after-post")
        await fetch(input, init).then(
          (r) => r.arrayBuffer(),
          () => null,
        );
      crashed();
      return new Promise<Response>(() => {});
    }
    return fetch(input, init);
  };
  const gateway = app.createAccelebitPaymentGateway({
    baseUrl: sandbox.url,
    logger: app.logger,
    fetch: crashableFetch,
    sleep: async () => {},
    timeoutMs: 5_000,
  });
  // Accrue's adapter as the app wires it, but never really waiting (backoff, Retry-After) and
  // with its own unlimited rate budget: the model's clock stands still between its moves.
  // The budget's waits (a 429 pauses everyone) pass on a clock of its own, since the model's does not move.
  const { createRateBudget } = await import("~/accrue");
  const noWait = async () => {};
  let budgetWaited = 0;
  const budget = createRateBudget({
    perMinute: 1e9,
    now: () => Date.now() + budgetWaited,
    sleep: async (ms) => {
      budgetWaited += ms;
    },
  });
  const accrueGateway = app.createAccruePaymentGateway({
    liveBaseUrl: accrue.url,
    sandboxBaseUrl: accrue.url,
    logger: app.logger,
    fetch: crashableFetch,
    client: { sleep: noWait, random: () => 0.5, budget, timeouts: { getMs: 5_000, writeMs: 5_000 } },
    widget: { liveScriptUrl: `${accrue.url}/main.js`, sandboxScriptUrl: `${accrue.url}/main.js` },
  });
  const gateways = (id: string) => (id === "accrue" ? accrueGateway : gateway);
  const deps = { gateways, box: app.secretBox(), appUrl: server.url, maxAttempts: 3, now: () => new Date() };
  const handlers = app.createJobHandlers({ charge: () => deps, card: () => ({ ...deps, keyring: app.cardKeyring }) });
  const worker = app.jobs.createWorker({ handlers, logger: app.logger, workerId: "model-worker", concurrency: 1, leaseMs: 2 * 60_000 });
  const liveKey = { shopId: shop.id, gateway: "accelebit", mode: "live" } as const;
  await app.credentials.saveCredentials(
    app.db(),
    app.secretBox(),
    { shopId: shop.id, gateway: "accrue", mode: "test" },
    { secret: ACCRUE_MERCHANT.clientSecret, publicId: ACCRUE_MERCHANT.clientId },
  );

  return {
    sandbox,
    accrue,
    shopify,
    appUrl: server.url,
    app,
    shopId: shop.id,
    deps,
    worker,
    handlers,
    armCrash(crash, at = "accelebit-charge") {
      return new Promise((resolve) => {
        armed = { crash, at, crashed: resolve };
      });
    },
    forgetEarlierRuns() {
      sandbox.reset();
      configureWebhooks();
      accrue.reset();
    },
    disarmCrash() {
      armed = null;
    },
    advance(ms) {
      vi.setSystemTime(Date.now() + ms);
    },
    async removeLiveKey() {
      await app.credentials.removeCredentials(app.db(), liveKey);
    },
    async restoreLiveKey() {
      await app.credentials.saveCredentials(app.db(), app.secretBox(), liveKey, { secret: LIVE_KEY, publicId: null });
    },
    async close() {
      await worker.stop();
      await app.db().$disconnect();
      await Promise.all([sandbox.close(), accrue.close(), shopify.close(), server.close()]);
      await database.drop();
      vi.useRealTimers();
    },
  };
}
