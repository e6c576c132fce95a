import { db, type Prisma } from "~/db.server";
import { encodeCursor, type Cursor, type PageRequest, type TransactionFilters } from "~/dashboard/filters";
import { gatewayDisplayName } from "~/dashboard/gateways.server";
import { formatDecimalAmount, sumAmounts } from "~/dashboard/money";
import { statusLabel, statusTone, type BadgeTone } from "~/dashboard/status";
import { GATEWAY_IDS } from "~/payments/gateway/port";
import { intentKey } from "~/payments/intent-key";

/**
 * The merchant's transaction list: one shop's payment sessions, newest first, by keyset
 * pagination on (createdAt, id). Every query starts with `shopId =` and orders by createdAt,
 * so it walks the @@index([shopId, createdAt]) from one end and stops after a page: the cost
 * does not grow with the number of sessions (see the dashboard case of npm run bench).
 */
export const PAGE_SIZE = 50;

/** One row, as the page and the CSV show it: strings only, money already formatted. */
export interface TransactionRow {
  id: string;
  createdAt: string;
  shopifyId: string;
  group: string;
  kind: string;
  amount: string;
  currency: string;
  test: boolean;
  status: string;
  statusLabel: string;
  statusTone: BadgeTone;
  /** "Refunded 10.00 of 49.99", "Captured 49.99 of 49.99", "Voided", "Refund of 5.00 in progress". */
  notes: string[];
  refunded: string | null;
  captured: string | null;
  /** The gateway's id ("accrue"), as the CSV has it. */
  gateway: string;
  /** Its display name ("Accrue"), as the pages show it. */
  gatewayName: string;
  /** The gateway's id of the payment the session resolved with (or of its latest attempt). */
  gatewayPaymentId: string | null;
  provider: string | null;
}

export interface TransactionPage {
  rows: TransactionRow[];
  /** Cursor for ?after= (older rows), when there are any. */
  nextCursor: string | null;
  /** Cursor for ?before= (newer rows), when there are any. */
  previousCursor: string | null;
}

/** The shop the signed-in merchant's session names; null when it is not installed. */
export async function findShop(domain: string) {
  return db().shop.findUnique({ where: { domain }, select: { id: true, domain: true } });
}

/** At most this many sessions are found by one gateway id (an id names one payment, refund, capture or void). */
const GATEWAY_ID_MATCHES = 100;

/**
 * The ids of the shop's sessions a gateway id belongs to, whichever gateway issued it (ids are
 * matched exactly, not by shape: Accelebit and Accrue both use UUIDs): the session's payment
 * id, any attempt's payment id (a declined attempt has its own) or wallet intent id, or the id of one of its
 * refunds, captures or voids.
 *
 * Payment ids have their own indexes and are unique across shops, so those lookups ignore the
 * shop (the caller's conditions apply it by primary key). Asked together with `shopId =`,
 * SQLite prefers walking the shop's createdAt index because it saves a sort, and reads every
 * session of the shop. Refund, capture and void ids have no index: those lookups are scoped
 * to the shop and read its refunds, captures or voids (far fewer than its sessions).
 */
async function sessionIdsByGatewayId(shopId: string, gatewayId: string): Promise<string[]> {
  const take = GATEWAY_ID_MATCHES;
  // A wallet attempt's intent (its key names gateway and mode; unique, indexed).
  const intentKeys = GATEWAY_IDS.flatMap((gateway) => (["test", "live"] as const).map((mode) => intentKey(gateway, mode, gatewayId)));
  const [sessions, attempts, intents, refunds, captures, voids] = await Promise.all([
    db().paymentSession.findMany({ where: { gatewayPaymentId: gatewayId }, select: { id: true }, take }),
    db().paymentAttempt.findMany({ where: { gatewayPaymentId: gatewayId }, select: { paymentSessionId: true }, take }),
    db().paymentAttempt.findMany({ where: { intentKey: { in: intentKeys } }, select: { paymentSessionId: true }, take }),
    db().refundSession.findMany({ where: { shopId, gatewayRefundId: gatewayId }, select: { paymentSessionId: true }, take }),
    db().captureSession.findMany({ where: { shopId, gatewayCaptureId: gatewayId }, select: { paymentSessionId: true }, take }),
    db().voidSession.findMany({ where: { shopId, gatewayVoidId: gatewayId }, select: { paymentSessionId: true }, take }),
  ]);
  const ids = [
    ...sessions.map((row) => row.id),
    ...[...attempts, ...intents, ...refunds, ...captures, ...voids].map((row) => row.paymentSessionId).filter((id): id is string => id !== null),
  ];
  return [...new Set(ids)];
}

/**
 * The filters as Prisma conditions: one per searched field, or one when there is no search.
 * A search is an exact match on the Shopify id, the checkout group or any gateway id of the
 * session (sessionIdsByGatewayId), run as one query per field so that each can use its own
 * index. One query with an OR of them makes SQLite walk every session of the shop instead.
 */
export async function transactionConditions(shopId: string, filters: TransactionFilters): Promise<Prisma.PaymentSessionWhereInput[]> {
  const where: Prisma.PaymentSessionWhereInput = { shopId };
  if (filters.statuses.length) where.status = { in: filters.statuses };
  if (filters.mode) where.test = filters.mode === "test";
  if (filters.gateway) where.gateway = filters.gateway;
  if (filters.from || filters.to) {
    where.createdAt = {
      ...(filters.from ? { gte: new Date(`${filters.from}T00:00:00.000Z`) } : {}),
      ...(filters.to ? { lt: new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + 24 * 60 * 60 * 1000) } : {}),
    };
  }
  const query = filters.query;
  if (!query) return [where];
  // The candidates found by a gateway id; the shop and the filters then apply by primary key.
  const byGatewayId = await sessionIdsByGatewayId(shopId, query);
  return [
    // (shopId, shopifyId) is unique: a lookup.
    { ...where, shopifyId: query },
    ...(byGatewayId.length ? [{ ...where, id: { in: byGatewayId } }] : []),
    // No index covers the group: this one reads the shop's sessions (about 25 ms for 100,000
    // on SQLite); @@index([shopId, group]) would make it a lookup.
    { ...where, group: query },
  ];
}

/**
 * Rows strictly after (older than) or before (newer than) a cursor. The redundant bound on
 * createdAt alone (`lte`/`gte`) is what lets both databases seek the index instead of
 * filtering the OR from its first entry.
 */
function keyset(cursor: Cursor, direction: "older" | "newer"): Prisma.PaymentSessionWhereInput {
  return direction === "older"
    ? { createdAt: { lte: cursor.createdAt }, OR: [{ createdAt: { lt: cursor.createdAt } }, { id: { lt: cursor.id } }] }
    : { createdAt: { gte: cursor.createdAt }, OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }] };
}

const ROW_SELECT = {
  id: true,
  createdAt: true,
  shopifyId: true,
  group: true,
  kind: true,
  amount: true,
  currency: true,
  test: true,
  status: true,
  gateway: true,
  gatewayPaymentId: true,
  provider: true,
  refundSessions: { select: { amount: true, status: true } },
  captureSessions: { select: { amount: true, status: true } },
  voidSessions: { select: { status: true } },
} satisfies Prisma.PaymentSessionSelect;

type SelectedRow = Prisma.PaymentSessionGetPayload<{ select: typeof ROW_SELECT }>;

const DESC = [{ createdAt: "desc" }, { id: "desc" }] satisfies Prisma.PaymentSessionOrderByWithRelationInput[];
const ASC = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.PaymentSessionOrderByWithRelationInput[];

const compareRows = (a: SelectedRow, b: SelectedRow) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Up to `take` rows past `cursor` (from the start when null), in the direction's order:
 * newest first for "older", oldest first for "newer". Several conditions (a search) are
 * queried side by side and merged, each row once: a value may match two fields.
 */
export async function fetchRows(wheres: Prisma.PaymentSessionWhereInput[], cursor: Cursor | null, direction: "older" | "newer", take: number) {
  const orderBy = direction === "older" ? DESC : ASC;
  const lists = await Promise.all(
    wheres.map((where) =>
      db().paymentSession.findMany({ where: cursor ? { AND: [where, keyset(cursor, direction)] } : where, orderBy, take, select: ROW_SELECT }),
    ),
  );
  if (lists.length === 1) return lists[0]!;
  const unique = new Map(lists.flat().map((row) => [row.id, row]));
  const sign = direction === "older" ? -1 : 1;
  return [...unique.values()].sort((a, b) => sign * compareRows(a, b)).slice(0, take);
}

export async function listTransactions(shopId: string, filters: TransactionFilters, page: PageRequest, pageSize = PAGE_SIZE): Promise<TransactionPage> {
  const wheres = await transactionConditions(shopId, filters);
  if ("before" in page) {
    // Walk towards newer rows, then show them newest first like every page.
    const found = await fetchRows(wheres, page.before, "newer", pageSize + 1);
    const rows = found.slice(0, pageSize).reverse();
    return {
      rows: rows.map(toRow),
      nextCursor: rows.length ? encodeCursor(rows[rows.length - 1]!) : null,
      previousCursor: found.length > pageSize && rows.length ? encodeCursor(rows[0]!) : null,
    };
  }
  const found = await fetchRows(wheres, "after" in page ? page.after : null, "older", pageSize + 1);
  const rows = found.slice(0, pageSize);
  return {
    rows: rows.map(toRow),
    nextCursor: found.length > pageSize ? encodeCursor(rows[rows.length - 1]!) : null,
    // Arriving through ?after= means newer rows exist (the ones of the page before).
    previousCursor: "after" in page && rows.length ? encodeCursor(rows[0]!) : null,
  };
}

export function toRow(row: SelectedRow): TransactionRow {
  const { currency } = row;
  const amount = formatDecimalAmount(row.amount, currency);
  const notes: string[] = [];
  const resolved = <T extends { status: string }>(list: T[]) => list.filter((s) => s.status === "resolved");
  const underway = <T extends { status: string }>(list: T[]) => list.filter((s) => ["processing", "resolving"].includes(s.status));

  const refunds = resolved(row.refundSessions);
  const refunded = refunds.length
    ? sumAmounts(
        refunds.map((r) => r.amount),
        currency,
      )
    : null;
  if (refunded) notes.push(`Refunded ${refunded} of ${amount}`);
  const refunding = underway(row.refundSessions);
  if (refunding.length)
    notes.push(
      `Refund of ${sumAmounts(
        refunding.map((r) => r.amount),
        currency,
      )} in progress`,
    );

  const captures = resolved(row.captureSessions);
  const captured = captures.length
    ? sumAmounts(
        captures.map((c) => c.amount),
        currency,
      )
    : null;
  if (captured) notes.push(`Captured ${captured} of ${amount}`);
  if (underway(row.captureSessions).length) notes.push("Capture in progress");

  if (resolved(row.voidSessions).length) notes.push("Voided");
  else if (underway(row.voidSessions).length) notes.push("Void in progress");

  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    shopifyId: row.shopifyId,
    group: row.group,
    kind: row.kind,
    amount,
    currency,
    test: row.test,
    status: row.status,
    statusLabel: statusLabel(row.status),
    statusTone: statusTone(row.status),
    notes,
    refunded,
    captured,
    gateway: row.gateway,
    gatewayName: gatewayDisplayName(row.gateway),
    gatewayPaymentId: row.gatewayPaymentId,
    provider: row.provider,
  };
}
