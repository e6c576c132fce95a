import { z } from "zod";
import { amountToMinorUnits, formatAccelebitAmount, minorUnitsToAmount } from "~/accelebit";
import { db, isUniqueViolation, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import { plainText as text, readJsonBody } from "~/lib/http.server";
import { logger } from "~/lib/logger";
import { describeIssues, readSessionHeaders, type SessionHeaders } from "~/payments/session-request";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";
import type { FinalizedSessionResult, PaymentsAppsClient, PaymentsAppsOutcome } from "~/shopify/payments-apps";

/**
 * What refund, capture and void sessions share (Shopify calls their results "finalized
 * sessions"): the request edge, idempotent intake, the money a payment still holds, and the
 * job that tells Shopify the decision.
 *
 *   ──request──▶ processing ──Accelebit refunded──▶ resolving ──▶ resolved
 *        │            └──────Accelebit refused─────▶ rejecting ──▶ rejected
 *        └──decided at intake (captures, refusals)──▶ resolving | rejecting
 *
 * `processing` exists only for refunds and voids (an Accelebit refund to make). Every status
 * is written in the same transaction as the job that carries it further.
 */
export type FinalizedKind = "refund" | "capture" | "void";
export type FinalizedStatus = "processing" | "resolving" | "rejecting" | "resolved" | "rejected";
export type FinalizedRejectReason = "PROCESSING_ERROR" | "AUTHORIZATION_EXPIRED";

/** Every status but a reject holds (or is about to move) money of its payment. */
export const COUNTS_AGAINST_PAYMENT: readonly FinalizedStatus[] = ["processing", "resolving", "resolved"];

export type Decision = { status: "processing" | "resolving" } | { status: "rejecting"; rejectReason: FinalizedRejectReason; merchantMessage: string };

export function rejection(merchantMessage: string, rejectReason: FinalizedRejectReason = "PROCESSING_ERROR"): Decision {
  return { status: "rejecting", rejectReason, merchantMessage: merchantMessage.slice(0, 500) };
}

type Tx = Prisma.TransactionClient;

// ─── The request edge ────────────────────────────────────────────────────────────────

/** These requests are a few hundred bytes; refuse anything far larger before parsing. */
const MAX_REQUEST_BYTES = 16 * 1024;

export interface Answer {
  status: number;
  body: string;
}

/** Shopify wants 201 Created with an empty body, the first time and on every retry (reference §3). */
const ACCEPTED: Answer = { status: 201, body: "" };

/** The whole HTTP handling of one session route: validate, hand over to `receive`, answer. */
export async function answerSessionRequest<T>(
  request: Request,
  schema: z.ZodType<T>,
  what: string,
  receive: (headers: SessionHeaders, body: T) => Promise<Answer>,
): Promise<Response> {
  if (request.method !== "POST") return text("Method not allowed", 405);
  const headers = readSessionHeaders(request);
  if (!headers.success) return text(`Invalid headers: ${describeIssues(headers.error)}`, 400);
  const read = await readJsonBody(request, MAX_REQUEST_BYTES);
  if (!read.ok) return read.response;
  const body = schema.safeParse(read.json);
  if (!body.success) return text(`Invalid ${what}: ${describeIssues(body.error)}`, 422);
  const answer = await receive(headers.data, body.data);
  return answer.status === 201 ? new Response(null, { status: 201 }) : text(answer.body, answer.status);
}

// ─── Intake ──────────────────────────────────────────────────────────────────────────

/**
 * Shopify refuses mutations on a session until it has our answer to the request (reference
 * §2.6), so work enqueued while answering starts a moment later.
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
): Promise<Answer> {
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

// ─── What a payment still holds ──────────────────────────────────────────────────────

/**
 * The shop's payment session `shopifyId`, locked for the rest of the transaction so that two
 * sessions against one payment decide one after the other and each sees the other's
 * reservation. The no-op UPDATE takes a row lock on PostgreSQL (a later statement in READ
 * COMMITTED then reads what the previous holder committed) and the write lock on SQLite. A
 * payment of another shop is simply not found.
 */
export async function lockPayment(tx: Tx, shopId: string, shopifyId: string) {
  await tx.$executeRaw`UPDATE "PaymentSession" SET "id" = "id" WHERE "shopId" = ${shopId} AND "shopifyId" = ${shopifyId}`;
  return tx.paymentSession.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } } });
}

export type LockedPayment = NonNullable<Awaited<ReturnType<typeof lockPayment>>>;

/** Minor units of the payment's currency; never floats. */
export interface PaymentLedger {
  /** What Accelebit captured. */
  captured: bigint;
  /** Refunds made or under way (refund sessions only; see `voided`). */
  refunded: bigint;
  /** Capture sessions resolved or being resolved. */
  capturedByShopify: bigint;
  /**
   * A void refunds everything not yet refunded, so once one counts nothing is left. (Its amount
   * lives in its job's payload: VoidSession has no amount column.)
   */
  voided: boolean;
}

export async function paymentLedger(tx: Tx, payment: LockedPayment): Promise<PaymentLedger> {
  const counted = { paymentSessionId: payment.id, status: { in: [...COUNTS_AGAINST_PAYMENT] } };
  const refunds = await tx.refundSession.findMany({ where: counted, select: { amount: true } });
  const captures = await tx.captureSession.findMany({ where: counted, select: { amount: true } });
  const voids = await tx.voidSession.count({ where: counted });
  // Sums in JavaScript: SQLite would add Decimal columns as floating point.
  const sum = (rows: { amount: Prisma.Decimal }[]) => rows.reduce((total, row) => total + minorUnits(row.amount, payment.currency), 0n);
  return {
    captured: minorUnits(payment.capturedAmount ?? payment.amount, payment.currency),
    refunded: sum(refunds),
    capturedByShopify: sum(captures),
    voided: voids > 0,
  };
}

/** An amount stored after validation ("49.99", a Decimal) in minor units. */
export function minorUnits(amount: { toString(): string }, currency: string): bigint {
  const formatted = formatAccelebitAmount(amount.toString(), currency);
  if (!formatted.ok) throw new RangeError(`Stored amount cannot be read: ${formatted.error.message}`);
  return amountToMinorUnits(formatted.value);
}

export const money = (minor: bigint, currency: string): string => `${minorUnitsToAmount(minor)} ${currency}`;

/** The payment a refund, capture or void names, or why it cannot take part (answered as a reject). */
export function usablePayment(
  payment: LockedPayment | null,
  paymentShopifyId: string,
  currency: string | null,
  what: string,
): { payment: LockedPayment } | { problem: string } {
  if (!payment) return { problem: `Accelebit for Shopify has no payment ${paymentShopifyId} on this shop; no ${what} was made.` };
  if (currency !== null && currency !== payment.currency) {
    return { problem: `The ${what} is in ${currency} but the payment was made in ${payment.currency}; no ${what} was made.` };
  }
  return { payment };
}

// ─── Telling Shopify ─────────────────────────────────────────────────────────────────

export const FINALIZE_JOB: Readonly<Record<FinalizedKind, string>> = {
  refund: "refund-session.finalize",
  capture: "capture-session.finalize",
  void: "void-session.finalize",
};

/** Schedules delivery of the session's decision (idempotent per decision). */
export function enqueueFinalize(tx: Tx, kind: FinalizedKind, session: { id: string; shopId: string; status: string }, runAt?: Date) {
  return enqueueJob(tx, {
    type: FINALIZE_JOB[kind],
    payload: { sessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `finalize-${kind}:${session.id}:${session.status}`,
    runAt,
  });
}

type Outcome = PaymentsAppsOutcome<FinalizedSessionResult>;

const MUTATIONS: Record<
  FinalizedKind,
  {
    resolve(client: PaymentsAppsClient, id: string): Promise<Outcome>;
    reject(client: PaymentsAppsClient, id: string, reason: FinalizedRejectReason, merchantMessage?: string): Promise<Outcome>;
  }
> = {
  refund: {
    resolve: (client, id) => client.refundSessionResolve({ id }),
    reject: (client, id, _reason, merchantMessage) => client.refundSessionReject({ id, reason: { code: "PROCESSING_ERROR", merchantMessage } }),
  },
  capture: {
    resolve: (client, id) => client.captureSessionResolve({ id }),
    reject: (client, id, reason, merchantMessage) => client.captureSessionReject({ id, reason: { code: reason, merchantMessage } }),
  },
  void: {
    resolve: (client, id) => client.voidSessionResolve({ id }),
    reject: (client, id, _reason, merchantMessage) => client.voidSessionReject({ id, reason: { code: "PROCESSING_ERROR", merchantMessage } }),
  },
};

/**
 * Shopify answers `<X>_SESSION_INVALID_STATE` both for a session in another final state and
 * for one whose request it has not yet seen answered; a few spaced retries tell them apart.
 */
const CONFLICT_ATTEMPTS = 3;

const finalizePayload = z.object({ sessionId: z.string().min(1) });

/** Delivers a refund, capture or void decision until Shopify acknowledges it. */
export function finalizeSessionHandler(kind: FinalizedKind): JobHandler {
  return jobHandler(finalizePayload, async ({ sessionId }, { attempt, logger }) => {
    const session = await findForDelivery(kind, sessionId);
    // Gone (shop/redact) or already acknowledged: nothing left to tell.
    if (!session || (session.status !== "resolving" && session.status !== "rejecting")) return;

    const client = paymentsAppsClientFor(session.shop.domain);
    const mutation = MUTATIONS[kind];
    const outcome =
      session.status === "resolving"
        ? await mutation.resolve(client, session.gid)
        : await mutation.reject(
            client,
            session.gid,
            (session.rejectReason ?? "PROCESSING_ERROR") as FinalizedRejectReason,
            session.merchantMessage ?? undefined,
          );

    switch (outcome.kind) {
      case "done": {
        const final = outcome.result.state === "RESOLVED" ? "resolved" : "rejected";
        await markFinal(kind, session.id, session.status, final);
        if (session.paymentSessionId) {
          await recordEvent(db(), {
            shopId: session.shopId,
            paymentSessionId: session.paymentSessionId,
            kind: `${kind}.mutation`,
            summary: `${kind}Session${session.status === "resolving" ? "Resolve" : "Reject"} → Shopify: ${outcome.result.state}`,
          });
        }
        logger.info({ kind, sessionId, state: outcome.result.state }, "Shopify acknowledged the session");
        return;
      }
      case "failed":
        if (outcome.category === "retryable") {
          throw new RetryableJobError(`Shopify ${outcome.code}: ${outcome.message}`, { retryAfterMs: outcome.retryAfterMs ?? undefined });
        }
        throw new TerminalJobError(`Shopify ${outcome.code}: ${outcome.message}`);
      case "conflict":
        if (attempt < CONFLICT_ATTEMPTS) throw new RetryableJobError(`Shopify reports the session in another state; asking again`);
        // Shopify holds another final state than the one we decided: a person must look.
        throw new TerminalJobError(`Shopify reports the session ${outcome.currentState ?? "in another state"}; we decided ${session.status}`);
      case "user-errors":
        throw new RetryableJobError(`Shopify refused: ${outcome.userErrors.map((e) => e.message).join("; ")}`);
    }
  });
}

const deliverySelect = {
  id: true,
  shopId: true,
  paymentSessionId: true,
  gid: true,
  status: true,
  rejectReason: true,
  merchantMessage: true,
  shop: { select: { domain: true } },
} as const;

function findForDelivery(kind: FinalizedKind, id: string) {
  if (kind === "refund") return db().refundSession.findUnique({ where: { id }, select: deliverySelect });
  if (kind === "capture") return db().captureSession.findUnique({ where: { id }, select: deliverySelect });
  return db().voidSession.findUnique({ where: { id }, select: deliverySelect });
}

/** Only the decision this job delivered is marked final. */
function markFinal(kind: FinalizedKind, id: string, from: string, status: "resolved" | "rejected") {
  const args = { where: { id, status: from }, data: { status, finalizedAt: new Date() } };
  if (kind === "refund") return db().refundSession.updateMany(args);
  if (kind === "capture") return db().captureSession.updateMany(args);
  return db().voidSession.updateMany(args);
}

export const FINALIZE_HANDLERS: Readonly<Record<string, JobHandler>> = {
  [FINALIZE_JOB.refund]: finalizeSessionHandler("refund"),
  [FINALIZE_JOB.capture]: finalizeSessionHandler("capture"),
  [FINALIZE_JOB.void]: finalizeSessionHandler("void"),
};
