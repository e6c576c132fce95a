import type { Prisma, PrismaClient } from "~/db.server";

/**
 * The merchant's timeline of a payment session (SessionEvent rows): written where things
 * happen, usually in the same transaction, read by the transactions pages. A summary is one
 * human line; never card data, secrets or tokens (brand and last four at most).
 */
export type TimelineKind =
  | "shopify.request"
  | "attempt.submitted"
  | "attempt.result"
  | "attempt.settlement"
  | "three_ds.return"
  | "three_ds.redirect"
  | "three_ds.confirm"
  | "decision"
  | "mutation.sent"
  | "mutation.failed"
  | "webhook.received"
  | `${"refund" | "capture" | "void"}.${"request" | "decision" | "gateway" | "mutation"}`;

export interface TimelineEvent {
  shopId: string;
  paymentSessionId: string;
  kind: TimelineKind;
  summary: string;
  detail?: Record<string, string | number | boolean | null>;
}

/** The SessionEvent columns of an event (also written without Prisma by the intakes). */
export function eventRow(event: TimelineEvent) {
  return {
    shopId: event.shopId,
    paymentSessionId: event.paymentSessionId,
    kind: event.kind,
    summary: event.summary.slice(0, 500),
    detail: event.detail ? JSON.stringify(event.detail) : null,
  };
}

export function recordEvent(client: PrismaClient | Prisma.TransactionClient, event: TimelineEvent) {
  return client.sessionEvent.create({ data: eventRow(event) });
}
