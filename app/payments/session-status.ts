/**
 * A payment session's life in this app. `status` is what we decided; `shopifyState` on the
 * row is what Shopify acknowledged (null, PENDING, REDIRECTING, CONFIRMING, RESOLVED, REJECTED).
 * The transitions are decided in one place: app/payments/next-state.ts.
 *
 *   awaiting_card ──submit──▶ processing ──captured──▶ resolving ──▶ resolved
 *        ▲                       │  │ └─action_required─▶ three_ds ──passed──▶ resolving (offsite) | confirming (card) ──▶ resolving
 *        └──declined, time left──┘  └─unknown outcome──▶ pending ──settled later──▶ resolving | rejecting
 *   any open state ──declined on the last attempt / deadline / refused──▶ rejecting ──▶ rejected
 */
export const PAYMENT_SESSION_STATUSES = [
  "awaiting_card",
  "processing",
  "three_ds",
  "confirming",
  "resolving",
  "rejecting",
  "pending",
  "resolved",
  "rejected",
] as const;
export type PaymentSessionStatus = (typeof PAYMENT_SESSION_STATUSES)[number];

/** A shopper can submit a card only here. */
export const ACCEPTS_CARD: readonly PaymentSessionStatus[] = ["awaiting_card"];

/** Decided, waiting for Shopify to acknowledge: the shopper sees the waiting page. */
export const AWAITING_SHOPIFY: readonly PaymentSessionStatus[] = ["resolving", "rejecting", "pending"];

export const FINAL: readonly PaymentSessionStatus[] = ["resolved", "rejected"];

export function isStatus(value: string, set: readonly PaymentSessionStatus[]): boolean {
  return (set as readonly string[]).includes(value);
}
