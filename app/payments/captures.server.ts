import { z } from "zod";
import { db } from "~/db.server";
import { jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import type { ChargeDeps } from "~/payments/charge.server";
import { enqueueFinalizedDecision } from "~/payments/finalized-decisions.server";
import { finalizedSessionRow, queueAfterDecision, receiveFinalizedSession } from "~/payments/finalized-intake.server";
import type { CaptureSessionBody } from "~/payments/finalized-session-request";
import { accountForSession, gatewayOf } from "~/payments/gateway-account.server";
import { describeGatewayError, type GatewayId, type PaymentGateway } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";
import { lockPayment, paymentLedger, rejection, usablePayment, type Decision, type LockedPayment, type PaymentLedger } from "~/payments/ledger.server";
import { describeMoney, moneyOf, parseMoney, storedMoney } from "~/payments/money";
import type { SessionAnswer } from "~/payments/session-route.server";
import type { SessionHeaders } from "~/payments/session-request";
import { recordEvent } from "~/payments/timeline.server";

/**
 * Capture sessions, by what the payment's gateway can do (its capabilities,
 * docs/decisions/0012-capture-and-void-by-capability.md):
 * - with delayed capture, an authorized payment is captured at the gateway by a job, for at
 *   most what it holds (all of it when the gateway takes no partial capture);
 * - without it (Accelebit), an authorization payment was charged like a sale, so a capture
 *   never calls the gateway: it resolves when the money is already captured and the amount
 *   fits what Shopify has not captured yet, and is rejected otherwise.
 * docs/capture-and-void.md explains it to merchants.
 */
export const CAPTURE_AT_GATEWAY = "capture-session.gateway";

export const delayedCaptureUnsupported = (gatewayName: string) =>
  `Delayed capture is not supported by ${gatewayName}: this payment was only authorized and cannot be captured later. No money was captured.`;

export function receiveCaptureSession(
  headers: SessionHeaders,
  body: CaptureSessionBody,
  gateway: GatewayId,
  deps: Pick<ChargeDeps, "gateways">,
  now = new Date(),
): Promise<SessionAnswer> {
  return receiveFinalizedSession(headers, "capture", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, { paymentShopifyId: body.payment_id, currency: body.currency, gateway }, "capture");
    const decision =
      "problem" in found
        ? rejection(found.problem)
        : decideCapture(found.payment, gatewayOf(deps.gateways, found.payment), body.amount, await paymentLedger(tx, found.payment), now);
    const row = await tx.captureSession.create({
      data: { ...finalizedSessionRow(shopId, headers, body, payment, gateway, decision), amount: body.amount, currency: body.currency },
    });
    await queueAfterDecision(tx, "capture", row, {
      type: CAPTURE_AT_GATEWAY,
      payload: { captureSessionId: row.id },
      dedupeKey: jobKeys.captureAtGateway(row.id),
    });
    return row;
  });
}

/** The capture's decision, under the payment's lock; pure, so the table of cases is unit-tested against a fake gateway. */
export function decideCapture(
  payment: Pick<LockedPayment, "gatewayStatus" | "authorizationExpiresAt" | "currency">,
  gateway: Pick<PaymentGateway, "displayName" | "capabilities">,
  requested: string,
  ledger: PaymentLedger,
  now: Date,
): Decision {
  const amount = parseMoney(requested, payment.currency);
  if (!amount.ok) return rejection(`This amount cannot be captured: ${amount.error.message}.`);
  if (ledger.voided) return rejection("This payment was voided and its money returned to the buyer; nothing can be captured.");
  const tooMuch = (left: bigint) =>
    rejection(
      `A capture of ${describeMoney(amount.value)} is more than is left to capture on this payment ` +
        `(${describeMoney(moneyOf(left, payment.currency))} of ${describeMoney(moneyOf(ledger.captured, payment.currency))}).`,
    );
  if (payment.gatewayStatus === "authorized") {
    const expiresAt = payment.authorizationExpiresAt;
    if (expiresAt && now > expiresAt)
      return rejection(`The authorization expired on ${expiresAt.toISOString()}; no money was captured.`, "AUTHORIZATION_EXPIRED");
    if (!gateway.capabilities.delayedCapture) return rejection(delayedCaptureUnsupported(gateway.displayName));
    // One capture per authorization: what it holds, or less where the gateway takes partial captures.
    if (ledger.capturedByShopify > 0n) return rejection("This authorization was captured already; no money was captured.");
    if (amount.value.minor > ledger.captured) return tooMuch(ledger.captured);
    if (amount.value.minor < ledger.captured && !gateway.capabilities.partialCapture) {
      return rejection(
        `${gateway.displayName} captures the whole authorization only (${describeMoney(moneyOf(ledger.captured, payment.currency))}); no money was captured.`,
      );
    }
    return { status: "processing" };
  }
  if (payment.gatewayStatus !== "captured") return rejection(`This payment was not completed at ${gateway.displayName}, so there is nothing to capture.`);
  const uncaptured = ledger.captured - ledger.capturedByShopify;
  if (amount.value.minor > uncaptured) return tooMuch(uncaptured);
  // The gateway captured the money when the customer paid: Shopify only learns it now.
  return { status: "resolving" };
}

const capturePayload = z.object({ captureSessionId: z.string().min(1) });

/** Captures an authorized payment at its gateway (gateways with delayed capture only). */
export function captureAtGatewayHandler(deps: () => Pick<ChargeDeps, "gateways" | "box">): JobHandler {
  return jobHandler(capturePayload, async ({ captureSessionId }, { now }) => {
    const capture = await db().captureSession.findUnique({ where: { id: captureSessionId }, include: { paymentSession: true } });
    if (!capture || capture.status !== "processing") return;
    const payment = capture.paymentSession;
    if (!payment?.gatewayPaymentId) throw new TerminalJobError("The capture's payment has no gateway payment");
    const gateway = gatewayOf(deps().gateways, payment);
    const account = await accountForSession(deps(), payment);
    const decide = (data: { status: "resolving" } | { status: "rejecting"; rejectReason: string; merchantMessage: string }, gatewayCaptureId?: string) =>
      db().$transaction(async (tx) => {
        const { count } = await tx.captureSession.updateMany({ where: { id: capture.id, status: "processing" }, data: { ...data, gatewayCaptureId } });
        if (count !== 1) return;
        if (data.status === "resolving") {
          await tx.paymentSession.update({ where: { id: payment.id }, data: { gatewayStatus: "captured", capturedAmount: capture.amount } });
        }
        await recordEvent(tx, {
          shopId: capture.shopId,
          paymentSessionId: payment.id,
          kind: "capture.gateway",
          summary:
            data.status === "resolving"
              ? `Captured ${capture.amount.toString()} ${capture.currency} at ${gateway.displayName}`
              : `Capture refused: ${data.merchantMessage}`,
        });
        await enqueueFinalizedDecision(tx, "capture", { id: capture.id, shopId: capture.shopId, status: data.status });
      });
    if (!account.ok) return decide({ status: "rejecting", rejectReason: "PROCESSING_ERROR", merchantMessage: `${account.error.message}.` });
    const result = await account.value.capture(payment.gatewayPaymentId, storedMoney(capture.amount, capture.currency), {
      idempotencyKey: `shopify-capture-${capture.shopifyId}`,
    });
    if (result.ok) {
      if (result.value.status === "captured") return decide({ status: "resolving" }, result.value.id);
      return decide({
        status: "rejecting",
        rejectReason: "PROCESSING_ERROR",
        merchantMessage: `${gateway.displayName} reports the payment ${result.value.status} after the capture.`,
      });
    }
    const error = result.error;
    if (error.code === "AUTHORIZATION_EXPIRED")
      return decide({
        status: "rejecting",
        rejectReason: "AUTHORIZATION_EXPIRED",
        merchantMessage: `The authorization expired at ${gateway.displayName} (${now.toISOString()}); no money was captured.`,
      });
    if (error.category === "terminal")
      return decide({
        status: "rejecting",
        rejectReason: "PROCESSING_ERROR",
        merchantMessage: `${gateway.displayName} refused the capture (${error.gatewayCode ?? error.code}): ${error.message}`,
      });
    throw new RetryableJobError(`${gateway.displayName} ${describeGatewayError(error)} on a capture`, { retryAfterMs: error.retryAfterMs });
  });
}
