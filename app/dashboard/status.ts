import { PAYMENT_SESSION_STATUSES, type PaymentSessionStatus } from "~/payments/session-status";

/**
 * How the merchant's pages name a payment session's status. Pure (no server code): the
 * transactions page's filter choices use it in the browser too.
 */
export type BadgeTone = "info" | "success" | "warning" | "critical" | "attention" | undefined;

export const STATUS_LABELS: Readonly<Record<PaymentSessionStatus, string>> = {
  awaiting_card: "Awaiting card",
  processing: "Processing card",
  three_ds: "3-D Secure",
  confirming: "3-D Secure passed, Shopify confirming",
  pending: "Pending",
  // Decided and paid (or refused) at Accelebit; Shopify has not acknowledged yet.
  resolving: "Paid, confirming with Shopify",
  rejecting: "Failed, telling Shopify",
  resolved: "Resolved",
  rejected: "Rejected",
};

const STATUS_TONES: Readonly<Record<PaymentSessionStatus, BadgeTone>> = {
  awaiting_card: undefined,
  processing: "info",
  three_ds: "info",
  confirming: "info",
  pending: "attention",
  resolving: "success",
  rejecting: "warning",
  resolved: "success",
  rejected: "critical",
};

export function isPaymentSessionStatus(value: string): value is PaymentSessionStatus {
  return (PAYMENT_SESSION_STATUSES as readonly string[]).includes(value);
}

export function statusLabel(status: string): string {
  return isPaymentSessionStatus(status) ? STATUS_LABELS[status] : status;
}

export function statusTone(status: string): BadgeTone {
  return isPaymentSessionStatus(status) ? STATUS_TONES[status] : undefined;
}

/** Refund, capture and void sessions (processing | resolving | rejecting | resolved | rejected). */
export const FINALIZED_STATUS_LABELS: Readonly<Record<string, string>> = {
  received: "Received",
  processing: "Processing at Accelebit",
  resolving: "Done, confirming with Shopify",
  rejecting: "Refused, telling Shopify",
  resolved: "Resolved",
  rejected: "Rejected",
};

export function finalizedStatusLabel(status: string): string {
  return FINALIZED_STATUS_LABELS[status] ?? status;
}

export const STATUS_CHOICES = PAYMENT_SESSION_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }));
