/**
 * Behaviour switches: one for every point the Accrue Merchant API document leaves open or
 * states two ways. Each reading is selectable; the defaults are the readings the README names.
 * Set with the `behaviour` start option, `sandbox.setBehaviour(…)` or POST /__sandbox/behaviour.
 */
import { z } from "zod";

export const behaviourSchema = z.strictObject({
  /** `/api/v1` prefix: the curl samples use it, the introduction omits it. "both" serves either. */
  pathPrefix: z.enum(["api_v1", "none", "both"]).optional(),
  /** Authorization: `Bearer <client secret>` (document) or `Basic base64(id:secret)` (a public sample), or either. */
  auth: z.enum(["bearer", "basic", "either"]).optional(),
  /** Request media type: `strict` answers 415 to anything but application/vnd.api+json. */
  mediaType: z.enum(["strict", "lenient"]).optional(),
  /** JSON:API error `status`: a string (JSON:API) or a number. */
  errorStatusType: z.enum(["string", "number"]).optional(),
  /** HTTP status of a refused state change (capture twice, cancel a Sent payment…); undocumented. */
  stateErrorStatus: z.union([z.literal(400), z.literal(409), z.literal(422)]).optional(),
  /** HTTP status of a decline on authorize (insufficient funds, declined…); undocumented. */
  declineStatus: z.union([z.literal(400), z.literal(402), z.literal(422)]).optional(),
  /** Spelling of error `code`s: snake_case (documented as "underscored") or UPPER_CASE. */
  errorCodeStyle: z.enum(["snake", "upper"]).optional(),
  /** Payment status right after authorize; undocumented ("Created" per the cancel prose, "Authorized" per a sample). */
  statusAfterAuthorize: z.enum(["Created", "Authorized"]).optional(),
  /** May an `Authorized` payment be canceled? The cancel prose lists only Created and Waiting. */
  cancelAuthorized: z.enum(["allowed", "refused"]).optional(),
  /** A second authorize of an already promoted intent: a new payment (public docs), the same one, or an error. */
  repeatedAuthorize: z.enum(["new_payment", "same_payment", "error"]).optional(),
  /** Refund answer: the Payment with the Refund in `included` (sample) or a bare Refund in `data` (prose). */
  refundAnswer: z.enum(["payment", "refund"]).optional(),
  /** A refund's success status; the document shows only Pending and Failed. */
  refundSuccessStatus: z.string().min(1).optional(),
  /** When a Pending refund may settle: once the payment is Sent (the sample's meta message) or right away. */
  refundSettles: z.enum(["after_payment_sent", "immediately"]).optional(),
  /** Payment `amount` after a partial capture: the captured amount or still the authorized one. */
  amountAfterPartialCapture: z.enum(["captured", "authorized"]).optional(),
  /** Status of an uncaptured payment once its `expiresAt` has passed. */
  expiredAuthorization: z.enum(["unchanged", "Canceled", "Expired"]).optional(),
  /** Does a PaymentIntent carry `amount`? Only one sample shows it. */
  intentAmount: z.enum(["present", "absent"]).optional(),
  /** The widget passes the merchant's `reference` to the intent, or drops it (undocumented). */
  widgetReference: z.enum(["kept", "dropped"]).optional(),
  /** Payment topics' `included`: empty (samples) or the Payment. */
  paymentWebhookIncluded: z.enum(["empty", "payment"]).optional(),
  /** Webhook delivery body: bare WebhookEvent (samples) or wrapped in `data`. */
  deliveryShape: z.enum(["bare", "wrapped"]).optional(),
  /** What the signature covers: the exact bytes sent, or a compact re-serialisation of a pretty-printed body. */
  signatureOver: z.enum(["raw", "reserialized"]).optional(),
  /** Webhook `secret` on GET/PATCH answers: shown (document samples) or only at creation (public docs). */
  secretOnGet: z.enum(["shown", "hidden"]).optional(),
  /** Create/update webhook request: bare `{type, attributes}` (samples), wrapped in `data`, or either. */
  webhookRequestShape: z.enum(["bare", "wrapped", "either"]).optional(),
  /** Update webhook method: PATCH, PUT or either (undocumented). */
  webhookUpdateMethod: z.enum(["PATCH", "PUT", "either"]).optional(),
  /** List webhook events path: `/webhooks` (as printed), `/webhook-events`, or both. */
  eventsListPath: z.enum(["webhooks", "webhook-events", "both"]).optional(),
  /** List webhook events without filter[since]: all events, or 400 (the documented default "wakawkaka" is no date). */
  eventsSinceDefault: z.enum(["all", "error"]).optional(),
  /** An empty list answered `{"data": []}` or `{}` (the "List Payments" sample). */
  emptyList: z.enum(["data", "empty_object"]).optional(),
  /** Get webhook event: `included` inside `data` (sample) or at the top level. */
  eventIncludedPlacement: z.enum(["inside_data", "top_level"]).optional(),
  /** `Idempotency-Key` header: ignored (no header is documented) or honoured per operation for 48 h. */
  idempotency: z.enum(["ignored", "honoured"]).optional(),
  /** page[limit]: 1–100 default 100 (operations), 1–200 default 50 (introduction), or silently capped at `pageLimitCap`. */
  pageLimit: z.enum(["operations", "introduction", "capped"]).optional(),
  pageLimitCap: z.number().int().min(1).max(200).optional(),
  /** List operations without `include` (documented as required): refused with 400, or served. */
  listInclude: z.enum(["required", "optional"]).optional(),
  /** 429 answers carry Retry-After (undocumented) or not. */
  rateLimitRetryAfter: z.enum(["sent", "omitted"]).optional(),
  /** Requests per minute and environment before 429 (document: 10,000). */
  rateLimitPerMinute: z.number().int().min(1).optional(),
  /** Clock: a new intent's `expiresAt` (null = never), a payment's authorization lifetime, the capture waiting period, Processing, refund settlement. */
  intentTtlMs: z.number().int().min(1).nullable().optional(),
  authorizationTtlMs: z.number().int().min(1).optional(),
  waitingPeriodMs: z.number().int().min(0).optional(),
  processingMs: z.number().int().min(0).optional(),
  refundSettleMs: z.number().int().min(0).optional(),
  /** A `RequiresAction` intent (magic phone) becomes Promotable after this long (null = only when cleared). */
  requiresActionMs: z.number().int().min(0).nullable().optional(),
  /** A new wallet's available deposit, in cents. */
  walletBalance: z.number().int().min(0).optional(),
});
export type Behaviour = Required<z.infer<typeof behaviourSchema>>;

const MINUTE = 60_000;
export const DEFAULT_BEHAVIOUR: Behaviour = {
  pathPrefix: "api_v1",
  auth: "bearer",
  mediaType: "strict",
  errorStatusType: "string",
  stateErrorStatus: 422,
  declineStatus: 422,
  errorCodeStyle: "snake",
  statusAfterAuthorize: "Created",
  cancelAuthorized: "allowed",
  repeatedAuthorize: "new_payment",
  refundAnswer: "payment",
  refundSuccessStatus: "Succeeded",
  refundSettles: "after_payment_sent",
  amountAfterPartialCapture: "captured",
  expiredAuthorization: "unchanged",
  intentAmount: "present",
  widgetReference: "kept",
  paymentWebhookIncluded: "empty",
  deliveryShape: "bare",
  signatureOver: "raw",
  secretOnGet: "shown",
  webhookRequestShape: "either",
  webhookUpdateMethod: "either",
  eventsListPath: "both",
  eventsSinceDefault: "all",
  emptyList: "data",
  eventIncludedPlacement: "inside_data",
  idempotency: "ignored",
  pageLimit: "operations",
  pageLimitCap: 20,
  listInclude: "required",
  rateLimitRetryAfter: "sent",
  rateLimitPerMinute: 10_000,
  intentTtlMs: 30 * MINUTE,
  authorizationTtlMs: 7 * 24 * 60 * MINUTE,
  waitingPeriodMs: 10 * MINUTE,
  processingMs: 60 * MINUTE,
  refundSettleMs: 5 * MINUTE,
  requiresActionMs: null,
  walletBalance: 1_000_000,
};
