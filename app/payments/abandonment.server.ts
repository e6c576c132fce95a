import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler } from "~/jobs";
import { applyAbandoned } from "~/payments/completion.server";
import { finishThreeDs } from "~/payments/charge.server";
import { chargeDeps } from "~/payments/charge-deps.server";

/**
 * Every payment session gets a deadline when it arrives. If the shopper is still not done by
 * then, the session is settled without them: a pending 3-D Secure is first re-read from
 * Accelebit (the bank may have answered), then whatever is still open is rejected (no card
 * charged) or marked pending (outcome unknown).
 */
export const PAYMENT_SESSION_DEADLINE = "payment-session.deadline";

export function enqueueDeadline(client: Prisma.TransactionClient, session: { id: string; shopId: string }, abandonAfterMs: number, now = new Date()) {
  return enqueueJob(client, {
    type: PAYMENT_SESSION_DEADLINE,
    payload: { paymentSessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `deadline:${session.id}`,
    runAt: new Date(now.getTime() + abandonAfterMs),
  });
}

export const settleAbandonedSession = jobHandler(z.object({ paymentSessionId: z.string().min(1) }), async ({ paymentSessionId }, { logger }) => {
  const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId }, select: { status: true, shopperToken: true } });
  if (!session) return;
  if (session.status === "three_ds") await finishThreeDs(session.shopperToken, chargeDeps());
  const outcome = await applyAbandoned(paymentSessionId);
  if (outcome.kind !== "unchanged") logger.info({ paymentSessionId, outcome: outcome.kind }, "settled a payment session the shopper left");
});
