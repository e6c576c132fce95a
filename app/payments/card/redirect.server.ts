import { z } from "zod";
import { db, type Prisma, type PrismaClient } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError } from "~/jobs";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";

/**
 * Asks Shopify to show the shopper our 3-D Secure page (paymentSessionRedirect; Shopify wants an
 * absolute HTTPS URL without credentials). A job, so it survives restarts and is retried;
 * Shopify's acceptance is recorded as the `three_ds.redirect` timeline event, which later decides
 * that resolve/reject carry `authentication` (docs/decisions/shopify-3ds-authentication.md).
 */
export const REDIRECT_CARD_SESSION = "card-payment.redirect";

const payloadSchema = z.object({ paymentSessionId: z.string().min(1) });

export function enqueueCardRedirect(client: PrismaClient | Prisma.TransactionClient, session: { id: string; shopId: string }) {
  return enqueueJob(client, {
    type: REDIRECT_CARD_SESSION,
    payload: { paymentSessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `card-redirect:${session.id}`,
  });
}

export function redirectCardHandler(appUrl: () => string) {
  return jobHandler(payloadSchema, async ({ paymentSessionId }, { logger }) => {
    const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId }, include: { shop: { select: { domain: true } } } });
    if (!session || session.status !== "three_ds" || session.shopifyState === "REDIRECTING") return;
    const redirectUrl = `${appUrl()}/card-3ds/${session.shopperToken}`;
    const outcome = await paymentsAppsClientFor(session.shop.domain).paymentSessionRedirect({ id: session.gid, redirectUrl });
    if (outcome.kind === "done") {
      await db().$transaction(async (tx) => {
        await tx.paymentSession.update({ where: { id: session.id }, data: { shopifyState: outcome.result.state } });
        await recordEvent(tx, {
          shopId: session.shopId,
          paymentSessionId: session.id,
          kind: "three_ds.redirect",
          summary: `paymentSessionRedirect → Shopify: ${outcome.result.state}; the shopper is sent to 3-D Secure`,
        });
      });
      logger.info({ paymentSessionId }, "Shopify accepted the 3-D Secure redirect");
      return;
    }
    const message =
      outcome.kind === "failed"
        ? `${outcome.code}: ${outcome.message}`
        : outcome.kind === "user-errors"
          ? outcome.userErrors.map((e) => e.message).join("; ")
          : `session ${outcome.currentState ?? "in another state"}`;
    await recordEvent(db(), {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "mutation.failed",
      summary: `paymentSessionRedirect failed: ${message}`,
    });
    if (outcome.kind === "failed" && outcome.category !== "retryable") throw new TerminalJobError(`paymentSessionRedirect: ${message}`);
    if (outcome.kind === "conflict") throw new TerminalJobError(`paymentSessionRedirect: ${message}`);
    throw new RetryableJobError(
      `paymentSessionRedirect: ${message}`,
      outcome.kind === "failed" ? { retryAfterMs: outcome.retryAfterMs ?? undefined } : undefined,
    );
  });
}
