import {
  CAPTURE_SESSION_REJECT,
  CAPTURE_SESSION_RESOLVE,
  PAYMENT_SESSION_CONFIRM,
  PAYMENT_SESSION_PENDING,
  PAYMENT_SESSION_REDIRECT,
  PAYMENT_SESSION_REJECT,
  PAYMENT_SESSION_RESOLVE,
  PAYMENTS_APP_CONFIGURE,
  REFUND_SESSION_REJECT,
  REFUND_SESSION_RESOLVE,
  VOID_SESSION_REJECT,
  VOID_SESSION_RESOLVE,
  type PaymentsAppsOperationName,
} from "./operations";
import type { FinalizedSessionResult, PaymentSessionResult, PaymentsAppConfigurationResult } from "./outcome";
import { parseConfigurationPayload, parseFinalizedSessionPayload, parsePaymentSessionPayload, type ParsedPayload } from "./payloads";
import type {
  CaptureSessionRejectionReasonInput,
  DateTime,
  PaymentSessionPaymentDetails,
  PaymentSessionRejectionReasonInput,
  PaymentSessionStatePendingReason,
  PaymentSessionThreeDSecureAuthentication,
  RefundSessionRejectionReasonInput,
  Url,
  VoidSessionRejectionReasonInput,
} from "./schema-types";

/**
 * One entry per mutation: its document, how to read its payload and how to read its userErrors.
 *
 * How userErrors are read (from the 2026-04 SDL, `*UserErrorCode` enums and mutation descriptions):
 *
 * - Every mutation is idempotent per (mutation name, id): "Subsequent `xResolve` mutation attempts
 *   will succeed" and likewise for reject. So our own repeat comes back as a success, and no code in
 *   the SDL means only "already in the state you asked for". The case where a code covers it
 *   partly is `*SessionReject`'s `*_INVALID_STATE`: "already been resolved *or* already been
 *   rejected with a different reason". The second half contradicts the mutation description
 *   (the reason of a repeated reject is "ignored"), so we cannot tell the halves apart from the
 *   code. We therefore decide on the session's state when the payload returns it (state == what we
 *   asked for → done, other final state → conflict) and, when it does not, report a conflict: calling
 *   a truly rejected refund "conflict" costs a reconciliation; calling a resolved refund "done"
 *   would make our books disagree with Shopify's.
 * - Codes that name the opposite final state are conflicts: `*SessionResolve` `*_INVALID_STATE`
 *   ("has already been rejected"), `PENDING_INVALID_STATE` ("already been resolved or rejected"),
 *   and `INVALID_STATE_TRANSITION` on redirect/confirm (the session moved on, typically to a final
 *   state, so the 3DS step no longer applies).
 * - `*_NOT_FOUND`, `UNSUPPORTED_PAYMENT_METHOD`, the pending expiry codes, the redirect-not-supported
 *   codes, `BUYER_ALREADY_REDIRECTED_BY_SHOPIFY` and `CONFIRMATION_NOT_SUPPORTED` describe our input
 *   or setup, not a competing state: they are returned as `user-errors` for the caller to decide.
 * - resolve, reject and configure return plain `UserError` (no code). Their only known conflict
 *   message ("...already been resolved with a different authentication, has already been rejected,
 *   or the response to start_payment_session request has not been received", returned when the
 *   mutation comes before Shopify has our HTTP answer to the session request) mixes a conflict
 *   with a timing problem, so without a returned state they stay `user-errors`.
 */
export interface MutationSpec<TVariables, TResult> {
  operationName: PaymentsAppsOperationName;
  document: string;
  parsePayload: (data: unknown) => ParsedPayload<TResult> | null;
  /** The state this mutation asks for; null for non-session mutations. */
  requestedState: string | null;
  stateOf: (result: TResult) => string | null;
  /** userError codes meaning "the session holds a conflicting state" → the state they imply, if known. */
  conflictCodes: Readonly<Record<string, string | null>>;
  /** The session gid, for logs; null for shop-level mutations. */
  sessionGidOf: (variables: TVariables) => string | null;
}

export interface SessionIdVariables {
  /** The session's `gid` from Shopify's request (never its short `id`). */
  id: string;
}

export interface PaymentSessionResolveVariables extends SessionIdVariables {
  /** Only for `kind: "authorization"`: when the hold expires. */
  authorizationExpiresAt?: DateTime;
  networkTransactionId?: string;
  /** Present if and only if paymentSessionRedirect was called for this credit-card payment. */
  authentication?: PaymentSessionThreeDSecureAuthentication;
  paymentDetails?: PaymentSessionPaymentDetails;
}

export interface PaymentSessionRejectVariables extends SessionIdVariables {
  reason: PaymentSessionRejectionReasonInput;
  authentication?: PaymentSessionThreeDSecureAuthentication;
  paymentDetails?: PaymentSessionPaymentDetails;
}

export interface PaymentSessionPendingVariables extends SessionIdVariables {
  pendingExpiresAt: DateTime;
  reason: PaymentSessionStatePendingReason;
}

export interface PaymentSessionRedirectVariables extends SessionIdVariables {
  redirectUrl: Url;
}

export interface RefundSessionRejectVariables extends SessionIdVariables {
  reason: RefundSessionRejectionReasonInput;
}

export interface CaptureSessionRejectVariables extends SessionIdVariables {
  reason: CaptureSessionRejectionReasonInput;
}

export interface VoidSessionRejectVariables extends SessionIdVariables {
  reason: VoidSessionRejectionReasonInput;
}

export interface PaymentsAppConfigureVariables {
  /** The merchant's account name/id with the gateway, shown in the Shopify admin. */
  externalHandle?: string | null;
  ready: boolean;
}

const byGid = (variables: SessionIdVariables): string => variables.id;
const paymentState = (session: PaymentSessionResult): string => session.state;
const finalizedState = (session: FinalizedSessionResult): string => session.state;

function paymentSessionSpec<TVariables extends SessionIdVariables>(
  operationName: PaymentsAppsOperationName,
  rootField: string,
  document: string,
  requestedState: string,
  conflictCodes: Readonly<Record<string, string | null>>,
): MutationSpec<TVariables, PaymentSessionResult> {
  return {
    operationName,
    document,
    parsePayload: parsePaymentSessionPayload(rootField),
    requestedState,
    stateOf: paymentState,
    conflictCodes,
    sessionGidOf: byGid,
  };
}

function finalizedSessionSpec<TVariables extends SessionIdVariables>(
  operationName: PaymentsAppsOperationName,
  rootField: string,
  entityKey: string,
  document: string,
  requestedState: "RESOLVED" | "REJECTED",
  conflictCodes: Readonly<Record<string, string | null>>,
): MutationSpec<TVariables, FinalizedSessionResult> {
  return {
    operationName,
    document,
    parsePayload: parseFinalizedSessionPayload(rootField, entityKey),
    requestedState,
    stateOf: finalizedState,
    conflictCodes,
    sessionGidOf: byGid,
  };
}

const paymentsAppConfigureSpec: MutationSpec<PaymentsAppConfigureVariables, PaymentsAppConfigurationResult> = {
  operationName: "PaymentsAppConfigure",
  document: PAYMENTS_APP_CONFIGURE,
  parsePayload: parseConfigurationPayload("paymentsAppConfigure"),
  requestedState: null,
  stateOf: () => null,
  conflictCodes: {},
  sessionGidOf: () => null,
};

export const MUTATIONS = {
  paymentSessionResolve: paymentSessionSpec<PaymentSessionResolveVariables>(
    "PaymentSessionResolve",
    "paymentSessionResolve",
    PAYMENT_SESSION_RESOLVE,
    "RESOLVED",
    {},
  ),
  paymentSessionReject: paymentSessionSpec<PaymentSessionRejectVariables>(
    "PaymentSessionReject",
    "paymentSessionReject",
    PAYMENT_SESSION_REJECT,
    "REJECTED",
    {},
  ),
  paymentSessionPending: paymentSessionSpec<PaymentSessionPendingVariables>(
    "PaymentSessionPending",
    "paymentSessionPending",
    PAYMENT_SESSION_PENDING,
    "PENDING",
    { PENDING_INVALID_STATE: null },
  ),
  paymentSessionRedirect: paymentSessionSpec<PaymentSessionRedirectVariables>(
    "PaymentSessionRedirect",
    "paymentSessionRedirect",
    PAYMENT_SESSION_REDIRECT,
    "REDIRECTING",
    { INVALID_STATE_TRANSITION: null },
  ),
  paymentSessionConfirm: paymentSessionSpec<SessionIdVariables>("PaymentSessionConfirm", "paymentSessionConfirm", PAYMENT_SESSION_CONFIRM, "CONFIRMING", {
    INVALID_STATE_TRANSITION: null,
  }),
  refundSessionResolve: finalizedSessionSpec<SessionIdVariables>(
    "RefundSessionResolve",
    "refundSessionResolve",
    "refundSession",
    REFUND_SESSION_RESOLVE,
    "RESOLVED",
    { REFUND_SESSION_INVALID_STATE: "REJECTED" },
  ),
  refundSessionReject: finalizedSessionSpec<RefundSessionRejectVariables>(
    "RefundSessionReject",
    "refundSessionReject",
    "refundSession",
    REFUND_SESSION_REJECT,
    "REJECTED",
    { REFUND_SESSION_INVALID_STATE: null },
  ),
  captureSessionResolve: finalizedSessionSpec<SessionIdVariables>(
    "CaptureSessionResolve",
    "captureSessionResolve",
    "captureSession",
    CAPTURE_SESSION_RESOLVE,
    "RESOLVED",
    { CAPTURE_SESSION_INVALID_STATE: "REJECTED" },
  ),
  captureSessionReject: finalizedSessionSpec<CaptureSessionRejectVariables>(
    "CaptureSessionReject",
    "captureSessionReject",
    "captureSession",
    CAPTURE_SESSION_REJECT,
    "REJECTED",
    { CAPTURE_SESSION_INVALID_STATE: null },
  ),
  voidSessionResolve: finalizedSessionSpec<SessionIdVariables>("VoidSessionResolve", "voidSessionResolve", "voidSession", VOID_SESSION_RESOLVE, "RESOLVED", {
    VOID_SESSION_INVALID_STATE: "REJECTED",
  }),
  voidSessionReject: finalizedSessionSpec<VoidSessionRejectVariables>(
    "VoidSessionReject",
    "voidSessionReject",
    "voidSession",
    VOID_SESSION_REJECT,
    "REJECTED",
    { VOID_SESSION_INVALID_STATE: null },
  ),
  paymentsAppConfigure: paymentsAppConfigureSpec,
} as const;
