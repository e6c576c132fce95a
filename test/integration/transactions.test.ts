import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAccelebitSandbox, type AccelebitSandbox } from "../simulators/accelebit/server";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";
import { callRoute, merchantRequest } from "../support/shopify-auth";
import type { Worker } from "~/jobs";
import type { Problem } from "~/dashboard/problems.server";
import type { TransactionDetail } from "~/dashboard/transaction-detail.server";
import type { TransactionPage, TransactionRow } from "~/dashboard/transactions.server";

/**
 * The merchant's transaction pages, through their real loaders and actions with a signed-in
 * merchant. PAY_SHOP's payments go through the real flow (Shopify's simulator, the card page,
 * the Accelebit sandbox, refunds); LIST_SHOP and CSV_SHOP get rows written directly, for
 * pagination, filters and exact CSV content; GATEWAY_SHOP too, with sessions of both gateways
 * and every kind of gateway id (in the formats the simulators issue: UUIDs).
 */
const PAY_SHOP = "tx-pay-shop.myshopify.com";
const PAY_KEY = "smtgw_sk_test_TxPayShopKey00001";
const OTHER_SHOP = "tx-other-shop.myshopify.com";
const OTHER_KEY = "smtgw_sk_test_TxOtherShopKey0001";
const LIST_SHOP = "tx-list-shop.myshopify.com";
const CSV_SHOP = "tx-csv-shop.myshopify.com";
const GATEWAY_SHOP = "tx-gateway-shop.myshopify.com";
const GATEWAY_OTHER_SHOP = "tx-gateway-other-shop.myshopify.com";
// A security code no amount, date or id in these tests contains as a separate number.
const CVC = "914";
const CARD = { name: "Alice Smith", number: "4242 4242 4242 4242", expiry: "12/39", cvc: CVC };
const DECLINED = { ...CARD, number: "4000 0000 0000 0002" };
const PANS = ["4242424242424242", "4242 4242 4242 4242", "4000000000000002", "4000 0000 0000 0002"];

let database: TestDatabase;
let sandbox: AccelebitSandbox;
let shopify: ShopifySimulator;
let app: { url: string; close(): Promise<void> };
let db: typeof import("~/db.server").db;
let background: typeof import("~/background.server");
let worker: Worker;
let clock = Date.now();
let listRoute: typeof import("~/routes/app.transactions._index");
let detailRoute: typeof import("~/routes/app.transactions.$id");
let exportRoute: typeof import("~/routes/app.transactions.export[.csv]");
let setupRoute: typeof import("~/routes/app._index");

type ListData = TransactionPage & { problems: Problem[]; exportUrl: string; gatewayChoices: { value: string; label: string }[] };

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
  listRoute = await import("~/routes/app.transactions._index");
  detailRoute = await import("~/routes/app.transactions.$id");
  exportRoute = await import("~/routes/app.transactions.export[.csv]");
  setupRoute = await import("~/routes/app._index");
  const { seedShop } = await import("~/merchants/seed-shop.server");
  const { secretBox } = await import("~/lib/secret-box.server");
  const scopes = "write_payment_gateways,write_payment_sessions";
  await seedShop({ shop: PAY_SHOP, accessToken: "shpat_tx_pay", accelebitTestKey: PAY_KEY, scopes }, secretBox());
  await seedShop({ shop: OTHER_SHOP, accessToken: "shpat_tx_other", accelebitTestKey: OTHER_KEY, scopes }, secretBox());
  await seedShop({ shop: LIST_SHOP, accessToken: "shpat_tx_list", accelebitTestKey: "smtgw_sk_test_TxListShopKey00001", scopes }, secretBox());
  await seedShop({ shop: CSV_SHOP, accessToken: "shpat_tx_csv", accelebitTestKey: "smtgw_sk_test_TxCsvShopKey000001", scopes }, secretBox());
  await seedShop({ shop: GATEWAY_SHOP, accessToken: "shpat_tx_gateway", accelebitTestKey: "smtgw_sk_test_TxGatewayShopKey01", scopes }, secretBox());
  const otherKey = "smtgw_sk_test_TxGatewayOtherKey1";
  await seedShop({ shop: GATEWAY_OTHER_SHOP, accessToken: "shpat_tx_gateway_other", accelebitTestKey: otherKey, scopes }, secretBox());
  shopify.registerShop({ shop: PAY_SHOP, accessToken: "shpat_tx_pay" });
  shopify.registerShop({ shop: OTHER_SHOP, accessToken: "shpat_tx_other" });
  background = await import("~/background.server");
  background.startBackgroundWorker();
  const { createWorker } = await import("~/jobs");
  const { logger } = await import("~/lib/logger");
  worker = createWorker({ handlers: background.JOB_HANDLERS, logger, now: () => new Date(clock), workerId: "transactions-test" });
  await seedPayments();
  await seedListShop();
  await seedCsvShop();
  await seedGatewayShops();
});

afterAll(async () => {
  await background.stopBackgroundWorker();
  await db().$disconnect();
  await Promise.all([sandbox.close(), shopify.close(), app.close()]);
  await database.drop();
});

// ─── Data ────────────────────────────────────────────────────────────────────────────

const shopId = async (domain: string) => (await db().shop.findUniqueOrThrow({ where: { domain } })).id;

async function newSession(shop: string, params: { amount?: string; currency?: string; test?: boolean } = {}) {
  const request = shopify.createPaymentSession({ shop, amount: params.amount ?? "49.99", currency: params.currency ?? "EUR", test: params.test });
  const delivery = await shopify.sendPaymentSession(`${app.url}/shopify/payment`, request);
  expect(delivery.status).toBe(201);
  return { request, pageUrl: (delivery.body as { redirect_url: string }).redirect_url };
}

/** expect.poll for set-up code (beforeAll), where Vitest does not allow it. */
async function waitFor<T>(read: () => Promise<T> | T, expected: T, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  expect(value).toBe(expected);
}

const pay = (pageUrl: string, card: Record<string, string>) => fetch(pageUrl, { method: "POST", body: new URLSearchParams(card), redirect: "manual" });
const storedSession = (shopifyId: string) => db().paymentSession.findFirstOrThrow({ where: { shopifyId } });

const payments = {} as Record<"paid" | "live" | "waiting" | "declined" | "other", { shopifyId: string; id: string; group: string }>;

async function seedPayments() {
  // Paid, then 10.00 refunded through Shopify's refund session and the Accelebit sandbox.
  const paid = await newSession(PAY_SHOP);
  expect((await pay(paid.pageUrl, CARD)).status).toBe(303);
  await waitFor(() => shopify.sessionState(paid.request.gid)?.status, "resolved");
  const refund = shopify.createRefundSession({ paymentId: paid.request.id, amount: "10.00", currency: "EUR" });
  expect((await shopify.sendRefundSession(`${app.url}/shopify/refund`, refund)).status).toBe(201);
  clock = Date.now() + 10_000;
  await worker.runDueJobs();
  clock += 10_000;
  await worker.runDueJobs();
  await waitFor(async () => (await db().refundSession.findFirstOrThrow({ where: { shopifyId: refund.id } })).status, "resolved");

  // A live payment while the shop has no live key: rejected when the card is submitted, nothing charged.
  const live = await newSession(PAY_SHOP, { amount: "20.00", test: false });
  await pay(live.pageUrl, CARD);
  await waitFor(async () => (await storedSession(live.request.id)).status, "rejected");

  // Still waiting for a card, with an amount Shopify sent without its trailing zero.
  const waiting = await newSession(PAY_SHOP, { amount: "12.5" });
  // One declined card: back to awaiting a card, with the decline on record.
  const declined = await newSession(PAY_SHOP, { amount: "30.00", currency: "USD" });
  expect((await pay(declined.pageUrl, DECLINED)).status).toBe(200);

  const other = await newSession(OTHER_SHOP, { amount: "99.00" });
  expect((await pay(other.pageUrl, CARD)).status).toBe(303);

  for (const [name, { request }] of Object.entries({ paid, live, waiting, declined, other })) {
    const row = await storedSession(request.id);
    payments[name as keyof typeof payments] = { shopifyId: request.id, id: row.id, group: row.group };
  }
}

interface Synthetic {
  id: string;
  shopifyId: string;
  group: string;
  status: string;
  test: boolean;
  createdAt: Date;
  gatewayPaymentId: string | null;
}
const listRows: Synthetic[] = [];
const LIST_STATUSES = ["resolved", "rejected", "awaiting_card", "pending", "three_ds"] as const;
const LIST_BASE = Date.parse("2025-05-20T12:00:00.000Z");

/** 130 sessions, one every 3 hours back from LIST_BASE; rows 45–54 share one instant (ties at a page boundary). */
async function seedListShop() {
  const shop = await shopId(LIST_SHOP);
  for (let i = 0; i < 130; i++) {
    const hoursBack = i >= 45 && i < 55 ? 45 * 3 : i * 3;
    listRows.push({
      id: `list${String(i).padStart(4, "0")}`,
      shopifyId: `list-${i}`,
      group: `group-${Math.floor(i / 2)}`,
      status: LIST_STATUSES[i % LIST_STATUSES.length]!,
      test: i % 3 !== 0,
      createdAt: new Date(LIST_BASE - hoursBack * 3600_000),
      gatewayPaymentId: i % 5 === 0 ? `pay_list_${i}` : null,
    });
  }
  await db().paymentSession.createMany({
    data: listRows.map((r) => ({
      ...r,
      shopId: shop,
      gid: `gid://shopify/PaymentSession/${r.shopifyId}`,
      kind: "sale",
      amount: "15.00",
      currency: "EUR",
      paymentMethodType: "offsite",
      shopperToken: `token-${r.id}`,
    })),
  });
  // One pending payment reaches its deadline within the day; another has days left.
  const pendings = listRows.filter((r) => r.status === "pending");
  await db().paymentSession.update({ where: { id: pendings[0]!.id }, data: { pendingExpiresAt: new Date(Date.now() + 2 * 3600_000) } });
  await db().paymentSession.update({ where: { id: pendings[1]!.id }, data: { pendingExpiresAt: new Date(Date.now() + 3 * 24 * 3600_000) } });
}

const csvIds = ["csv-a", "csv-b", "csv-c"];
async function seedCsvShop() {
  const shop = await shopId(CSV_SHOP);
  const common = { shopId: shop, kind: "sale", paymentMethodType: "offsite" };
  await db().paymentSession.createMany({
    data: [
      {
        ...common,
        id: "csv-a",
        shopifyId: '=HYPERLINK("http://evil.example")',
        gid: "gid://shopify/PaymentSession/a",
        group: 'g,1 "quoted"',
        amount: "10.5",
        currency: "EUR",
        test: true,
        status: "resolved",
        gatewayPaymentId: "pay_csv_a",
        provider: "visa",
        shopperToken: "csv-token-a",
        createdAt: new Date("2024-03-01T10:00:00.000Z"),
      },
      {
        ...common,
        id: "csv-b",
        shopifyId: "+15551234",
        gid: "gid://shopify/PaymentSession/b",
        group: "line1\nline2",
        amount: "1500",
        currency: "JPY",
        test: false,
        status: "rejected",
        shopperToken: "csv-token-b",
        createdAt: new Date("2024-03-01T09:00:00.000Z"),
      },
      {
        ...common,
        id: "csv-c",
        shopifyId: "@SUM(A1)",
        gid: "gid://shopify/PaymentSession/c",
        group: "-2+3",
        amount: "7.25",
        currency: "USD",
        test: true,
        status: "resolving",
        shopperToken: "csv-token-c",
        createdAt: new Date("2024-02-29T23:59:59.999Z"),
      },
    ],
  });
  await db().refundSession.create({
    data: {
      shopId: shop,
      shopifyId: "csv-refund",
      gid: "gid://shopify/RefundSession/csv-refund",
      paymentShopifyId: '=HYPERLINK("http://evil.example")',
      paymentSessionId: "csv-a",
      amount: "3.2",
      currency: "EUR",
      test: true,
      status: "resolved",
    },
  });
}

// Ids as the Accrue and Accelebit simulators issue them (randomUUID), fixed for exact CSV lines.
const ACCELEBIT_PAYMENT_ID = "0b6f3c1e-7a52-4d0e-9c3b-5e2f8a1d4c70";
const ACCELEBIT_AUTHORIZED_ID = "1c704d2f-8b63-4e1f-8d4c-6f3a9b2e5d81";
// Accelebit has no void: the refund that stood in for it.
const ACCELEBIT_VOID_REFUND_ID = "2d815e3a-9c74-4f2a-9e5d-7a4b0c3f6e92";
const ACCRUE = {
  declinedPaymentId: "5d1c9e2a-3b4f-4a6e-8d7c-1f2e3a4b5c61",
  paymentId: "7e2d0f3b-4c5a-4b7f-9e8d-2a3b4c5d6e72",
  refundId: "9f3e1a4c-5d6b-4c8a-8f9e-3b4c5d6e7f83",
  captureId: "a14f2b5d-6e7c-4d9b-9a0f-4c5d6e7f8a94",
  authorizedPaymentId: "b2503c6e-7f8d-4e0c-8b1a-5d6e7f8a9ba5",
  voidId: "c3614d7f-8a9e-4f1d-9c2b-6e7f8a9b0cb6",
  otherShopRefundId: "d4725e8a-9b0f-4a2e-8d3c-7f8a9b0c1dc7",
};

/** GATEWAY_SHOP: an Accelebit sale and a voided authorization, an Accrue sale (a declined attempt first, then captured and partly refunded), a voided Accrue authorization. */
async function seedGatewayShops() {
  const shop = await shopId(GATEWAY_SHOP);
  const session = (id: string, fields: { gateway?: string; kind?: string; status: string; gatewayPaymentId: string; createdAt: string }) => ({
    id,
    shopId: shop,
    shopifyId: `shopify-${id}`,
    gid: `gid://shopify/PaymentSession/shopify-${id}`,
    group: `group-${id}`,
    kind: fields.kind ?? "sale",
    amount: "40.00",
    currency: "USD",
    test: true,
    paymentMethodType: "offsite",
    shopperToken: `token-${id}`,
    ...(fields.gateway ? { gateway: fields.gateway } : {}),
    status: fields.status,
    gatewayStatus: fields.status === "resolved" ? "captured" : null,
    gatewayPaymentId: fields.gatewayPaymentId,
    createdAt: new Date(fields.createdAt),
  });
  await db().paymentSession.createMany({
    data: [
      session("gw-accelebit", { status: "resolved", gatewayPaymentId: ACCELEBIT_PAYMENT_ID, createdAt: "2024-06-01T12:00:00.000Z" }),
      session("gw-accrue", { gateway: "accrue", status: "resolved", gatewayPaymentId: ACCRUE.paymentId, createdAt: "2024-06-01T11:00:00.000Z" }),
      session("gw-accrue-void", {
        gateway: "accrue",
        kind: "authorization",
        status: "resolved",
        gatewayPaymentId: ACCRUE.authorizedPaymentId,
        createdAt: "2024-06-01T10:00:00.000Z",
      }),
      session("gw-accelebit-void", {
        kind: "authorization",
        status: "resolved",
        gatewayPaymentId: ACCELEBIT_AUTHORIZED_ID,
        createdAt: "2024-06-01T09:00:00.000Z",
      }),
    ],
  });
  const attempt = (paymentSessionId: string, number: number, status: string, gatewayPaymentId: string) => ({
    paymentSessionId,
    number,
    status,
    gatewayPaymentId,
    idempotencyKey: `key-${paymentSessionId}-${number}`,
    merchantRef: `shopify-${paymentSessionId}-${number}`,
  });
  await db().paymentAttempt.createMany({
    data: [
      attempt("gw-accelebit", 1, "captured", ACCELEBIT_PAYMENT_ID),
      attempt("gw-accrue", 1, "failed", ACCRUE.declinedPaymentId),
      attempt("gw-accrue", 2, "captured", ACCRUE.paymentId),
      attempt("gw-accrue-void", 1, "authorized", ACCRUE.authorizedPaymentId),
      attempt("gw-accelebit-void", 1, "captured", ACCELEBIT_AUTHORIZED_ID),
    ],
  });
  const finalized = (kind: string, id: string, gateway = "accrue") => ({
    shopId: shop,
    shopifyId: `${kind}-${id}`,
    gid: `gid://shopify/${kind}/${id}`,
    paymentShopifyId: `shopify-${id}`,
    paymentSessionId: id,
    gateway,
    test: true,
    status: "resolved",
  });
  await db().refundSession.create({ data: { ...finalized("RefundSession", "gw-accrue"), amount: "15.00", currency: "USD", gatewayRefundId: ACCRUE.refundId } });
  await db().captureSession.create({
    data: { ...finalized("CaptureSession", "gw-accrue"), amount: "40.00", currency: "USD", gatewayCaptureId: ACCRUE.captureId },
  });
  await db().voidSession.create({ data: { ...finalized("VoidSession", "gw-accrue-void"), gatewayVoidId: ACCRUE.voidId } });
  await db().voidSession.create({ data: { ...finalized("VoidSession", "gw-accelebit-void", "accelebit"), gatewayVoidId: ACCELEBIT_VOID_REFUND_ID } });

  // Another shop's Accrue refund: its id finds nothing in GATEWAY_SHOP.
  const other = await shopId(GATEWAY_OTHER_SHOP);
  await db().paymentSession.create({
    data: {
      ...session("gw-other", {
        gateway: "accrue",
        status: "resolved",
        gatewayPaymentId: "e5836f9b-0c1a-4b3f-9e4d-8a9b0c1d2ed8",
        createdAt: "2024-06-01T11:30:00.000Z",
      }),
      shopId: other,
    },
  });
  await db().refundSession.create({
    data: { ...finalized("RefundSession", "gw-other"), shopId: other, amount: "1.00", currency: "USD", gatewayRefundId: ACCRUE.otherShopRefundId },
  });
}

// ─── Calling the pages ───────────────────────────────────────────────────────────────

async function list(shop: string, query = ""): Promise<ListData> {
  const res = await callRoute(listRoute.loader as never, merchantRequest(shop, `/app/transactions${query}`));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ListData;
}

const detail = (shop: string, id: string) => callRoute(detailRoute.loader as never, merchantRequest(shop, `/app/transactions/${id}`), { id });

function retry(shop: string, sessionId: string, jobId: string) {
  const body = new URLSearchParams({ intent: "retry-job", jobId });
  const request = merchantRequest(shop, `/app/transactions/${sessionId}`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  return callRoute(detailRoute.action as never, request, { id: sessionId });
}

async function exportCsv(shop: string, query = ""): Promise<Response> {
  return callRoute(exportRoute.loader as never, merchantRequest(shop, `/app/transactions/export.csv${query}`));
}

/** Every page of a filtered list, following ?after= cursors. */
async function allPages(shop: string, filter = ""): Promise<{ pages: TransactionRow[][]; cursors: (string | null)[] }> {
  const pages: TransactionRow[][] = [];
  const cursors: (string | null)[] = [];
  let after: string | null = null;
  do {
    const sep: string = filter ? "&" : "?";
    const page = await list(shop, `${filter}${after ? `${sep}after=${after}` : ""}`);
    pages.push(page.rows);
    cursors.push(page.previousCursor);
    after = page.nextCursor;
  } while (after);
  return { pages, cursors };
}

const byNewest = (a: Synthetic, b: Synthetic) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

// ─── Tests ───────────────────────────────────────────────────────────────────────────

describe("transactions list", () => {
  it("shows exactly the shop's sessions, newest first, with amount, mode, status, refunds and Accelebit id", async () => {
    const page = await list(PAY_SHOP);
    const stored = await db().paymentSession.findMany({ where: { shop: { domain: PAY_SHOP } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(ids(page.rows)).toEqual(ids(stored));
    expect(ids(page.rows)).not.toContain(payments.other.id);
    expect(page.nextCursor).toBeNull();
    expect(page.previousCursor).toBeNull();

    const row = (name: keyof typeof payments) => page.rows.find((r) => r.id === payments[name].id)!;
    const paid = await storedSession(payments.paid.shopifyId);
    expect(row("paid")).toMatchObject({
      shopifyId: payments.paid.shopifyId,
      amount: "49.99",
      currency: "EUR",
      test: true,
      status: "resolved",
      statusLabel: "Resolved",
      notes: ["Refunded 10.00 of 49.99"],
      refunded: "10.00",
      gatewayPaymentId: paid.gatewayPaymentId,
      provider: paid.provider,
    });
    expect(paid.gatewayPaymentId).toBeTruthy();
    expect(row("live")).toMatchObject({ amount: "20.00", test: false, status: "rejected", statusLabel: "Rejected", notes: [], refunded: null });
    expect(row("waiting")).toMatchObject({ amount: "12.50", currency: "EUR", status: "awaiting_card", statusLabel: "Awaiting card", gatewayPaymentId: null });
    expect(row("declined")).toMatchObject({ amount: "30.00", currency: "USD", status: "awaiting_card" });
  });

  it("filters by status, mode and date range (UTC days, inclusive)", async () => {
    const rejected = await list(PAY_SHOP, "?status=rejected");
    expect(ids(rejected.rows)).toEqual([payments.live.id]);
    const waiting = await list(PAY_SHOP, "?status=awaiting_card&status=resolved");
    expect(ids(waiting.rows).sort()).toEqual([payments.paid.id, payments.waiting.id, payments.declined.id].sort());
    expect(ids((await list(PAY_SHOP, "?mode=live")).rows)).toEqual([payments.live.id]);
    expect(ids((await list(PAY_SHOP, "?mode=test&status=rejected")).rows)).toEqual([]);

    const inRange = (r: Synthetic) => r.createdAt >= new Date("2025-05-10T00:00:00Z") && r.createdAt < new Date("2025-05-13T00:00:00Z");
    const dated = await allPages(LIST_SHOP, "?from=2025-05-10&to=2025-05-12");
    expect(dated.pages.flat().map((r) => r.id)).toEqual(
      listRows
        .filter(inRange)
        .sort(byNewest)
        .map((r) => r.id),
    );
    expect(dated.pages.flat().length).toBeGreaterThan(0);

    const combined = (r: Synthetic) => inRange(r) && r.status === "pending" && !r.test;
    const filtered = await allPages(LIST_SHOP, "?from=2025-05-10&to=2025-05-12&status=pending&mode=live");
    expect(filtered.pages.flat().map((r) => r.id)).toEqual(
      listRows
        .filter(combined)
        .sort(byNewest)
        .map((r) => r.id),
    );

    expect(ids((await list(PAY_SHOP, "?from=2999-01-01")).rows)).toEqual([]);
  });

  it("searches by Shopify payment id (or its gid), Accelebit id and checkout group, exactly", async () => {
    const paid = await storedSession(payments.paid.shopifyId);
    expect(ids((await list(PAY_SHOP, `?q=${payments.paid.shopifyId}`)).rows)).toEqual([paid.id]);
    expect(ids((await list(PAY_SHOP, `?q=${encodeURIComponent(`gid://shopify/PaymentSession/${payments.paid.shopifyId}`)}`)).rows)).toEqual([paid.id]);
    expect(ids((await list(PAY_SHOP, `?q=${paid.gatewayPaymentId}`)).rows)).toEqual([paid.id]);
    expect(ids((await list(PAY_SHOP, `?q=${encodeURIComponent(payments.waiting.group)}`)).rows)).toEqual([payments.waiting.id]);
    expect(ids((await list(LIST_SHOP, "?q=group-3")).rows)).toEqual(["list0006", "list0007"]);
    // A value found in two fields of one session lists it once; in fields of two sessions, both, newest first.
    await db().paymentSession.update({ where: { id: "list0105" }, data: { group: "pay_list_105" } });
    expect(ids((await list(LIST_SHOP, "?q=pay_list_105")).rows)).toEqual(["list0105"]);
    await db().paymentSession.update({ where: { id: "list0100" }, data: { group: "list-101" } });
    expect(ids((await list(LIST_SHOP, "?q=list-101")).rows)).toEqual(["list0100", "list0101"]);
    // list0100 is resolved, list0101 rejected: the filters apply to every searched field.
    expect(ids((await list(LIST_SHOP, "?q=list-101&status=rejected")).rows)).toEqual(["list0101"]);
    const csv = await (await exportCsv(LIST_SHOP, "?q=list-101")).text();
    expect(
      csv
        .trim()
        .split("\r\n")
        .slice(1)
        .map((line) => line.split(",").pop()),
    ).toEqual(["list0100", "list0101"]);
    // Another shop's ids find nothing.
    expect((await list(PAY_SHOP, `?q=${payments.other.shopifyId}`)).rows).toEqual([]);
    const otherPaid = await storedSession(payments.other.shopifyId);
    expect((await list(PAY_SHOP, `?q=${otherPaid.gatewayPaymentId}`)).rows).toEqual([]);
  });

  it("pages by cursor: every row once, in order, ties on createdAt included; ?before= returns the previous page", async () => {
    const { pages, cursors } = await allPages(LIST_SHOP);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 30]);
    expect(pages.flat().map((r) => r.id)).toEqual([...listRows].sort(byNewest).map((r) => r.id));
    expect(new Set(pages.flat().map((r) => r.id)).size).toBe(130);
    expect(cursors[0]).toBeNull();

    const back = await list(LIST_SHOP, `?before=${cursors[2]}`);
    expect(ids(back.rows)).toEqual(ids(pages[1]!));
    expect(back.nextCursor).not.toBeNull();
    const first = await list(LIST_SHOP, `?before=${back.previousCursor}`);
    expect(ids(first.rows)).toEqual(ids(pages[0]!));
    expect(first.previousCursor).toBeNull();

    const statusPages = await allPages(LIST_SHOP, "?status=resolved,rejected");
    expect(statusPages.pages.flat().map((r) => r.id)).toEqual(
      listRows
        .filter((r) => r.status === "resolved" || r.status === "rejected")
        .sort(byNewest)
        .map((r) => r.id),
    );
  });

  it("refuses malformed filters and cursors with a 400", async () => {
    for (const query of [
      "?status=paid",
      "?mode=both",
      "?gateway=paypal",
      "?gateway=Accrue",
      "?from=2025-13-01",
      "?from=2025-02-30",
      "?from=2025-05-02&to=2025-05-01",
      "?after=bm9wZQ",
      `?q=${"x".repeat(300)}`,
    ]) {
      const res = await callRoute(listRoute.loader as never, merchantRequest(PAY_SHOP, `/app/transactions${query}`));
      expect(res.status, query).toBe(400);
    }
    expect((await exportCsv(PAY_SHOP, "?status=paid")).status).toBe(400);
    expect((await exportCsv(PAY_SHOP, "?gateway=paypal")).status).toBe(400);
  });

  it("needs a signed-in merchant", async () => {
    const res = await callRoute(listRoute.loader as never, new Request(`${app.url}/app/transactions`));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/auth/login");
    const csv = await callRoute(exportRoute.loader as never, new Request(`${app.url}/app/transactions/export.csv`));
    expect(csv.status).toBe(302);
  });
});

describe("gateways", () => {
  const GATEWAY_SESSIONS = ["gw-accelebit", "gw-accrue", "gw-accrue-void", "gw-accelebit-void"];

  it("each row has its gateway's id and display name", async () => {
    const page = await list(GATEWAY_SHOP);
    expect(page.rows.map((r) => [r.id, r.gateway, r.gatewayName, r.gatewayPaymentId])).toEqual([
      ["gw-accelebit", "accelebit", "Accelebit", ACCELEBIT_PAYMENT_ID],
      ["gw-accrue", "accrue", "Accrue", ACCRUE.paymentId],
      ["gw-accrue-void", "accrue", "Accrue", ACCRUE.authorizedPaymentId],
      ["gw-accelebit-void", "accelebit", "Accelebit", ACCELEBIT_AUTHORIZED_ID],
    ]);
    expect(page.rows.find((r) => r.id === "gw-accrue")!.notes).toEqual(["Refunded 15.00 of 40.00", "Captured 40.00 of 40.00"]);
    // The rows of the real Accelebit flow too.
    expect(new Set((await list(PAY_SHOP)).rows.map((r) => r.gatewayName))).toEqual(new Set(["Accelebit"]));
  });

  it("search finds a session by any gateway id of it: payment (any attempt's), refund, capture, void", async () => {
    const found = async (query: string, shop = GATEWAY_SHOP) => ids((await list(shop, `?q=${encodeURIComponent(query)}`)).rows);
    expect(await found(ACCRUE.paymentId)).toEqual(["gw-accrue"]);
    // A declined attempt's payment, which the session no longer names.
    expect(await found(ACCRUE.declinedPaymentId)).toEqual(["gw-accrue"]);
    expect(await found(ACCRUE.refundId)).toEqual(["gw-accrue"]);
    expect(await found(ACCRUE.captureId)).toEqual(["gw-accrue"]);
    expect(await found(ACCRUE.voidId)).toEqual(["gw-accrue-void"]);
    expect(await found(ACCRUE.authorizedPaymentId)).toEqual(["gw-accrue-void"]);
    expect(await found(ACCELEBIT_PAYMENT_ID)).toEqual(["gw-accelebit"]);
    expect(await found(ACCELEBIT_VOID_REFUND_ID)).toEqual(["gw-accelebit-void"]);
    // Exact, not by prefix or case.
    expect(await found(ACCRUE.refundId.slice(0, 8))).toEqual([]);
    expect(await found(ACCRUE.refundId.toUpperCase())).toEqual([]);
    // Another shop's refund id finds nothing here; it finds that shop's own session there.
    expect(await found(ACCRUE.otherShopRefundId)).toEqual([]);
    expect(await found(ACCRUE.otherShopRefundId, GATEWAY_OTHER_SHOP)).toEqual(["gw-other"]);
    expect(await found(ACCRUE.refundId, GATEWAY_OTHER_SHOP)).toEqual([]);
    // The other filters apply to a gateway id match.
    expect(ids((await list(GATEWAY_SHOP, `?q=${ACCRUE.refundId}&gateway=accelebit`)).rows)).toEqual([]);
    expect(ids((await list(GATEWAY_SHOP, `?q=${ACCRUE.refundId}&gateway=accrue`)).rows)).toEqual(["gw-accrue"]);
  });

  it("filters by gateway, and the filter carries to the export link", async () => {
    const accrue = await list(GATEWAY_SHOP, "?gateway=accrue");
    expect(ids(accrue.rows)).toEqual(["gw-accrue", "gw-accrue-void"]);
    expect(accrue.exportUrl).toBe("/app/transactions/export.csv?gateway=accrue");
    expect(ids((await list(GATEWAY_SHOP, "?gateway=accelebit")).rows)).toEqual(["gw-accelebit", "gw-accelebit-void"]);
    expect(ids((await list(GATEWAY_SHOP, "?gateway=accrue&status=rejected")).rows)).toEqual([]);
    expect(ids((await list(GATEWAY_SHOP, "?gateway=+accrue+")).rows)).toEqual(["gw-accrue", "gw-accrue-void"]);
    expect(ids((await list(GATEWAY_SHOP)).rows)).toEqual(GATEWAY_SESSIONS);
    expect(ids((await list(PAY_SHOP, "?gateway=accrue")).rows)).toEqual([]);
    expect(accrue.gatewayChoices).toEqual([
      { value: "accelebit", label: "Accelebit" },
      { value: "accrue", label: "Accrue" },
    ]);
  });

  it("the CSV has the gateway's id next to its payment id, and follows the gateway filter", async () => {
    const lines = (await (await exportCsv(GATEWAY_SHOP)).text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "created_at,shopify_payment_id,group,kind,amount,currency,mode,status,status_label,refunded,captured,notes,gateway,gateway_payment_id,provider,id",
    );
    expect(lines.slice(1)).toEqual([
      `2024-06-01T12:00:00.000Z,shopify-gw-accelebit,group-gw-accelebit,sale,40.00,USD,test,resolved,Resolved,,,,accelebit,${ACCELEBIT_PAYMENT_ID},,gw-accelebit`,
      `2024-06-01T11:00:00.000Z,shopify-gw-accrue,group-gw-accrue,sale,40.00,USD,test,resolved,Resolved,15.00,40.00,Refunded 15.00 of 40.00; Captured 40.00 of 40.00,accrue,${ACCRUE.paymentId},,gw-accrue`,
      `2024-06-01T10:00:00.000Z,shopify-gw-accrue-void,group-gw-accrue-void,authorization,40.00,USD,test,resolved,Resolved,,,Voided,accrue,${ACCRUE.authorizedPaymentId},,gw-accrue-void`,
      `2024-06-01T09:00:00.000Z,shopify-gw-accelebit-void,group-gw-accelebit-void,authorization,40.00,USD,test,resolved,Resolved,,,Voided,accelebit,${ACCELEBIT_AUTHORIZED_ID},,gw-accelebit-void`,
    ]);
    const accrue = (await (await exportCsv(GATEWAY_SHOP, "?gateway=accrue")).text()).trim().split("\r\n");
    expect(accrue.slice(1).map((line) => line.split(",").pop())).toEqual(["gw-accrue", "gw-accrue-void"]);
    const byRefund = (await (await exportCsv(GATEWAY_SHOP, `?q=${ACCRUE.refundId}`)).text()).trim().split("\r\n");
    expect(byRefund.slice(1).map((line) => line.split(",").pop())).toEqual(["gw-accrue"]);
  });

  it("the detail page names the gateway and labels its ids with the gateway's name", async () => {
    const view = (await (await detail(GATEWAY_SHOP, "gw-accrue")).json()) as TransactionDetail;
    expect(view.transaction).toMatchObject({
      gateway: "accrue",
      gatewayName: "Accrue",
      gatewayPaymentId: ACCRUE.paymentId,
      gatewayLabels: { paymentId: "Accrue payment ID", status: "Accrue status", error: "Accrue error" },
    });
    expect(view.attempts.map((a) => [a.number, a.status, a.gatewayPaymentId])).toEqual([
      [1, "failed", ACCRUE.declinedPaymentId],
      [2, "captured", ACCRUE.paymentId],
    ]);
    expect(view.refunds).toEqual([expect.objectContaining({ amount: "15.00", gatewayRecordId: ACCRUE.refundId, gatewayRecordLabel: "Accrue refund ID" })]);
    expect(view.captures).toEqual([expect.objectContaining({ amount: "40.00", gatewayRecordId: ACCRUE.captureId, gatewayRecordLabel: "Accrue capture ID" })]);

    const voided = (await (await detail(GATEWAY_SHOP, "gw-accrue-void")).json()) as TransactionDetail;
    // Accrue releases an authorization: a void of its own.
    expect(voided.voids).toEqual([expect.objectContaining({ gatewayRecordId: ACCRUE.voidId, gatewayRecordLabel: "Accrue void ID" })]);

    const accelebit = (await (await detail(GATEWAY_SHOP, "gw-accelebit")).json()) as TransactionDetail;
    expect(accelebit.transaction).toMatchObject({ gateway: "accelebit", gatewayName: "Accelebit" });
    expect(accelebit.transaction.gatewayLabels.paymentId).toBe("Accelebit payment ID");
    const accelebitVoided = (await (await detail(GATEWAY_SHOP, "gw-accelebit-void")).json()) as TransactionDetail;
    expect(accelebitVoided.voids).toEqual([expect.objectContaining({ gatewayRecordId: ACCELEBIT_VOID_REFUND_ID, gatewayRecordLabel: "Accelebit refund ID" })]);
  });
});

describe("transaction detail", () => {
  it("shows the timeline in order, attempts (brand, last four, error name), refunds and jobs", async () => {
    const res = await detail(PAY_SHOP, payments.paid.id);
    expect(res.status).toBe(200);
    const view = (await res.json()) as TransactionDetail;
    expect(view.transaction).toMatchObject({ id: payments.paid.id, amount: "49.99", currency: "EUR", status: "resolved", shopifyState: "RESOLVED" });
    const events = await db().sessionEvent.findMany({ where: { paymentSessionId: payments.paid.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(view.timeline.map((e) => e.summary)).toEqual(events.map((e) => e.summary));
    expect(view.timeline.slice(0, 5).map((e) => e.kind)).toEqual(["shopify.request", "attempt.submitted", "attempt.result", "decision", "mutation.sent"]);
    expect(view.timeline.map((e) => e.kind)).toContain("refund.request");
    expect(view.attempts).toEqual([expect.objectContaining({ number: 1, status: "captured", cardBrand: "visa", cardLast4: "4242", errorName: null })]);
    expect(Object.keys(view.attempts[0]!).sort()).toEqual(["at", "cardBrand", "cardLast4", "errorName", "gatewayPaymentId", "number", "status"]);
    expect(view.refunds).toEqual([expect.objectContaining({ amount: "10.00", status: "resolved", statusLabel: "Resolved" })]);
    expect(view.jobs.map((j) => [j.type, j.status])).toEqual(
      expect.arrayContaining([
        ["payment-session.finalize", "done"],
        ["refund-session.gateway", "done"],
        ["refund-session.finalize", "done"],
      ]),
    );

    const declined = (await (await detail(PAY_SHOP, payments.declined.id)).json()) as TransactionDetail;
    expect(declined.attempts).toEqual([expect.objectContaining({ number: 1, status: "failed", cardBrand: "visa", cardLast4: "0002", errorName: "DECLINED" })]);
  });

  it("another shop's transaction, or one that does not exist, is a 404", async () => {
    expect((await detail(OTHER_SHOP, payments.paid.id)).status).toBe(404);
    expect((await detail(PAY_SHOP, payments.other.id)).status).toBe(404);
    expect((await detail(PAY_SHOP, "no-such-id")).status).toBe(404);
  });
});

describe("dead jobs", () => {
  it("are listed as problems with a link, shown with their last error, and retried only by their own shop", async () => {
    const paid = await storedSession(payments.paid.shopifyId);
    const job = await db().job.findUniqueOrThrow({ where: { dedupeKey: `finalize:${paid.id}:resolving` } });
    // As the worker leaves a job that exhausted its attempts.
    await db().job.update({ where: { id: job.id }, data: { status: "dead", attempts: 34, lastError: "Shopify answered 503 Service Unavailable" } });

    const setup = await (await callRoute(setupRoute.loader as never, merchantRequest(PAY_SHOP, "/app"))).json();
    const dead = (setup.problems as Problem[]).find((p) => p.id === "dead-jobs")!;
    expect(dead.title).toBe("1 background task stopped retrying");
    expect(dead.items).toEqual([
      {
        label: "Tell Shopify the payment's outcome (34 of 34 attempts)",
        detail: "Shopify answered 503 Service Unavailable",
        url: `/app/transactions/${paid.id}`,
      },
    ]);
    expect(((await list(PAY_SHOP)).problems as Problem[]).map((p) => p.id)).toContain("dead-jobs");
    expect((await list(OTHER_SHOP)).problems.map((p) => p.id)).not.toContain("dead-jobs");

    const view = (await (await detail(PAY_SHOP, paid.id)).json()) as TransactionDetail;
    expect(view.jobs.find((j) => j.id === job.id)).toMatchObject({ status: "dead", lastError: "Shopify answered 503 Service Unavailable" });

    // Another shop cannot retry it, whichever session it names.
    expect((await retry(OTHER_SHOP, paid.id, job.id)).status).toBe(404);
    expect((await retry(OTHER_SHOP, payments.other.id, job.id)).status).toBe(404);
    // Nor can a job be retried through a session it does not belong to.
    expect((await retry(PAY_SHOP, payments.waiting.id, job.id)).status).toBe(404);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("dead");

    const res = await retry(PAY_SHOP, paid.id, job.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "retried" });
    expect((await retry(PAY_SHOP, paid.id, job.id)).status).toBe(409);
    // The process's worker runs it again: the session is already resolved, so it is simply done.
    await expect.poll(async () => (await db().job.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 10_000 }).toBe("done");
    expect((await list(PAY_SHOP)).problems.map((p) => p.id)).not.toContain("dead-jobs");
  });

  it("a malformed retry is a 400", async () => {
    const res = await callRoute(
      detailRoute.action as never,
      merchantRequest(PAY_SHOP, `/app/transactions/${payments.paid.id}`, {
        method: "POST",
        body: new URLSearchParams({ intent: "delete" }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      { id: payments.paid.id },
    );
    expect(res.status).toBe(400);
  });
});

describe("problems", () => {
  it("a mode that received sessions in the last 30 days without its key, and pending payments near their deadline", async () => {
    const setup = await (await callRoute(setupRoute.loader as never, merchantRequest(PAY_SHOP, "/app"))).json();
    expect((setup.problems as Problem[]).map((p) => p.id)).toEqual(["missing-live-key"]);
    expect((setup.problems as Problem[])[0]!.action).toContain("add your Accelebit live secret key");

    // LIST_SHOP's live sessions are from 2025, older than the 30 days looked at: no key problem.
    const problems = (await list(LIST_SHOP)).problems;
    expect(problems.map((p) => p.id)).toEqual(["pending-expiring"]);
    const pending = problems[0]!;
    const soon = listRows.filter((r) => r.status === "pending")[0]!;
    expect(pending.items).toEqual([expect.objectContaining({ label: `${soon.shopifyId}: 15.00 EUR`, url: `/app/transactions/${soon.id}` })]);
    expect(pending.action).toContain("Accelebit dashboard");

    // A shop with only test sessions and a test key has nothing to fix.
    expect((await list(OTHER_SHOP)).problems).toEqual([]);
  });
});

describe("CSV export", () => {
  it("is exact, escaped and safe from formulas", async () => {
    const res = await exportCsv(CSV_SHOP);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="transactions-tx-csv-shop-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body).toBeInstanceOf(ReadableStream);
    expect(await res.text()).toBe(
      [
        "created_at,shopify_payment_id,group,kind,amount,currency,mode,status,status_label,refunded,captured,notes,gateway,gateway_payment_id,provider,id",
        `2024-03-01T10:00:00.000Z,"'=HYPERLINK(""http://evil.example"")","g,1 ""quoted""",sale,10.50,EUR,test,resolved,Resolved,3.20,,Refunded 3.20 of 10.50,accelebit,pay_csv_a,visa,csv-a`,
        `2024-03-01T09:00:00.000Z,'+15551234,"line1\nline2",sale,1500,JPY,live,rejected,Rejected,,,,accelebit,,,csv-b`,
        `2024-02-29T23:59:59.999Z,'@SUM(A1),'-2+3,sale,7.25,USD,test,resolving,"Paid, confirming with Shopify",,,,accelebit,,,csv-c`,
        "",
      ].join("\r\n"),
    );
    // The list's filters apply to the file.
    const march = await (await exportCsv(CSV_SHOP, "?from=2024-03-01&mode=test")).text();
    expect(
      march
        .trim()
        .split("\r\n")
        .slice(1)
        .map((line) => line.split(",").pop()),
    ).toEqual(["csv-a"]);
    expect(csvIds).toHaveLength(3);
  });

  it("streams every filtered row once, in batches by cursor, and only the shop's", async () => {
    const { transactionsCsvStream } = await import("~/dashboard/export.server");
    const { parseTransactionSearch } = await import("~/dashboard/filters");
    const search = parseTransactionSearch(new URLSearchParams("status=pending,resolved"));
    if (!search.ok) throw new Error(search.message);
    // Batches of 7 (not a divisor of the count) cross the tie of equal createdAt values.
    const text = await new Response(transactionsCsvStream(await shopId(LIST_SHOP), search.filters, 7)).text();
    const lines = text.trim().split("\r\n").slice(1);
    expect(lines.map((l) => l.split(",").pop())).toEqual(
      listRows
        .filter((r) => r.status === "pending" || r.status === "resolved")
        .sort(byNewest)
        .map((r) => r.id),
    );
    const all = await (await exportCsv(LIST_SHOP)).text();
    expect(all.trim().split("\r\n")).toHaveLength(131);

    const pay = await (await exportCsv(PAY_SHOP)).text();
    expect(pay).toContain(payments.paid.shopifyId);
    expect(pay).not.toContain(payments.other.shopifyId);
    expect(pay).not.toContain("list-");
    const other = await (await exportCsv(OTHER_SHOP)).text();
    for (const name of ["paid", "live", "waiting", "declined"] as const) expect(other).not.toContain(payments[name].shopifyId);
    expect(other).toContain(payments.other.shopifyId);
  });
});

describe("card data", () => {
  it("no stored timeline event or attempt holds a card number or security code", async () => {
    const events = await db().sessionEvent.findMany();
    const attempts = await db().paymentAttempt.findMany();
    expect(events.length).toBeGreaterThan(10);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    const stored = JSON.stringify([events, attempts]);
    for (const pan of PANS) expect(stored).not.toContain(pan);
    // The security code as a number of its own (ids and timestamps may contain the digits).
    const cvc = new RegExp(`(?<![0-9A-Za-z])${CVC}(?![0-9A-Za-z])`);
    for (const row of [...events.map((e) => [e.summary, e.detail]), ...attempts.map((a) => [a.errorName, a.errorMessage, a.cardBrand, a.cardLast4])]) {
      for (const value of row) expect(value ?? "").not.toMatch(cvc);
    }
    for (const event of events) {
      for (const key of Object.keys(JSON.parse(event.detail ?? "{}") as object)) expect(key).not.toMatch(/cvc|cvv|security|card_?number|^number$|^pan$/i);
    }
    // And not in the database's bytes either (SQLite: the file and its write-ahead log).
    if (database.file) {
      for (const file of [database.file, `${database.file}-wal`]) {
        let bytes: string;
        try {
          bytes = readFileSync(file, "latin1");
        } catch {
          continue;
        }
        for (const pan of PANS) expect(bytes).not.toContain(pan);
      }
    }
  });
});

describe("pure pieces", () => {
  it("CSV fields: quoting, doubled quotes, formula prefixes, empty values", async () => {
    const { csvField, csvLine } = await import("~/dashboard/csv");
    expect(csvField("plain")).toBe("plain");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(true)).toBe("true");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(csvField(`${start}1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvField("=1,2")).toBe(`"'=1,2"`);
    expect(csvLine(["a", null, "b"])).toBe("a,,b\r\n");
  });

  it("money: currency digits, never rounded, exact sums", async () => {
    const { formatDecimalAmount, sumAmounts } = await import("~/dashboard/money");
    expect(formatDecimalAmount("10.5", "EUR")).toBe("10.50");
    expect(formatDecimalAmount("1500", "JPY")).toBe("1500");
    expect(formatDecimalAmount("12.345", "KWD")).toBe("12.345");
    expect(formatDecimalAmount("12.345", "EUR")).toBe("12.345");
    expect(formatDecimalAmount("7", "XXX")).toBe("7.00");
    // 0.1 + 0.2 in floating point is 0.30000000000000004.
    expect(sumAmounts(["0.1", "0.2"], "EUR")).toBe("0.30");
    expect(sumAmounts(["99999999999.99", "0.01"], "EUR")).toBe("100000000000.00");
    expect(sumAmounts(["1.005", "2"], "EUR")).toBe("3.005");
    expect(sumAmounts(["100", "250"], "JPY")).toBe("350");
    expect(sumAmounts([], "EUR")).toBe("0.00");
  });
});
