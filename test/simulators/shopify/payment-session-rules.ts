import { mutateSession, type ResolverContext, type SimUserError, type Verdict } from "./mutation-rules";
import { scheduleConfirmationCallback } from "./session-requests";
import type { PaymentSessionRecord, PaymentStatus } from "./store";

/**
 * State rules of payment sessions, taken from the 2026-04 mutation descriptions and error enums:
 * resolve and reject are final and exclusive; pending (offsite only) and the 3DS steps redirect and
 * confirm may come first; every mutation is idempotent per (name, id).
 */

type Args = Record<string, unknown>;

/** Shopify's own wording for a refused resolve (reference §2.6); it covers several causes at once. */
const RESOLVE_REFUSED =
  "Payment session has already been resolved with a different authentication, has already been rejected, " +
  "or the response to start_payment_session request has not been received.";
/** Not captured from Shopify; phrased after RESOLVE_REFUSED. */
const REJECT_REFUSED = "Payment session has already been resolved, " + "or the response to start_payment_session request has not been received.";

/** Shopify's limit is unpublished (reference §3.5, "recommended within 3 days"); generous on purpose. */
const PENDING_EXPIRY_LIMIT_MS = 30 * 24 * 60 * 60 * 1000;

const NOT_FOUND_MESSAGE = "Payment session not found.";

function paymentSession(context: ResolverContext, gid: unknown): PaymentSessionRecord | undefined {
  const session = context.store.sessionFor(context.shop.shop, gid);
  return session?.type === "payment" ? session : undefined;
}

export function paymentSessionResolve(args: Args, context: ResolverContext): unknown {
  return mutateSession(context, {
    field: "paymentSessionResolve",
    entityKey: "paymentSession",
    gid: args.id,
    session: paymentSession(context, args.id),
    // Plain UserError has no code: the schema offers only field + message for an unknown id.
    notFound: { field: ["id"], message: NOT_FOUND_MESSAGE },
    decide: (session): Verdict => {
      if (session.delivery === "in-flight" || isFinal(session.status)) return { field: ["id"], message: RESOLVE_REFUSED };
      const authProblem = authenticationProblem(session, args.authentication);
      if (authProblem !== null) return authProblem;
      return () => {
        session.status = "resolved";
        session.authorizationExpiresAt = stringOrNull(args.authorizationExpiresAt);
        session.networkTransactionId = stringOrNull(args.networkTransactionId);
      };
    },
    view: (session) => paymentSessionView(session, context.baseUrl),
  });
}

export function paymentSessionReject(args: Args, context: ResolverContext): unknown {
  return mutateSession(context, {
    field: "paymentSessionReject",
    entityKey: "paymentSession",
    gid: args.id,
    session: paymentSession(context, args.id),
    notFound: { field: ["id"], message: NOT_FOUND_MESSAGE },
    decide: (session): Verdict => {
      if (session.delivery === "in-flight" || isFinal(session.status)) return { field: ["id"], message: REJECT_REFUSED };
      const authProblem = authenticationProblem(session, args.authentication);
      if (authProblem !== null) return authProblem;
      const reason = args.reason as { code: string; merchantMessage?: string | null; source?: string | null };
      return () => {
        session.status = "rejected";
        session.rejection = { reason: reason.code, merchantMessage: reason.merchantMessage ?? null, source: reason.source ?? null };
      };
    },
    view: (session) => paymentSessionView(session, context.baseUrl),
  });
}

export function paymentSessionPending(args: Args, context: ResolverContext): unknown {
  return mutateSession(context, {
    field: "paymentSessionPending",
    entityKey: "paymentSession",
    gid: args.id,
    session: paymentSession(context, args.id),
    notFound: { field: ["id"], message: NOT_FOUND_MESSAGE, code: "NOT_FOUND" },
    decide: (session): Verdict => {
      if (session.paymentMethodType === "credit_card") {
        return { field: ["id"], message: "Pending is not supported for credit card payment methods.", code: "UNSUPPORTED_PAYMENT_METHOD" };
      }
      if (isFinal(session.status)) {
        return { field: ["id"], message: "Payment session has already been resolved or rejected.", code: "PENDING_INVALID_STATE" };
      }
      if (session.delivery === "in-flight" || (session.status !== "open" && session.status !== "confirming")) {
        return { field: ["id"], message: "The payment session cannot be marked pending now.", code: "PENDING_INVALID_STATE" };
      }
      const expiresAt = Date.parse(String(args.pendingExpiresAt));
      const now = Date.now();
      if (expiresAt <= now) {
        return { field: ["pendingExpiresAt"], message: "Pending expiry date can't be a time in the past.", code: "EXPIRED_PENDING_EXPIRES_AT" };
      }
      if (expiresAt - now > PENDING_EXPIRY_LIMIT_MS) {
        return { field: ["pendingExpiresAt"], message: "Pending expiry date has exceeded the limit.", code: "OUT_OF_RANGE_PENDING_EXPIRES_AT" };
      }
      return () => {
        session.status = "pending";
        session.pendingReason = String(args.reason);
        session.pendingExpiresAt = String(args.pendingExpiresAt);
      };
    },
    view: (session) => paymentSessionView(session, context.baseUrl),
  });
}

export function paymentSessionRedirect(args: Args, context: ResolverContext): unknown {
  return mutateSession(context, {
    field: "paymentSessionRedirect",
    entityKey: "paymentSession",
    gid: args.id,
    session: paymentSession(context, args.id),
    notFound: { field: ["id"], message: NOT_FOUND_MESSAGE, code: "PAYMENT_SESSION_NOT_FOUND" },
    decide: (session): Verdict => {
      if (session.paymentMethodType === "offsite") {
        return { field: ["id"], message: "Redirect is not expected for offsite payments.", code: "REDIRECT_NOT_SUPPORTED_FOR_OFFSITE" };
      }
      if (session.delivery === "in-flight" || session.status !== "open") {
        return { field: ["id"], message: "The state transition is invalid.", code: "INVALID_STATE_TRANSITION" };
      }
      return () => {
        session.status = "redirecting";
        session.redirected = true;
        session.redirectUrl = String(args.redirectUrl);
      };
    },
    view: (session) => paymentSessionView(session, context.baseUrl),
  });
}

export function paymentSessionConfirm(args: Args, context: ResolverContext): unknown {
  return mutateSession(context, {
    field: "paymentSessionConfirm",
    entityKey: "paymentSession",
    gid: args.id,
    session: paymentSession(context, args.id),
    notFound: { field: ["id"], message: NOT_FOUND_MESSAGE, code: "PAYMENT_SESSION_NOT_FOUND" },
    decide: (session): Verdict => {
      if (session.delivery === "in-flight" || (session.status !== "open" && session.status !== "redirecting")) {
        return { field: ["id"], message: "The state transition is invalid.", code: "INVALID_STATE_TRANSITION" };
      }
      return () => {
        session.status = "confirming";
        scheduleConfirmationCallback(context.store, session);
      };
    },
    view: (session) => paymentSessionView(session, context.baseUrl),
  });
}

function isFinal(status: PaymentStatus): boolean {
  return status === "resolved" || status === "rejected";
}

/** "Must be present if and only if the Redirect mutation has been called and the payment method is credit card." */
function authenticationProblem(session: PaymentSessionRecord, authentication: unknown): SimUserError | null {
  const required = session.paymentMethodType === "credit_card" && session.redirected;
  const given = authentication !== undefined && authentication !== null;
  if (required && !given) {
    return { field: ["authentication"], message: "Authentication is required after paymentSessionRedirect." };
  }
  if (!required && given) {
    return { field: ["authentication"], message: "Authentication is only allowed after paymentSessionRedirect for credit card payments." };
  }
  if (given) {
    const { authenticationData, partnerError } = authentication as { authenticationData?: unknown; partnerError?: unknown };
    if ((authenticationData == null) === (partnerError == null)) {
      return { field: ["authentication"], message: "Exactly one of authenticationData and partnerError must be present." };
    }
  }
  return null;
}

const STATE_TYPENAMES: Record<Exclude<PaymentStatus, "open">, string> = {
  resolved: "PaymentSessionStateResolved",
  rejected: "PaymentSessionStateRejected",
  pending: "PaymentSessionStatePending",
  redirecting: "PaymentSessionStateRedirecting",
  confirming: "PaymentSessionStateConfirming",
};

/** The `PaymentSession` object as the schema exposes it; `__typename` drives union resolution. */
export function paymentSessionView(session: PaymentSessionRecord, baseUrl: string): Record<string, unknown> {
  if (session.status === "open") throw new Error(`Session ${session.gid} has no state to show yet`);
  const state: Record<string, unknown> = { __typename: STATE_TYPENAMES[session.status], code: session.status.toUpperCase() };
  if (session.status === "pending") state.reason = session.pendingReason;
  if (session.status === "rejected" && session.rejection !== null) {
    Object.assign(state, { reason: session.rejection.reason, merchantMessage: session.rejection.merchantMessage, source: session.rejection.source });
  }
  return {
    id: session.gid,
    state,
    nextAction: nextAction(session, baseUrl),
    authorizationExpiresAt: session.authorizationExpiresAt,
    pendingExpiresAt: session.pendingExpiresAt,
  };
}

/** Where Shopify would send the buyer: the order status page on success, checkout otherwise. */
function nextAction(session: PaymentSessionRecord, baseUrl: string): Record<string, unknown> | null {
  const page =
    session.status === "resolved" || session.status === "pending"
      ? `/__sim/orders/${encodeURIComponent(session.id)}`
      : session.status === "rejected" || session.status === "confirming"
        ? `/__sim/checkout/${encodeURIComponent(session.id)}`
        : null;
  if (page === null) return null;
  return { action: "REDIRECT", context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: `${baseUrl}${page}` } };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
