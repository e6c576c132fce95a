/** Public surface of the Payments Apps API client. */
export { createPaymentsAppsClient } from "./client";
export type { GetAccessToken, PaymentsAppsClient, PaymentsAppsClientOptions } from "./client";
export { paymentsAppsEndpoint } from "./endpoint";
export type {
  CaptureSessionRejectVariables,
  PaymentSessionPendingVariables,
  PaymentSessionRedirectVariables,
  PaymentSessionRejectVariables,
  PaymentSessionResolveVariables,
  PaymentsAppConfigureVariables,
  RefundSessionRejectVariables,
  SessionIdVariables,
  VoidSessionRejectVariables,
} from "./mutation-specs";
export { PAYMENTS_APPS_DOCUMENTS, type PaymentsAppsOperationName } from "./operations";
export type {
  FailureCategory,
  FailureCode,
  FinalizedSessionResult,
  PaymentSessionResult,
  PaymentsAppConfigurationResult,
  PaymentsAppsFailure,
  PaymentsAppsOutcome,
  UserError,
} from "./outcome";
export * from "./schema-types";
