/**
 * TypeScript mirrors of the Payments Apps GraphQL schema (2026-04) — only the enums, input objects
 * and scalars our operations touch. Enum values are kept as `as const` arrays so a test can compare
 * them with the SDL (test/shopify/schema-types.test.ts); a drifting list fails the build, not a payment.
 */

/** ISO 8601 date-time string, e.g. `2026-05-01T12:00:00Z` (schema scalar `DateTime`). */
export type DateTime = string;
/** Absolute URL string (schema scalar `URL`). */
export type Url = string;

export const PAYMENT_SESSION_STATE_CODES = ["RESOLVED", "REJECTED", "PENDING", "REDIRECTING", "CONFIRMING", "BUYER_ACTION_REQUIRED"] as const;
export type PaymentSessionStateCode = (typeof PAYMENT_SESSION_STATE_CODES)[number];

/** `RISKY` is deprecated in 2026-04 ("Use fraudSuspected instead"); it is still a valid value. */
export const PAYMENT_SESSION_STATE_REJECTED_REASONS = [
  "AMOUNT_TOO_LARGE",
  "AMOUNT_TOO_SMALL",
  "AUTHENTICATION_FAILED",
  "AUTHENTICATION_REQUIRED",
  "CALL_ISSUER",
  "CANCELLED_PAYMENT",
  "CARD_DECLINED",
  "CARD_TESTING",
  "CONFIRMATION_REJECTED",
  "DO_NOT_HONOR",
  "EXPIRED_CARD",
  "FRAUD_SUSPECTED",
  "HIGH_RISK_FRAUD_SUSPECTED",
  "INCORRECT_ADDRESS",
  "INCORRECT_CVC",
  "INCORRECT_NUMBER",
  "INCORRECT_PIN",
  "INCORRECT_ZIP",
  "INSTRUMENT_DECLINED",
  "INSUFFICIENT_FUNDS",
  "INVALID_AMOUNT",
  "INVALID_CURRENCY",
  "INVALID_CVC",
  "INVALID_EXPIRY_DATE",
  "INVALID_NUMBER",
  "INVALID_PAYMENT_METHOD",
  "INVALID_PURCHASE_TYPE",
  "INVALID_REQUEST",
  "MERCHANT_ACCOUNT_ERROR",
  "MERCHANT_RULE",
  "PAYMENT_METHOD_UNSUPPORTED",
  "PICK_UP_CARD",
  "PROCESSING_ERROR",
  "RETRY_DECLINED",
  "RISKY",
  "TRANSACTION_LIMIT_EXCEEDED",
] as const;
export type PaymentSessionStateRejectedReason = (typeof PAYMENT_SESSION_STATE_REJECTED_REASONS)[number];

export const PAYMENT_SESSION_STATE_REJECTED_SOURCES = ["NETWORK", "PROVIDER"] as const;
export type PaymentSessionStateRejectedSource = (typeof PAYMENT_SESSION_STATE_REJECTED_SOURCES)[number];

export const PAYMENT_SESSION_STATE_PENDING_REASONS = [
  "BUYER_ACTION_REQUIRED",
  "MERCHANT_ACTION_REQUIRED",
  "PARTNER_ACTION_REQUIRED",
  "NETWORK_ACTION_REQUIRED",
] as const;
export type PaymentSessionStatePendingReason = (typeof PAYMENT_SESSION_STATE_PENDING_REASONS)[number];

export const PAYMENT_SESSION_NEXT_ACTION_ACTIONS = ["REDIRECT"] as const;
export type PaymentSessionNextActionAction = (typeof PAYMENT_SESSION_NEXT_ACTION_ACTIONS)[number];

/** Shared by refund, capture and void sessions: they only ever end resolved or rejected. */
export const FINALIZED_SESSION_STATE_CODES = ["RESOLVED", "REJECTED"] as const;
export type FinalizedSessionStateCode = (typeof FINALIZED_SESSION_STATE_CODES)[number];

export const REFUND_SESSION_STATUS_REASON_REJECTION_CODES = ["PROCESSING_ERROR"] as const;
export type RefundSessionStatusReasonRejectionCode = (typeof REFUND_SESSION_STATUS_REASON_REJECTION_CODES)[number];

export const CAPTURE_SESSION_STATUS_REASON_REJECTION_CODES = ["PROCESSING_ERROR", "AUTHORIZATION_EXPIRED"] as const;
export type CaptureSessionStatusReasonRejectionCode = (typeof CAPTURE_SESSION_STATUS_REASON_REJECTION_CODES)[number];

export const VOID_SESSION_STATUS_REASON_REJECTION_CODES = ["PROCESSING_ERROR"] as const;
export type VoidSessionStatusReasonRejectionCode = (typeof VOID_SESSION_STATUS_REASON_REJECTION_CODES)[number];

// 3-D Secure and card-not-present details (inputs of resolve / reject).
export const THREE_D_SECURE_TRANS_STATUSES = ["Y", "N", "U", "A", "R", "I"] as const;
export type PaymentSessionThreeDSecureTransStatus = (typeof THREE_D_SECURE_TRANS_STATUSES)[number];

export const THREE_D_SECURE_AUTHENTICATION_FLOWS = ["FRICTIONLESS", "CHALLENGE", "UNKNOWN"] as const;
export type PaymentSessionThreeDSecureAuthenticationFlow = (typeof THREE_D_SECURE_AUTHENTICATION_FLOWS)[number];

export const THREE_D_SECURE_VERSIONS = ["V2_3", "V2_2", "V2_1", "V1_0", "UNKNOWN"] as const;
export type PaymentSessionThreeDSecureVersion = (typeof THREE_D_SECURE_VERSIONS)[number];

export const THREE_D_SECURE_CHARGEBACK_LIABILITIES = ["MERCHANT", "UNKNOWN"] as const;
export type PaymentSessionThreeDSecureChargebackLiability = (typeof THREE_D_SECURE_CHARGEBACK_LIABILITIES)[number];

export const THREE_D_SECURE_PARTNER_ERRORS = ["PROCESSING_ERROR"] as const;
export type PaymentSessionThreeDSecurePartnerError = (typeof THREE_D_SECURE_PARTNER_ERRORS)[number];

export const CARD_NOT_PRESENT_AVS_RESULT_CODES = ["A", "B", "D", "E", "F", "G", "N", "P", "R", "S", "U", "W", "X", "Y", "Z"] as const;
export type PaymentSessionCardNotPresentAvsResultCode = (typeof CARD_NOT_PRESENT_AVS_RESULT_CODES)[number];

export const CARD_NOT_PRESENT_CVV_RESULT_CODES = ["M", "N", "P", "S", "U", "X", "I"] as const;
export type PaymentSessionCardNotPresentCvvResultCode = (typeof CARD_NOT_PRESENT_CVV_RESULT_CODES)[number];

export interface PaymentSessionThreeDSecureAuthenticationData {
  transStatus: PaymentSessionThreeDSecureTransStatus;
  /** EMVCo reason, required when transStatus is N, U or R. */
  transStatusReason?: string;
  authenticationFlow: PaymentSessionThreeDSecureAuthenticationFlow;
  version: PaymentSessionThreeDSecureVersion;
  chargebackLiability: PaymentSessionThreeDSecureChargebackLiability;
  dsTransactionId?: string;
}

/** Exactly one member must be set (schema description), hence the union rather than two optionals. */
export type PaymentSessionThreeDSecureAuthentication =
  | { authenticationData: PaymentSessionThreeDSecureAuthenticationData; partnerError?: never }
  | { partnerError: PaymentSessionThreeDSecurePartnerError; authenticationData?: never };

export interface PaymentSessionPaymentDetails {
  cardNotPresent?: {
    avsResultCode?: PaymentSessionCardNotPresentAvsResultCode;
    cvvResultCode?: PaymentSessionCardNotPresentCvvResultCode;
  };
}

export interface PaymentSessionRejectionReasonInput {
  code: PaymentSessionStateRejectedReason;
  /** Custom, localized message shown to the merchant; never put buyer data here. */
  merchantMessage?: string;
  source?: PaymentSessionStateRejectedSource;
}

export interface RefundSessionRejectionReasonInput {
  code: RefundSessionStatusReasonRejectionCode;
  merchantMessage?: string;
}

export interface CaptureSessionRejectionReasonInput {
  code: CaptureSessionStatusReasonRejectionCode;
  merchantMessage?: string;
}

export interface VoidSessionRejectionReasonInput {
  code: VoidSessionStatusReasonRejectionCode;
  merchantMessage?: string;
}

// userErrors[].code enums, one per payload type that has a code (UserError itself has none).
export const PAYMENT_SESSION_PENDING_USER_ERROR_CODES = [
  "NOT_FOUND",
  "PENDING_INVALID_STATE",
  "EXPIRED_PENDING_EXPIRES_AT",
  "OUT_OF_RANGE_PENDING_EXPIRES_AT",
  "UNSUPPORTED_PAYMENT_METHOD",
] as const;
export type PaymentSessionPendingUserErrorCode = (typeof PAYMENT_SESSION_PENDING_USER_ERROR_CODES)[number];

export const PAYMENT_SESSION_REDIRECT_USER_ERROR_CODES = [
  "PAYMENT_SESSION_NOT_FOUND",
  "INVALID_STATE_TRANSITION",
  "REDIRECT_NOT_SUPPORTED_FOR_OFFSITE",
  "REDIRECT_NOT_SUPPORTED_FOR_ONSITE",
  "BUYER_ALREADY_REDIRECTED_BY_SHOPIFY",
  "REDIRECT_NOT_SUPPORTED_FOR_CREDIT_CARD",
] as const;
export type PaymentSessionRedirectUserErrorCode = (typeof PAYMENT_SESSION_REDIRECT_USER_ERROR_CODES)[number];

export const PAYMENT_SESSION_CONFIRM_USER_ERROR_CODES = ["PAYMENT_SESSION_NOT_FOUND", "INVALID_STATE_TRANSITION", "CONFIRMATION_NOT_SUPPORTED"] as const;
export type PaymentSessionConfirmUserErrorCode = (typeof PAYMENT_SESSION_CONFIRM_USER_ERROR_CODES)[number];

export const REFUND_SESSION_USER_ERROR_CODES = ["REFUND_SESSION_NOT_FOUND", "REFUND_SESSION_INVALID_STATE"] as const;
export type RefundSessionUserErrorCode = (typeof REFUND_SESSION_USER_ERROR_CODES)[number];

export const CAPTURE_SESSION_USER_ERROR_CODES = ["CAPTURE_SESSION_NOT_FOUND", "CAPTURE_SESSION_INVALID_STATE"] as const;
export type CaptureSessionUserErrorCode = (typeof CAPTURE_SESSION_USER_ERROR_CODES)[number];

export const VOID_SESSION_USER_ERROR_CODES = ["VOID_SESSION_NOT_FOUND", "VOID_SESSION_INVALID_STATE"] as const;
export type VoidSessionUserErrorCode = (typeof VOID_SESSION_USER_ERROR_CODES)[number];
