import { z } from "zod";
import { minorUnitsToAmount } from "~/accelebit";
import { db } from "~/db.server";
import { enqueueJob, firstSentAt, jobHandler, TerminalJobError, type JobHandler } from "~/jobs";
import type { VoidSessionBody } from "~/payments/finalized-session-request";
import {
  afterAnswer,
  enqueueFinalize,
  lockPayment,
  paymentLedger,
  receiveFinalizedSession,
  rejection,
  usablePayment,
  type Answer,
  type Decision,
  type LockedPayment,
  type PaymentLedger,
} from "~/payments/finalized-sessions.server";
import { capturedProblem, recordGatewayRefund, refundAtGateway } from "~/payments/refunds.server";
import type { SessionHeaders } from "~/payments/session-request";

/**
 * Void sessions. Accelebit documents no void endpoint, and an `authorization` payment is
 * charged like a sale, so voiding means giving the money back: a refund of everything not yet
 * refunded (POST /v1/refunds, Idempotency-Key = the void session), then resolve. A payment
 * Accelebit only authorized cannot be voided from here and is rejected with the reason.
 */
export const VOID_AT_ACCELEBIT = "void-session.refund";

export const VOID_UNSUPPORTED =
  "Voiding is not supported by Accelebit: this payment was only authorized, and Accelebit offers no way to release the authorization. " +
  "No money was captured.";

export function receiveVoidSession(headers: SessionHeaders, body: VoidSessionBody): Promise<Answer> {
  return receiveFinalizedSession(headers, "void", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, body.payment_id, null, "void");
    const decided = "problem" in found ? { decision: rejection(found.problem) } : decideVoid(found.payment, await paymentLedger(tx, found.payment));
    const row = await tx.voidSession.create({
      data: {
        shopId,
        shopifyId: body.id,
        gid: body.gid,
        paymentShopifyId: body.payment_id,
        paymentSessionId: payment?.id ?? null,
        test: payment?.test ?? body.test ?? false,
        ...decided.decision,
        shopifyRequestId: headers.requestId,
      },
    });
    if (decided.refund) {
      // The amount is fixed now, under the lock, and travels with the job: every retry must send
      // Accelebit the same body for the same Idempotency-Key.
      await enqueueJob(tx, {
        type: VOID_AT_ACCELEBIT,
        payload: { voidSessionId: row.id, ...decided.refund },
        shopId,
        dedupeKey: `void-refund:${row.id}`,
        runAt: afterAnswer(),
      });
    } else {
      await enqueueFinalize(tx, "void", row, afterAnswer());
    }
    return row;
  });
}

type VoidDecision = { decision: Decision; refund?: { amount: string; currency: string } };

function decideVoid(payment: LockedPayment, ledger: PaymentLedger): VoidDecision {
  if (payment.gatewayStatus === "authorized") return { decision: rejection(VOID_UNSUPPORTED) };
  const notCaptured = capturedProblem(payment, "void");
  if (notCaptured) return { decision: rejection(notCaptured) };
  if (ledger.voided) return { decision: rejection("This payment was already voided; its money is already on its way back to the buyer.") };
  if (ledger.capturedByShopify > 0n) return { decision: rejection("This payment was already captured in Shopify; refund it instead of voiding it.") };
  const remaining = ledger.captured - ledger.refunded;
  // Refunds already gave everything back: the void has nothing left to do at Accelebit.
  if (remaining <= 0n) return { decision: { status: "resolving" } };
  return { decision: { status: "processing" }, refund: { amount: minorUnitsToAmount(remaining), currency: payment.currency } };
}

const voidPayload = z.object({
  voidSessionId: z.string().min(1),
  amount: z.string().min(1),
  currency: z.string().length(3),
  firstSentAt: z.string().optional(),
});

export const voidAtAccelebit: JobHandler = jobHandler(voidPayload, async (payload, { jobId, now }) => {
  const { voidSessionId, amount, currency } = payload;
  const session = await db().voidSession.findUnique({ where: { id: voidSessionId }, include: { paymentSession: { select: { accelebitPaymentId: true } } } });
  if (!session || session.status !== "processing") return;
  const transactionId = session.paymentSession?.accelebitPaymentId;
  if (!transactionId) throw new TerminalJobError("The void's payment has no Accelebit payment");

  const outcome = await refundAtGateway({
    shopId: session.shopId,
    test: session.test,
    transactionId,
    amount,
    currency,
    idempotencyKey: `shopify-void-${session.shopifyId}`,
    reason: `Shopify void ${session.shopifyId}`,
    firstSentAt: await firstSentAt(db(), jobId, payload, now),
    now,
  });
  await recordGatewayRefund("void", session, outcome);
});
