import { db, type Prisma } from "~/db.server";
import { enqueueAttemptRefund } from "~/payments/attempt-refund.server";
import { enqueueCardConfirm } from "~/payments/card/confirm.server";
import { enqueueCardRedirect } from "~/payments/card/redirect.server";
import { enqueueFinalize, PENDING_WINDOW_MS } from "~/payments/finalize.server";
import { gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import {
  decideForAttempt,
  decideForSession,
  type AttemptFact,
  type AttemptStatus,
  type AttemptView,
  type Decision,
  type SessionFact,
  type SessionView,
  type ShopperOutcome,
} from "~/payments/next-state";
import { nextCheckFor, OPEN_STATUSES } from "~/payments/check-schedule";
import type { PaymentSessionStatus } from "~/payments/session-status";
import { recordEvent } from "~/payments/timeline.server";
import { enqueueAuthorizationSettlement } from "~/payments/authorization-settlement.server";

/**
 * Applies what a path learned to a payment session: the only caller of the decision function
 * (app/payments/next-state.ts, docs/decisions/0002-one-decision-function.md). In one
 * transaction it locks the session row, reads what the decision needs, decides, and writes the
 * attempt, the session, the jobs that carry the decision further and the timeline — so a
 * decision exists if and only if its jobs do.
 */

/** How long an authorization is assumed to hold: Accelebit documents no expiry. */
export const AUTHORIZATION_HOLD_MS = 7 * 24 * 60 * 60 * 1000;
export type Completion = ShopperOutcome;

export interface ApplyContext {
  now: Date;
  maxAttempts: number;
  gateways: Gateways;
}

type Tx = Prisma.TransactionClient;
type LoadedSession = NonNullable<Awaited<ReturnType<typeof loadLocked>>>;
type AttemptRow = LoadedSession["attempts"][number];

const DECISION_SUMMARY: Record<PaymentSessionStatus, (reason: string | null) => string> = {
  awaiting_card: () => "Waiting for another card from the shopper",
  processing: () => "Charging the card",
  three_ds: () => "3-D Secure required: the shopper was sent to their bank",
  confirming: () => "3-D Secure passed: Shopify is asked to confirm the payment",
  resolving: () => "Decided to resolve: Accelebit confirmed the payment",
  rejecting: (reason) => `Decided to reject (${reason ?? "PROCESSING_ERROR"})`,
  pending: () => "Decided to mark pending: the outcome is not known yet",
  resolved: () => "Resolved",
  rejected: () => "Rejected",
};

/** The session row, locked for the rest of the transaction, with its attempts (a handful at most). */
async function loadLocked(tx: Tx, sessionId: string) {
  // A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so two paths
  // deciding about one session (a webhook and the shopper's return) go one after the other.
  await tx.$executeRaw`UPDATE "PaymentSession" SET "id" = "id" WHERE "id" = ${sessionId}`;
  return tx.paymentSession.findUnique({ where: { id: sessionId }, include: { attempts: { orderBy: { number: "asc" } } } });
}

function sessionView(session: LoadedSession, context: ApplyContext, moto: boolean): SessionView {
  const { maxAttempts, now } = context;
  const gateway = gatewayOf(context.gateways, session);
  const latest = session.attempts.at(-1) ?? null;
  const keeps = session.status === "confirming" || session.status === "resolving" || session.status === "resolved";
  return {
    status: session.status as PaymentSessionStatus,
    instrument: gateway.instrument,
    gatewayName: gateway.displayName,
    canCapture: gateway.capabilities.delayedCapture,
    canVoid: gateway.capabilities.void,
    kind: session.kind === "authorization" ? "authorization" : "sale",
    method: session.paymentMethodType === "credit_card" ? "credit_card" : "offsite",
    moto,
    attempts: session.attempts.length,
    maxAttempts: session.paymentMethodType === "credit_card" ? 1 : maxAttempts,
    shopperHasTime: session.deadlineAt === null || now < session.deadlineAt,
    keptPaymentId: keeps ? session.gatewayPaymentId : null,
    latest: latest ? { status: latest.status as AttemptStatus, threeDs: latest.threeDs, errorName: latest.errorName } : null,
  };
}

function attemptView(session: LoadedSession, attempt: AttemptRow): AttemptView {
  return {
    id: attempt.id,
    number: attempt.number,
    status: attempt.status as AttemptStatus,
    threeDs: attempt.threeDs,
    paymentId: attempt.gatewayPaymentId,
    latest: session.attempts.at(-1)?.id === attempt.id,
  };
}

async function applyDecision(tx: Tx, session: LoadedSession, attempt: AttemptRow | null, fact: AttemptFact | SessionFact, decision: Decision, now: Date) {
  if (attempt && decision.attempt) {
    const update = decision.attempt;
    await tx.paymentAttempt.update({
      where: { id: attempt.id },
      data: {
        status: update.status,
        ...(update.threeDs !== undefined ? { threeDs: update.threeDs } : {}),
        ...(update.paymentId ? { gatewayPaymentId: update.paymentId } : {}),
        ...(update.errorName !== undefined ? { errorName: update.errorName } : {}),
        ...(update.errorMessage !== undefined ? { errorMessage: update.errorMessage?.slice(0, 500) ?? null } : {}),
      },
    });
  }
  const attemptStatus = decision.attempt?.status ?? attempt?.status;
  const latestAttempt = session.attempts.at(-1);
  const latestStatus = attempt && latestAttempt?.id === attempt.id ? attemptStatus : latestAttempt?.status;

  if (decision.session) {
    const next = decision.session;
    // The session shows (and refunds, and authenticates with) the payment of the attempt that decided it.
    const adopt = attempt !== null && (attempt.id === latestAttempt?.id || next.status === "resolving" || next.status === "confirming");
    const paymentFact = fact.kind === "payment" ? fact : null;
    const data: Prisma.PaymentSessionUpdateInput = {
      status: next.status,
      checks: 0,
      nextCheckAt: nextCheckFor(next.status, session.deadlineAt, adopt ? attemptStatus : latestStatus, now),
      ...(next.rejectReason ? { rejectReason: next.rejectReason, merchantMessage: next.merchantMessage ?? null } : {}),
      ...(next.pending ? { pendingExpiresAt: new Date(now.getTime() + PENDING_WINDOW_MS) } : {}),
    };
    if (adopt && attempt) {
      data.gatewayStatus = attemptStatus;
      const paymentId = decision.attempt?.paymentId ?? attempt.gatewayPaymentId;
      if (paymentId) data.gatewayPaymentId = paymentId;
      if (paymentFact?.provider) data.provider = paymentFact.provider;
      if (attemptStatus === "captured") data.capturedAmount = paymentFact?.amount ?? session.amount;
      if (attemptStatus === "authorized") data.authorizationExpiresAt = new Date(now.getTime() + AUTHORIZATION_HOLD_MS);
    }
    await tx.paymentSession.update({ where: { id: session.id }, data });
  } else if (attempt && decision.attempt && latestAttempt?.id === attempt.id) {
    const decided = !OPEN_STATUSES.includes(session.status as PaymentSessionStatus);
    await tx.paymentSession.update({
      where: { id: session.id },
      data: decided
        ? // A decided session keeps its payment; the sweeper stops watching once the attempt settled.
          { nextCheckAt: nextCheckFor(session.status as PaymentSessionStatus, session.deadlineAt, attemptStatus, now) }
        : // Still open: show what the latest attempt is doing.
          { gatewayStatus: attemptStatus, ...(decision.attempt.paymentId ? { gatewayPaymentId: decision.attempt.paymentId } : {}) },
    });
  }

  const status = (decision.session?.status ?? session.status) as PaymentSessionStatus;
  const target = { id: session.id, shopId: session.shopId, status };
  for (const effect of decision.effects) {
    switch (effect) {
      case "finalize":
        await enqueueFinalize(tx, target);
        break;
      case "card-redirect":
        await enqueueCardRedirect(tx, target);
        break;
      case "card-confirm":
        await enqueueCardConfirm(tx, target);
        break;
      case "refund-attempt":
        if (attempt) await enqueueAttemptRefund(tx, session, attempt, "surplus");
        break;
      case "refund-kept": {
        const kept = session.attempts.find((a) => a.gatewayPaymentId !== null && a.gatewayPaymentId === session.gatewayPaymentId);
        if (kept) await enqueueAttemptRefund(tx, session, kept, "confirmation-refused");
        break;
      }
      case "erase-card":
        await tx.cardPayload.deleteMany({ where: { paymentSessionId: session.id } });
        break;
      case "capture-attempt":
        if (attempt) await enqueueAuthorizationSettlement(tx, session, attempt, "capture");
        break;
      case "release-attempt":
        if (attempt) await enqueueAuthorizationSettlement(tx, session, attempt, "release");
        break;
    }
  }

  if (attempt || decision.session) {
    await recordEvent(tx, {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: attempt ? "attempt.result" : "decision",
      summary: decision.note,
      detail: attempt ? { attempt: attempt.number, ...(decision.attempt?.paymentId ? { gatewayPaymentId: decision.attempt.paymentId } : {}) } : undefined,
    });
  }
  if (decision.session && attempt) {
    await recordEvent(tx, {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "decision",
      summary: DECISION_SUMMARY[status](decision.session.rejectReason ?? null),
    });
  }
}

/** What Accelebit (or its silence) says about one attempt of a session. */
export function applyAttemptFact(sessionId: string, attemptId: string, fact: AttemptFact, context: ApplyContext & { moto?: boolean }): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const session = await loadLocked(tx, sessionId);
    const attempt = session?.attempts.find((a) => a.id === attemptId);
    if (!session || !attempt) return { kind: "unchanged" } as const;
    const decision = decideForAttempt(sessionView(session, context, context.moto ?? false), attemptView(session, attempt), fact);
    await applyDecision(tx, session, attempt, fact, decision, context.now);
    return decision.shopper;
  });
}

/** Something that happened to the session as a whole (its deadline, its pending window, Shopify's confirmation). */
export function applySessionFact(sessionId: string, fact: SessionFact, context: ApplyContext): Promise<Completion> {
  return db().$transaction(async (tx) => {
    const session = await loadLocked(tx, sessionId);
    if (!session) return { kind: "unchanged" } as const;
    const decision = decideForSession(sessionView(session, context, false), fact);
    if (!decision.session) return decision.shopper;
    await applyDecision(tx, session, null, fact, decision, context.now);
    return decision.shopper;
  });
}
