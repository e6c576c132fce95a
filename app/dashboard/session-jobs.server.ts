import { db } from "~/db.server";
import { REFUND_ATTEMPT } from "~/payments/attempt-refund.server";
import { CHARGE_CARD_SESSION } from "~/payments/card/charge.server";
import { CONFIRM_CARD_SESSION } from "~/payments/card/confirm.server";
import { REFUND_UNCONFIRMED } from "~/payments/card/confirmation.server";
import { REDIRECT_CARD_SESSION } from "~/payments/card/redirect.server";
import { CAPTURE_AT_GATEWAY } from "~/payments/captures.server";
import { FINALIZE_JOB } from "~/payments/finalized-decisions.server";
import { FINALIZE_PAYMENT_SESSION } from "~/payments/finalize.server";
import { GATEWAY_EVENT } from "~/payments/gateway-events.server";
import { jobKeys, readJobKey, sessionJobKeys, type JobOwner, type SessionJobKeys } from "~/payments/job-keys";
import { REFUND_AT_GATEWAY } from "~/payments/refunds.server";
import { PAYMENT_SESSION_DEADLINE, RECONCILE_PAYMENTS } from "~/payments/sweeper.server";
import { VOID_AT_GATEWAY } from "~/payments/voids.server";

/**
 * Which background jobs belong to a payment session. Job rows carry no session column, but
 * every job a session causes has a dedupe key naming it, one of its attempts, refunds,
 * captures or voids (app/payments/job-keys.ts builds and reads them all). Looking jobs up by
 * their exact keys uses the unique index on Job.dedupeKey, so a session's jobs are found in one
 * indexed query however many jobs the shop has. Webhook jobs are keyed by the gateway event;
 * they are matched through the event's gateway payment id.
 */
export type { SessionJobKeys };

const JOB_LABELS: Readonly<Record<string, string>> = {
  [CHARGE_CARD_SESSION]: "Charge the card at Accelebit",
  [REDIRECT_CARD_SESSION]: "Send the shopper to 3-D Secure",
  [CONFIRM_CARD_SESSION]: "Ask Shopify to confirm the payment",
  [REFUND_UNCONFIRMED]: "Refund the payment Shopify did not confirm",
  [REFUND_ATTEMPT]: "Refund a charge the payment does not keep",
  [RECONCILE_PAYMENTS]: "Settle payments left open",
  [FINALIZE_PAYMENT_SESSION]: "Tell Shopify the payment's outcome",
  [PAYMENT_SESSION_DEADLINE]: "Settle the payment if the customer left",
  [REFUND_AT_GATEWAY]: "Refund at the gateway",
  [CAPTURE_AT_GATEWAY]: "Capture at the gateway",
  [FINALIZE_JOB.refund]: "Tell Shopify the refund's outcome",
  [FINALIZE_JOB.capture]: "Tell Shopify the capture's outcome",
  [VOID_AT_GATEWAY]: "Void at the gateway",
  [FINALIZE_JOB.void]: "Tell Shopify the void's outcome",
  [GATEWAY_EVENT]: "Process a gateway webhook",
};

export function jobLabel(type: string): string {
  return JOB_LABELS[type] ?? type;
}

const JOB_FIELDS = {
  id: true,
  type: true,
  status: true,
  attempts: true,
  maxAttempts: true,
  runAt: true,
  lastError: true,
  dedupeKey: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Still to do or given up: webhook jobs that are done are already on the timeline. */
const OPEN_JOB_STATUSES = ["pending", "running", "dead"];

/**
 * The jobs of one payment session (its own, its refunds', captures' and voids', and open
 * webhook jobs about its Accelebit payments), oldest first.
 */
export async function jobsOfSession(shopId: string, keys: SessionJobKeys, gatewayPaymentIds: string[]) {
  const [keyed, webhookJobs] = await Promise.all([
    // By dedupe key alone: adding `shopId =` lets SQLite pick the (shopId, status) index and
    // walk every job of the shop. The shop is checked on the rows instead.
    db().job.findMany({ where: { dedupeKey: { in: sessionJobKeys(keys) } }, select: { ...JOB_FIELDS, shopId: true } }),
    gatewayPaymentIds.length ? openWebhookJobs(shopId, gatewayPaymentIds) : [],
  ]);
  return [...keyed.filter((job) => job.shopId === shopId), ...webhookJobs].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
  );
}

// Open jobs of a shop are few (the @@index([shopId, status]) finds them); done ones are not read.
async function openWebhookJobs(shopId: string, gatewayPaymentIds: string[]) {
  const jobs = await db().job.findMany({ where: { shopId, status: { in: OPEN_JOB_STATUSES }, type: GATEWAY_EVENT }, select: JOB_FIELDS, take: 500 });
  if (!jobs.length) return [];
  const events = await db().gatewayEvent.findMany({
    where: {
      shopId,
      id: {
        in: jobs.flatMap((job) => {
          const key = readJobKey(job.dedupeKey);
          return key?.owner === "event" ? [key.id] : [];
        }),
      },
      objectId: { in: gatewayPaymentIds },
    },
    select: { id: true },
  });
  const ids = new Set(events.map((e) => jobKeys.gatewayEvent(e.id)));
  return jobs.filter((job) => job.dedupeKey !== null && ids.has(job.dedupeKey));
}

/**
 * The other direction, for the problems list: the payment session each job belongs to (by
 * its dedupe key), when it has one. Jobs of another shop never match: every lookup is scoped.
 */
export async function sessionsOfJobs(shopId: string, jobs: { id: string; dedupeKey: string | null }[]): Promise<Map<string, string>> {
  const byKind: Record<Exclude<JobOwner, "none">, Map<string, string>> = {
    payment: new Map(),
    attempt: new Map(),
    refund: new Map(),
    capture: new Map(),
    void: new Map(),
    event: new Map(),
  };
  for (const job of jobs) {
    const key = readJobKey(job.dedupeKey);
    if (key && key.owner !== "none") byKind[key.owner].set(job.id, key.id);
  }
  const ids = (map: Map<string, string>) => [...new Set(map.values())];
  const [payments, attempts, refunds, captures, voids, events] = await Promise.all([
    db().paymentSession.findMany({ where: { shopId, id: { in: ids(byKind.payment) } }, select: { id: true } }),
    db().paymentAttempt.findMany({ where: { paymentSession: { shopId }, id: { in: ids(byKind.attempt) } }, select: { id: true, paymentSessionId: true } }),
    db().refundSession.findMany({ where: { shopId, id: { in: ids(byKind.refund) } }, select: { id: true, paymentSessionId: true } }),
    db().captureSession.findMany({ where: { shopId, id: { in: ids(byKind.capture) } }, select: { id: true, paymentSessionId: true } }),
    db().voidSession.findMany({ where: { shopId, id: { in: ids(byKind.void) } }, select: { id: true, paymentSessionId: true } }),
    db().gatewayEvent.findMany({ where: { shopId, id: { in: ids(byKind.event) } }, select: { id: true, objectId: true } }),
  ]);
  const eventPayments = await db().paymentSession.findMany({
    where: { shopId, gatewayPaymentId: { in: events.flatMap((e) => (e.objectId ? [e.objectId] : [])) } },
    select: { id: true, gatewayPaymentId: true },
  });
  const target = new Map<JobOwner, Map<string, string | null>>([
    ["payment", new Map(payments.map((p) => [p.id, p.id]))],
    ["attempt", new Map(attempts.map((a) => [a.id, a.paymentSessionId]))],
    ["refund", new Map(refunds.map((r) => [r.id, r.paymentSessionId]))],
    ["capture", new Map(captures.map((c) => [c.id, c.paymentSessionId]))],
    ["void", new Map(voids.map((v) => [v.id, v.paymentSessionId]))],
    ["event", new Map(events.map((e) => [e.id, eventPayments.find((p) => e.objectId !== null && p.gatewayPaymentId === e.objectId)?.id ?? null]))],
  ]);
  const result = new Map<string, string>();
  for (const [owner, map] of Object.entries(byKind) as [JobOwner, Map<string, string>][]) {
    for (const [jobId, id] of map) {
      const sessionId = target.get(owner)?.get(id);
      if (sessionId) result.set(jobId, sessionId);
    }
  }
  return result;
}
