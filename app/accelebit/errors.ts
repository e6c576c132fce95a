/**
 * Typed errors of the Accelebit adapter.
 *
 * Every failure a caller sees carries
 * - `name`: Accelebit's own `error.name` when it sent a documented one (CARD_DECLINED,
 *   PROVIDER_ERROR, INVALID_REQUEST, UNAUTHORIZED, DUPLICATE_REQUEST), otherwise one of
 *   our names for what happened around the API (timeouts, 5xx without a name, …);
 * - `category`: what the caller may do next (see ErrorCategory);
 * - a message that never contains card data or the API key.
 */
import type { AccelebitPayment } from "./response-schemas";

/** The `error.name` values Accelebit documents; any other name is ours (TransportErrorName). */
export const ACCELEBIT_ERROR_NAMES = ["CARD_DECLINED", "PROVIDER_ERROR", "INVALID_REQUEST", "UNAUTHORIZED", "DUPLICATE_REQUEST"] as const;
export type AccelebitErrorName = (typeof ACCELEBIT_ERROR_NAMES)[number];

/** Names we give to failures Accelebit did not name itself. */
export type TransportErrorName = "NOT_FOUND" | "RATE_LIMITED" | "SERVER_ERROR" | "TIMEOUT" | "NETWORK_ERROR" | "UNEXPECTED_RESPONSE";

export type AccelebitErrorCode = AccelebitErrorName | TransportErrorName;

/**
 * - `retryable`: repeating the request may succeed, and nothing needs reconciling first.
 *   For a POST, repeat it with the SAME Idempotency-Key.
 * - `terminal`: repeating the same request cannot succeed (a decline, a bug, a bad key).
 * - `outcome_unknown`: a POST was sent and we do not know whether it took effect (timeout,
 *   connection lost). Resolve it (payment lookup by merchantRef, or the same request with
 *   the same key) before anyone decides it failed; never start a new attempt with a new key.
 */
export type ErrorCategory = "retryable" | "terminal" | "outcome_unknown";

/** Where the failure was detected: before sending, in Accelebit's answer, or on the wire. */
export type ErrorOrigin = "client" | "gateway" | "network";

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export interface AccelebitError {
  readonly kind: "accelebit_error";
  readonly name: AccelebitErrorCode;
  /** `error.name` exactly as Accelebit sent it (it may be a name we do not know), or null. */
  readonly gatewayName: string | null;
  readonly category: ErrorCategory;
  readonly origin: ErrorOrigin;
  readonly httpStatus: number | null;
  readonly message: string;
  /** How many HTTP requests were made for this call (0 when refused before sending). */
  readonly attempts: number;
  /** Field problems found by our own validation before sending. */
  readonly issues?: readonly ValidationIssue[];
  /** Set on RATE_LIMITED when Accelebit asked us to wait longer than we are willing to. */
  readonly retryAfterMs?: number;
  /** A payment Accelebit recorded as failed (a decline answered as 201 + status failed). */
  readonly payment?: AccelebitPayment;
}

type ErrorFields = Omit<AccelebitError, "kind" | "category" | "gatewayName" | "attempts"> &
  Partial<Pick<AccelebitError, "category" | "gatewayName" | "attempts">>;

/** The category a name implies when nothing else is known (see categoryFor for POSTs). */
const DEFAULT_CATEGORY: Record<AccelebitErrorCode, ErrorCategory> = {
  CARD_DECLINED: "terminal",
  PROVIDER_ERROR: "retryable",
  INVALID_REQUEST: "terminal",
  UNAUTHORIZED: "terminal",
  DUPLICATE_REQUEST: "terminal",
  NOT_FOUND: "terminal",
  RATE_LIMITED: "retryable",
  SERVER_ERROR: "retryable",
  TIMEOUT: "retryable",
  NETWORK_ERROR: "retryable",
  UNEXPECTED_RESPONSE: "terminal",
};

export function accelebitError(fields: ErrorFields): AccelebitError {
  return {
    kind: "accelebit_error",
    category: DEFAULT_CATEGORY[fields.name],
    gatewayName: null,
    attempts: 0,
    ...fields,
  };
}

export function isAccelebitError(value: unknown): value is AccelebitError {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "accelebit_error";
}

export function isDocumentedErrorName(name: unknown): name is AccelebitErrorName {
  return typeof name === "string" && (ACCELEBIT_ERROR_NAMES as readonly string[]).includes(name);
}

/**
 * Decision "Status code of DUPLICATE_REQUEST / shape of a declined payment": the documented
 * `error.name` decides; the HTTP status is only consulted when the name is missing or unknown.
 */
export function nameForGatewayError(gatewayName: string | null, httpStatus: number): AccelebitErrorCode {
  if (isDocumentedErrorName(gatewayName)) return gatewayName;
  if (httpStatus === 429) return "RATE_LIMITED";
  if (httpStatus >= 500) return "SERVER_ERROR";
  if (httpStatus === 401 || httpStatus === 403) return "UNAUTHORIZED";
  if (httpStatus === 402) return "CARD_DECLINED";
  if (httpStatus === 404) return "NOT_FOUND";
  return "UNEXPECTED_RESPONSE";
}

/**
 * Failures on the wire: what happened to a GET is harmless, so it may simply be retried; a
 * POST that may have reached Accelebit has an unknown outcome.
 */
export function categoryForWireFailure(method: "GET" | "POST", requestMayHaveBeenSent: boolean): ErrorCategory {
  return method === "POST" && requestMayHaveBeenSent ? "outcome_unknown" : "retryable";
}
