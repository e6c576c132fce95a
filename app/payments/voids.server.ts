import { z } from "zod";
import { db } from "~/db.server";
import { firstSentAt, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import type { ChargeDeps } from "~/payments/charge.server";
import { finalizedSessionRow, queueAfterDecision, receiveFinalizedSession } from "~/payments/finalized-intake.server";
import type { VoidSessionBody } from "~/payments/finalized-session-request";
import { accountForSession, gatewayOf } from "~/payments/gateway-account.server";
import { describeGatewayError, type GatewayId, type PaymentGateway } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";
import {
  capturedProblem,
  lockPayment,
  paymentLedger,
  rejection,
  usablePayment,
  type Decision,
  type LockedPayment,
  type PaymentLedger,
} from "~/payments/ledger.server";
import { moneyOf, parseMoney, toDecimal } from "~/payments/money";
import { keepPending, recordGatewayRefund, refundAtGateway } from "~/payments/refunds.server";
import type { SessionAnswer } from "~/payments/session-route.server";
import type { SessionHeaders } from "~/payments/session-request";

/**
 * Void sessions, by what the payment's gateway can do
 * (docs/decisions/0012-capture-and-void-by-capability.md):
 * - with void, an authorized payment is released at the gateway by a job;
 * - a captured payment (on a gateway without delayed capture an authorization session was
 *   charged like a sale) is given back instead: a refund of everything not yet refunded, then
 *   resolve;
 * - an authorization a gateway cannot release is rejected with the reason.
 */
export const VOID_AT_GATEWAY = "void-session.gateway";

export const voidUnsupported = (gatewayName: string) =>
  `Voiding is not supported by ${gatewayName}: this payment was only authorized, and ${gatewayName} offers no way to release the authorization. ` +
  "No money was captured.";

export function receiveVoidSession(
  headers: SessionHeaders,
  body: VoidSessionBody,
  gateway: GatewayId,
  deps: Pick<ChargeDeps, "gateways">,
): Promise<SessionAnswer> {
  return receiveFinalizedSession(headers, "void", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, { paymentShopifyId: body.payment_id, currency: null, gateway }, "void");
    const decided =
      "problem" in found
        ? { decision: rejection(found.problem) }
        : decideVoid(found.payment, gatewayOf(deps.gateways, found.payment), await paymentLedger(tx, found.payment));
    const row = await tx.voidSession.create({ data: finalizedSessionRow(shopId, headers, body, payment, gateway, decided.decision) });
    // What the void does (release, or refund how much) is decided now and travels with the job.
    await queueAfterDecision(tx, "void", row, {
      type: VOID_AT_GATEWAY,
      payload: { voidSessionId: row.id, ...decided.action },
      dedupeKey: jobKeys.voidAtGateway(row.id),
    });
    return row;
  });
}

type VoidAction = { release: true } | { amount: string; currency: string };
type VoidDecision = { decision: Decision; action?: VoidAction };

/** The void's decision, under the payment's lock; pure, so the table of cases is unit-tested against a fake gateway. */
export function decideVoid(
  payment: Pick<LockedPayment, "gatewayStatus" | "gatewayPaymentId" | "currency">,
  gateway: Pick<PaymentGateway, "displayName" | "capabilities">,
  ledger: PaymentLedger,
): VoidDecision {
  if (ledger.voided) return { decision: rejection("This payment was already voided; its money is already on its way back to the buyer.") };
  if (payment.gatewayStatus === "authorized") {
    if (!gateway.capabilities.void) return { decision: rejection(voidUnsupported(gateway.displayName)) };
    if (ledger.capturedByShopify > 0n) return { decision: rejection("This authorization was captured already; refund it instead of voiding it.") };
    return { decision: { status: "processing" }, action: { release: true } };
  }
  const notCaptured = capturedProblem(payment, gateway.displayName, "void");
  if (notCaptured) return { decision: rejection(notCaptured) };
  if (ledger.capturedByShopify > 0n) return { decision: rejection("This payment was already captured in Shopify; refund it instead of voiding it.") };
  const remaining = ledger.captured - ledger.refunded;
  // Refunds already gave everything back: the void has nothing left to do at the gateway.
  if (remaining <= 0n) return { decision: { status: "resolving" } };
  return { decision: { status: "processing" }, action: { amount: toDecimal(moneyOf(remaining, payment.currency)), currency: payment.currency } };
}

const voidPayload = z.object({
  voidSessionId: z.string().min(1),
  release: z.literal(true).optional(),
  amount: z.string().min(1).optional(),
  currency: z.string().length(3).optional(),
  firstSentAt: z.string().optional(),
});

export function voidAtGatewayHandler(deps: () => Pick<ChargeDeps, "gateways" | "box">): JobHandler {
  return jobHandler(voidPayload, async (payload, { jobId, now }) => {
    const session = await db().voidSession.findUnique({ where: { id: payload.voidSessionId }, include: { paymentSession: true } });
    if (!session || session.status !== "processing") return;
    const payment = session.paymentSession;
    if (!payment?.gatewayPaymentId) throw new TerminalJobError("The void's payment has no gateway payment");

    if (payload.release) {
      const gateway = gatewayOf(deps().gateways, payment);
      const account = await accountForSession(deps(), payment);
      if (!account.ok) return recordGatewayRefund("void", session, { ok: false, merchantMessage: `${account.error.message}.` });
      const result = await account.value.cancel(payment.gatewayPaymentId, { idempotencyKey: `shopify-void-${session.shopifyId}` });
      if (result.ok && result.value.status === "canceled") {
        await db().paymentSession.update({ where: { id: payment.id }, data: { gatewayStatus: "canceled" } });
        return recordGatewayRefund("void", session, { ok: true, refundId: result.value.id });
      }
      if (result.ok)
        return recordGatewayRefund("void", session, {
          ok: false,
          merchantMessage: `${gateway.displayName} reports the payment ${result.value.status} after the void.`,
        });
      if (result.error.category === "terminal") {
        return recordGatewayRefund("void", session, {
          ok: false,
          merchantMessage: `${gateway.displayName} refused the void (${result.error.gatewayCode ?? result.error.code}): ${result.error.message}`,
        });
      }
      throw new RetryableJobError(`${gateway.displayName} ${describeGatewayError(result.error)} on a void`);
    }
    const amount = payload.amount && payload.currency ? parseMoney(payload.amount, payload.currency) : null;
    if (!amount?.ok) throw new TerminalJobError("A void by refund carries its amount");
    const known = await db().refundSession.findMany({
      where: { paymentSessionId: payment.id, gatewayRefundId: { not: null } },
      select: { gatewayRefundId: true },
    });
    const outcome = await keepPending(
      "void",
      session.id,
      refundAtGateway(deps(), {
        session: payment,
        paymentId: payment.gatewayPaymentId,
        amount: amount.value,
        idempotencyKey: `shopify-void-${session.shopifyId}`,
        reason: `Shopify void ${session.shopifyId}`,
        knownRefundIds: known.flatMap((r) => (r.gatewayRefundId ? [r.gatewayRefundId] : [])),
        pendingRefundId: session.gatewayVoidId,
        firstSentAt: await firstSentAt(db(), jobId, payload, now),
        now,
      }),
    );
    await recordGatewayRefund("void", session, outcome);
  });
}
