/**
 * An attempt whose payment is only authorized where the session needs more or less than that
 * (docs/decisions/0016-authorized-sales.md), on a gateway that captures and releases later:
 *
 * - `capture`: a sale whose capture never happened (the process died between authorize and
 *   capture, or the capture's answer was lost). The shopper agreed to pay, so the sale is
 *   finished: the whole amount is captured, and the result goes through the one decision.
 * - `release`: an authorization the session does not keep (it was decided without it, or kept
 *   another payment). It is released, not left to hold the shopper's money until it lapses.
 *
 * Each is one job per attempt. The payment is read first: whatever it has become since (captured
 * by another path, released, expired) is applied instead of acting on a stale view.
 */
import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import { readAttemptPaymentForJob } from "~/payments/attempt-payment-read.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { OPEN_STATUSES } from "~/payments/check-schedule";
import { applyAttemptFact } from "~/payments/completion.server";
import { paymentFact } from "~/payments/gateway-facts.server";
import { describeGatewayError, type GatewayAccount } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";
import { storedMoney } from "~/payments/money";
import type { PaymentSessionStatus } from "~/payments/session-status";
import { recordEvent } from "~/payments/timeline.server";

export const SETTLE_AUTHORIZATION = "payment-attempt.settle-authorization";

type Action = "capture" | "release";
const payloadSchema = z.object({ attemptId: z.string().min(1), action: z.enum(["capture", "release"]) });

export function enqueueAuthorizationSettlement(tx: Prisma.TransactionClient, session: { shopId: string }, attempt: { id: string }, action: Action) {
  return enqueueJob(tx, {
    type: SETTLE_AUTHORIZATION,
    payload: { attemptId: attempt.id, action },
    shopId: session.shopId,
    dedupeKey: action === "capture" ? jobKeys.attemptCapture(attempt.id) : jobKeys.attemptRelease(attempt.id),
  });
}

export function settleAuthorizationHandler(deps: () => Pick<ChargeDeps, "gateways" | "box" | "maxAttempts">) {
  return jobHandler(payloadSchema, async ({ attemptId, action }, { now }) => {
    const attempt = await db().paymentAttempt.findUnique({ where: { id: attemptId }, include: { paymentSession: true } });
    if (!attempt?.gatewayPaymentId) return;
    const session = attempt.paymentSession;
    const paymentId = attempt.gatewayPaymentId;
    const context = { now, maxAttempts: deps().maxAttempts, gateways: deps().gateways };
    const note = (summary: string) => recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind: "attempt.settlement", summary });

    const { account, payment, gatewayName } = await readAttemptPaymentForJob(
      deps(),
      session,
      { number: attempt.number, gatewayPaymentId: paymentId },
      "to settle",
    );
    if (payment.status !== "authorized") {
      // Captured or released meanwhile: the decision takes it from here.
      if (payment.status !== "canceled") await applyAttemptFact(session.id, attempt.id, paymentFact(payment), context);
      return;
    }

    // A sale is only finished while its session is still open; a decided one releases instead.
    const open = OPEN_STATUSES.includes(session.status as PaymentSessionStatus);
    if (action === "capture" && open) {
      const captured = await account.capture(paymentId, storedMoney(session.amount, session.currency), {
        idempotencyKey: `${attempt.idempotencyKey}-capture`,
      });
      if (captured.ok) {
        await note(`Attempt ${attempt.number}: the sale's capture had not happened; captured it at ${gatewayName}`);
        await applyAttemptFact(session.id, attempt.id, paymentFact(captured.value), context);
        return;
      }
      // A capture that cannot succeed: release the hold, and the attempt failed (nothing taken).
      if (captured.error.category !== "terminal") throw new RetryableJobError(`Capture of attempt ${attempt.number}: ${describeGatewayError(captured.error)}`);
      await release(account, paymentId, attempt, gatewayName);
      await note(`Attempt ${attempt.number}: ${gatewayName} refused the capture (${describeGatewayError(captured.error)}); the authorization was released`);
      await applyAttemptFact(
        session.id,
        attempt.id,
        {
          kind: "payment",
          paymentId,
          status: "failed",
          amount: null,
          provider: null,
          errorName: "CAPTURE_FAILED",
          errorMessage: captured.error.message,
          threeDs: null,
        },
        context,
      );
      return;
    }
    await release(account, paymentId, attempt, gatewayName);
    await db().paymentAttempt.update({ where: { id: attempt.id }, data: { surplusRefund: "released" } });
    await note(`Attempt ${attempt.number}: released its authorization at ${gatewayName}; the session does not keep it`);
  });
}

async function release(account: GatewayAccount, paymentId: string, attempt: { idempotencyKey: string; number: number }, gatewayName: string) {
  const canceled = await account.cancel(paymentId, { idempotencyKey: `${attempt.idempotencyKey}-release` });
  if (!canceled.ok) throw new RetryableJobError(`Release of attempt ${attempt.number} at ${gatewayName}: ${describeGatewayError(canceled.error)}`);
}
