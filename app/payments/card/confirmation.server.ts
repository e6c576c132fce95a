import { z } from "zod";
import { db } from "~/db.server";
import { jobHandler, RetryableJobError, TerminalJobError } from "~/jobs";
import type { ConfirmationCallbackBody } from "~/payments/card/request";
import type { ChargeDeps } from "~/payments/charge.server";
import { applySessionFact } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { describeMoney, storedMoney } from "~/payments/money";
import type { SessionAnswer } from "~/payments/session-route.server";
import type { SessionHeaders } from "~/payments/session-request";
import { recordEvent } from "~/payments/timeline.server";

/**
 * Shopify's confirmation callback for a card session that passed 3-D Secure: true → resolve
 * (with authentication); false → reject CONFIRMATION_REJECTED and refund what Accelebit
 * already captured (app/payments/attempt-refund.server.ts). Decided like every other fact
 * (app/payments/next-state.ts); a repeated callback finds the decision made and is answered the same.
 */
export async function receiveConfirmation(headers: SessionHeaders, body: ConfirmationCallbackBody, deps: Pick<ChargeDeps, "gateways">): Promise<SessionAnswer> {
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
  await applySessionFact(
    session.id,
    { kind: "confirmation", confirmed: body.confirmation_result },
    { now: new Date(), maxAttempts: 1, gateways: deps.gateways },
  );
  return { status: 201, body: "" };
}

/**
 * Older versions refunded a refused confirmation with this job type and Idempotency-Key; jobs
 * they queued still run with the same key, so a refund whose answer was lost is not repeated
 * under another key. New refusals go through app/payments/attempt-refund.server.ts.
 */
export const REFUND_UNCONFIRMED = "card-payment.refund-unconfirmed";

export function unconfirmedRefundIdempotencyKey(shopifyId: string): string {
  return `shopify-${shopifyId}-confirmation-refund`;
}

export function refundUnconfirmedHandler(deps: () => ChargeDeps) {
  return jobHandler(z.object({ paymentSessionId: z.string().min(1) }), async ({ paymentSessionId }, { logger }) => {
    const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId } });
    if (!session?.gatewayPaymentId || session.gatewayStatus !== "captured") return;
    const account = await accountForSession(deps(), session);
    if (!account.ok) throw new TerminalJobError(account.error.message);
    const result = await account.value.refund(session.gatewayPaymentId, storedMoney(session.capturedAmount ?? session.amount, session.currency), {
      idempotencyKey: unconfirmedRefundIdempotencyKey(session.shopifyId),
      reason: "Shopify refused to confirm the payment",
      knownRefundIds: [],
    });
    const summary = result.ok
      ? `Refunded ${describeMoney(result.value.amount)} at the gateway: Shopify refused the confirmation`
      : `Refund at the gateway failed: ${result.error.code}`;
    await recordEvent(db(), { shopId: session.shopId, paymentSessionId: session.id, kind: "refund.gateway", summary });
    if (result.ok) {
      logger.info({ paymentSessionId, refundId: result.value.id }, "unconfirmed card payment refunded");
      return;
    }
    if (result.error.category === "terminal") throw new TerminalJobError(summary);
    throw new RetryableJobError(summary);
  });
}
