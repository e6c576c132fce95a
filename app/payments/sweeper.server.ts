import { z } from "zod";
import type { Result } from "~/lib/result";
import type { CredentialProblem, GatewayAccount } from "~/payments/gateway/port";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler } from "~/jobs";
import { logger as rootLogger, type Logger } from "~/lib/logger";
import type { ChargeDeps } from "~/payments/charge.server";
import { CARD_CHARGE_WINDOW_MS } from "~/payments/card/charge.server";
import { openAtGateway, STUCK_AFTER_MS, WATCH_INTERVAL_MS } from "~/payments/check-schedule";
import { applyAttemptFact, applySessionFact, type ApplyContext } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { readAttempt } from "~/payments/gateway-facts.server";
import type { AttemptFact } from "~/payments/next-state";

/**
 * The sweeper (docs/decisions/0004-one-sweeper.md): one periodic, fair scan of the payment
 * sessions that may need settling without their shopper — deadlines passed, charges and 3-D
 * Secure left open, pending sessions, decided sessions whose attempt Accelebit may still
 * capture. Sessions come oldest `nextCheckAt` first; each is checked on its own and pushed back
 * with its own backoff when nothing could be settled, so one shop's problem (no key, a key that
 * cannot be decrypted, Accelebit down for it) never holds up another's.
 */
export const RECONCILE_PAYMENTS = "payments.reconcile";
export const RECONCILE_EVERY_MS = 5 * 60_000;
/** Left by older versions, one per session: it now only brings the session's check forward. */
export const PAYMENT_SESSION_DEADLINE = "payment-session.deadline";
/** A pending session is settled this long before Shopify's pending window ends. */
export const PENDING_WINDOW_MARGIN_MS = 60 * 60_000;
/** A decided session whose attempt is still open at Accelebit is watched this long for a late capture. */
export const WATCH_FOR_MS = 25 * 60 * 60_000;
const MAX_BACKOFF_MS = 2 * 60 * 60_000;

export type SweepDeps = Pick<ChargeDeps, "gateways" | "box" | "maxAttempts">;

export function scheduleReconciler(client: Prisma.TransactionClient, now = new Date()) {
  const slot = Math.floor(now.getTime() / RECONCILE_EVERY_MS) + 1;
  return enqueueJob(client, { type: RECONCILE_PAYMENTS, payload: {}, dedupeKey: `reconcile:${slot}`, runAt: new Date(slot * RECONCILE_EVERY_MS) });
}

export function reconcileHandler(deps: () => SweepDeps) {
  return jobHandler(z.object({}).passthrough(), async (_payload, { logger, now }) => {
    // The next run is booked first: nothing in this pass can stop the sweeper for good.
    await scheduleReconciler(db(), now);
    const report = await sweep(deps(), now, { logger });
    if (report.settled || report.failed) logger.info(report, "sweeper pass");
  });
}

/** An older version's deadline job: the sweeper takes the session at its next pass. */
export const settleAbandonedSession = jobHandler(z.object({ paymentSessionId: z.string().min(1) }), async ({ paymentSessionId }) => {
  const now = new Date();
  const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId }, select: { deadlineAt: true } });
  if (!session) return;
  await db().paymentSession.update({ where: { id: paymentSessionId }, data: { deadlineAt: session.deadlineAt ?? now, nextCheckAt: now } });
});

export interface SweepReport {
  checked: number;
  settled: number;
  failed: number;
  erasedCards: number;
}

type DueSession = Awaited<ReturnType<typeof dueSessions>>[number];

const dueSessions = (now: Date, take: number) =>
  db().paymentSession.findMany({
    where: { nextCheckAt: { lte: now } },
    orderBy: [{ nextCheckAt: "asc" }, { id: "asc" }],
    take,
    include: { attempts: { orderBy: { number: "asc" } }, cardPayload: { select: { expiresAt: true } } },
  });

/** One pass: every session due now, in batches (a bounded number, the rest waits for the next pass). */
export async function sweep(deps: SweepDeps, now: Date, options: { batch?: number; maxBatches?: number; logger?: Logger } = {}): Promise<SweepReport> {
  const batch = options.batch ?? 100;
  const logger = options.logger ?? rootLogger;
  const report: SweepReport = { checked: 0, settled: 0, failed: 0, erasedCards: 0 };
  // Whatever happened to a charge job, no sealed card outlives its window (docs/decisions/0006-card-payload-lifetime.md).
  report.erasedCards = (await db().cardPayload.deleteMany({ where: { expiresAt: { lte: now } } })).count;
  const accounts = new Map<string, Promise<Result<GatewayAccount, CredentialProblem>>>();
  const account = (session: DueSession) => {
    const key = `${session.shopId}:${session.test}`;
    if (!accounts.has(key)) accounts.set(key, accountForSession(deps, session));
    return accounts.get(key)!;
  };
  for (let round = 0; round < (options.maxBatches ?? 20); round++) {
    const due = await dueSessions(now, batch);
    for (const session of due) {
      report.checked++;
      let settled = false;
      try {
        settled = await checkSession(session, { now, maxAttempts: deps.maxAttempts, gateways: deps.gateways }, () => account(session));
      } catch (error) {
        report.failed++;
        logger.warn({ paymentSessionId: session.id, errorName: error instanceof Error ? error.name : typeof error }, "sweeper could not check a session");
      }
      if (settled) report.settled++;
      else await backOff(session, now);
    }
    if (due.length < batch) break;
  }
  return report;
}

/**
 * Nothing could be settled this time: look again later, doubling the wait, but never past the
 * session's next milestone (its deadline, the end of its pending window). Compare-and-set on
 * `nextCheckAt`, so a decision made meanwhile (which set its own) is not overwritten.
 */
async function backOff(session: DueSession, now: Date) {
  const step = Math.min(WATCH_INTERVAL_MS * 2 ** Math.min(session.checks, 10), MAX_BACKOFF_MS);
  let next: Date | null = new Date(now.getTime() + step);
  const milestones = [
    session.deadlineAt,
    session.status === "pending" && session.pendingExpiresAt ? new Date(session.pendingExpiresAt.getTime() - PENDING_WINDOW_MARGIN_MS) : null,
  ];
  for (const milestone of milestones) if (milestone && milestone > now && milestone < next) next = milestone;
  const latest = session.attempts.at(-1);
  if (isDecided(session.status) && (!latest || !openAtGateway(latest.status) || now.getTime() - latest.createdAt.getTime() > WATCH_FOR_MS)) next = null;
  await db().paymentSession.updateMany({
    where: { id: session.id, nextCheckAt: session.nextCheckAt, status: session.status },
    data: { nextCheckAt: next, checks: { increment: 1 } },
  });
}

const isDecided = (status: string) => status === "resolving" || status === "rejecting" || status === "resolved" || status === "rejected";

/** Settles what can be settled of one session; true when it moved. */
async function checkSession(session: DueSession, context: ApplyContext, account: () => Promise<Result<GatewayAccount, CredentialProblem>>): Promise<boolean> {
  const { now } = context;
  const latest = session.attempts.at(-1);
  const deadlinePassed = session.deadlineAt !== null && now >= session.deadlineAt;
  const card = session.paymentMethodType === "credit_card";
  const moved = (outcome: { kind: string }) => outcome.kind !== "unchanged";

  /** Accelebit's record of the latest attempt, as a fact; null when nothing is known. */
  const readLatest = async (absentMeansNothing: boolean): Promise<AttemptFact | null> => {
    if (!latest) return null;
    const selected = await account();
    // No usable key: nothing is decided blind (docs/decisions/0005-reads-never-reject-blind.md).
    if (!selected.ok) return null;
    const others = session.attempts.filter((a) => a.id !== latest.id && a.gatewayPaymentId).map((a) => a.gatewayPaymentId!);
    const read = await readAttempt(selected.value, latest, session, others);
    if (read.kind === "fact") return read.fact;
    return read.kind === "absent" && absentMeansNothing ? { kind: "no-payment" } : null;
  };
  /** Applies Accelebit's record of the latest attempt; `known` says whether Accelebit could be read at all. */
  const applyRead = async (absentMeansNothing: boolean) => {
    const fact = await readLatest(absentMeansNothing);
    const settled = fact && latest ? moved(await applyAttemptFact(session.id, latest.id, fact, context)) : false;
    return { settled, known: fact !== null };
  };
  const stillStatus = async () => (await db().paymentSession.findUnique({ where: { id: session.id }, select: { status: true } }))?.status;

  switch (session.status) {
    case "awaiting_card":
      return deadlinePassed ? moved(await applySessionFact(session.id, { kind: "deadline" }, context)) : false;

    case "processing": {
      if (card) {
        const cardWaiting = session.cardPayload !== null && session.cardPayload.expiresAt > now;
        // The charge job owns the card while it may still POST.
        if (cardWaiting) return false;
        if (!latest) return moved(await applySessionFact(session.id, { kind: "deadline" }, context));
        // The window for POSTs has closed: Accelebit's record alone decides; nothing found means nothing was charged.
        const stale = now.getTime() - latest.createdAt.getTime() >= CARD_CHARGE_WINDOW_MS;
        return (await applyRead(stale)).settled;
      }
      // The shopper's request may still be charging; one older than STUCK_AFTER_MS is gone, and if
      // Accelebit has no payment for it, nothing can still create one.
      const recent = latest !== undefined && now.getTime() - latest.updatedAt.getTime() < STUCK_AFTER_MS;
      if (recent && !deadlinePassed) return false;
      const { settled } = await applyRead(!recent);
      // Pending at Shopify is no verdict: it is fine without Accelebit's word.
      if (deadlinePassed && (await stillStatus()) === "processing") return moved(await applySessionFact(session.id, { kind: "deadline" }, context)) || settled;
      return settled;
    }

    case "three_ds": {
      const { settled, known } = await applyRead(false);
      // An offsite session only becomes pending; a credit card's is rejected, so only once
      // Accelebit said the challenge is still open (docs/decisions/0005-reads-never-reject-blind.md).
      const deadlineApplies = deadlinePassed && (!card || known);
      if (deadlineApplies && (await stillStatus()) === "three_ds") return moved(await applySessionFact(session.id, { kind: "deadline" }, context)) || settled;
      return settled;
    }

    case "pending": {
      const stale = !latest || now.getTime() - latest.updatedAt.getTime() >= STUCK_AFTER_MS;
      const { settled } = await applyRead(stale && latest?.status !== "action_required");
      const windowOver = session.pendingExpiresAt !== null && now.getTime() >= session.pendingExpiresAt.getTime() - PENDING_WINDOW_MARGIN_MS;
      if (windowOver && (await stillStatus()) === "pending")
        return moved(await applySessionFact(session.id, { kind: "pending-window-over" }, context)) || settled;
      return settled;
    }

    case "confirming":
      return false;

    default:
      // Decided: a late capture of an attempt Accelebit still had open is refunded (docs/decisions/0003-surplus-charges.md).
      if (!latest || !openAtGateway(latest.status)) return false;
      await applyRead(false);
      return false;
  }
}
