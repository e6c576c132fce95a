import { z } from "zod";
import { db } from "~/db.server";
import { firstSentAt, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import { logger } from "~/lib/logger";
import type { ChargeDeps } from "~/payments/charge.server";
import { enqueueFinalizedDecision } from "~/payments/finalized-decisions.server";
import { finalizedSessionRow, queueAfterDecision, receiveFinalizedSession } from "~/payments/finalized-intake.server";
import type { RefundSessionBody } from "~/payments/finalized-session-request";
import { accountForSession, gatewayOf } from "~/payments/gateway-account.server";
import { describeGatewayError, type GatewayId, type GatewayRefund, type GatewayResult, type PaymentGateway } from "~/payments/gateway/port";
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
import { describeMoney, moneyOf, parseMoney, storedMoney, type Money } from "~/payments/money";
import type { SessionAnswer } from "~/payments/session-route.server";
import type { SessionHeaders } from "~/payments/session-request";

/**
 * Refund sessions: Shopify asks, we check and reserve the amount against the payment at once
 * (201), then a job refunds at the payment's gateway (idempotency key = the refund session)
 * and the decision goes to Shopify. Route → this module → the gateway's adapter.
 */
export const REFUND_AT_GATEWAY = "refund-session.gateway";

export function receiveRefundSession(
  headers: SessionHeaders,
  body: RefundSessionBody,
  gateway: GatewayId,
  deps: Pick<ChargeDeps, "gateways">,
): Promise<SessionAnswer> {
  return receiveFinalizedSession(headers, "refund", body.id, async (tx, shopId) => {
    const payment = await lockPayment(tx, shopId, body.payment_id);
    const found = usablePayment(payment, { paymentShopifyId: body.payment_id, currency: body.currency, gateway }, "refund");
    const decision =
      "problem" in found
        ? rejection(found.problem)
        : decideRefund(found.payment, gatewayOf(deps.gateways, found.payment), body.amount, await paymentLedger(tx, found.payment));
    const row = await tx.refundSession.create({
      data: { ...finalizedSessionRow(shopId, headers, body, payment, gateway, decision), amount: body.amount, currency: body.currency },
    });
    await queueAfterDecision(tx, "refund", row, { type: REFUND_AT_GATEWAY, payload: { refundSessionId: row.id }, dedupeKey: jobKeys.refundAtGateway(row.id) });
    return row;
  });
}

/**
 * Checked before the gateway is asked, under the payment's lock: the sum of refunds never
 * exceeds what was captured (docs/decisions/0015-payment-ledger.md). Pure, like decideCapture
 * and decideVoid.
 */
export function decideRefund(
  payment: Pick<LockedPayment, "gatewayStatus" | "gatewayPaymentId" | "currency">,
  gateway: Pick<PaymentGateway, "displayName" | "capabilities" | "amountProblem">,
  requested: string,
  ledger: PaymentLedger,
): Decision {
  const notRefundable = capturedProblem(payment, gateway.displayName, "refund");
  if (notRefundable) return rejection(notRefundable);
  const amount = parseMoney(requested, payment.currency);
  if (!amount.ok) return rejection(`This amount cannot be refunded: ${amount.error.message}.`);
  const problem = gateway.amountProblem(amount.value);
  if (problem) return rejection(`${gateway.displayName} cannot refund this amount: ${problem}.`);
  if (ledger.voided) return rejection("This payment was voided: its whole amount already went back to the buyer, so no refund was made.");
  if (!gateway.capabilities.multipleRefunds && ledger.refunded > 0n)
    return rejection(`${gateway.displayName} takes one refund per payment, and this payment was refunded already.`);
  const remaining = ledger.captured - ledger.refunded;
  if (amount.value.minor > remaining) {
    return rejection(
      `A refund of ${describeMoney(amount.value)} is more than is left to refund on this payment ` +
        `(${describeMoney(moneyOf(remaining, payment.currency))} of ${describeMoney(moneyOf(ledger.captured, payment.currency))}); no refund was made.`,
    );
  }
  return { status: "processing" };
}

const refundPayload = z.object({ refundSessionId: z.string().min(1), firstSentAt: z.string().optional() });

export function refundAtGatewayHandler(deps: () => Pick<ChargeDeps, "gateways" | "box">): JobHandler {
  return jobHandler(refundPayload, async (payload, { jobId, now }) => {
    const refund = await db().refundSession.findUnique({ where: { id: payload.refundSessionId }, include: { paymentSession: true } });
    // Gone (shop/redact) or already past the gateway: nothing to do.
    if (!refund || refund.status !== "processing") return;
    const payment = refund.paymentSession;
    if (!payment?.gatewayPaymentId) throw new TerminalJobError("The refund's payment has no gateway payment");
    const known = await db().refundSession.findMany({
      where: { paymentSessionId: payment.id, gatewayRefundId: { not: null }, id: { not: refund.id } },
      select: { gatewayRefundId: true },
    });
    const outcome = await keepPending(
      "refund",
      refund.id,
      refundAtGateway(deps(), {
        session: payment,
        paymentId: payment.gatewayPaymentId,
        amount: storedMoney(refund.amount, refund.currency),
        idempotencyKey: `shopify-refund-${refund.shopifyId}`,
        reason: `Shopify refund ${refund.shopifyId}`,
        knownRefundIds: known.flatMap((r) => (r.gatewayRefundId ? [r.gatewayRefundId] : [])),
        pendingRefundId: refund.gatewayRefundId,
        firstSentAt: await firstSentAt(db(), jobId, payload, now),
        now,
      }),
    );
    await recordGatewayRefund("refund", refund, outcome);
  });
}

/** A pending refund's id is stored on its session before the job asks again, so it is read, never sent twice. */
export async function keepPending(kind: "refund" | "void", sessionId: string, outcome: Promise<GatewayRefundOutcome>): Promise<GatewayRefundOutcome> {
  try {
    return await outcome;
  } catch (error) {
    if (error instanceof RefundPending) {
      if (kind === "refund") await db().refundSession.updateMany({ where: { id: sessionId, status: "processing" }, data: { gatewayRefundId: error.refundId } });
      else await db().voidSession.updateMany({ where: { id: sessionId, status: "processing" }, data: { gatewayVoidId: error.refundId } });
    }
    throw error;
  }
}

/**
 * The gateway's final answer becomes the session's decision, written with the job that tells
 * Shopify. Only a session still `processing` moves: a second run of the job changes nothing.
 */
export async function recordGatewayRefund(kind: "refund" | "void", session: { id: string; shopId: string }, outcome: GatewayRefundOutcome) {
  const recordId =
    kind === "refund" ? { gatewayRefundId: outcome.ok ? outcome.refundId : undefined } : { gatewayVoidId: outcome.ok ? outcome.refundId : undefined };
  const data = outcome.ok
    ? { status: "resolving", ...recordId }
    : { status: "rejecting", rejectReason: "PROCESSING_ERROR", merchantMessage: outcome.merchantMessage.slice(0, 500) };
  const where = { id: session.id, status: "processing" };
  await db().$transaction(async (tx) => {
    const { count } = kind === "refund" ? await tx.refundSession.updateMany({ where, data }) : await tx.voidSession.updateMany({ where, data });
    if (count === 1) await enqueueFinalizedDecision(tx, kind, { id: session.id, shopId: session.shopId, status: data.status });
  });
}

export interface GatewayRefundRequest {
  session: { shopId: string; gateway: string; test: boolean };
  paymentId: string;
  amount: Money;
  /** The same for every retry of this refund, so the gateway refunds at most once. */
  idempotencyKey: string;
  reason: string;
  knownRefundIds: readonly string[];
  /** A refund the gateway said is pending: it is read again, never sent again. */
  pendingRefundId?: string | null;
  /** When this refund was first sent (app/jobs/first-sent.server.ts): the key's lifetime counts from there. */
  firstSentAt: Date;
  now: Date;
}

/** The gateway forgets an idempotency key after its lifetime; stop an hour short of that. */
const KEY_MARGIN_MS = 60 * 60 * 1000;

export type GatewayRefundOutcome = { ok: true; refundId: string } | { ok: false; merchantMessage: string };

/** The gateway took the refund but has not finished it: its id is kept and the job reads it again later. */
export class RefundPending extends RetryableJobError {
  constructor(
    readonly refundId: string,
    gatewayName: string,
  ) {
    super(`${gatewayName} refund ${refundId} is still pending`);
  }
}

/**
 * Refunds at the payment's gateway with the shop's credentials for its mode. Resolves with the
 * gateway's final answer; a transient failure (5xx, rate limit, timeout, lost connection) or a
 * refund still pending throws RetryableJobError so the job asks again — never a reject: with
 * the same idempotency key the gateway either makes the refund or returns the one it made.
 */
export async function refundAtGateway(deps: Pick<ChargeDeps, "gateways" | "box">, refund: GatewayRefundRequest): Promise<GatewayRefundOutcome> {
  const gateway = gatewayOf(deps.gateways, refund.session);
  const lifetime = gateway.capabilities.idempotencyKeyLifetimeMs;
  if (lifetime !== null && refund.now.getTime() - refund.firstSentAt.getTime() > lifetime - KEY_MARGIN_MS) {
    // An earlier send may have refunded with its answer lost; a repeat the gateway no longer
    // recognises would refund twice. A person checks the gateway and settles the session.
    throw new TerminalJobError(
      `${gateway.displayName} refund still unsettled near the idempotency key's end; check ${gateway.displayName} before retrying (the key expires)`,
    );
  }
  const account = await accountForSession(deps, refund.session);
  if (!account.ok) return { ok: false, merchantMessage: `${account.error.message}, then refund again.` };
  const problem = gateway.amountProblem(refund.amount);
  if (problem) return { ok: false, merchantMessage: `${gateway.displayName} cannot refund this amount: ${problem}.` };

  const result: GatewayResult<GatewayRefund> = refund.pendingRefundId
    ? await account.value.retrieveRefund(refund.paymentId, refund.pendingRefundId)
    : await account.value.refund(refund.paymentId, refund.amount, {
        idempotencyKey: refund.idempotencyKey,
        reason: refund.reason,
        knownRefundIds: refund.knownRefundIds,
      });
  const fields = { shopId: refund.session.shopId, gateway: gateway.id, idempotencyKey: refund.idempotencyKey, amount: describeMoney(refund.amount) };
  if (result.ok) {
    if (result.value.status === "failed") return { ok: false, merchantMessage: `${gateway.displayName} reports the refund failed.` };
    if (result.value.status === "pending") throw new RefundPending(result.value.id, gateway.displayName);
    logger.info({ ...fields, gatewayRefundId: result.value.id }, "gateway refund made");
    return { ok: true, refundId: result.value.id };
  }
  const error = result.error;
  logger.warn({ ...fields, errorCode: error.code, category: error.category }, "gateway refund failed");
  if (error.category === "terminal")
    return { ok: false, merchantMessage: `${gateway.displayName} refused the refund (${error.gatewayCode ?? error.code}): ${error.message}` };
  throw new RetryableJobError(`${gateway.displayName} ${describeGatewayError(error)} on a refund; retrying with the same idempotency key`, {
    retryAfterMs: error.retryAfterMs,
  });
}
