import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, firstSentAt, jobHandler, RetryableJobError, TerminalJobError } from "~/jobs";
import type { ChargeDeps } from "~/payments/charge.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { refundAtGateway } from "~/payments/refunds.server";
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
    dedupeKey: `attempt-refund:${attempt.id}`,
  });
}

const REASONS: Record<AttemptRefundReason, string> = {
  surplus: "A second charge of one Shopify payment",
  "confirmation-refused": "Shopify refused to confirm the payment",
};

export function refundAttemptHandler(deps: () => Pick<ChargeDeps, "gateway" | "box">) {
  return jobHandler(payloadSchema, async (payload, { jobId, now, logger }) => {
    const { attemptId, why } = payload;
    const attempt = await db().paymentAttempt.findUnique({ where: { id: attemptId }, include: { paymentSession: true } });
    if (!attempt?.accelebitPaymentId || attempt.surplusRefund === "refunded") return;
    const session = attempt.paymentSession;
    const note = (summary: string) => recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind: "refund.gateway", summary });

    // Re-read first: only a captured payment can be refunded, and its amount is Accelebit's.
    const account = await accountForSession(deps(), session);
    if (!account.ok) throw new RetryableJobError(`No usable key to refund attempt ${attempt.number}: ${account.error.message}`);
    const read = await account.value.retrievePayment(attempt.accelebitPaymentId);
    if (!read.ok) {
      if (read.error.category === "terminal") throw new TerminalJobError(`Accelebit did not return the payment to refund: ${read.error.name}`);
      throw new RetryableJobError(`Accelebit ${read.error.name} while reading the payment to refund`);
    }
    if (read.value.status !== "captured") {
      await note(`Attempt ${attempt.number}: Accelebit reports ${read.value.status}; nothing to refund (an authorization lapses at the issuer)`);
      await db().paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: null } });
      return;
    }
    const outcome = await refundAtGateway({
      shopId: session.shopId,
      test: session.test,
      transactionId: attempt.accelebitPaymentId,
      amount: read.value.amount ?? session.amount.toString(),
      currency: read.value.currency ?? session.currency,
      idempotencyKey: attemptRefundIdempotencyKey(attempt),
      reason: REASONS[why],
      firstSentAt: await firstSentAt(db(), jobId, payload, now),
      now,
    });
    if (!outcome.ok) {
      await note(`Refund of attempt ${attempt.number} at Accelebit failed: ${outcome.merchantMessage}`);
      throw new TerminalJobError(outcome.merchantMessage);
    }
    await db().$transaction([
      db().paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: "refunded" } }),
      db().sessionEvent.create({
        data: {
          shopId: session.shopId,
          paymentSessionId: session.id,
          kind: "refund.gateway",
          summary:
            `Refunded attempt ${attempt.number}'s ${read.value.amount ?? ""} ${read.value.currency ?? ""} at Accelebit: ${REASONS[why].toLowerCase()}`.replace(
              /\s+/g,
              " ",
            ),
        },
      }),
    ]);
    logger.info({ attemptId, refundId: outcome.refundId, why }, "attempt refunded at Accelebit");
  });
}
