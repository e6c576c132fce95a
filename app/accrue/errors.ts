/**
 * Typed errors of the Accrue adapter. Every failure carries
 * - `code`: what happened, in our words (Accrue publishes no list of its error codes);
 * - `gatewayCode`: the first error object's `code` exactly as Accrue sent it, or null;
 * - `category`: what the caller may do next (see AccrueErrorCategory);
 * - a message that never contains the client secret or a webhook secret.
 */

/**
 * - `retryable`: nothing happened on Accrue's side that needs reading back; the same call may
 *   succeed later (a rate limit, a failed read, a request that provably never left).
 * - `terminal`: the same call cannot succeed (refused by Accrue, bad credentials, bad input,
 *   a state that does not allow it).
 * - `outcome_unknown`: a POST may or may not have taken effect, and reading the state back
 *   did not settle it. Never repeat the POST: re-read later (the reconciler), see
 *   docs/decisions/accrue-a09-unknown-outcomes.md.
 */
export type AccrueErrorCategory = "retryable" | "terminal" | "outcome_unknown";

export type AccrueErrorCode =
  /** 401: missing, wrong or expired Client ID / Client Secret. */
  | "UNAUTHORIZED"
  /** 404: no such object for this merchant (or no such endpoint). */
  | "NOT_FOUND"
  /** Any other 4xx: Accrue refused the request (validation, state, decline). */
  | "REJECTED"
  /** 429, after the in-line backoff gave up. */
  | "RATE_LIMITED"
  /** 5xx. */
  | "SERVER_ERROR"
  /** 408 from Accrue. */
  | "REQUEST_TIMEOUT"
  /** Our own timeout (docs/decisions/accrue-a14-timeouts.md). */
  | "TIMEOUT"
  /** The connection failed or was dropped. */
  | "NETWORK_ERROR"
  /** A 2xx we cannot read as the documented resource. */
  | "UNEXPECTED_RESPONSE"
  /** Refused by our own validation before sending. */
  | "INVALID_INPUT"
  /** The object is in a state that does not allow the operation (found by reading it). */
  | "STATE_MISMATCH"
  /** An unknown-outcome authorize was proven not applied: the intent is now Canceled. */
  | "AUTHORIZE_NOT_APPLIED";

export type AccrueErrorOrigin = "client" | "gateway" | "network";

export interface GatewayErrorObject {
  readonly status: string | null;
  readonly code: string | null;
  readonly detail: string | null;
}

export interface AccrueError {
  readonly kind: "accrue_error";
  readonly code: AccrueErrorCode;
  readonly category: AccrueErrorCategory;
  readonly origin: AccrueErrorOrigin;
  /** A stable operation name, e.g. "payments.capture". */
  readonly operation: string;
  readonly httpStatus: number | null;
  readonly gatewayCode: string | null;
  readonly gatewayErrors: readonly GatewayErrorObject[];
  readonly message: string;
  /** HTTP requests made for this call (0 when refused before sending). */
  readonly attempts: number;
  /** RATE_LIMITED: how long Accrue asked us to wait, when longer than we wait in-line. */
  readonly retryAfterMs?: number;
  /** STATE_MISMATCH / AUTHORIZE_NOT_APPLIED: the status read back. */
  readonly observedStatus?: string;
}

type Fields = Omit<AccrueError, "kind" | "category" | "gatewayCode" | "gatewayErrors" | "attempts"> &
  Partial<Pick<AccrueError, "category" | "gatewayCode" | "gatewayErrors" | "attempts">>;

const DEFAULT_CATEGORY: Record<AccrueErrorCode, AccrueErrorCategory> = {
  UNAUTHORIZED: "terminal",
  NOT_FOUND: "terminal",
  REJECTED: "terminal",
  RATE_LIMITED: "retryable",
  SERVER_ERROR: "retryable",
  REQUEST_TIMEOUT: "retryable",
  TIMEOUT: "retryable",
  NETWORK_ERROR: "retryable",
  UNEXPECTED_RESPONSE: "terminal",
  INVALID_INPUT: "terminal",
  STATE_MISMATCH: "terminal",
  AUTHORIZE_NOT_APPLIED: "terminal",
};

export function accrueError(fields: Fields): AccrueError {
  return { kind: "accrue_error", category: DEFAULT_CATEGORY[fields.code], gatewayCode: null, gatewayErrors: [], attempts: 0, ...fields };
}

export function isAccrueError(value: unknown): value is AccrueError {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "accrue_error";
}

export function codeForStatus(status: number): AccrueErrorCode {
  if (status === 401 || status === 403) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 408) return "REQUEST_TIMEOUT";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "SERVER_ERROR";
  return "REJECTED";
}

/**
 * What a refused authorize means for the shopper (docs/decisions/accrue-a18-declines.md):
 * insufficient funds when Accrue's code says so, otherwise a plain decline. Codes are compared
 * without case or separators, since the spelling is not published.
 */
export function declineReason(error: AccrueError): "insufficient_funds" | "declined" | null {
  if (error.code !== "REJECTED") return null;
  const codes = error.gatewayErrors.map((e) => (e.code ?? "").toLowerCase().replace(/[^a-z]/g, ""));
  return codes.some((code) => code.includes("insufficient")) ? "insufficient_funds" : "declined";
}
