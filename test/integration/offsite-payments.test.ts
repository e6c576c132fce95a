import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import { threeDsChallengeUrl } from "../support/shopper-pages";

const SHOP = "pay-shop.myshopify.com";
const TOKEN = "shpat_pay_shop";
const KEY = "smtgw_sk_test_PayShopKey000001";
const CARD = { name: "Alice Smith", number: "4242 4242 4242 4242", expiry: "12/39", cvc: "123" };
const DECLINED = { ...CARD, number: "4000000000000002" };
const THREE_DS_GET = { ...CARD, number: "4000000000003220" };

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
    "/pay/:token/return": await import("~/routes/pay.$token.return"),
  });
  useAppEnv({
    DATABASE_URL: database.url,
    ACCELEBIT_API_URL: sandbox.url,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
    SHOPIFY_APP_URL: app.url,
    MAX_CARD_ATTEMPTS: "3",
    METRICS_TOKEN: "metrics-token-0123456789",
  });
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

async function newSession(params: { amount?: string; currency?: string; kind?: "sale" | "authorization" } = {}) {
  const request = shopify.createPaymentSession({ shop: SHOP, amount: params.amount ?? "49.99", currency: params.currency ?? "EUR", kind: params.kind });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
  expect(delivery.status).toBe(201);
  const redirectUrl = (delivery.body as { redirect_url: string }).redirect_url;
  return { request, redirectUrl, delivery };
}

function pay(pageUrl: string, card: Record<string, string>) {
  return fetch(pageUrl, { method: "POST", body: new URLSearchParams(card), redirect: "manual" });
}

const mutationsFor = (gid: string, field?: string) => shopify.mutations.filter((m) => m.sessionGid === gid && (!field || m.field === field));
const applied = (gid: string, field: string) => mutationsFor(gid, field).filter((m) => m.effect === "applied");
const capturedAtSandbox = () => sandbox.payments(KEY).filter((p) => p.status === "captured");

describe("payment session intake", () => {
  it("answers 201 with the card page URL; a retried and concurrent duplicates get the same bytes and one row", async () => {
    const { request, delivery } = await newSession();
    const retries = await Promise.all(Array.from({ length: 5 }, () => shopify.sendPaymentSession(`${app.url}/shopify/payment`, request)));
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.text).toBe(delivery.text);
    }
    expect((delivery.body as { redirect_url: string }).redirect_url).toMatch(new RegExp(`^${app.url}/pay/[A-Za-z0-9_-]{32}$`));
    expect(delivery.text).not.toContain(request.id);
    expect(await db().paymentSession.count({ where: { shopifyId: request.id } })).toBe(1);
    // Nothing is sent to Shopify for a session the shopper has not paid yet.
    expect(mutationsFor(request.gid)).toHaveLength(0);
  });

  it("refuses bad requests with a clear 4xx and stores nothing", async () => {
    const before = await db().paymentSession.count();
    const good = shopify.createPaymentSession({ shop: SHOP });
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${app.url}/shopify/payment`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
    const unknownShop = await post({ ...good.headers, "Shopify-Shop-Domain": "nobody.myshopify.com" }, JSON.stringify(good.body));
    expect(unknownShop.status).toBe(404);
    expect(await unknownShop.text()).toBe("Unknown shop nobody.myshopify.com: the app is not installed there");
    expect((await post(good.headers, "{not json")).status).toBe(400);
    const noHeaders = await post({}, JSON.stringify(good.body));
    expect(noHeaders.status).toBe(400);
    expect(await noHeaders.text()).toContain("Shopify-Shop-Domain must be a *.myshopify.com domain");
    const floatAmount = await post(good.headers, JSON.stringify({ ...good.body, amount: 12.5 }));
    expect(floatAmount.status).toBe(422);
    expect(await floatAmount.text()).toContain("amount must be a decimal string");
    const absurd = await post(good.headers, JSON.stringify({ ...good.body, amount: "99999999999999.00" }));
    expect(absurd.status).toBe(422);
    const huge = await post(good.headers, JSON.stringify({ ...good.body, padding: "x".repeat(100_000) }));
    expect(huge.status).toBe(413);
    expect(await db().paymentSession.count()).toBe(before);
  });

  it("a currency Accelebit cannot take is answered, then rejected with INVALID_CURRENCY", async () => {
    const { request } = await newSession({ amount: "12.345", currency: "KWD" });
    await expect.poll(() => applied(request.gid, "paymentSessionReject").length, { timeout: 20_000 }).toBe(1);
    const reject = applied(request.gid, "paymentSessionReject")[0]!;
    expect(reject.variables).toMatchObject({ reason: { code: "INVALID_CURRENCY" } });
    expect(String((reject.variables.reason as { merchantMessage: string }).merchantMessage)).toContain("KWD");
  });
});

describe("shopper card page", () => {
  it("shows the shop, the amount and the labelled form, with a strict CSP and no third-party resources", async () => {
    const { redirectUrl, request } = await newSession({ amount: "1234.50", currency: "EUR" });
    const res = await fetch(redirectUrl);
    expect(res.status).toBe(200);
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    for (const label of ["Name on card", "Card number", "Expiration date (MM/YY)", "Security code", "Cancel and return to checkout"])
      expect(html).toContain(label);
    expect(html).toContain("€1,234.50");
    expect(html).toContain("Pay €1,234.50");
    expect(html).toContain("pay-shop");
    expect(html).toContain(`href="${(request.body.payment_method.data as { cancel_url: string }).cancel_url}"`);
    expect(html).not.toMatch(/(src|href)="https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("checks the card on the server too: bad fields are a 422 with messages and nothing is charged", async () => {
    const { redirectUrl } = await newSession();
    const before = sandbox.payments(KEY).length;
    const res = await pay(redirectUrl, { name: "", number: "4242424242424241", expiry: "01/20", cvc: "1" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Enter the name shown on the card.");
    expect(html).toContain("This card number is not valid.");
    expect(html).toContain("This card has expired.");
    expect(html).toContain("Enter the 3-digit security code.");
    expect(html).not.toContain("4242424242424241");
    expect(sandbox.payments(KEY).length).toBe(before);
  });
});

describe("charging", () => {
  it("a captured payment is resolved once and the shopper is sent to Shopify's next action", async () => {
    const { redirectUrl, request } = await newSession();
    const before = capturedAtSandbox().length;
    const res = await pay(redirectUrl, CARD);
    expect(res.status).toBe(303);
    const resolve = applied(request.gid, "paymentSessionResolve");
    expect(resolve).toHaveLength(1);
    expect(res.headers.get("Location")).toBe(
      (resolve[0]!.answer as { data: { paymentSessionResolve: { paymentSession: { nextAction: { context: { redirectUrl: string } } } } } }).data
        .paymentSessionResolve.paymentSession.nextAction.context.redirectUrl,
    );
    expect(capturedAtSandbox().length).toBe(before + 1);
    const stored = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id }, include: { attempts: true } });
    expect(stored).toMatchObject({ status: "resolved", shopifyState: "RESOLVED", gatewayStatus: "captured" });
    expect(stored.attempts).toEqual([
      expect.objectContaining({ number: 1, status: "captured", cardBrand: "visa", cardLast4: "4242", idempotencyKey: `shopify-${request.id}-attempt-1` }),
    ]);
    // The merchant's timeline, in order, with brand and last four at most.
    const events = await db().sessionEvent.findMany({ where: { paymentSessionId: stored.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(events.map((e) => e.kind)).toEqual(["shopify.request", "attempt.submitted", "attempt.result", "decision", "mutation.sent"]);
    expect(events.map((e) => e.summary)).toEqual([
      "Shopify sent a test sale of 49.99 EUR",
      "Attempt 1: visa •••• 4242",
      "Attempt 1: Accelebit reports captured",
      "Decided to resolve: Accelebit confirmed the payment",
      "paymentSessionResolve → Shopify: RESOLVED",
    ]);
    expect(JSON.stringify(events)).not.toContain("4242424242424242");
    // The page now forwards to Shopify.
    const again = await fetch(redirectUrl, { redirect: "manual" });
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe(res.headers.get("Location"));
  });

  it("a decline shows an honest message, and the next card succeeds", async () => {
    const { redirectUrl, request } = await newSession();
    const declined = await pay(redirectUrl, DECLINED);
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain("Your card was declined. Try another card or contact your bank.");
    expect(mutationsFor(request.gid)).toHaveLength(0);
    const ok = await pay(redirectUrl, CARD);
    expect(ok.status).toBe(303);
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    const attempts = await db().paymentAttempt.findMany({ where: { paymentSession: { shopifyId: request.id } }, orderBy: { number: "asc" } });
    expect(attempts.map((a) => [a.number, a.status, a.errorName])).toEqual([
      [1, "failed", "DECLINED"],
      [2, "captured", null],
    ]);
  });

  it("after the last allowed attempt the session is rejected with CARD_DECLINED and the shopper returns to checkout", async () => {
    const { redirectUrl, request } = await newSession();
    await pay(redirectUrl, DECLINED);
    await pay(redirectUrl, DECLINED);
    const last = await pay(redirectUrl, DECLINED);
    expect(last.status).toBe(303);
    const reject = applied(request.gid, "paymentSessionReject");
    expect(reject).toHaveLength(1);
    expect(reject[0]!.variables).toMatchObject({ reason: { code: "CARD_DECLINED" } });
    expect(String((reject[0]!.variables.reason as { merchantMessage: string }).merchantMessage)).toContain("CARD_DECLINED");
    expect(last.headers.get("Location")).toContain("/__sim/checkout/");
    // The form is closed: a further submission charges nothing.
    const before = sandbox.payments(KEY).length;
    expect((await pay(redirectUrl, CARD)).status).toBe(303);
    expect(sandbox.payments(KEY).length).toBe(before);
  });

  it("a live session in a shop without a live key is rejected with PROCESSING_ERROR, and nothing is charged", async () => {
    const request = shopify.createPaymentSession({ shop: SHOP, amount: "20.00", currency: "EUR", test: false });
    const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
    const before = sandbox.requests().length;
    const res = await pay((delivery.body as { redirect_url: string }).redirect_url, CARD);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toContain("/__sim/checkout/");
    expect(sandbox.requests().length).toBe(before);
    const reject = applied(request.gid, "paymentSessionReject");
    expect(reject).toHaveLength(1);
    expect(reject[0]!.variables).toMatchObject({
      reason: {
        code: "PROCESSING_ERROR",
        merchantMessage: "No Accelebit live key is configured for this shop. Add the right key on the Accelebit settings page.",
      },
    });
  });

  it("a double-clicked Pay charges once; both requests end on the same page", async () => {
    const { redirectUrl, request } = await newSession();
    const before = capturedAtSandbox().length;
    const [first, second] = await Promise.all([pay(redirectUrl, CARD), pay(redirectUrl, CARD)]);
    expect(capturedAtSandbox().length).toBe(before + 1);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    expect(await db().paymentAttempt.count({ where: { paymentSession: { shopifyId: request.id } } })).toBe(1);
  });

  it("a 3-D Secure GET challenge is reached through our own page, not a redirect of the form post, and the card page allows no Accelebit origin", async () => {
    const { redirectUrl } = await newSession();
    const form = await fetch(redirectUrl);
    const formAction = /form-action ([^;]+)/.exec(form.headers.get("Content-Security-Policy")!)![1]!;
    expect(formAction).toBe(`'self' https: ${shopify.url}`);
    const res = await pay(redirectUrl, THREE_DS_GET);
    expect(res.headers.get("Location")).toBeNull();
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    const challengeUrl = await threeDsChallengeUrl(res);
    expect(challengeUrl).toMatch(new RegExp(`^${sandbox.url}/3ds/challenge/`));
  });

  it("a bank page that is not https (and not this machine's sandbox) is never opened: the shopper is told and nothing is charged", async () => {
    const { bankUrlAllowed } = await import("~/payments/shopper-pages.server");
    expect(bankUrlAllowed("https://acs.issuer.example/challenge?x=1", true)).toBe(true);
    expect(bankUrlAllowed("http://acs.issuer.example/challenge", true)).toBe(false);
    expect(bankUrlAllowed("http://127.0.0.1:4010/3ds/challenge/x", true)).toBe(false);
    expect(bankUrlAllowed("http://127.0.0.1:4010/3ds/challenge/x", false)).toBe(true);
    expect(bankUrlAllowed("http://localhost:4010/3ds/challenge/x", false)).toBe(true);
    expect(bankUrlAllowed("http://acs.issuer.example/challenge", false)).toBe(false);
    expect(bankUrlAllowed("https://user:pass@acs.issuer.example/", true)).toBe(false);
    expect(bankUrlAllowed("javascript:alert(1)", false)).toBe(false);
    expect(bankUrlAllowed("not a url", false)).toBe(false);

    const { respondToOutcome } = await import("~/payments/shopper-flow.server");
    const { redirectUrl, request } = await newSession();
    const token = new URL(redirectUrl).pathname.split("/").pop()!;
    const outcome = { kind: "three-ds", challenge: { method: "GET", redirectUrl: "http://acs.issuer.example/challenge", parameters: {} } };
    const res = await respondToOutcome(token, outcome as never);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Your bank's verification page is not on a secure connection, so we did not open it.");
    expect(page).not.toContain("acs.issuer.example");
    expect(res.headers.get("Location")).toBeNull();
    expect(capturedAtSandbox().filter((p) => p.merchantRef === request.id)).toHaveLength(0);
  });

  it("a forged 3-D Secure return (query saying success) does not resolve while Accelebit says pending", async () => {
    const { redirectUrl, request } = await newSession();
    const res = await pay(redirectUrl, THREE_DS_GET);
    expect((await threeDsChallengeUrl(res)).startsWith(`${sandbox.url}/3ds/challenge/`)).toBe(true);
    const forged = await fetch(`${redirectUrl}/return?status=captured&success=true&paymentId=anything`, { redirect: "manual" });
    expect(forged.status).toBe(200);
    expect(await forged.text()).toContain("Waiting for your bank");
    expect(mutationsFor(request.gid)).toHaveLength(0);
    expect((await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } })).status).toBe("three_ds");
  });
});

describe("metrics", () => {
  it("/metrics is for the operator only and reports sessions, gateway latency and the job queue", async () => {
    const { loader } = await import("~/routes/metrics");
    const call = (authorization?: string) =>
      loader({ request: new Request(`${app.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} }), params: {}, context: {} });
    expect((await call()).status).toBe(401);
    expect((await call("Bearer wrong-token-000000000000")).status).toBe(401);
    const res = await call("Bearer metrics-token-0123456789");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^payment_sessions\{status="resolved"\} [1-9]\d*$/m);
    expect(text).toMatch(/^accelebit_gateway_request_seconds_count\{method="POST",path="\/v1\/payments",status="201"\} [1-9]\d*$/m);
    expect(text).toMatch(/^shopify_payments_api_request_seconds_count\{status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^jobs\{status="done"\} [1-9]\d*$/m);
    expect(text).toMatch(/^jobs_oldest_due_age_seconds \d/m);
  });
});

describe("shoppers who leave", () => {
  /** Time passes: the sweeper settles what is due (deadlines), and the jobs it wrote run. */
  async function runDeadlines(minutesLater: number) {
    const { createWorker } = await import("~/jobs");
    const { logger } = await import("~/lib/logger");
    const { sweep } = await import("~/payments/sweeper.server");
    const { chargeDeps } = await import("~/payments/charge-deps.server");
    const now = () => new Date(Date.now() + minutesLater * 60_000);
    await sweep(chargeDeps(), now());
    const later = createWorker({ handlers: background.JOB_HANDLERS, logger, now, workerId: "deadline" });
    await later.runDueJobs();
  }

  it("a session left without a card is rejected at its deadline, not before", async () => {
    const { request } = await newSession();
    await runDeadlines(10);
    expect(mutationsFor(request.gid)).toHaveLength(0);
    await runDeadlines(31);
    const reject = applied(request.gid, "paymentSessionReject");
    expect(reject).toHaveLength(1);
    expect(reject[0]!.variables).toMatchObject({ reason: { code: "CANCELLED_PAYMENT", merchantMessage: "The shopper left the card page without paying." } });
  });

  it("a 3-D Secure challenge still open when the shopper leaves becomes pending (within 3 days), never rejected", async () => {
    const { redirectUrl, request } = await newSession();
    await threeDsChallengeUrl(await pay(redirectUrl, THREE_DS_GET));
    await runDeadlines(31);
    const pending = applied(request.gid, "paymentSessionPending");
    expect(pending).toHaveLength(1);
    expect(pending[0]!.variables).toMatchObject({ reason: "PARTNER_ACTION_REQUIRED" });
    const expiresAt = Date.parse(String(pending[0]!.variables.pendingExpiresAt));
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(3 * 24 * 60 * 60 * 1000);
    expect(expiresAt - Date.now()).toBeGreaterThan(2 * 24 * 60 * 60 * 1000);
    expect(applied(request.gid, "paymentSessionReject")).toHaveLength(0);
    expect((await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } })).status).toBe("pending");
  });
});

describe("durable delivery", () => {
  it("Payments Apps 5xx and THROTTLED for a while: the resolve still lands exactly once", async () => {
    const { redirectUrl, request } = await newSession();
    shopify.injectFaults([
      { kind: "http-5xx", count: 2, fields: ["paymentSessionResolve"] },
      { kind: "throttled", count: 1, fields: ["paymentSessionResolve"] },
    ]);
    const res = await pay(redirectUrl, CARD);
    // Shopify did not acknowledge in time: the shopper waits on a page that refreshes.
    expect(res.status).toBe(200);
    const waiting = await res.text();
    expect(waiting).toContain("Finishing your payment");
    expect(waiting).toContain('<meta http-equiv="refresh" content="2">');
    const { createWorker } = await import("~/jobs");
    const { logger } = await import("~/lib/logger");
    let clock = Date.now();
    const later = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "fast-forward" });
    for (let i = 0; i < 10 && applied(request.gid, "paymentSessionResolve").length === 0; i++) {
      clock += 60 * 60 * 1000; // an hour later
      await later.runDueJobs();
    }
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    expect(shopify.injectedFaults.filter((f) => f.fields.includes("paymentSessionResolve"))).toHaveLength(3);
    const page = await fetch(redirectUrl, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toContain("/__sim/orders/");
  });

  it("a job left pending when the process stopped is delivered by the next process", async () => {
    await background.stopBackgroundWorker();
    const { redirectUrl, request } = await newSession();
    const res = await pay(redirectUrl, CARD); // decided and written, but no worker runs
    expect(res.status).toBe(200);
    expect(mutationsFor(request.gid)).toHaveLength(0);
    const job = await db().job.findFirstOrThrow({
      where: {
        dedupeKey: { startsWith: "finalize:" },
        status: "pending",
        payload: { contains: (await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } })).id },
      },
    });
    expect(job.attempts).toBe(0);

    const { createWorker } = await import("~/jobs");
    const { logger } = await import("~/lib/logger");
    const restarted = createWorker({ handlers: background.JOB_HANDLERS, logger, workerId: "after-restart" });
    await restarted.runDueJobs();
    expect(applied(request.gid, "paymentSessionResolve")).toHaveLength(1);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("done");
    background.startBackgroundWorker();
  });
});
