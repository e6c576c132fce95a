import type { AccelebitError, AccelebitPayment } from "~/accelebit";
import { db, type Prisma } from "~/db.server";
import { enqueueFinalize, PENDING_WINDOW_MS } from "~/payments/finalize.server";
import { rejectReasonFor, type RejectCause } from "~/payments/reject-reasons";
import type { PaymentSessionStatus } from "~/payments/session-status";
import { recordEvent } from "~/payments/timeline.server";

/**
 * The one place where what Accelebit reported becomes a payment session decision. The
 * shopper's card submission, the 3-D Secure return and (later) webhooks and the reconciler
 * all come through here, so they cannot disagree. Every decision that Shopify must hear
 * about is written with its delivery job in one transaction.
 */

/** How long an authorization is assumed to hold: Accelebit documents no expiry. */
export const AUTHORIZATION_HOLD_MS = 7 * 24 * 60 * 60 * 1000;

export type Completion =
  | { kind: "resolving" }
  | { kind: "rejecting" }
  | { kind: "pending" }
  | { kind: "three-ds"; payment: AccelebitPayment }
  | { kind: "try-again"; message: string }
  | { kind: "unchanged" };

export interface CompletionTarget {
  sessionId: string;
  attemptId: string;
  /** The statuses the session may be in for this outcome to apply (compare-and-set). */
  from: PaymentSessionStatus[];
  maxAttempts: number;
}

type Tx = Prisma.TransactionClient;

const DECISION_SUMMARY: Record<PaymentSessionStatus, (reason: string | null) => string> = {
  awaiting_card: () => "Waiting for another card from the shopper",
  processing: () => "Charging the card",
  three_ds: () => "3-D Secure required: the shopper was sent to their bank",
  resolving: () => "Decided to resolve: Accelebit confirmed the payment",
  rejecting: (reason) => `Decided to reject (${reason ?? "PROCESSING_ERROR"})`,
  pending: () => "Decided to mark pending: the outcome is not known yet",
  resolved: () => "Resolved",
  rejected: () => "Rejected",
};

async function decide(
  tx: Tx,
  target: CompletionTarget,
  data: Prisma.PaymentSessionUpdateManyMutationInput & { status: PaymentSessionStatus },
): Promise<boolean> {
  const updated = await tx.paymentSession.updateMany({ where: { id: target.sessionId, status: { in: target.from } }, data });
  if (updated.count === 0) return false;
  const session = await tx.paymentSession.findUniqueOrThrow({
    where: { id: target.sessionId },
    select: { id: true, shopId: true, status: true, rejectReason: true },
  });
  if (data.status === "resolving" || data.status === "rejecting" || data.status === "pending") await enqueueFinalize(tx, session);
  await recordEvent(tx, {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "decision",
    summary: DECISION_SUMMARY[data.status as PaymentSessionStatus](session.rejectReason),
  });
  return true;
}

/** Accelebit answered with a payment (created, or re-read after 3-D Secure). */
export async function applyPayment(target: CompletionTarget, payment: AccelebitPayment, kind: string, now = new Date()): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const base = { accelebitPaymentId: payment.id, gatewayStatus: payment.status, provider: payment.provider ?? null };
    const attempt = await tx.paymentAttempt.update({ where: { id: target.attemptId }, data: { status: payment.status, accelebitPaymentId: payment.id } });
    await recordAttemptResult(
      tx,
      target.sessionId,
      `Attempt ${attempt.number}: Accelebit reports ${payment.status}${payment.error?.name ? ` (${payment.error.name})` : ""}`,
      { accelebitPaymentId: payment.id },
    );

    const card = await isCardSession(tx, target.sessionId);
    if (card && (payment.status === "captured" || payment.status === "authorized") && target.from.includes("three_ds")) {
      // A card payment that passed 3-D Secure: Shopify must confirm it first (reference §5.6).
      // The session stays three_ds; the 3-D Secure page sends paymentSessionConfirm and the
      // confirmation callback decides (applyConfirmationResult).
      const updated = await tx.paymentSession.updateMany({
        where: { id: target.sessionId, status: { in: target.from } },
        data: { ...base, capturedAmount: payment.status === "captured" ? (payment.amount ?? undefined) : undefined },
      });
      if (updated.count > 0) await recordAttemptResult(tx, target.sessionId, "3-D Secure passed: asking Shopify to confirm the payment", {});
      return { kind: "unchanged" };
    }
    // Card sessions cannot be pending at Shopify (paymentSessionPending is refused for cards): an authorization is resolved.
    if (payment.status === "captured" || (payment.status === "authorized" && (kind === "authorization" || card))) {
      const ok = await decide(tx, target, {
        ...base,
        status: "resolving",
        capturedAmount: payment.status === "captured" ? (payment.amount ?? undefined) : undefined,
        authorizationExpiresAt: payment.status === "authorized" ? new Date(now.getTime() + AUTHORIZATION_HOLD_MS) : undefined,
      });
      return ok ? { kind: "resolving" } : { kind: "unchanged" };
    }
    if (payment.status === "authorized") {
      // A sale that Accelebit only authorized: not money we can promise the merchant, and
      // there is no capture endpoint. Shopify hears "pending"; the reconciler settles it.
      const ok = await decide(tx, target, { ...base, status: "pending", pendingExpiresAt: new Date(now.getTime() + PENDING_WINDOW_MS) });
      return ok ? { kind: "pending" } : { kind: "unchanged" };
    }
    if (payment.status === "pending_3ds") {
      const ok = await decide(tx, target, { ...base, status: "three_ds" });
      return ok ? { kind: "three-ds", payment } : { kind: "unchanged" };
    }
    // failed: a decline, or a failed 3-D Secure challenge when we come back from it.
    const errorName = payment.error?.name ?? "CARD_DECLINED";
    await tx.paymentAttempt.update({ where: { id: target.attemptId }, data: { errorName, errorMessage: payment.error?.message ?? null } });
    const threeDs = target.from.includes("three_ds");
    return declined(tx, target, threeDs ? { kind: "three-ds-failed" } : { kind: "gateway", name: "CARD_DECLINED" }, errorName, base);
  });
}

/** Accelebit refused the payment or could not be asked. */
export async function applyGatewayError(target: CompletionTarget, error: AccelebitError, now = new Date()): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const attemptStatus = error.category === "outcome_unknown" ? "unknown" : "failed";
    const attempt = await tx.paymentAttempt.update({
      where: { id: target.attemptId },
      data: { status: attemptStatus, errorName: error.name, errorMessage: error.message.slice(0, 500) },
    });
    await recordAttemptResult(tx, target.sessionId, `Attempt ${attempt.number}: ${error.name} (${error.category.replace("_", " ")})`, {
      errorName: error.name,
    });

    if (error.category === "outcome_unknown") {
      // We cannot tell whether the card was charged: never reject, never charge again.
      const ok = await decide(tx, target, { status: "pending", pendingExpiresAt: new Date(now.getTime() + PENDING_WINDOW_MS) });
      return ok ? { kind: "pending" } : { kind: "unchanged" };
    }
    if (error.name === "CARD_DECLINED") return declined(tx, target, { kind: "gateway", name: "CARD_DECLINED" }, "CARD_DECLINED", {});
    if (error.category === "retryable") {
      // Accelebit or its provider is struggling (retries already spent): the shopper may try again.
      return declined(tx, target, { kind: "gateway", name: error.name }, error.name, {}, "The payment could not be processed right now. Please try again.");
    }
    // UNAUTHORIZED, INVALID_REQUEST, DUPLICATE_REQUEST…: not the shopper's doing, and trying again will not help.
    return reject(tx, target, error.name === "UNAUTHORIZED" ? { kind: "merchant-key" } : { kind: "gateway", name: error.name }, merchantMessageFor(error));
  });
}

/** The shop cannot charge this session at all (no key for its mode, a key of the wrong mode…). */
export function applyKeyProblem(target: CompletionTarget, message: string): Promise<Completion> {
  return db().$transaction(async (tx) => {
    await tx.paymentAttempt.update({ where: { id: target.attemptId }, data: { status: "failed", errorName: "UNAUTHORIZED", errorMessage: message } });
    return reject(tx, target, { kind: "merchant-key" }, `${message}. Add the right key on the Accelebit settings page.`);
  });
}

async function declined(tx: Tx, target: CompletionTarget, cause: RejectCause, errorName: string, base: object, shopperMessage?: string): Promise<Completion> {
  const attempts = await tx.paymentAttempt.count({ where: { paymentSessionId: target.sessionId } });
  // A card session has exactly one attempt: the buyer retries in checkout.
  if (attempts >= target.maxAttempts || (await isCardSession(tx, target.sessionId))) {
    return reject(tx, target, cause, `Accelebit: ${errorName} on the last of ${target.maxAttempts} card attempts.`, base);
  }
  const ok = await decide(tx, target, { ...base, status: "awaiting_card" });
  if (!ok) return { kind: "unchanged" };
  const message =
    shopperMessage ??
    (cause.kind === "three-ds-failed"
      ? "Your bank could not confirm this payment. Try again or use another card."
      : "Your card was declined. Try another card or contact your bank.");
  return { kind: "try-again", message };
}

async function reject(tx: Tx, target: CompletionTarget, cause: RejectCause, merchantMessage: string, base: object = {}): Promise<Completion> {
  const ok = await decide(tx, target, { ...base, status: "rejecting", rejectReason: rejectReasonFor(cause), merchantMessage: merchantMessage.slice(0, 500) });
  return ok ? { kind: "rejecting" } : { kind: "unchanged" };
}

function merchantMessageFor(error: AccelebitError): string {
  if (error.name === "UNAUTHORIZED") return "Accelebit refused the shop's API key (UNAUTHORIZED). Update the key on the Accelebit settings page.";
  return `Accelebit: ${error.name}. ${error.message}`;
}

/**
 * The shopper left. A session still waiting for a card is rejected (with the last decline's
 * reason when there was one); a session whose outcome we do not know yet (3-D Secure not
 * finished, a charge interrupted) becomes pending at Shopify and is settled later from
 * Accelebit's record, never rejected blind.
 */
export async function applyAbandoned(sessionId: string, now = new Date()): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const session = await tx.paymentSession.findUnique({ where: { id: sessionId }, include: { attempts: { orderBy: { number: "desc" }, take: 1 } } });
    if (!session) return { kind: "unchanged" };
    const target: CompletionTarget = { sessionId, attemptId: session.attempts[0]?.id ?? "", from: [session.status as PaymentSessionStatus], maxAttempts: 0 };
    if (session.status === "awaiting_card") {
      const last = session.attempts[0];
      const cause: RejectCause = last?.errorName ? { kind: "gateway", name: last.errorName as AccelebitError["name"] } : { kind: "abandoned" };
      const message = last
        ? `The shopper left after ${last.number} declined card attempt(s) (last: ${last.errorName ?? "unknown"}).`
        : "The shopper left the card page without paying.";
      return reject(tx, target, cause, message);
    }
    if (session.paymentMethodType === "credit_card") return abandonedCard(tx, target, session);
    if (session.status === "three_ds" || session.status === "processing") {
      const ok = await decide(tx, target, { status: "pending", pendingExpiresAt: new Date(now.getTime() + PENDING_WINDOW_MS) });
      return ok ? { kind: "pending" } : { kind: "unchanged" };
    }
    return { kind: "unchanged" };
  });
}

/**
 * Accelebit's record of a session's payment, read back by a webhook's job or the reconciler
 * (never taken from the webhook itself). The shopper may be gone: a failure while 3-D Secure
 * was open lets them try again if they come back, one on a pending session rejects it.
 */
export async function settleFromGateway(sessionId: string, payment: AccelebitPayment, maxAttempts: number, now = new Date()): Promise<Completion> {
  const session = await db().paymentSession.findUnique({
    where: { id: sessionId },
    include: {
      attempts: {
        where: { OR: [{ accelebitPaymentId: payment.id }, { status: { in: ["submitted", "unknown", "pending_3ds"] } }] },
        orderBy: { number: "desc" },
        take: 1,
      },
    },
  });
  const attempt = session?.attempts[0];
  if (!session || !attempt || !["three_ds", "pending", "processing"].includes(session.status)) return { kind: "unchanged" };
  const status = session.status as PaymentSessionStatus;
  const target: CompletionTarget = { sessionId, attemptId: attempt.id, from: [status], maxAttempts };
  if (payment.status === "failed" && status !== "three_ds") {
    return db().$transaction(async (tx) => {
      await tx.paymentAttempt.update({
        where: { id: attempt.id },
        data: { status: "failed", accelebitPaymentId: payment.id, errorName: payment.error?.name ?? "CARD_DECLINED" },
      });
      const cause: RejectCause = attempt.status === "pending_3ds" ? { kind: "three-ds-failed" } : { kind: "gateway", name: "CARD_DECLINED" };
      return reject(tx, target, cause, `Accelebit reports the payment failed (${payment.error?.name ?? "failed"}) after the shopper left.`);
    });
  }
  if (payment.status === "pending_3ds" && status === "three_ds") return { kind: "unchanged" };
  return applyPayment(target, payment, session.kind, now);
}

/** No payment exists at Accelebit for a session whose charge was interrupted: nothing was charged. */
export async function settleWithoutPayment(sessionId: string): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const session = await tx.paymentSession.findUnique({ where: { id: sessionId }, select: { status: true } });
    if (!session || !["pending", "processing"].includes(session.status)) return { kind: "unchanged" };
    const target: CompletionTarget = { sessionId, attemptId: "", from: [session.status as PaymentSessionStatus], maxAttempts: 0 };
    return reject(
      tx,
      target,
      { kind: "gateway", name: "PROVIDER_ERROR" },
      "Accelebit has no record of this payment: the charge never completed, nothing was taken.",
    );
  });
}

/**
 * A card session the shopper left. Card sessions are never pending at Shopify. While it is
 * still being charged (processing) the charge job or the reconciler settles it; a 3-D Secure
 * challenge never answered is rejected; one that passed waits for Shopify's confirmation.
 */
async function abandonedCard(tx: Tx, target: CompletionTarget, session: { status: string; gatewayStatus: string | null }): Promise<Completion> {
  if (session.status !== "three_ds" || session.gatewayStatus !== "pending_3ds") return { kind: "unchanged" };
  return reject(tx, target, { kind: "three-ds-failed" }, "The shopper did not finish 3-D Secure before the deadline.");
}

/** A card session Shopify sent that cannot be charged at all (unreadable card data, 3-D Secure on a MOTO payment…). */
export function rejectCardSession(sessionId: string, from: PaymentSessionStatus[], cause: RejectCause, merchantMessage: string): Promise<Completion> {
  return db().$transaction((tx) => reject(tx, { sessionId, attemptId: "", from, maxAttempts: 1 }, cause, merchantMessage));
}

/**
 * Shopify's confirmation callback for a card payment that passed 3-D Secure. Confirmed: resolve.
 * Refused: reject with CONFIRMATION_REJECTED, and `onRefused` (in the same transaction) schedules
 * the refund of the money Accelebit already took.
 */
export function applyConfirmationResult(sessionId: string, confirmed: boolean, onRefused: (tx: Tx) => Promise<unknown>): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const session = await tx.paymentSession.findUnique({ where: { id: sessionId }, select: { status: true, gatewayStatus: true, paymentMethodType: true } });
    if (!session || session.paymentMethodType !== "credit_card" || session.status !== "three_ds") return { kind: "unchanged" };
    if (session.gatewayStatus !== "captured" && session.gatewayStatus !== "authorized") return { kind: "unchanged" };
    const target: CompletionTarget = { sessionId, attemptId: "", from: ["three_ds"], maxAttempts: 1 };
    if (confirmed) {
      const ok = await decide(tx, target, { status: "resolving" });
      return ok ? { kind: "resolving" } : { kind: "unchanged" };
    }
    const result = await reject(tx, target, { kind: "confirmation-rejected" }, "Shopify refused the confirmation; the payment is refunded at Accelebit.");
    if (result.kind === "rejecting") await onRefused(tx);
    return result;
  });
}

async function isCardSession(tx: Tx, sessionId: string): Promise<boolean> {
  const session = await tx.paymentSession.findUnique({ where: { id: sessionId }, select: { paymentMethodType: true } });
  return session?.paymentMethodType === "credit_card";
}

async function recordAttemptResult(tx: Tx, sessionId: string, summary: string, detail: Record<string, string>) {
  const { shopId } = await tx.paymentSession.findUniqueOrThrow({ where: { id: sessionId }, select: { shopId: true } });
  await recordEvent(tx, { shopId, paymentSessionId: sessionId, kind: "attempt.result", summary, detail });
}
