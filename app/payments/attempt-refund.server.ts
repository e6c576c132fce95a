import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, firstSentAt, jobHandler, TerminalJobError } from "~/jobs";
import type { ChargeDeps } from "~/payments/charge.server";
import { readAttemptPaymentForJob } from "~/payments/attempt-payment-read.server";
import { describeMoney, storedMoney } from "~/payments/money";
import { refundAtGateway } from "~/payments/refunds.server";
import { jobKeys } from "~/payments/job-keys";
import { recordEvent } from "~/payments/timeline.server";

/**
 * Refunds, in full, the payment of one attempt that its session does not keep: a second
 * capture, money taken after the session was rejected (docs/decisions/0003-surplus-charges.md),
 * or the payment of a credit-card session whose confirmation Shopify refused. One job and one
 * Idempotency-Key per attempt, so whichever path asks first, the money goes back once.
 */
export const REFUND_ATTEMPT = "payment-attempt.refund";

export type AttemptRefundReason = "surplus" | "confirmation-refused";

const payloadSchema = z.object({ attemptId: z.string().min(1), why: z.enum(["surplus", "confirmation-refused"]), firstSentAt: z.string().optional() });

export function attemptRefundIdempotencyKey(attempt: { idempotencyKey: string }): string {
  return `${attempt.idempotencyKey}-refund`;
}

export async function enqueueAttemptRefund(
  tx: Prisma.TransactionClient,
  session: { id: string; shopId: string },
  attempt: { id: string },
  why: AttemptRefundReason,
) {
  await tx.paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: "refunding" } });
  return enqueueJob(tx, {
    type: REFUND_ATTEMPT,
    payload: { attemptId: attempt.id, why },
    shopId: session.shopId,
    dedupeKey: jobKeys.attemptRefund(attempt.id),
  });
}

const REASONS: Record<AttemptRefundReason, string> = {
  surplus: "A second charge of one Shopify payment",
  "confirmation-refused": "Shopify refused to confirm the payment",
};

export function refundAttemptHandler(deps: () => Pick<ChargeDeps, "gateways" | "box">) {
  return jobHandler(payloadSchema, async (payload, { jobId, now, logger }) => {
    const { attemptId, why } = payload;
    const attempt = await db().paymentAttempt.findUnique({ where: { id: attemptId }, include: { paymentSession: true } });
    if (!attempt?.gatewayPaymentId || attempt.surplusRefund === "refunded") return;
    const session = attempt.paymentSession;
    const note = (summary: string) => recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind: "refund.gateway", summary });

    // Re-read first: only a captured payment can be refunded, and its amount is the gateway's.
    const read = await readAttemptPaymentForJob(deps(), session, { number: attempt.number, gatewayPaymentId: attempt.gatewayPaymentId }, "to refund");
    const { gatewayName } = read;
    if (read.payment.status !== "captured") {
      await note(`Attempt ${attempt.number}: ${gatewayName} reports ${read.payment.status}; nothing to refund (an authorization lapses at the issuer)`);
      await db().paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: null } });
      return;
    }
    const amount = read.payment.amount ?? storedMoney(session.amount, session.currency);
    const outcome = await refundAtGateway(deps(), {
      session,
      paymentId: attempt.gatewayPaymentId,
      amount,
      idempotencyKey: attemptRefundIdempotencyKey(attempt),
      reason: REASONS[why],
      knownRefundIds: [],
      firstSentAt: await firstSentAt(db(), jobId, payload, now),
      now,
    });
    if (!outcome.ok) {
      await note(`Refund of attempt ${attempt.number} at ${gatewayName} failed: ${outcome.merchantMessage}`);
      throw new TerminalJobError(outcome.merchantMessage);
    }
    await db().$transaction([
      db().paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: "refunded" } }),
      db().sessionEvent.create({
        data: {
          shopId: session.shopId,
          paymentSessionId: session.id,
          kind: "refund.gateway",
          summary: `Refunded attempt ${attempt.number}'s ${describeMoney(amount)} at ${gatewayName}: ${REASONS[why].toLowerCase()}`,
        },
      }),
    ]);
    logger.info({ attemptId, refundId: outcome.refundId, why }, "attempt refunded at the gateway");
  });
}
