import { z } from "zod";
import { db, type Prisma, type PrismaClient } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import { cardFinalizeArguments } from "~/payments/card/authentication.server";
import { AWAITING_SHOPIFY, isStatus } from "~/payments/session-status";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";
import type { PaymentSessionResult, PaymentsAppsOutcome, PaymentSessionStateRejectedReason } from "~/shopify/payments-apps";

/**
 * Telling Shopify what we decided about a payment session: resolve, reject or pending.
 * The decision is a status written together with this job (one transaction); the job
 * delivers it with retries until Shopify acknowledges, surviving restarts.
 */
export const FINALIZE_PAYMENT_SESSION = "payment-session.finalize";

const payloadSchema = z.object({ paymentSessionId: z.string().min(1) });

type Client = PrismaClient | Prisma.TransactionClient;

/** Schedules delivery of the session's current decision (idempotent per decision). */
export function enqueueFinalize(client: Client, session: { id: string; shopId: string; status: string }) {
  return enqueueJob(client, {
    type: FINALIZE_PAYMENT_SESSION,
    payload: { paymentSessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `finalize:${session.id}:${session.status}`,
  });
}

/** How long a pending payment may stay pending at Shopify (Shopify recommends at most 3 days). */
export const PENDING_WINDOW_MS = 3 * 24 * 60 * 60 * 1000 - 60 * 60 * 1000;

export const finalizePaymentSession: JobHandler = jobHandler(payloadSchema, async ({ paymentSessionId }, { logger }) => {
  const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId }, include: { shop: { select: { domain: true } } } });
  // Gone (shop/redact) or moved on since the job was written: nothing left to tell.
  if (!session || !isStatus(session.status, AWAITING_SHOPIFY)) return;
  if (session.status === "pending" && session.shopifyState === "PENDING") return;

  const client = paymentsAppsClientFor(session.shop.domain);
  // Card sessions carry 3-D Secure authentication after a redirect (nothing for offsite ones).
  const card = await cardFinalizeArguments(session);
  let outcome: PaymentsAppsOutcome<PaymentSessionResult>;
  if (session.status === "resolving") {
    outcome = await client.paymentSessionResolve({
      id: session.gid,
      ...(session.kind === "authorization" && session.authorizationExpiresAt ? { authorizationExpiresAt: session.authorizationExpiresAt.toISOString() } : {}),
      ...card,
    });
  } else if (session.status === "rejecting") {
    outcome = await client.paymentSessionReject({
      id: session.gid,
      reason: {
        code: (session.rejectReason ?? "PROCESSING_ERROR") as PaymentSessionStateRejectedReason,
        merchantMessage: session.merchantMessage ?? undefined,
      },
      ...card,
    });
  } else {
    outcome = await client.paymentSessionPending({
      id: session.gid,
      pendingExpiresAt: (session.pendingExpiresAt ?? new Date(Date.now() + PENDING_WINDOW_MS)).toISOString(),
      reason: "PARTNER_ACTION_REQUIRED",
    });
  }

  const mutation = session.status === "resolving" ? "paymentSessionResolve" : session.status === "rejecting" ? "paymentSessionReject" : "paymentSessionPending";
  const note = (kind: "mutation.sent" | "mutation.failed", summary: string) =>
    recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind, summary });
  if (outcome.kind === "done") await note("mutation.sent", `${mutation} → Shopify: ${outcome.result.state}`);
  else if (outcome.kind === "failed")
    await note("mutation.failed", `${mutation} failed: ${outcome.code} (${outcome.category === "retryable" ? "will retry" : "gave up"})`);
  else await note("mutation.failed", `${mutation} refused by Shopify: ${outcome.userErrors.map((e) => e.message).join("; ")}`);

  switch (outcome.kind) {
    case "done": {
      const state = outcome.result.state;
      const final = state === "RESOLVED" ? "resolved" : state === "REJECTED" ? "rejected" : null;
      // Only the decision this job delivered is marked done: a newer decision (pending → resolving) stays open.
      await db().paymentSession.updateMany({
        where: { id: session.id, status: session.status },
        data: {
          shopifyState: state,
          nextActionUrl: outcome.result.nextActionRedirectUrl,
          ...(final ? { status: final, finalizedAt: new Date() } : {}),
        },
      });
      logger.info({ paymentSessionId, state }, "Shopify acknowledged the payment session");
      return;
    }
    case "failed":
      if (outcome.category === "retryable")
        throw new RetryableJobError(`Shopify ${outcome.code}: ${outcome.message}`, { retryAfterMs: outcome.retryAfterMs ?? undefined });
      throw new TerminalJobError(`Shopify ${outcome.code}: ${outcome.message}`);
    case "conflict":
      // Shopify holds another final state than the one we decided: a person must look.
      await db().paymentSession.update({ where: { id: session.id }, data: { shopifyState: outcome.currentState } });
      throw new TerminalJobError(`Shopify reports the session ${outcome.currentState ?? "in another state"}; we decided ${session.status}`);
    case "user-errors":
      // Most often Shopify has not yet processed our answer to its session request; retry.
      throw new RetryableJobError(`Shopify refused: ${outcome.userErrors.map((e) => e.message).join("; ")}`);
  }
});
