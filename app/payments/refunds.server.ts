import { z } from "zod";
import { amountToMinorUnits, formatAccelebitAmount } from "~/accelebit";
import { db } from "~/db.server";
import { enqueueJob, firstSentAt, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import { logger } from "~/lib/logger";
import { secretBox } from "~/lib/secret-box.server";
import { accountForSession } from "~/payments/gateway-account.server";
import type { RefundSessionBody } from "~/payments/finalized-session-request";
import {
  afterAnswer,
  enqueueFinalize,
  lockPayment,
  money,
  paymentLedger,
  receiveFinalizedSession,
  rejection,
  usablePayment,
  type Answer,
  type Decision,
  type LockedPayment,
  type PaymentLedger,
} from "~/payments/finalized-sessions.server";
import { accelebitGateway } from "~/payments/gateway.server";
import type { SessionHeaders } from "~/payments/session-request";

/**
 * Refund sessions: Shopify asks, we check and reserve the amount against the payment at once
 * (201), then a job makes the refund at Accelebit (POST /v1/refunds, Idempotency-Key = the
 * refund session) and the decision goes to Shopify through the finalize job.
 */
export const REFUND_AT_ACCELEBIT = "refund-session.refund";

export function receiveRefundSession(headers: SessionHeaders, body: RefundSessionBody): Promise<Answer> {
  return receiveFinalizedSession(headers, "refund", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, body.payment_id, body.currency, "refund");
    const decision = "problem" in found ? rejection(found.problem) : decideRefund(found.payment, body.amount, await paymentLedger(tx, found.payment));
    const row = await tx.refundSession.create({
      data: {
        shopId,
        shopifyId: body.id,
        gid: body.gid,
        paymentShopifyId: body.payment_id,
        paymentSessionId: payment?.id ?? null,
        amount: body.amount,
        currency: body.currency,
        // The payment's mode picks the Accelebit account that holds it.
        test: payment?.test ?? body.test ?? false,
        ...decision,
        shopifyRequestId: headers.requestId,
      },
    });
    if (decision.status === "processing") {
      await enqueueJob(tx, { type: REFUND_AT_ACCELEBIT, payload: { refundSessionId: row.id }, shopId, dedupeKey: `refund:${row.id}`, runAt: afterAnswer() });
    } else {
      await enqueueFinalize(tx, "refund", row, afterAnswer());
    }
    return row;
  });
}

/** Checked before Accelebit is asked, under the payment's lock: the sum of refunds never exceeds what was captured. */
function decideRefund(payment: LockedPayment, requested: string, ledger: PaymentLedger): Decision {
  const notRefundable = capturedProblem(payment, "refund");
  if (notRefundable) return rejection(notRefundable);
  const amount = formatAccelebitAmount(requested, payment.currency);
  if (!amount.ok) return rejection(`Accelebit cannot refund this amount: ${amount.error.message}.`);
  if (ledger.voided) return rejection("This payment was voided: its whole amount already went back to the buyer, so no refund was made.");
  const remaining = ledger.captured - ledger.refunded;
  if (amountToMinorUnits(amount.value) > remaining) {
    return rejection(
      `A refund of ${money(amountToMinorUnits(amount.value), payment.currency)} is more than is left to refund on this payment ` +
        `(${money(remaining, payment.currency)} of ${money(ledger.captured, payment.currency)}); no refund was made.`,
    );
  }
  return { status: "processing" };
}

/** Accelebit refunds captured payments only. */
export function capturedProblem(payment: LockedPayment, what: string): string | null {
  if (payment.gatewayStatus === "captured" && payment.accelebitPaymentId) return null;
  if (payment.gatewayStatus === "authorized")
    return `Accelebit only authorized this payment and never captured it, so there is no money to return; no ${what} was made.`;
  return `This payment was not completed at Accelebit, so there is no money to return; no ${what} was made.`;
}

const refundPayload = z.object({ refundSessionId: z.string().min(1), firstSentAt: z.string().optional() });

export const refundAtAccelebit: JobHandler = jobHandler(refundPayload, async (payload, { jobId, now }) => {
  const { refundSessionId } = payload;
  const refund = await db().refundSession.findUnique({ where: { id: refundSessionId }, include: { paymentSession: { select: { accelebitPaymentId: true } } } });
  // Gone (shop/redact) or already past Accelebit: nothing to do.
  if (!refund || refund.status !== "processing") return;
  const transactionId = refund.paymentSession?.accelebitPaymentId;
  if (!transactionId) throw new TerminalJobError("The refund's payment has no Accelebit payment");

  const outcome = await refundAtGateway({
    shopId: refund.shopId,
    test: refund.test,
    transactionId,
    amount: refund.amount.toString(),
    currency: refund.currency,
    idempotencyKey: `shopify-refund-${refund.shopifyId}`,
    reason: `Shopify refund ${refund.shopifyId}`,
    firstSentAt: await firstSentAt(db(), jobId, payload, now),
    now,
  });
  await recordGatewayRefund("refund", refund, outcome);
});

/**
 * Accelebit's final answer becomes the session's decision, written with the job that tells
 * Shopify. Only a session still `processing` moves: a second run of the job changes nothing.
 */
export async function recordGatewayRefund(kind: "refund" | "void", session: { id: string; shopId: string }, outcome: GatewayRefundOutcome) {
  const data = outcome.ok
    ? { status: "resolving", accelebitRefundId: outcome.refundId }
    : { status: "rejecting", rejectReason: "PROCESSING_ERROR", merchantMessage: outcome.merchantMessage.slice(0, 500) };
  const where = { id: session.id, status: "processing" };
  await db().$transaction(async (tx) => {
    const { count } = kind === "refund" ? await tx.refundSession.updateMany({ where, data }) : await tx.voidSession.updateMany({ where, data });
    if (count === 1) await enqueueFinalize(tx, kind, { id: session.id, shopId: session.shopId, status: data.status });
  });
}

export interface GatewayRefund {
  shopId: string;
  test: boolean;
  transactionId: string;
  /** As stored (a validated decision string); formatted for Accelebit here. */
  amount: string;
  currency: string;
  /** The same for every retry of this refund, so Accelebit refunds at most once. */
  idempotencyKey: string;
  reason: string;
  /** When this refund was first sent (app/jobs/first-sent.server.ts): the key's lifetime counts from there. */
  firstSentAt: Date;
  now: Date;
}

/** Accelebit forgets an Idempotency-Key after 24 hours; stop short of that. */
const IDEMPOTENCY_KEY_LIFETIME_MS = 23 * 60 * 60 * 1000;

export type GatewayRefundOutcome = { ok: true; refundId: string } | { ok: false; merchantMessage: string };

/**
 * POST /v1/refunds with the shop's key for the payment's mode. Resolves with Accelebit's final
 * answer; a transient failure (5xx, rate limit, timeout, lost connection) throws
 * RetryableJobError so the job repeats the same request, never a reject: with the same
 * Idempotency-Key Accelebit either makes the refund or returns the one it made.
 */
export async function refundAtGateway(refund: GatewayRefund): Promise<GatewayRefundOutcome> {
  if (refund.now.getTime() - refund.firstSentAt.getTime() > IDEMPOTENCY_KEY_LIFETIME_MS) {
    // An earlier attempt may have refunded with its answer lost; a repeat Accelebit no longer
    // recognises would refund twice. A person checks Accelebit and settles the session.
    throw new TerminalJobError("Accelebit refund still unsettled after 23 hours; check Accelebit before retrying (the Idempotency-Key expires)");
  }
  const account = await accountForSession({ gateway: accelebitGateway(), box: secretBox() }, refund);
  if (!account.ok) return { ok: false, merchantMessage: `${account.error.message}. Add the key on the Accelebit settings page, then refund again.` };
  const amount = formatAccelebitAmount(refund.amount, refund.currency);
  if (!amount.ok) return { ok: false, merchantMessage: `Accelebit cannot refund this amount: ${amount.error.message}.` };

  const result = await account.value.createRefund(
    { transactionId: refund.transactionId, amount: amount.value, currency: refund.currency, reason: refund.reason },
    { idempotencyKey: refund.idempotencyKey },
  );
  const fields = { shopId: refund.shopId, idempotencyKey: refund.idempotencyKey, amount: amount.value, currency: refund.currency };
  if (result.ok) {
    logger.info({ ...fields, accelebitRefundId: result.value.id }, "Accelebit refund created");
    return { ok: true, refundId: result.value.id };
  }
  const error = result.error;
  logger.warn({ ...fields, errorName: error.name, category: error.category }, "Accelebit refund failed");
  if (error.category === "terminal") return { ok: false, merchantMessage: `Accelebit refused the refund (${error.name}): ${error.message}` };
  throw new RetryableJobError(`Accelebit ${error.name} (${error.category}) on a refund; retrying with the same Idempotency-Key`, {
    retryAfterMs: error.retryAfterMs,
  });
}
