import type { AccelebitErrorCode } from "~/accelebit";
import type { PaymentSessionStateRejectedReason } from "~/shopify/payments-apps";

/**
 * The one table from what went wrong to Shopify's PaymentSessionStateRejectedReason.
 * The Accelebit error name always goes into the merchant message as well, so nothing is lost
 * when several causes share a code.
 */
const BY_GATEWAY_ERROR: Partial<Record<AccelebitErrorCode, PaymentSessionStateRejectedReason>> = {
  CARD_DECLINED: "CARD_DECLINED",
  INVALID_REQUEST: "PROCESSING_ERROR",
  UNAUTHORIZED: "PROCESSING_ERROR",
  DUPLICATE_REQUEST: "PROCESSING_ERROR",
  PROVIDER_ERROR: "PROCESSING_ERROR",
};

export type RejectCause =
  | { kind: "gateway"; name: AccelebitErrorCode }
  | { kind: "three-ds-failed" }
  | { kind: "unsupported-currency" }
  | { kind: "abandoned" }
  | { kind: "merchant-key" }
  | { kind: "card-unreadable" }
  | { kind: "confirmation-rejected" };

export function rejectReasonFor(cause: RejectCause): PaymentSessionStateRejectedReason {
  switch (cause.kind) {
    case "gateway":
      return BY_GATEWAY_ERROR[cause.name] ?? "PROCESSING_ERROR";
    case "three-ds-failed":
      return "AUTHENTICATION_FAILED";
    case "unsupported-currency":
      return "INVALID_CURRENCY";
    case "abandoned":
      return "CANCELLED_PAYMENT";
    case "merchant-key":
      return "PROCESSING_ERROR";
    case "card-unreadable":
      return "PROCESSING_ERROR";
    case "confirmation-rejected":
      return "CONFIRMATION_REJECTED";
  }
}
