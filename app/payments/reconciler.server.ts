import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler } from "~/jobs";
import type { ChargeDeps } from "~/payments/charge.server";
import { settleFromGateway, settleWithoutPayment } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";

/**
 * Finds payment sessions stuck mid-flight — a shopper who closed the tab during 3-D Secure,
 * a process that died between Accelebit's answer and the Shopify mutation, a pending session
 * — and settles each from Accelebit's record. Runs as a durable job that schedules its next
 * run; one job per time slot (dedupe key), so several instances run it once, and every
 * settlement is a compare-and-set on the session's status anyway.
 */
export const RECONCILE_PAYMENTS = "payments.reconcile";
export const RECONCILE_EVERY_MS = 5 * 60_000;
/** Younger than this, a session may still be in the shopper's or a request's hands. */
export const STUCK_AFTER_MS = 10 * 60_000;

type Client = Prisma.TransactionClient;

export function scheduleReconciler(client: Client, now = new Date()) {
  const slot = Math.floor(now.getTime() / RECONCILE_EVERY_MS) + 1;
  return enqueueJob(client, { type: RECONCILE_PAYMENTS, payload: {}, dedupeKey: `reconcile:${slot}`, runAt: new Date(slot * RECONCILE_EVERY_MS) });
}

export function reconcileHandler(deps: () => Pick<ChargeDeps, "gateway" | "box" | "maxAttempts">, now: () => Date = () => new Date()) {
  return jobHandler(z.object({}).passthrough(), async (_payload, { logger }) => {
    const settled = await reconcileStuckSessions(deps(), now());
    if (settled) logger.info({ settled }, "reconciler settled stuck payment sessions");
    await scheduleReconciler(db(), now());
  });
}

export async function reconcileStuckSessions(deps: Pick<ChargeDeps, "gateway" | "box" | "maxAttempts">, now: Date, limit = 100): Promise<number> {
  const stuck = await db().paymentSession.findMany({
    where: { status: { in: ["three_ds", "processing", "pending"] }, updatedAt: { lt: new Date(now.getTime() - STUCK_AFTER_MS) } },
    orderBy: { updatedAt: "asc" },
    take: limit,
    include: { attempts: { orderBy: { number: "desc" }, take: 1 } },
  });
  let settled = 0;
  for (const session of stuck) {
    const account = await accountForSession(deps, session);
    if (!account.ok) continue;
    const paymentId = session.attempts[0]?.accelebitPaymentId ?? session.accelebitPaymentId;
    if (paymentId) {
      const read = await account.value.retrievePayment(paymentId);
      if (read.ok && (await settleFromGateway(session.id, read.value, deps.maxAttempts, now)).kind !== "unchanged") settled++;
      continue;
    }
    // No id stored (crash after the POST, before its answer was saved): ask by merchantRef.
    const lookup = await account.value.findPaymentByMerchantRef(session.shopifyId);
    if (!lookup.ok) continue;
    const outcome = lookup.value.payment
      ? await settleFromGateway(session.id, lookup.value.payment, deps.maxAttempts, now)
      : await settleWithoutPayment(session.id);
    if (outcome.kind !== "unchanged") settled++;
  }
  return settled;
}
