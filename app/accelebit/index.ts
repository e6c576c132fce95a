/**
 * Accelebit gateway adapter — the public surface. The rest of the app imports from here
 * only (`~/accelebit`), so a second gateway can live beside it as a sibling adapter.
 *
 * Where each point Accelebit's API documents leave open is decided (the decisions themselves:
 * docs/decisions/accelebit-open-points.md):
 * | open point                                   | module / name                                            |
 * |----------------------------------------------|----------------------------------------------------------|
 * | webhook signature header and algorithm       | webhook-signature.ts (ACCELEBIT_WEBHOOK_SIGNATURE_*)     |
 * | webhook payload shape, dedup of deliveries   | webhook-event.ts (parseAccelebitWebhookEvent, webhookDedupKey) |
 * | live key prefix, key for the session's mode  | api-key.ts (keyMode, selectApiKey)                       |
 * | HTTP status / shape of a declined payment    | payment-outcome.ts (paymentOutcome)                      |
 * | status code of DUPLICATE_REQUEST             | errors.ts (nameForGatewayError: the name decides)        |
 * | 5xx / 429 / network errors                   | retry-policy.ts + transport.ts; lookup in gateway.ts createPayment |
 * | merchantRef lookup result (one or a list)    | merchant-ref-lookup.ts                                   |
 * | threeDsData.parameters absent for GET        | response-schemas.ts (threeDsDataSchema)                  |
 * | amount precision, zero/three-decimal currency| amount.ts (formatAccelebitAmount)                        |
 * | undocumented request field names             | wire-fields.ts (UNDOCUMENTED_WIRE_FIELD_NAMES)           |
 * | capture / void of an authorized payment      | no endpoint: ACCELEBIT_CAPABILITIES below                |
 * | returnUrl after 3DS                          | the caller's: put an opaque reference in returnUrl, re-read the payment by id |
 */
export { createAccelebitGateway, KEY_CHECK_MERCHANT_REF } from "./gateway";
export type { AccelebitAccount, AccelebitGateway, AccelebitGatewayOptions, AccelebitResult, ApiKeyCheck, CreatePaymentOptions, PostOptions } from "./gateway";
export { isWellFormedSecretKey, keyMode, selectApiKey, SECRET_KEY_PREFIX, TEST_KEY_PREFIX } from "./api-key";
export type { KeyMode, KeySelectionError, ShopKeys } from "./api-key";
export { ACCELEBIT_ERROR_NAMES, accelebitError, isAccelebitError } from "./errors";
export type { AccelebitError, AccelebitErrorCode, AccelebitErrorName, ErrorCategory, ErrorOrigin, ValidationIssue } from "./errors";
export {
  amountToMinorUnits,
  compareAmounts,
  formatAccelebitAmount,
  isAccelebitAmount,
  isIsoCurrency,
  minorUnitsToAmount,
  THREE_DECIMAL_CURRENCIES,
} from "./amount";
export type { AmountFormatError } from "./amount";
export type { CreateCustomerInput, CreatePaymentInput, CreateRefundInput } from "./request-schemas";
export { PAYMENT_STATUSES } from "./response-schemas";
export type { AccelebitCustomer, AccelebitPayment, AccelebitRefund, PaymentStatus, ThreeDsData } from "./response-schemas";
export { findOurPayment } from "./merchant-ref-lookup";
export type { MerchantRefLookup } from "./merchant-ref-lookup";
export { DEFAULT_RETRY_POLICY } from "./retry-policy";
export type { RetryPolicy } from "./retry-policy";
export { ACCELEBIT_WEBHOOK_CLOCK_SKEW_MS, ACCELEBIT_WEBHOOK_REPLAY_WINDOW_MS, verifyAccelebitWebhook } from "./webhook";
export type { WebhookHeaders, WebhookVerification } from "./webhook";
export { webhookDedupKey } from "./webhook-event";
export type { AccelebitWebhookEvent } from "./webhook-event";
export { ACCELEBIT_WEBHOOK_SIGNATURE_ALGORITHM, ACCELEBIT_WEBHOOK_SIGNATURE_HEADER, signAccelebitWebhook } from "./webhook-signature";
export type { Result } from "~/lib/result";

/**
 * What the documented API can do. There is no capture or void endpoint, so an
 * authorization-only flow cannot be completed: the app and its extension must not offer it.
 */
export const ACCELEBIT_CAPABILITIES = {
  capture: false,
  void: false,
  refund: true,
  partialRefund: true,
  threeDSecure: true,
} as const;
