import { mutateSession, type ResolverContext, type SimUserError, type Verdict } from "./mutation-rules";
import type { FinalizedSessionRecord, FinalizedSessionType } from "./store";

/**
 * Refund, capture and void sessions: open until resolved or rejected, once, exclusively
 * (`<X>_SESSION_INVALID_STATE` for the opposite mutation, `<X>_SESSION_NOT_FOUND` for unknown ids).
 */

type Args = Record<string, unknown>;

const NAMES: Record<FinalizedSessionType, { typePrefix: string; entityKey: string; codePrefix: string }> = {
  refund: { typePrefix: "RefundSession", entityKey: "refundSession", codePrefix: "REFUND_SESSION" },
  capture: { typePrefix: "CaptureSession", entityKey: "captureSession", codePrefix: "CAPTURE_SESSION" },
  void: { typePrefix: "VoidSession", entityKey: "voidSession", codePrefix: "VOID_SESSION" },
};

function finalizedSession(context: ResolverContext, type: FinalizedSessionType, gid: unknown): FinalizedSessionRecord | undefined {
  const session = context.store.sessionFor(context.shop.shop, gid);
  return session?.type === type ? session : undefined;
}

export function resolveFinalizedSession(type: FinalizedSessionType) {
  const { entityKey, codePrefix } = NAMES[type];
  const field = `${type}SessionResolve`;
  return (args: Args, context: ResolverContext): unknown =>
    mutateSession(context, {
      field,
      entityKey,
      gid: args.id,
      session: finalizedSession(context, type, args.id),
      notFound: { field: ["id"], message: `${capitalize(type)} session not found.`, code: `${codePrefix}_NOT_FOUND` },
      decide: (session): Verdict => {
        if (session.delivery === "in-flight") return notAnsweredYet(type, codePrefix);
        if (session.status !== "open") {
          return { field: ["id"], message: `${capitalize(type)} session has already been rejected.`, code: `${codePrefix}_INVALID_STATE` };
        }
        return () => {
          session.status = "resolved";
        };
      },
      view: (session) => finalizedSessionView(session),
    });
}

export function rejectFinalizedSession(type: FinalizedSessionType) {
  const { entityKey, codePrefix } = NAMES[type];
  const field = `${type}SessionReject`;
  return (args: Args, context: ResolverContext): unknown =>
    mutateSession(context, {
      field,
      entityKey,
      gid: args.id,
      session: finalizedSession(context, type, args.id),
      notFound: { field: ["id"], message: `${capitalize(type)} session not found.`, code: `${codePrefix}_NOT_FOUND` },
      decide: (session): Verdict => {
        if (session.delivery === "in-flight") return notAnsweredYet(type, codePrefix);
        if (session.status !== "open") {
          return {
            field: ["id"],
            message: `${capitalize(type)} session has already been resolved or has already been rejected with a different reason.`,
            code: `${codePrefix}_INVALID_STATE`,
          };
        }
        const reason = args.reason as { code: string; merchantMessage?: string | null };
        return () => {
          session.status = "rejected";
          session.rejection = { reason: reason.code, merchantMessage: reason.merchantMessage ?? null, source: null };
        };
      },
      view: (session) => finalizedSessionView(session),
    });
}

export function finalizedSessionView(session: FinalizedSessionRecord): Record<string, unknown> {
  const { typePrefix } = NAMES[session.type];
  if (session.status === "open") throw new Error(`Session ${session.gid} has no state to show yet`);
  const state: Record<string, unknown> =
    session.status === "resolved"
      ? { __typename: `${typePrefix}StateResolved`, code: "RESOLVED" }
      : {
          __typename: `${typePrefix}StateRejected`,
          code: "REJECTED",
          reason: session.rejection?.reason,
          merchantMessage: session.rejection?.merchantMessage ?? null,
        };
  return { id: session.gid, state };
}

/** Shopify is still waiting for the app's answer to its own session request (reference §2.6). */
function notAnsweredYet(type: FinalizedSessionType, codePrefix: string): SimUserError {
  return {
    field: ["id"],
    message: `The response to the ${type} session request has not been received.`,
    code: `${codePrefix}_INVALID_STATE`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
