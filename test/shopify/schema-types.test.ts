import { readFileSync } from "node:fs";
import { buildSchema, GraphQLEnumType } from "graphql";
import { describe, expect, it } from "vitest";
import * as types from "~/shopify/payments-apps/schema-types";
import { schemaSdlPath } from "../simulators/shopify";

const schema = buildSchema(readFileSync(schemaSdlPath("2026-04"), "utf8"));

/** Our TypeScript value lists, keyed by the SDL enum they mirror. */
const MIRRORS: Record<string, readonly string[]> = {
  PaymentSessionStateCode: types.PAYMENT_SESSION_STATE_CODES,
  PaymentSessionStateRejectedReason: types.PAYMENT_SESSION_STATE_REJECTED_REASONS,
  PaymentSessionStateRejectedSource: types.PAYMENT_SESSION_STATE_REJECTED_SOURCES,
  PaymentSessionStatePendingReason: types.PAYMENT_SESSION_STATE_PENDING_REASONS,
  PaymentSessionNextActionAction: types.PAYMENT_SESSION_NEXT_ACTION_ACTIONS,
  RefundSessionStateCode: types.FINALIZED_SESSION_STATE_CODES,
  CaptureSessionStateCode: types.FINALIZED_SESSION_STATE_CODES,
  VoidSessionStateCode: types.FINALIZED_SESSION_STATE_CODES,
  RefundSessionStatusReasonRejectionCode: types.REFUND_SESSION_STATUS_REASON_REJECTION_CODES,
  CaptureSessionStatusReasonRejectionCode: types.CAPTURE_SESSION_STATUS_REASON_REJECTION_CODES,
  VoidSessionStatusReasonRejectionCode: types.VOID_SESSION_STATUS_REASON_REJECTION_CODES,
  PaymentSessionThreeDSecureTransStatus: types.THREE_D_SECURE_TRANS_STATUSES,
  PaymentSessionThreeDSecureAuthenticationFlow: types.THREE_D_SECURE_AUTHENTICATION_FLOWS,
  PaymentSessionThreeDSecureVersion: types.THREE_D_SECURE_VERSIONS,
  PaymentSessionThreeDSecureChargebackLiability: types.THREE_D_SECURE_CHARGEBACK_LIABILITIES,
  PaymentSessionThreeDSecurePartnerError: types.THREE_D_SECURE_PARTNER_ERRORS,
  PaymentSessionCardNotPresentAvsResultCode: types.CARD_NOT_PRESENT_AVS_RESULT_CODES,
  PaymentSessionCardNotPresentCvvResultCode: types.CARD_NOT_PRESENT_CVV_RESULT_CODES,
  PaymentSessionPendingUserErrorCode: types.PAYMENT_SESSION_PENDING_USER_ERROR_CODES,
  PaymentSessionRedirectUserErrorCode: types.PAYMENT_SESSION_REDIRECT_USER_ERROR_CODES,
  PaymentSessionConfirmUserErrorCode: types.PAYMENT_SESSION_CONFIRM_USER_ERROR_CODES,
  RefundSessionResolveUserErrorCode: types.REFUND_SESSION_USER_ERROR_CODES,
  RefundSessionRejectUserErrorCode: types.REFUND_SESSION_USER_ERROR_CODES,
  CaptureSessionResolveUserErrorCode: types.CAPTURE_SESSION_USER_ERROR_CODES,
  CaptureSessionRejectUserErrorCode: types.CAPTURE_SESSION_USER_ERROR_CODES,
  VoidSessionResolveUserErrorCode: types.VOID_SESSION_USER_ERROR_CODES,
  VoidSessionRejectUserErrorCode: types.VOID_SESSION_USER_ERROR_CODES,
};

describe("TypeScript mirrors of the 2026-04 enums", () => {
  it.each(Object.entries(MIRRORS))("%s has exactly the SDL's values", (enumName, values) => {
    const type = schema.getType(enumName);
    expect(type).toBeInstanceOf(GraphQLEnumType);
    const sdlValues = (type as GraphQLEnumType).getValues().map((value) => value.name);
    expect([...values].sort()).toEqual([...sdlValues].sort());
  });
});
