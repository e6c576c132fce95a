import type { PaymentSessionStatus } from "~/payments/session-status";

/**
 * When the sweeper looks at a payment session next (docs/decisions/0004-one-sweeper.md), given
 * where the session stands. Written with every decision, so the sweeper's scan by `nextCheckAt`
 * sees each session when something may be due, and never a settled one.
 */

/** Younger than this, a charge may still be in a shopper's request (docs/decisions/0004-one-sweeper.md). */
export const STUCK_AFTER_MS = 10 * 60_000;
/** How soon the sweeper first looks again at a session it has to watch (pending, or a decided session whose attempt is still open at Accelebit). */
export const WATCH_INTERVAL_MS = 5 * 60_000;

export const OPEN_STATUSES: readonly PaymentSessionStatus[] = ["awaiting_card", "processing", "three_ds", "confirming", "pending"];

/** Is the attempt's payment still able to change at Accelebit (a charge or a 3-D Secure not finished)? */
export const openAtGateway = (status: string | undefined) => status === "submitted" || status === "unknown" || status === "action_required";

/** When the sweeper looks at a session next, given where it now stands (docs/decisions/0004-one-sweeper.md). */
export function nextCheckFor(status: PaymentSessionStatus, deadlineAt: Date | null, latestAttemptStatus: string | undefined, now: Date): Date | null {
  const later = (ms: number) => new Date(now.getTime() + ms);
  switch (status) {
    case "awaiting_card":
      return deadlineAt ?? later(STUCK_AFTER_MS);
    case "processing":
      return later(STUCK_AFTER_MS);
    case "three_ds":
      // A bank that answered while the shopper never came back is read back after a while.
      return later(STUCK_AFTER_MS);
    case "pending":
      return later(WATCH_INTERVAL_MS);
    case "confirming":
      // Shopify's confirmation callback decides; the confirm job retries until Shopify accepts.
      return null;
    default:
      // Decided: keep watching an attempt Accelebit may still capture, so a late capture is refunded.
      return openAtGateway(latestAttemptStatus) ? later(WATCH_INTERVAL_MS) : null;
  }
}
