import { PAYMENT_SESSION_STATUSES } from "~/payments/session-status";

/**
 * Every dedupe key of a payments job, built and read here and nowhere else. A key makes its
 * job unique (one finalize per decision, one charge per card session, one refund per attempt)
 * and names what the job belongs to, so the merchant's pages find a session's jobs by their
 * exact keys (the unique index) and a job's session from its key.
 */
export type JobOwner = "payment" | "attempt" | "refund" | "capture" | "void" | "event" | "none";

/** Decision statuses of refund, capture and void sessions (their finalize keys carry them). */
const FINALIZED_STATUSES = ["processing", "resolving", "rejecting", "resolved", "rejected"] as const;
type FinalizedKind = "refund" | "capture" | "void";

export const jobKeys = {
  /** Legacy: deadline jobs of older versions. */
  deadline: (paymentSessionId: string) => `deadline:${paymentSessionId}`,
  finalizePayment: (paymentSessionId: string, status: string) => `finalize:${paymentSessionId}:${status}`,
  cardCharge: (paymentSessionId: string) => `card-charge:${paymentSessionId}`,
  cardRedirect: (paymentSessionId: string) => `card-redirect:${paymentSessionId}`,
  cardConfirm: (paymentSessionId: string) => `card-confirm:${paymentSessionId}`,
  /** Legacy: the confirmation refund of older versions. */
  cardRefund: (paymentSessionId: string) => `card-refund:${paymentSessionId}`,
  attemptRefund: (attemptId: string) => `attempt-refund:${attemptId}`,
  /** Capturing (a sale) or releasing (not kept) an attempt's authorization: one of each per attempt. */
  attemptCapture: (attemptId: string) => `attempt-capture:${attemptId}`,
  attemptRelease: (attemptId: string) => `attempt-release:${attemptId}`,
  refundAtGateway: (refundSessionId: string) => `refund:${refundSessionId}`,
  captureAtGateway: (captureSessionId: string) => `capture:${captureSessionId}`,
  voidAtGateway: (voidSessionId: string) => `void-refund:${voidSessionId}`,
  finalizeFinalized: (kind: FinalizedKind, sessionId: string, status: string) => `finalize-${kind}:${sessionId}:${status}`,
  gatewayEvent: (gatewayEventId: string) => `event:${gatewayEventId}`,
  sweep: (slot: number) => `reconcile:${slot}`,
  /** A sweep brought forward by a webhook that names no payment (docs/decisions/accrue-a11-webhook-verification.md). */
  sweepForEvent: (gatewayEventId: string) => `reconcile:event-${gatewayEventId}`,
  /** The removal of a shop's gateway webhooks after one uninstall. */
  removeGatewayWebhooks: (shopId: string, uninstalledAt: Date) => `gateway-webhooks:${shopId}:${uninstalledAt.getTime()}`,
} as const;

/** Which kind of row a key's id names. */
const OWNERS: ReadonlyMap<string, JobOwner> = new Map([
  ["deadline", "payment"],
  ["finalize", "payment"],
  ["card-charge", "payment"],
  ["card-redirect", "payment"],
  ["card-confirm", "payment"],
  ["card-refund", "payment"],
  ["attempt-refund", "attempt"],
  ["attempt-capture", "attempt"],
  ["attempt-release", "attempt"],
  ["refund", "refund"],
  ["finalize-refund", "refund"],
  ["capture", "capture"],
  ["finalize-capture", "capture"],
  ["void-refund", "void"],
  ["finalize-void", "void"],
  ["event", "event"],
  ["reconcile", "none"],
  ["gateway-webhooks", "none"],
]);

/** What a job's key says it belongs to; null for a key this app did not write. */
export function readJobKey(key: string | null): { owner: JobOwner; id: string } | null {
  if (!key) return null;
  const [prefix = "", id] = key.split(":");
  const owner = OWNERS.get(prefix);
  return owner && id ? { owner, id } : null;
}

export interface SessionJobKeys {
  paymentSessionId: string;
  attemptIds: readonly string[];
  refundIds: readonly string[];
  captureIds: readonly string[];
  voidIds: readonly string[];
}

/** Every key a payment session's jobs can have: its own, its attempts', its refunds', captures' and voids'. */
export function sessionJobKeys({ paymentSessionId, attemptIds, refundIds, captureIds, voidIds }: SessionJobKeys): string[] {
  const finalized = (kind: FinalizedKind, id: string) => FINALIZED_STATUSES.map((status) => jobKeys.finalizeFinalized(kind, id, status));
  return [
    jobKeys.deadline(paymentSessionId),
    jobKeys.cardCharge(paymentSessionId),
    jobKeys.cardRedirect(paymentSessionId),
    jobKeys.cardConfirm(paymentSessionId),
    jobKeys.cardRefund(paymentSessionId),
    ...PAYMENT_SESSION_STATUSES.map((status) => jobKeys.finalizePayment(paymentSessionId, status)),
    ...attemptIds.flatMap((id) => [jobKeys.attemptRefund(id), jobKeys.attemptCapture(id), jobKeys.attemptRelease(id)]),
    ...refundIds.flatMap((id) => [jobKeys.refundAtGateway(id), ...finalized("refund", id)]),
    ...captureIds.flatMap((id) => [jobKeys.captureAtGateway(id), ...finalized("capture", id)]),
    ...voidIds.flatMap((id) => [jobKeys.voidAtGateway(id), ...finalized("void", id)]),
  ];
}
