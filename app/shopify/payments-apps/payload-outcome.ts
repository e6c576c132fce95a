import type { MutationSpec } from "./mutation-specs";
import type { PaymentsAppsOutcome } from "./outcome";
import type { ParsedPayload } from "./payloads";

/** States after which Shopify accepts no other resolve/reject/pending/redirect/confirm. */
const FINAL_STATES: ReadonlySet<string> = new Set(["RESOLVED", "REJECTED"]);

/**
 * Turns a well-formed mutation payload into an outcome, following the rules documented on
 * MutationSpec: the returned session state decides first, then userError codes.
 */
export function outcomeFromPayload<TVariables, TResult>(
  spec: MutationSpec<TVariables, TResult>,
  payload: ParsedPayload<TResult>,
): PaymentsAppsOutcome<TResult> {
  const { entity, userErrors } = payload;
  const state = entity === null ? null : spec.stateOf(entity);

  // Defensive: even a payload without userErrors must not let us believe an opposite final state is ours.
  if (state !== null && spec.requestedState !== null && state !== spec.requestedState && FINAL_STATES.has(state)) {
    return { kind: "conflict", currentState: state, userErrors };
  }

  if (userErrors.length === 0) {
    if (entity !== null) return { kind: "done", result: entity };
    return {
      kind: "failed",
      category: "terminal",
      code: "UNEXPECTED_PAYLOAD",
      message: `${spec.operationName} returned neither a result nor userErrors`,
      httpStatus: 200,
      retryAfterMs: null,
    };
  }

  // Shopify reported a problem but also shows the session already in the state we asked for.
  if (entity !== null && state === spec.requestedState) return { kind: "done", result: entity };

  for (const error of userErrors) {
    if (error.code !== null && Object.hasOwn(spec.conflictCodes, error.code)) {
      return { kind: "conflict", currentState: spec.conflictCodes[error.code] ?? null, userErrors };
    }
  }
  return { kind: "user-errors", userErrors };
}
