import type { FailureCategory, FailureCode, PaymentsAppsFailure } from "./outcome";

/**
 * Maps everything that can go wrong below the payload level to a categorised failure.
 * `retryable` means the same call may succeed later (Shopify asks partners to retry mutations that got
 * no answer or a server error; repeats are safe because mutations are idempotent per name + id).
 * `terminal` means only a change on our side or the merchant's (scopes, shop state, our document) helps.
 */

export interface GraphQLErrorLike {
  message?: unknown;
  extensions?: unknown;
}

/** errors[].extensions.code values Shopify documents for the Payments Apps API (usually sent with HTTP 200). */
const DOCUMENTED_GRAPHQL_CODES: Readonly<Record<string, FailureCategory>> = {
  THROTTLED: "retryable",
  INTERNAL_SERVER_ERROR: "retryable",
  ACCESS_DENIED: "terminal", // missing scope: retrying cannot grant it
  SHOP_INACTIVE: "terminal", // frozen/closed shop: the merchant must act
  MAX_COST_EXCEEDED: "terminal", // the document itself is too expensive; it will be again
};

const MESSAGE_LIMIT = 300;

export function failure(
  category: FailureCategory,
  code: FailureCode,
  message: string,
  httpStatus: number | null = null,
  retryAfterMs: number | null = null,
): PaymentsAppsFailure {
  return { kind: "failed", category, code, message, httpStatus, retryAfterMs };
}

/** An HTTP 200 carrying errors[]. A terminal error among several wins: retrying cannot clear it. */
export function failureFromGraphQLErrors(errors: readonly GraphQLErrorLike[], extensions: unknown): PaymentsAppsFailure {
  const classified = errors.map((error) => {
    const code = codeOf(error);
    const category = code === null ? undefined : DOCUMENTED_GRAPHQL_CODES[code];
    return category === undefined ? { code: "GRAPHQL_ERROR" as const, category: "terminal" as const, error } : { code: code as FailureCode, category, error };
  });
  const chosen = classified.find((c) => c.category === "terminal") ?? classified[0];
  if (chosen === undefined) return failure("terminal", "GRAPHQL_ERROR", "GraphQL error without details", 200);
  const text = typeof chosen.error.message === "string" ? chosen.error.message.slice(0, MESSAGE_LIMIT) : "no message";
  const retryAfterMs = chosen.code === "THROTTLED" ? throttleWaitMs(extensions) : null;
  return failure(chosen.category, chosen.code, `GraphQL error ${chosen.code}: ${text}`, 200, retryAfterMs);
}

/** A non-2xx answer other than 401 (which the client handles by refreshing the token). */
export function failureFromHttpStatus(status: number, retryAfterHeader: string | null): PaymentsAppsFailure {
  // 408 and 429 are transient by definition; 5xx is Shopify's side. 400/402/403/404/423 and the
  // rest describe the request or the shop (frozen, forbidden, locked) and will not heal by waiting.
  const retryable = status === 408 || status === 429 || status >= 500;
  return failure(
    retryable ? "retryable" : "terminal",
    "HTTP_ERROR",
    `HTTP ${status} from the Payments Apps API`,
    status,
    retryable ? retryAfterMsFromHeader(retryAfterHeader) : null,
  );
}

/** Something thrown by fetch or by reading the response. */
export function failureFromThrown(error: unknown): PaymentsAppsFailure {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return failure("retryable", "TIMEOUT", "No answer from the Payments Apps API before the timeout");
  }
  if (error instanceof TypeError) {
    // undici reports connection problems as TypeError("fetch failed") with the system error as cause.
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const detail = typeof cause?.code === "string" ? cause.code : error.message;
    return failure("retryable", "NETWORK_ERROR", `Network error calling the Payments Apps API: ${detail}`);
  }
  // A 2xx body that is not a GraphQL JSON response (a proxy page, a cut-off body). The mutation may
  // have landed; repeating it is safe, so let the job system try again.
  return failure("retryable", "INVALID_RESPONSE", `Unreadable answer from the Payments Apps API (${name || "unknown error"})`);
}

function codeOf(error: GraphQLErrorLike): string | null {
  const extensions = error.extensions;
  if (typeof extensions !== "object" || extensions === null) return null;
  const code = (extensions as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/** Time until the bucket holds the requested cost again, from `extensions.cost.throttleStatus`. */
function throttleWaitMs(extensions: unknown): number | null {
  const cost = (extensions as { cost?: unknown } | null | undefined)?.cost as
    { requestedQueryCost?: unknown; throttleStatus?: { currentlyAvailable?: unknown; restoreRate?: unknown } } | undefined;
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const restoreRate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== "number" || typeof available !== "number" || typeof restoreRate !== "number") return null;
  if (restoreRate <= 0) return null;
  return Math.max(0, Math.ceil(((requested - available) / restoreRate) * 1000));
}

function retryAfterMsFromHeader(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : null;
}
