import { z } from "zod";
import { formatAccelebitAmount } from "~/accelebit";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError } from "~/jobs";
import type { ConfirmationCallbackBody } from "~/payments/card/request";
import type { ChargeDeps } from "~/payments/charge.server";
import { applyConfirmationResult } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import type { SessionHeaders } from "~/payments/session-request";
import { recordEvent } from "~/payments/timeline.server";

/**
 * Shopify's confirmation callback (reference §3.4) for a card session that passed 3-D Secure:
 * true → resolve (with authentication); false → reject CONFIRMATION_REJECTED and refund what
 * Accelebit already captured, in a job whose Idempotency-Key is derived from the session.
 */
export const REFUND_UNCONFIRMED = "card-payment.refund-unconfirmed";

export async function receiveConfirmation(headers: SessionHeaders, body: ConfirmationCallbackBody): Promise<{ status: number; body: string }> {
  const session = await db().paymentSession.findFirst({
    where: { shop: { domain: headers.shop }, shopifyId: body.id, paymentMethodType: "credit_card" },
    select: { id: true, shopId: true, gid: true },
  });
  if (!session || (body.gid && body.gid !== session.gid)) return { status: 404, body: `Unknown payment session ${body.id}` };
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "shopify.request",
    summary: `Shopify's confirmation callback: ${body.confirmation_result ? "confirmed" : "refused"}`,
    detail: { shopifyRequestId: headers.requestId },
  });
  // A repeated callback finds the decision already made (compare-and-set) and is answered the same.
  await applyConfirmationResult(session.id, body.confirmation_result, (tx) => enqueueRefund(tx, session));
  return { status: 201, body: "" };
}

function enqueueRefund(tx: Prisma.TransactionClient, session: { id: string; shopId: string }) {
  return enqueueJob(tx, {
    type: REFUND_UNCONFIRMED,
    payload: { paymentSessionId: session.id },
    shopId: session.shopId,
    dedupeKey: `card-refund:${session.id}`,
  });
}

export function unconfirmedRefundIdempotencyKey(shopifyId: string): string {
  return `shopify-${shopifyId}-confirmation-refund`;
}

export function refundUnconfirmedHandler(deps: () => ChargeDeps) {
  return jobHandler(z.object({ paymentSessionId: z.string().min(1) }), async ({ paymentSessionId }, { logger }) => {
    const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId } });
    if (!session?.accelebitPaymentId || session.gatewayStatus !== "captured") return;
    const account = await accountForSession(deps(), session);
    if (!account.ok) throw new TerminalJobError(account.error.message);
    const amount = formatAccelebitAmount((session.capturedAmount ?? session.amount).toString(), session.currency);
    if (!amount.ok) throw new TerminalJobError(amount.error.message);
    const result = await account.value.createRefund(
      { transactionId: session.accelebitPaymentId, amount: amount.value, currency: session.currency, reason: "Shopify refused to confirm the payment" },
      { idempotencyKey: unconfirmedRefundIdempotencyKey(session.shopifyId) },
    );
    const summary = result.ok
      ? `Refunded ${result.value.amount} ${result.value.currency} at Accelebit: Shopify refused the confirmation`
      : `Refund at Accelebit failed: ${result.error.name}`;
    await recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind: "refund.gateway", summary });
    if (result.ok) {
      logger.info({ paymentSessionId, refundId: result.value.id }, "unconfirmed card payment refunded");
      return;
    }
    if (result.error.category === "terminal") throw new TerminalJobError(summary);
    throw new RetryableJobError(summary);
  });
}
