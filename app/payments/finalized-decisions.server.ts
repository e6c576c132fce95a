import { z } from "zod";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError, type JobHandler } from "~/jobs";
import { jobKeys } from "~/payments/job-keys";
import type { FinalizedKind, FinalizedRejectReason } from "~/payments/ledger.server";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";
import type { FinalizedSessionResult, PaymentsAppsClient, PaymentsAppsOutcome } from "~/shopify/payments-apps";

/**
 * Telling Shopify what was decided about a refund, capture or void session: the decision is a
 * status written with this job in one transaction; the job delivers it with retries until
 * Shopify acknowledges, across restarts.
 *
 *   ──request──▶ processing ──the gateway did it──▶ resolving ──▶ resolved
 *        │            └──────the gateway refused────▶ rejecting ──▶ rejected
 *        └──decided at intake──▶ resolving | rejecting
 */
type Tx = Prisma.TransactionClient;

export const FINALIZE_JOB: Readonly<Record<FinalizedKind, string>> = {
  refund: "refund-session.finalize",
  capture: "capture-session.finalize",
  void: "void-session.finalize",
};

/** Schedules delivery of the session's decision to Shopify (idempotent per decision). */
export function enqueueFinalizedDecision(tx: Tx, kind: FinalizedKind, session: { id: string; shopId: string; status: string }, runAt?: Date) {
  return enqueueJob(tx, {
    type: FINALIZE_JOB[kind],
    payload: { sessionId: session.id },
    shopId: session.shopId,
    dedupeKey: jobKeys.finalizeFinalized(kind, session.id, session.status),
    runAt,
  });
}

type Outcome = PaymentsAppsOutcome<FinalizedSessionResult>;

const MUTATIONS: Record<
  FinalizedKind,
  {
    resolve(client: PaymentsAppsClient, id: string): Promise<Outcome>;
    reject(client: PaymentsAppsClient, id: string, reason: FinalizedRejectReason, merchantMessage?: string): Promise<Outcome>;
  }
> = {
  refund: {
    resolve: (client, id) => client.refundSessionResolve({ id }),
    reject: (client, id, _reason, merchantMessage) => client.refundSessionReject({ id, reason: { code: "PROCESSING_ERROR", merchantMessage } }),
  },
  capture: {
    resolve: (client, id) => client.captureSessionResolve({ id }),
    reject: (client, id, reason, merchantMessage) => client.captureSessionReject({ id, reason: { code: reason, merchantMessage } }),
  },
  void: {
    resolve: (client, id) => client.voidSessionResolve({ id }),
    reject: (client, id, _reason, merchantMessage) => client.voidSessionReject({ id, reason: { code: "PROCESSING_ERROR", merchantMessage } }),
  },
};

/**
 * Shopify answers `<X>_SESSION_INVALID_STATE` both for a session in another final state and
 * for one whose request it has not yet seen answered; a few spaced retries tell them apart.
 */
const CONFLICT_ATTEMPTS = 3;

const finalizePayload = z.object({ sessionId: z.string().min(1) });

/** Delivers a refund, capture or void decision until Shopify acknowledges it. */
export function finalizeSessionHandler(kind: FinalizedKind): JobHandler {
  return jobHandler(finalizePayload, async ({ sessionId }, { attempt, logger }) => {
    const session = await findForDelivery(kind, sessionId);
    // Gone (shop/redact) or already acknowledged: nothing left to tell.
    if (!session || (session.status !== "resolving" && session.status !== "rejecting")) return;

    const client = paymentsAppsClientFor(session.shop.domain);
    const mutation = MUTATIONS[kind];
    const outcome =
      session.status === "resolving"
        ? await mutation.resolve(client, session.gid)
        : await mutation.reject(
            client,
            session.gid,
            (session.rejectReason ?? "PROCESSING_ERROR") as FinalizedRejectReason,
            session.merchantMessage ?? undefined,
          );

    switch (outcome.kind) {
      case "done": {
        const final = outcome.result.state === "RESOLVED" ? "resolved" : "rejected";
        await markFinal(kind, session.id, session.status, final);
        if (session.paymentSessionId) {
          await recordEvent(db(), {
            shopId: session.shopId,
            paymentSessionId: session.paymentSessionId,
            kind: `${kind}.mutation`,
            summary: `${kind}Session${session.status === "resolving" ? "Resolve" : "Reject"} → Shopify: ${outcome.result.state}`,
          });
        }
        logger.info({ kind, sessionId, state: outcome.result.state }, "Shopify acknowledged the session");
        return;
      }
      case "failed":
        if (outcome.category === "retryable") {
          throw new RetryableJobError(`Shopify ${outcome.code}: ${outcome.message}`, { retryAfterMs: outcome.retryAfterMs ?? undefined });
        }
        throw new TerminalJobError(`Shopify ${outcome.code}: ${outcome.message}`);
      case "conflict":
        if (attempt < CONFLICT_ATTEMPTS) throw new RetryableJobError(`Shopify reports the session in another state; asking again`);
        // Shopify holds another final state than the one we decided: a person must look.
        throw new TerminalJobError(`Shopify reports the session ${outcome.currentState ?? "in another state"}; we decided ${session.status}`);
      case "user-errors":
        throw new RetryableJobError(`Shopify refused: ${outcome.userErrors.map((e) => e.message).join("; ")}`);
    }
  });
}

const deliverySelect = {
  id: true,
  shopId: true,
  paymentSessionId: true,
  gid: true,
  status: true,
  rejectReason: true,
  merchantMessage: true,
  shop: { select: { domain: true } },
} as const;

function findForDelivery(kind: FinalizedKind, id: string) {
  if (kind === "refund") return db().refundSession.findUnique({ where: { id }, select: deliverySelect });
  if (kind === "capture") return db().captureSession.findUnique({ where: { id }, select: deliverySelect });
  return db().voidSession.findUnique({ where: { id }, select: deliverySelect });
}

/** Only the decision this job delivered is marked final. */
function markFinal(kind: FinalizedKind, id: string, from: string, status: "resolved" | "rejected") {
  const args = { where: { id, status: from }, data: { status, finalizedAt: new Date() } };
  if (kind === "refund") return db().refundSession.updateMany(args);
  if (kind === "capture") return db().captureSession.updateMany(args);
  return db().voidSession.updateMany(args);
}

export const FINALIZE_HANDLERS: Readonly<Record<string, JobHandler>> = {
  [FINALIZE_JOB.refund]: finalizeSessionHandler("refund"),
  [FINALIZE_JOB.capture]: finalizeSessionHandler("capture"),
  [FINALIZE_JOB.void]: finalizeSessionHandler("void"),
};
