import type { FinalizedSessionStateCode, PaymentSessionStateCode, PaymentSessionStatePendingReason, PaymentSessionStateRejectedReason } from "./schema-types";

/**
 * What one Payments Apps call ended in. The client never retries on its own (apart from one
 * token refresh): durable retries belong to the job system, which decides from `kind` and
 * `category` alone.
 *
 * - `done`        Shopify holds the state we asked for (first time or an idempotent repeat).
 * - `user-errors` Shopify refused the input; repeating the same call will not change that.
 * - `conflict`    The session already reached a different final state (we asked resolve, it is
 *                 rejected). Needs reconciliation, never a blind retry.
 * - `failed`      Transport, auth or platform failure; `category` says whether a later retry can help.
 */
export type PaymentsAppsOutcome<TResult> =
  | { kind: "done"; result: TResult }
  | { kind: "user-errors"; userErrors: UserError[] }
  | { kind: "conflict"; currentState: string | null; userErrors: UserError[] }
  | PaymentsAppsFailure;

export interface PaymentsAppsFailure {
  kind: "failed";
  category: FailureCategory;
  code: FailureCode;
  /** Safe to log: built by us, never echoes the request. */
  message: string;
  httpStatus: number | null;
  /** Only for THROTTLED when Shopify reported its bucket: how long until the cost fits again. */
  retryAfterMs: number | null;
}

export type FailureCategory = "retryable" | "terminal";

export type FailureCode =
  // GraphQL errors[].extensions.code values Shopify documents for this API
  | "THROTTLED"
  | "ACCESS_DENIED"
  | "SHOP_INACTIVE"
  | "INTERNAL_SERVER_ERROR"
  | "MAX_COST_EXCEEDED"
  /** errors[] without a documented code, e.g. a document that fails validation. */
  | "GRAPHQL_ERROR"
  /** Non-2xx HTTP answer other than 401; see httpStatus. */
  | "HTTP_ERROR"
  /** 401 even after one forced token refresh. */
  | "UNAUTHORIZED"
  /** The caller's getAccessToken failed. */
  | "ACCESS_TOKEN_UNAVAILABLE"
  | "NETWORK_ERROR"
  | "TIMEOUT"
  /** 2xx answer that is not a GraphQL JSON response (proxy page, truncated body). */
  | "INVALID_RESPONSE"
  /** Well-formed JSON whose payload does not match our document (schema drift or a bug). */
  | "UNEXPECTED_PAYLOAD";

export interface UserError {
  field: string[] | null;
  message: string;
  /** Null for payloads typed `UserError` (resolve, reject, configure), which have no code. */
  code: string | null;
}

/** A payment session as the mutation payload describes it. */
export interface PaymentSessionResult {
  id: string;
  state: PaymentSessionStateCode;
  pendingReason: PaymentSessionStatePendingReason | null;
  rejectedReason: PaymentSessionStateRejectedReason | null;
  merchantMessage: string | null;
  /** Where to send the buyer next (thank-you page or back to checkout); null when Shopify gives none. */
  nextActionRedirectUrl: string | null;
  authorizationExpiresAt: string | null;
  pendingExpiresAt: string | null;
}

/** Refund, capture and void sessions share this shape: they end resolved or rejected. */
export interface FinalizedSessionResult {
  id: string;
  state: FinalizedSessionStateCode;
  rejectedReason: string | null;
  merchantMessage: string | null;
}

export interface PaymentsAppConfigurationResult {
  externalHandle: string | null;
  ready: boolean;
}
