import type { Prisma } from "~/db.server";
import { APP_NAME } from "~/lib/app-name";
import { storedMoney } from "~/payments/money";

/**
 * What a payment still holds, for refund, capture and void sessions: the money rules they all
 * keep (docs/decisions/0015-payment-ledger.md). The sum of refunds never exceeds what was
 * captured, and a void leaves nothing behind; every decision is taken with the payment's row
 * locked, so two sessions against one payment decide one after the other.
 */
export type FinalizedKind = "refund" | "capture" | "void";
export type FinalizedStatus = "processing" | "resolving" | "rejecting" | "resolved" | "rejected";
export type FinalizedRejectReason = "PROCESSING_ERROR" | "AUTHORIZATION_EXPIRED";

/** Every status but a reject holds (or is about to move) money of its payment. */
export const COUNTS_AGAINST_PAYMENT: readonly FinalizedStatus[] = ["processing", "resolving", "resolved"];

export type Decision = { status: "processing" | "resolving" } | { status: "rejecting"; rejectReason: FinalizedRejectReason; merchantMessage: string };

export function rejection(merchantMessage: string, rejectReason: FinalizedRejectReason = "PROCESSING_ERROR"): Decision {
  return { status: "rejecting", rejectReason, merchantMessage: merchantMessage.slice(0, 500) };
}

type Tx = Prisma.TransactionClient;

/**
 * The shop's payment session `shopifyId`, locked for the rest of the transaction. The no-op
 * UPDATE takes a row lock on PostgreSQL (a later statement in READ COMMITTED then reads what
 * the previous holder committed) and the write lock on SQLite. A payment of another shop is
 * simply not found.
 */
export async function lockPayment(tx: Tx, shopId: string, shopifyId: string) {
  await tx.$executeRaw`UPDATE "PaymentSession" SET "id" = "id" WHERE "shopId" = ${shopId} AND "shopifyId" = ${shopifyId}`;
  return tx.paymentSession.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } } });
}

export type LockedPayment = NonNullable<Awaited<ReturnType<typeof lockPayment>>>;

/** Minor units of the payment's currency; never floats. */
export interface PaymentLedger {
  /** What the gateway captured (for an authorization: what it authorized). */
  captured: bigint;
  /** Refunds made or under way. */
  refunded: bigint;
  /** Capture sessions resolved or being resolved. */
  capturedByShopify: bigint;
  /** A void gives back (or releases) everything not yet refunded, so once one counts nothing is left. */
  voided: boolean;
  /** Gateway ids of the payment's refunds so far (a refund whose outcome is unknown is told apart from them). */
  refundIds: string[];
}

export async function paymentLedger(tx: Tx, payment: LockedPayment): Promise<PaymentLedger> {
  const counted = { paymentSessionId: payment.id, status: { in: [...COUNTS_AGAINST_PAYMENT] } };
  const refunds = await tx.refundSession.findMany({ where: counted, select: { amount: true, gatewayRefundId: true } });
  const captures = await tx.captureSession.findMany({ where: counted, select: { amount: true } });
  const voids = await tx.voidSession.count({ where: counted });
  const sum = (rows: { amount: Prisma.Decimal }[]) => rows.reduce((total, row) => total + storedMoney(row.amount, payment.currency).minor, 0n);
  return {
    captured: storedMoney(payment.capturedAmount ?? payment.amount, payment.currency).minor,
    refunded: sum(refunds),
    capturedByShopify: sum(captures),
    voided: voids > 0,
    refundIds: refunds.flatMap((r) => (r.gatewayRefundId ? [r.gatewayRefundId] : [])),
  };
}

/** The payment a refund, capture or void names, or why it cannot take part (answered as a reject). */
export function usablePayment(
  payment: LockedPayment | null,
  request: { paymentShopifyId: string; currency: string | null; gateway: string },
  what: string,
): { payment: LockedPayment } | { problem: string } {
  if (!payment) return { problem: `${APP_NAME} has no payment ${request.paymentShopifyId} on this shop; no ${what} was made.` };
  if (payment.gateway !== request.gateway)
    return { problem: `Payment ${request.paymentShopifyId} was not made through this payment method; no ${what} was made.` };
  if (request.currency !== null && request.currency !== payment.currency) {
    return { problem: `The ${what} is in ${request.currency} but the payment was made in ${payment.currency}; no ${what} was made.` };
  }
  return { payment };
}

/** Only captured money can be given back. */
export function capturedProblem(payment: Pick<LockedPayment, "gatewayStatus" | "gatewayPaymentId">, gatewayName: string, what: string): string | null {
  if (payment.gatewayStatus === "captured" && payment.gatewayPaymentId) return null;
  if (payment.gatewayStatus === "authorized")
    return `${gatewayName} only authorized this payment and never captured it, so there is no money to return; no ${what} was made.`;
  return `This payment was not completed at ${gatewayName}, so there is no money to return; no ${what} was made.`;
}
