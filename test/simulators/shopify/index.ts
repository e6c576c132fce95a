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
