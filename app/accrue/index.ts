/**
 * Accrue adapter — the public surface (`~/accrue`). A pure library: no Remix, no Prisma, no
 * payments domain; the gateway port wraps it in payment-gateway.ts (imported directly by
 * app/gateways.server.ts).
 *
 * Decisions it relies on (docs/decisions/):
 * | decision                                   | where                                            |
 * |--------------------------------------------|--------------------------------------------------|
 * | accrue-a03-amount.md (integer cents)       | money.ts, request-schemas.ts (amountSchema)      |
 * | accrue-a04-usd-only.md                     | money.ts                                         |
 * | accrue-a07-success-statuses.md             | schemas.ts (CAPTURED_PAYMENT_STATUSES …)         |
 * | accrue-a08-authorize-once.md               | client.ts authorizePaymentIntent, settleAuthorize |
 * | accrue-a09-unknown-outcomes.md             | transport.ts, client.ts write()                  |
 * | accrue-a10-refunds.md                      | client.ts refundPayment, findNewRefund           |
 * | accrue-a11-webhook-verification.md         | webhook.ts                                       |
 * | accrue-a12-webhook-registration.md         | client.ts createWebhook, listWebhookEvents       |
 * | accrue-a13-rate-budget.md                  | rate-budget.ts, retry-policy.ts, transport.ts    |
 * | accrue-a14-timeouts.md                     | transport.ts (DEFAULT_TIMEOUTS)                  |
 * | accrue-a15-reconciliation.md               | client.ts findPaymentIntentsByReference          |
 * | accrue-a16-hosts-and-paths.md              | client.ts (pathPrefix), transport.ts             |
 * | accrue-a17-auth-and-parsing.md             | transport.ts (headers), documents.ts, schemas.ts |
 * | accrue-a18-declines.md                     | errors.ts (declineReason)                        |
 * | accrue-a05, a06, a19, a20 (the port)       | payment-gateway.ts, gateway-charge.ts, gateway-mapping.ts |
 */
export { createAccrueClient } from "./client";
export type {
  AccrueClient,
  AccrueClientOptions,
  AccrueMerchantClient,
  AccrueResult,
  Authorization,
  CreatedWebhook,
  CredentialCheck,
  IntentSearch,
  IntentWithPayments,
  PaymentWithRefunds,
  RefundOutcome,
} from "./client";
export { accrueError, declineReason, isAccrueError } from "./errors";
export type { AccrueError, AccrueErrorCategory, AccrueErrorCode, AccrueErrorOrigin, GatewayErrorObject } from "./errors";
export { centsToDecimal, decimalToCents } from "./money";
export { createRateBudget, DEFAULT_REQUESTS_PER_MINUTE, sharedRateBudget } from "./rate-budget";
export type { RateBudget, RateBudgetOptions } from "./rate-budget";
export type { EventQuery, PageInput, WebhookInput, WebhookPatch } from "./request-schemas";
export { DEFAULT_RETRY_POLICY } from "./retry-policy";
export type { RetryPolicy } from "./retry-policy";
export { err, ok } from "~/lib/result";
export type { Result } from "~/lib/result";
export {
  CAPTURED_PAYMENT_STATUSES,
  FAILED_REFUND_STATUSES,
  INTENT_STATUSES,
  PAYMENT_STATUSES,
  PENDING_REFUND_STATUS,
  UNCAPTURED_PAYMENT_STATUSES,
  WEBHOOK_TOPICS,
} from "./schemas";
export type { AccruePayment, AccruePaymentIntent, AccrueRefund, AccrueWebhook, AccrueWebhookEvent, AccrueWebhookTopic } from "./schemas";
export { DEFAULT_TIMEOUTS, IDEMPOTENCY_HEADER, MEDIA_TYPE } from "./transport";
export type { AccrueCredentials, Timeouts } from "./transport";
export { ACCRUE_SIGNATURE_HEADER, parseSignature, signAccrueWebhook, verifyAccrueWebhook, webhookDedupKey } from "./webhook";
export type { RawBody, VerifiedWebhook, WebhookRejection } from "./webhook";
