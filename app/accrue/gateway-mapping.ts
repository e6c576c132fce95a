/**
 * The one place where Accrue's statuses, errors and amounts become the payments domain's
 * neutral ones (docs/decisions/0011-gateway-port.md, docs/decisions/accrue-a20-port-mapping.md).
 * Pure functions: no requests are made here.
 */
import type { GatewayError, GatewayErrorCode, GatewayPayment, GatewayPaymentStatus, GatewayRefund } from "~/payments/gateway/port";
import type { Money } from "~/payments/money";
import { declineReason, type AccrueError, type AccrueErrorCode } from "./errors";
import {
  CAPTURED_PAYMENT_STATUSES,
  FAILED_REFUND_STATUSES,
  PENDING_REFUND_STATUS,
  UNCAPTURED_PAYMENT_STATUSES,
  type AccruePayment,
  type AccrueRefund,
} from "./schemas";

/** USD only (docs/decisions/accrue-a04-usd-only.md). */
export const ACCRUE_CURRENCY = "USD";

/** Why Accrue cannot take this amount at all, or null: US dollars, whole positive cents a JavaScript number holds exactly. */
export function accrueAmountProblem(amount: Money): string | null {
  if (amount.currency !== ACCRUE_CURRENCY) return `Accrue takes US dollars only, not ${amount.currency}`;
  if (amount.minor <= 0n) return "the amount must be greater than zero";
  if (amount.minor > BigInt(Number.MAX_SAFE_INTEGER)) return "the amount is too large";
  return null;
}

/** Integer cents for Accrue (docs/decisions/accrue-a03-amount.md); call only after accrueAmountProblem returned null. */
export function toCents(amount: Money): number {
  return Number(amount.minor);
}

export function usd(cents: number): Money {
  return { minor: BigInt(cents), currency: ACCRUE_CURRENCY };
}

/** Canceled, and defensively Expired (docs/decisions/accrue-a07-success-statuses.md). */
const RELEASED_PAYMENT_STATUSES: readonly string[] = ["Canceled", "Expired"];

/** The neutral status of an Accrue payment; null for a status Accrue never documented (never taken as success). */
export function paymentStatus(status: string): Exclude<GatewayPaymentStatus, "action_required" | "failed"> | null {
  if (UNCAPTURED_PAYMENT_STATUSES.includes(status)) return "authorized";
  if (CAPTURED_PAYMENT_STATUSES.includes(status)) return "captured";
  if (RELEASED_PAYMENT_STATUSES.includes(status)) return "canceled";
  return null;
}

function dateOrNull(text: string | null): Date | null {
  if (text === null) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : new Date(at);
}

/** An Accrue payment as the domain sees it; null when its status is unknown (the caller reports UNEXPECTED_RESPONSE). */
export function toGatewayPayment(payment: AccruePayment): GatewayPayment | null {
  const status = paymentStatus(payment.status);
  if (status === null) return null;
  return {
    id: payment.id,
    status,
    amount: usd(payment.amount),
    // Accrue is the wallet itself: no upstream processor is named.
    provider: null,
    action: null,
    failure: null,
    authorizationExpiresAt: status === "authorized" ? dateOrNull(payment.expiresAt) : null,
  };
}

/** `Pending` is read again; `Failed`/`Canceled` will not happen; any other word is Accrue's success (accrue-a07). */
export function toGatewayRefund(refund: AccrueRefund): GatewayRefund {
  const status = refund.status === PENDING_REFUND_STATUS ? "pending" : FAILED_REFUND_STATUSES.includes(refund.status) ? "failed" : "succeeded";
  return { id: refund.id, status, amount: usd(refund.amount) };
}

const CODES: Record<AccrueErrorCode, GatewayErrorCode> = {
  UNAUTHORIZED: "CREDENTIALS_REFUSED",
  NOT_FOUND: "NOT_FOUND",
  REJECTED: "INVALID_REQUEST",
  RATE_LIMITED: "RATE_LIMITED",
  SERVER_ERROR: "UNAVAILABLE",
  REQUEST_TIMEOUT: "TIMEOUT",
  TIMEOUT: "TIMEOUT",
  NETWORK_ERROR: "NETWORK",
  UNEXPECTED_RESPONSE: "UNEXPECTED_RESPONSE",
  INVALID_INPUT: "INVALID_REQUEST",
  STATE_MISMATCH: "STATE_MISMATCH",
  // The intent was fenced: nothing was authorized and nothing can land late, so the shopper
  // may simply pay again with a new intent (docs/decisions/accrue-a19-decline-retry.md).
  AUTHORIZE_NOT_APPLIED: "UNAVAILABLE",
};

/** Compared without case or separators: Accrue publishes no list of its codes (accrue-a18). */
const normalised = (code: string | null) => (code ?? "").toLowerCase().replace(/[^a-z]/g, "");

function codeFor(error: AccrueError, operation: "authorize" | "other"): GatewayErrorCode {
  if (error.code === "REJECTED") {
    // A refused authorize is a decline (docs/decisions/accrue-a18-declines.md, accrue-a19-decline-retry.md).
    if (operation === "authorize") return declineReason(error) === "insufficient_funds" ? "INSUFFICIENT_FUNDS" : "DECLINED";
    if (error.gatewayErrors.some((e) => normalised(e.code).includes("authorizationexpired"))) return "AUTHORIZATION_EXPIRED";
  }
  return CODES[error.code];
}

/**
 * The category passes through: the client already decided whether a failed write may have
 * taken effect (docs/decisions/accrue-a09-unknown-outcomes.md). The one change: a fenced
 * authorize is retryable, since nothing was authorized and a new intent is safe.
 */
export function toGatewayError(error: AccrueError, operation: "authorize" | "other" = "other", payment?: GatewayPayment): GatewayError {
  const detail = error.gatewayErrors
    .map((e) => e.detail)
    .filter(Boolean)
    .join("; ");
  return {
    code: codeFor(error, operation),
    category: error.code === "AUTHORIZE_NOT_APPLIED" ? "retryable" : error.category,
    gatewayCode: error.gatewayCode ?? (error.code === "AUTHORIZE_NOT_APPLIED" ? error.code : null),
    message: (detail && !error.message.includes(detail) ? `${error.message}: ${detail}` : error.message).slice(0, 300),
    ...(payment ? { payment } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}

/** A problem found by the adapter itself, before or instead of a request. */
export function adapterError(code: GatewayErrorCode, category: GatewayError["category"], message: string, extra: Partial<GatewayError> = {}): GatewayError {
  return { code, category, gatewayCode: null, message, ...extra };
}
