import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import type { Worker } from "~/jobs";

/**
 * Refund sessions end to end: Shopify's simulator sends them to the real routes, the jobs make
 * the refunds at the Accelebit sandbox and tell Shopify. Payments are made through the real
 * flow first (intake, then a card on the pay page). The refund jobs are run by a worker whose
 * clock the test moves, so retries happen without waiting.
 */

const SHOP = "refund-shop.myshopify.com";
const TOKEN = "shpat_refund_shop";
const KEY = "smtgw_sk_test_RefundShopKey0001";
const OTHER_SHOP = "other-refund-shop.myshopify.com";
const OTHER_TOKEN = "shpat_other_refund_shop";
const OTHER_KEY = "smtgw_sk_test_OtherRefundKey001";
const CARD = { name: "Alice Smith", number: "4242 4242 4242 4242", expiry: "12/39", cvc: "123" };

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");
let worker: Worker;
let clock = Date.now();

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startAccelebitSandbox();
  shopify = await startShopifySimulator();
  app = await startAppServer({
    "/shopify/payment": await import("~/routes/shopify.payment"),
    "/pay/:token": await import("~/routes/pay.$token"),
    "/shopify/refund": await import("~/routes/shopify.refund"),
  });
  useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: sandbox.url, SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url, SHOPIFY_APP_URL: app.url });
  ({ db } = await import("~/db.server"));
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  await seedShop({ shop: SHOP, accessToken: TOKEN, accelebitTestKey: KEY, scopes: "write_payment_gateways,write_payment_sessions" }, secretBox());
  await seedShop(
    { shop: OTHER_SHOP, accessToken: OTHER_TOKEN, accelebitTestKey: OTHER_KEY, scopes: "write_payment_gateways,write_payment_sessions" },
    secretBox(),
  );
  shopify.registerShop({ shop: SHOP, accessToken: TOKEN });
  shopify.registerShop({ shop: OTHER_SHOP, accessToken: OTHER_TOKEN });
  background = await import("~/background.server");
  // The payment flow waits for its own resolve: the process's worker delivers it.
  background.startBackgroundWorker();
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  worker = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "refunds-test" });
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

/**
 * Runs what is due `advanceMs` from now. Jobs written while answering Shopify wait a short
 * grace (Shopify must have our answer first), so the default steps past it; it stays well
 * below the process worker's lease, so the two workers never take a job from each other.
 */
async function runJobs(advanceMs = 10_000) {
  clock = Math.max(clock, Date.now()) + advanceMs;
  await worker.runDueJobs();
}

async function paidPayment(params: { shop?: string; amount?: string; currency?: string } = {}) {
  const request = shopify.createPaymentSession({ shop: params.shop ?? SHOP, amount: params.amount ?? "49.99", currency: params.currency ?? "EUR" });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
  expect(delivery.status).toBe(201);
  await fetch((delivery.body as { redirect_url: string }).redirect_url, { method: "POST", body: new URLSearchParams(CARD), redirect: "manual" });
  await expect.poll(() => shopify.sessionState(request.gid)?.status, { timeout: 10_000 }).toBe("resolved");
  const stored = await db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id } });
  expect(stored.gatewayStatus).toBe("captured");
  return { request, stored, gatewayPaymentId: stored.gatewayPaymentId! };
}
type Payment = Awaited<ReturnType<typeof paidPayment>>;

function refundRequest(payment: Payment, params: { amount?: string; currency?: string } = {}) {
  return shopify.createRefundSession({ paymentId: payment.request.id, ...params });
}
type RefundRequest = ReturnType<typeof refundRequest>;

const send = (request: RefundRequest) => shopify.sendRefundSession(`${app.url}/shopify/refund`, request);

async function refund(payment: Payment, params: { amount?: string; currency?: string } = {}) {
  const request = refundRequest(payment, params);
  const delivery = await send(request);
  expect(delivery.status).toBe(201);
  expect(delivery.text).toBe("");
  return request;
}

const mutationsFor = (gid: string) => shopify.mutations.filter((m) => m.sessionGid === gid);
const refundsOf = (payment: Payment, key = KEY) => sandbox.refunds(key).filter((r) => r.transactionId === payment.gatewayPaymentId);
const refundPosts = (request: RefundRequest) =>
  sandbox.requests().filter((r) => r.method === "POST" && r.path === "/v1/refunds" && r.idempotencyKey === `shopify-refund-${request.id}`);
const stored = (request: RefundRequest) => db().refundSession.findFirstOrThrow({ where: { shopifyId: request.id } });

function expectResolved(request: RefundRequest) {
  expect(mutationsFor(request.gid)).toEqual([expect.objectContaining({ field: "refundSessionResolve", variables: { id: request.gid }, effect: "applied" })]);
  expect(shopify.sessionState(request.gid)?.status).toBe("resolved");
}

function expectRejected(request: RefundRequest, merchantMessage: string | RegExp) {
  expect(mutationsFor(request.gid)).toEqual([
    expect.objectContaining({
      field: "refundSessionReject",
      variables: {
        id: request.gid,
        reason: { code: "PROCESSING_ERROR", merchantMessage: typeof merchantMessage === "string" ? merchantMessage : expect.stringMatching(merchantMessage) },
      },
      effect: "applied",
    }),
  ]);
  expect(shopify.sessionState(request.gid)?.status).toBe("rejected");
}

describe("refunds", () => {
  it("a full refund: 201 with an empty body at once, then one Accelebit refund and one resolve", async () => {
    const payment = await paidPayment();
    const request = await refund(payment);
    // Answered and reserved; nothing sent anywhere yet.
    expect(await stored(request)).toMatchObject({ status: "processing", paymentSessionId: payment.stored.id, currency: "EUR", test: true });
    expect(mutationsFor(request.gid)).toHaveLength(0);

    await runJobs();
    expectResolved(request);
    const refunds = refundsOf(payment);
    expect(refunds).toEqual([expect.objectContaining({ amount: "49.99", currency: "EUR", status: "created", reason: `Shopify refund ${request.id}` })]);
    expect(refundPosts(request).map((r) => r.status)).toEqual([201]);
    const row = await stored(request);
    expect(row).toMatchObject({ status: "resolved", gatewayRefundId: refunds[0]!.id, rejectReason: null });
    expect(row.amount.toFixed(2)).toBe("49.99");
    expect(row.finalizedAt).toBeInstanceOf(Date);
  });

  it("two partial refunds add up to the captured amount", async () => {
    const payment = await paidPayment();
    const first = await refund(payment, { amount: "20.00" });
    const second = await refund(payment, { amount: "29.99" });
    await runJobs();
    expectResolved(first);
    expectResolved(second);
    // Two jobs run side by side: which refund reaches Accelebit first is not defined.
    expect(
      refundsOf(payment)
        .map((r) => r.amount)
        .sort(),
    ).toEqual(["20.00", "29.99"]);
    expect(sandbox.payments(KEY).find((p) => p.id === payment.gatewayPaymentId)?.refundedAmount).toBe("49.99");
  });

  it("a refund beyond what is left is rejected without asking Accelebit", async () => {
    const payment = await paidPayment();
    const first = await refund(payment, { amount: "30.00" });
    const second = await refund(payment, { amount: "20.00" });
    // Decided at once: the first one's reservation already counts.
    expect(await stored(second)).toMatchObject({ status: "rejecting", rejectReason: "PROCESSING_ERROR" });
    await runJobs();
    expectResolved(first);
    expectRejected(second, "A refund of 20.00 EUR is more than is left to refund on this payment (19.99 EUR of 49.99 EUR); no refund was made.");
    expect(refundPosts(second)).toHaveLength(0);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["30.00"]);
    expect(await stored(second)).toMatchObject({ status: "rejected", gatewayRefundId: null });
  });

  it("concurrent refunds that together exceed the payment: only what fits goes through", async () => {
    const payment = await paidPayment();
    // Six refunds of 10.00 against 49.99 at once: four fit. Checking and reserving under the
    // payment's lock is what keeps a fifth from slipping through between check and insert.
    const requests = Array.from({ length: 6 }, () => refundRequest(payment, { amount: "10.00" }));
    const deliveries = await Promise.all(requests.map(send));
    expect(deliveries.map((d) => [d.status, d.text])).toEqual(requests.map(() => [201, ""]));
    await runJobs();
    const rows = await Promise.all(requests.map(stored));
    expect(rows.filter((r) => r.status === "resolved")).toHaveLength(4);
    expect(rows.filter((r) => r.status === "rejected")).toHaveLength(2);
    for (const [i, request] of requests.entries()) {
      const field = rows[i]!.status === "resolved" ? "refundSessionResolve" : "refundSessionReject";
      expect(mutationsFor(request.gid).map((m) => [m.field, m.effect])).toEqual([[field, "applied"]]);
    }
    // Refused before Accelebit was asked (Accelebit would refuse too, but must not be the guard).
    expect(requests.flatMap(refundPosts)).toHaveLength(4);
    expect(rows.filter((r) => r.status === "rejected").map((r) => r.merchantMessage)).toEqual([
      "A refund of 10.00 EUR is more than is left to refund on this payment (9.99 EUR of 49.99 EUR); no refund was made.",
      "A refund of 10.00 EUR is more than is left to refund on this payment (9.99 EUR of 49.99 EUR); no refund was made.",
    ]);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["10.00", "10.00", "10.00", "10.00"]);
  });

  it("Shopify retrying the request (again and concurrently) gets the same answer; one row, one Accelebit refund", async () => {
    const payment = await paidPayment();
    const request = await refund(payment, { amount: "10.00" });
    const retries = await Promise.all([send(request), send(request), send(request)]);
    expect(retries.map((r) => [r.status, r.text])).toEqual([
      [201, ""],
      [201, ""],
      [201, ""],
    ]);
    await runJobs();
    const late = await send(request);
    expect([late.status, late.text]).toEqual([201, ""]);
    await runJobs();
    expect(await db().refundSession.count({ where: { shopifyId: request.id } })).toBe(1);
    expect(refundPosts(request)).toHaveLength(1);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["10.00"]);
    expectResolved(request);
  });

  it("Accelebit 5xx: the job retries later with the same Idempotency-Key, never rejects, and refunds once", async () => {
    const payment = await paidPayment();
    sandbox.setFaults({ serverErrors: { status: 503, count: 3, match: "POST /v1/refunds" } });
    const from = sandbox.requests().length;
    const request = await refund(payment, { amount: "15.00" });
    await runJobs();
    // The client's own quick retries met the same outage: the job is parked, the refund still open.
    expect(mutationsFor(request.gid)).toHaveLength(0);
    expect(refundsOf(payment)).toHaveLength(0);
    expect(await stored(request)).toMatchObject({ status: "processing" });
    const job = await db().job.findFirstOrThrow({ where: { dedupeKey: `refund:${(await stored(request)).id}` } });
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.lastError).toContain("UNAVAILABLE");

    await runJobs(60_000); // past the first retry delay
    expectResolved(request);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["15.00"]);
    // The injected 5xx come before Accelebit reads the key; the one it processed carries ours.
    const posts = sandbox
      .requests()
      .slice(from)
      .filter((r) => r.method === "POST" && r.path === "/v1/refunds");
    expect(posts.map((r) => r.status)).toEqual([503, 503, 503, 201]);
    expect(refundPosts(request)).toHaveLength(1);
    expect(await db().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "done", attempts: 2 });
    sandbox.clearFaults();
  });

  it("Accelebit recorded the refund but the answer was lost (5xx after recording, dropped connection): still one refund", async () => {
    const payment = await paidPayment();
    sandbox.setFaults({ serverErrors: { status: 502, count: 3, afterRecording: true, match: "POST /v1/refunds" } });
    const afterFiveHundreds = await refund(payment, { amount: "5.00" });
    await runJobs();
    await runJobs(60_000);
    expectResolved(afterFiveHundreds);
    sandbox.setFaults({ dropConnection: { count: 1, match: "POST /v1/refunds" } });
    const afterDrop = await refund(payment, { amount: "6.00" });
    await runJobs();
    await runJobs(60_000);
    expectResolved(afterDrop);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["5.00", "6.00"]);
    sandbox.clearFaults();
  });

  it("past the life of Accelebit's Idempotency-Key the job stops rather than risk a second refund", async () => {
    const payment = await paidPayment();
    const request = await refund(payment, { amount: "7.00" });
    const row = await stored(request);
    // As if the refund had first been sent a day ago and Accelebit had been failing ever since
    // (the key's life counts from that first send: docs/decisions/0014-idempotency-window-from-first-send.md).
    const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();
    await db().job.updateMany({
      where: { dedupeKey: `refund:${row.id}` },
      data: { payload: JSON.stringify({ refundSessionId: row.id, firstSentAt: dayAgo }) },
    });
    await runJobs();
    const job = await db().job.findFirstOrThrow({ where: { dedupeKey: `refund:${row.id}` } });
    expect(job).toMatchObject({ status: "dead", attempts: 1 });
    expect(job.lastError).toContain("check Accelebit before retrying");
    expect(refundPosts(request)).toHaveLength(0);
    expect(mutationsFor(request.gid)).toHaveLength(0);
    expect(await stored(request)).toMatchObject({ status: "processing" });
  });

  it("a final refusal by Accelebit is rejected with its reason for the merchant", async () => {
    const payment = await paidPayment();
    // Refunded at Accelebit directly (outside Shopify): our books still see 49.99 left, Accelebit 9.99.
    const outside = await fetch(`${sandbox.url}/v1/refunds`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": KEY, "Idempotency-Key": `outside-${payment.request.id}` },
      body: JSON.stringify({ transactionId: payment.gatewayPaymentId, amount: "40.00", currency: "EUR" }),
    });
    expect(outside.status).toBe(201);
    const request = await refund(payment, { amount: "20.00" });
    await runJobs();
    expectRejected(request, /^Accelebit refused the refund \(INVALID_REQUEST\): .*exceeds the refundable amount.*9\.99 EUR remaining/);
    expect(refundPosts(request).map((r) => r.status)).toEqual([400]);
    expect(refundsOf(payment).map((r) => r.amount)).toEqual(["40.00"]);
    expect(await stored(request)).toMatchObject({ status: "rejected", rejectReason: "PROCESSING_ERROR", gatewayRefundId: null });
  });

  it("a refund for an unknown payment or another shop's payment is rejected and never sent to Accelebit", async () => {
    const payment = await paidPayment();
    const theirs = await paidPayment({ shop: OTHER_SHOP });
    const unknown = refundRequest(payment);
    unknown.body = { ...unknown.body, payment_id: "NoSuchPayment000000000000" };
    const otherShops = refundRequest(payment);
    otherShops.body = { ...otherShops.body, payment_id: theirs.request.id };
    for (const request of [unknown, otherShops]) expect((await send(request)).status).toBe(201);
    await runJobs();
    expectRejected(unknown, "Accelebit for Shopify has no payment NoSuchPayment000000000000 on this shop; no refund was made.");
    expectRejected(otherShops, `Accelebit for Shopify has no payment ${theirs.request.id} on this shop; no refund was made.`);
    for (const request of [unknown, otherShops]) {
      expect(refundPosts(request)).toHaveLength(0);
      expect(await stored(request)).toMatchObject({ status: "rejected", paymentSessionId: null });
    }
    expect(refundsOf(payment)).toHaveLength(0);
    expect(refundsOf(theirs, OTHER_KEY)).toHaveLength(0);
  });

  it("a refund in another currency than the payment's is rejected and never sent", async () => {
    const payment = await paidPayment();
    const request = await refund(payment, { amount: "10.00", currency: "USD" });
    await runJobs();
    expectRejected(request, "The refund is in USD but the payment was made in EUR; no refund was made.");
    expect(refundPosts(request)).toHaveLength(0);
  });

  it("bad requests get a clear 4xx and store nothing", async () => {
    const payment = await paidPayment();
    const good = refundRequest(payment);
    const before = await db().refundSession.count();
    const jobsBefore = await db().job.count();
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${app.url}/shopify/refund`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
    const cases: [Record<string, string>, unknown, number, string][] = [
      [good.headers, "{not json", 400, "Body is not valid JSON"],
      [{}, good.body, 400, "Shopify-Shop-Domain must be a *.myshopify.com domain"],
      [{ ...good.headers, "Shopify-Shop-Domain": "nobody.myshopify.com" }, good.body, 404, "Unknown shop nobody.myshopify.com"],
      [good.headers, { ...good.body, amount: 12.5 }, 422, "amount must be a decimal string"],
      [good.headers, { ...good.body, amount: "0.00" }, 422, "amount must be greater than zero"],
      [good.headers, { ...good.body, currency: "euro" }, 422, "currency must be an ISO 4217 code"],
      [good.headers, { ...good.body, payment_id: undefined }, 422, "payment_id is required"],
      [
        good.headers,
        { ...good.body, gid: `gid://shopify/PaymentSession/${good.id}` },
        422,
        "gid must be a RefundSession gid naming the request's id (gid://shopify/RefundSession/<id>)",
      ],
      [good.headers, { ...good.body, padding: "x".repeat(20_000) }, 413, "larger than"],
    ];
    for (const [headers, body, status, message] of cases) {
      const res = await post(headers, typeof body === "string" ? body : JSON.stringify(body));
      expect([res.status, await res.text()]).toEqual([status, expect.stringContaining(message)]);
    }
    expect((await fetch(`${app.url}/shopify/refund`)).status).toBe(405);
    expect(await db().refundSession.count()).toBe(before);
    expect(await db().job.count()).toBe(jobsBefore);
    expect(mutationsFor(good.gid)).toHaveLength(0);
  });
});
