/** Shopify simulator: a test double of Shopify's side of the Payments Apps platform. */
export { startShopifySimulator } from "./simulator";
export type { RegisterShopInput, SessionSnapshot, ShopifySimulator, StartShopifySimulatorOptions } from "./simulator";
export { FAULT_KINDS } from "./faults";
export type { FaultKind, FaultSpec, InjectedFault } from "./faults";
export type {
  CaptureSessionBody,
  CreateCaptureSessionParams,
  CreatePaymentSessionParams,
  CreateRefundSessionParams,
  CreateVoidSessionParams,
  DeliveryResult,
  PaymentSessionBody,
  RefundSessionBody,
  ShopifyAddress,
  ShopifyClientDetails,
  ShopifyCustomer,
  SimulatedSessionRequest,
  VoidSessionBody,
} from "./session-requests";
export type { AnswerDelivery, DeliveryStatus, MutationEffect, PaymentKind, PaymentMethodType, PaymentsAppConfiguration, RecordedMutation } from "./store";
export { SIMULATED_API_VERSIONS, loadSchema, schemaSdlPath, type SimulatedApiVersion } from "./schema";
/** The storefront form's defaults, so browser tests can assert what "Pay with Accelebit" sends without retyping it. */
export { DEFAULT_CHECKOUT_FORM, type CheckoutFormValues } from "./storefront-form";
