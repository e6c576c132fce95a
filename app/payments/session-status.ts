/**
 * A payment session's life in this app. `status` is what we decided; `shopifyState` on the
 * row is what Shopify acknowledged (null, PENDING, RESOLVED, REJECTED).
 *
 *   awaiting_card ──submit──▶ processing ──captured──▶ resolving ──▶ resolved
 *        ▲                       │  │ └─pending_3ds─▶ three_ds ──return/webhook──▶ resolving | awaiting_card
 *        └──────declined─────────┘  └─unknown outcome──▶ pending ──settled later──▶ resolving | rejecting
 *   any open state ──last attempt failed / deadline / bad key──▶ rejecting ──▶ rejected
 */
export const PAYMENT_SESSION_STATUSES = ["awaiting_card", "processing", "three_ds", "resolving", "rejecting", "pending", "resolved", "rejected"] as const;
export type PaymentSessionStatus = (typeof PAYMENT_SESSION_STATUSES)[number];

/** A shopper can submit a card only here. */
export const ACCEPTS_CARD: readonly PaymentSessionStatus[] = ["awaiting_card"];

/** Decided, waiting for Shopify to acknowledge: the shopper sees the waiting page. */
export const AWAITING_SHOPIFY: readonly PaymentSessionStatus[] = ["resolving", "rejecting", "pending"];

export const FINAL: readonly PaymentSessionStatus[] = ["resolved", "rejected"];

export function isStatus(value: string, set: readonly PaymentSessionStatus[]): boolean {
  return (set as readonly string[]).includes(value);
}
