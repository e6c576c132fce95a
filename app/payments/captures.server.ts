import { amountToMinorUnits, formatAccelebitAmount } from "~/accelebit";
import type { CaptureSessionBody } from "~/payments/finalized-session-request";
import {
  afterAnswer,
  enqueueFinalize,
  lockPayment,
  money,
  paymentLedger,
  receiveFinalizedSession,
  rejection,
  usablePayment,
  type Answer,
  type Decision,
  type LockedPayment,
  type PaymentLedger,
} from "~/payments/finalized-sessions.server";
import type { SessionHeaders } from "~/payments/session-request";

/**
 * Capture sessions. Accelebit documents no capture endpoint, so an `authorization` payment is
 * charged like a sale (app/payments/completion.server.ts) and a capture never calls the
 * gateway: it is resolved when Accelebit already holds the money and the amount fits what
 * Shopify has not captured yet, and rejected otherwise. docs/capture-and-void.md explains it
 * to merchants.
 */
export const DELAYED_CAPTURE_UNSUPPORTED =
  "Delayed capture is not supported by Accelebit: this payment was only authorized and cannot be captured later. No money was captured.";

export function receiveCaptureSession(headers: SessionHeaders, body: CaptureSessionBody, now = new Date()): Promise<Answer> {
  return receiveFinalizedSession(headers, "capture", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, body.payment_id, body.currency, "capture");
    const decision = "problem" in found ? rejection(found.problem) : decideCapture(found.payment, body.amount, await paymentLedger(tx, found.payment), now);
    const row = await tx.captureSession.create({
      data: {
        shopId,
        shopifyId: body.id,
        gid: body.gid,
        paymentShopifyId: body.payment_id,
        paymentSessionId: payment?.id ?? null,
        amount: body.amount,
        currency: body.currency,
        test: payment?.test ?? body.test ?? false,
        ...decision,
        shopifyRequestId: headers.requestId,
      },
    });
    await enqueueFinalize(tx, "capture", row, afterAnswer());
    return row;
  });
}

function decideCapture(payment: LockedPayment, requested: string, ledger: PaymentLedger, now: Date): Decision {
  if (payment.gatewayStatus === "authorized") {
    const expiresAt = payment.authorizationExpiresAt;
    if (expiresAt && now > expiresAt) {
      return rejection(`The authorization expired on ${expiresAt.toISOString()}; no money was captured.`, "AUTHORIZATION_EXPIRED");
    }
    return rejection(DELAYED_CAPTURE_UNSUPPORTED);
  }
  if (payment.gatewayStatus !== "captured") return rejection("This payment was not completed at Accelebit, so there is nothing to capture.");
  if (ledger.voided) return rejection("This payment was voided and its money returned to the buyer; nothing can be captured.");

  const amount = formatAccelebitAmount(requested, payment.currency);
  if (!amount.ok) return rejection(`This amount cannot be captured: ${amount.error.message}.`);
  const uncaptured = ledger.captured - ledger.capturedByShopify;
  if (amountToMinorUnits(amount.value) > uncaptured) {
    return rejection(
      `A capture of ${money(amountToMinorUnits(amount.value), payment.currency)} is more than is left to capture on this payment ` +
        `(${money(uncaptured, payment.currency)} of ${money(ledger.captured, payment.currency)}).`,
    );
  }
  // Accelebit captured the money when the customer paid: Shopify only learns it now.
  return { status: "resolving" };
}
