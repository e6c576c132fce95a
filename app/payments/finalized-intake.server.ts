import { db, isUniqueViolation, type Prisma } from "~/db.server";
import { logger } from "~/lib/logger";
import { enqueueJob, type EnqueueJobInput } from "~/jobs";
import { enqueueFinalizedDecision } from "~/payments/finalized-decisions.server";
import type { GatewayId } from "~/payments/gateway/port";
import type { Decision, FinalizedKind, LockedPayment } from "~/payments/ledger.server";
import type { SessionAnswer } from "~/payments/session-route.server";
import type { SessionHeaders } from "~/payments/session-request";
import { recordEvent } from "~/payments/timeline.server";

/**
 * The idempotent intake of refund, capture and void sessions: stored once per (shop, Shopify's
 * id), answered 201 with an empty body the first time and on every retry, and finished by jobs.
 */
type Tx = Prisma.TransactionClient;

/** Shopify wants 201 Created with an empty body, the first time and on every retry. */
const ACCEPTED: SessionAnswer = { status: 201, body: "" };

/**
 * Shopify refuses mutations on a session until it has our answer to the request, so work
 * enqueued while answering starts a moment later.
 */
export const ANSWER_GRACE_MS = 2_000;
export const afterAnswer = (): Date => new Date(Date.now() + ANSWER_GRACE_MS);

/**
 * Stores a session once, keyed by (shop, Shopify's id): `store` decides and writes the row and
 * its job in one transaction. A retry finds the row; a concurrent duplicate loses on the
 * unique constraint. Both get the same 201: the first request's decision stands.
 */
export async function receiveFinalizedSession(
  headers: SessionHeaders,
  kind: FinalizedKind,
  shopifyId: string,
  store: (tx: Tx, shopId: string) => Promise<{ status: string; paymentSessionId: string | null; rejectReason: string | null; merchantMessage: string | null }>,
): Promise<SessionAnswer> {
  const shop = await db().shop.findUnique({ where: { domain: headers.shop }, select: { id: true, active: true } });
  if (!shop) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };

  // A retry gets its answer before any check of the shop; and these sessions act on money the
  // shop already took, so they need no readiness (docs/decisions/0007-replay-before-readiness.md).
  const fields = { shop: headers.shop, kind, shopifySessionId: shopifyId, shopifyRequestId: headers.requestId };
  if (await isStored(kind, shop.id, shopifyId)) {
    logger.info(fields, "finalized session request repeated");
    return ACCEPTED;
  }
  if (!shop.active) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  try {
    const row = await db().$transaction(async (tx) => {
      const stored = await store(tx, shop.id);
      // On the payment's timeline; a session for an unknown payment has none.
      if (stored.paymentSessionId) {
        const decided = stored.status === "rejecting" ? `rejected: ${stored.merchantMessage ?? stored.rejectReason}` : `accepted (${stored.status})`;
        await recordEvent(tx, {
          shopId: shop.id,
          paymentSessionId: stored.paymentSessionId,
          kind: `${kind}.request`,
          summary: `Shopify asked for a ${kind}; ${decided}`,
          detail: { shopifyId, shopifyRequestId: headers.requestId },
        });
      }
      return stored;
    });
    logger.info({ ...fields, status: row.status }, "finalized session received");
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    logger.info(fields, "finalized session request repeated concurrently");
  }
  return ACCEPTED;
}

async function isStored(kind: FinalizedKind, shopId: string, shopifyId: string): Promise<boolean> {
  const where = { shopId_shopifyId: { shopId, shopifyId } };
  const select = { id: true };
  const row =
    kind === "refund"
      ? await db().refundSession.findUnique({ where, select })
      : kind === "capture"
        ? await db().captureSession.findUnique({ where, select })
        : await db().voidSession.findUnique({ where, select });
  return row !== null;
}

/** The columns every refund, capture and void session row fills the same way from Shopify's request and its decision. */
export function finalizedSessionRow(
  shopId: string,
  headers: SessionHeaders,
  body: { id: string; gid: string; payment_id: string; test?: boolean | null | undefined },
  payment: Pick<LockedPayment, "id" | "test"> | null,
  gateway: GatewayId,
  decision: Decision,
) {
  return {
    shopId,
    shopifyId: body.id,
    gid: body.gid,
    paymentShopifyId: body.payment_id,
    paymentSessionId: payment?.id ?? null,
    gateway,
    // The payment's mode picks the account that holds it.
    test: payment?.test ?? body.test ?? false,
    ...decision,
    shopifyRequestId: headers.requestId,
  };
}

/**
 * What follows a decision, in its transaction: a session that must move money at its gateway
 * gets the job that does it (its payload fixed now, under the lock, so every retry sends the
 * same request for the same idempotency key); any other decision goes to Shopify.
 */
export async function queueAfterDecision(
  tx: Tx,
  kind: FinalizedKind,
  row: { id: string; shopId: string; status: string },
  gatewayJob: Required<Pick<EnqueueJobInput, "type" | "payload" | "dedupeKey">>,
) {
  if (row.status === "processing") await enqueueJob(tx, { ...gatewayJob, shopId: row.shopId, runAt: afterAnswer() });
  else await enqueueFinalizedDecision(tx, kind, row, afterAnswer());
}
