import { z } from "zod";
import { db, type Prisma, type PrismaClient } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError } from "~/jobs";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";

/**
 * A credit-card payment passed 3-D Secure: Shopify must confirm it (paymentSessionConfirm)
 * before it may be resolved, and answers at the confirmation callback. A durable job, written
 * with the decision, so the confirmation is asked for whichever path learned that 3-D Secure
 * passed — the shopper's return, a webhook or the sweeper — even when the shopper never comes
 * back (docs/decisions/0002-one-decision-function.md).
 */
export const CONFIRM_CARD_SESSION = "card-payment.confirm";

export function enqueueCardConfirm(client: PrismaClient | Prisma.TransactionClient, session: { id: string; shopId: string }) {
  return enqueueJob(client, {
    type: CONFIRM_CARD_SESSION,
    payload: { paymentSessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `card-confirm:${session.id}`,
  });
}

export const confirmCardHandler = jobHandler(z.object({ paymentSessionId: z.string().min(1) }), async ({ paymentSessionId }, { logger }) => {
  const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId }, include: { shop: { select: { domain: true } } } });
  if (!session || session.status !== "confirming" || session.shopifyState === "CONFIRMING") return;
  const outcome = await paymentsAppsClientFor(session.shop.domain).paymentSessionConfirm({ id: session.gid });
  if (outcome.kind === "done") {
    await db().$transaction(async (tx) => {
      await tx.paymentSession.updateMany({
        where: { id: session.id, status: "confirming" },
        data: { shopifyState: outcome.result.state, nextActionUrl: outcome.result.nextActionRedirectUrl },
      });
      await recordEvent(tx, {
        shopId: session.shopId,
        paymentSessionId: session.id,
        kind: "three_ds.confirm",
        summary: `paymentSessionConfirm → Shopify: ${outcome.result.state}`,
      });
    });
    logger.info({ paymentSessionId }, "Shopify is confirming the card payment");
    return;
  }
  const problem =
    outcome.kind === "failed"
      ? `${outcome.code}: ${outcome.message}`
      : outcome.kind === "user-errors"
        ? outcome.userErrors.map((e) => e.message).join("; ")
        : "conflict";
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "mutation.failed",
    summary: `paymentSessionConfirm failed: ${problem}`,
  });
  if (outcome.kind === "conflict" || (outcome.kind === "failed" && outcome.category !== "retryable"))
    throw new TerminalJobError(`paymentSessionConfirm: ${problem}`);
  throw new RetryableJobError(`paymentSessionConfirm: ${problem}`, outcome.kind === "failed" ? { retryAfterMs: outcome.retryAfterMs ?? undefined } : undefined);
});
