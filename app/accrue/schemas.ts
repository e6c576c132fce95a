/**
 * Accrue's JSON:API documents and resources as zod schemas, and their mapping to the plain
 * types the adapter returns. Unknown attributes are ignored; status strings are kept exactly
 * as sent and compared exactly (docs/decisions/accrue-a17-auth-and-parsing.md). Amounts must
 * be integers: a fractional amount is an unexpected response, never rounded.
 */
import { z } from "zod";

const identifier = z.object({ id: z.string(), type: z.string() });
const relationship = z.object({ data: z.union([z.null(), identifier, z.array(identifier)]).optional() });
const relationships = z.record(z.string(), relationship).optional();
const cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const text = z.string().nullable().optional();

export const resourceSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  relationships,
});
export type JsonApiResource = z.infer<typeof resourceSchema>;

const errorObject = z.object({
  status: z.union([z.string(), z.number()]).optional(),
  code: z.union([z.string(), z.number()]).optional(),
  detail: z.string().optional(),
  title: z.string().optional(),
});
export const errorDocumentSchema = z.object({ errors: z.array(errorObject).min(1) });

const intentAttributes = z.object({
  status: z.string(),
  reference: text,
  error: text,
  expiresAt: text,
  amount: cents.nullable().optional(),
  walletId: text,
  userId: text,
  createdAt: text,
  updatedAt: text,
});
const paymentAttributes = z.object({ status: z.string(), amount: cents, expiresAt: text, createdAt: text, updatedAt: text });
const refundAttributes = z.object({ status: z.string(), amount: cents, createdAt: text, updatedAt: text });
const webhookAttributes = z.object({
  enabled: z.boolean(),
  name: z.string(),
  url: z.string(),
  topics: z.array(z.string()),
  secret: z.string().optional(),
  createdAt: text,
  updatedAt: text,
});
const eventAttributes = z.object({ topic: z.string(), createdAt: text, updatedAt: text });

function typed<A extends z.ZodType>(type: string, attributes: A) {
  return z.object({ id: z.string().min(1), type: z.literal(type), attributes, relationships });
}
export const intentResourceSchema = typed("PaymentIntent", intentAttributes);
export const paymentResourceSchema = typed("Payment", paymentAttributes);
export const refundResourceSchema = typed("Refund", refundAttributes);
export const webhookResourceSchema = typed("Webhook", webhookAttributes);
export const eventResourceSchema = typed("WebhookEvent", eventAttributes);

/** The documented statuses (matched exactly; anything else is kept as sent). */
export const INTENT_STATUSES = ["RequiresAction", "Promotable", "PromotedToPayment", "Canceled"] as const;
export const PAYMENT_STATUSES = ["Created", "Authorized", "Waiting", "Processing", "Sent", "Complete", "Canceled"] as const;
/** A capture has taken effect (docs/decisions/accrue-a07-success-statuses.md). */
export const CAPTURED_PAYMENT_STATUSES: readonly string[] = ["Waiting", "Processing", "Sent", "Complete"];
/** Authorized and not yet captured. */
export const UNCAPTURED_PAYMENT_STATUSES: readonly string[] = ["Created", "Authorized"];
/** Refund statuses that mean it will not happen (docs/decisions/accrue-a10-refunds.md). */
export const FAILED_REFUND_STATUSES: readonly string[] = ["Failed", "Canceled"];
export const PENDING_REFUND_STATUS = "Pending";

export const WEBHOOK_TOPICS = ["PaymentIntentCreated", "PaymentIntentUpdated", "PaymentCreated", "PaymentUpdated", "RefundCreated", "RefundUpdated"] as const;
export type AccrueWebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export interface AccruePaymentIntent {
  readonly id: string;
  readonly status: string;
  readonly reference: string | null;
  readonly error: string | null;
  readonly expiresAt: string | null;
  /** Display only (docs/decisions/accrue-a03-amount.md); null when Accrue does not send it. */
  readonly amount: number | null;
  readonly walletId: string | null;
  readonly userId: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly paymentIds: readonly string[];
}

export interface AccruePayment {
  readonly id: string;
  readonly status: string;
  /** Integer cents. */
  readonly amount: number;
  readonly expiresAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly paymentIntentId: string | null;
  readonly refundIds: readonly string[];
}

export interface AccrueRefund {
  readonly id: string;
  readonly status: string;
  readonly amount: number;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface AccrueWebhook {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly topics: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface AccrueWebhookEvent {
  readonly id: string;
  readonly topic: string;
  readonly createdAt: string | null;
  /** The resources the event names (`included`), identifiers only: payload states are never applied. */
  readonly resources: readonly { readonly type: string; readonly id: string }[];
}

function ids(rels: z.infer<typeof relationships>, name: string): string[] {
  const data = rels?.[name]?.data;
  if (data === undefined || data === null) return [];
  return (Array.isArray(data) ? data : [data]).map((item) => item.id);
}

export function toIntent(resource: z.infer<typeof intentResourceSchema>): AccruePaymentIntent {
  const a = resource.attributes;
  return {
    id: resource.id,
    status: a.status,
    reference: a.reference ?? null,
    error: a.error ?? null,
    expiresAt: a.expiresAt ?? null,
    amount: a.amount ?? null,
    walletId: a.walletId ?? null,
    userId: a.userId ?? null,
    createdAt: a.createdAt ?? null,
    updatedAt: a.updatedAt ?? null,
    paymentIds: ids(resource.relationships, "payments"),
  };
}

export function toPayment(resource: z.infer<typeof paymentResourceSchema>): AccruePayment {
  const a = resource.attributes;
  const [intentId = null] = ids(resource.relationships, "paymentIntent");
  return {
    id: resource.id,
    status: a.status,
    amount: a.amount,
    expiresAt: a.expiresAt ?? null,
    createdAt: a.createdAt ?? null,
    updatedAt: a.updatedAt ?? null,
    paymentIntentId: intentId,
    refundIds: ids(resource.relationships, "refunds"),
  };
}

export function toRefund(resource: z.infer<typeof refundResourceSchema>): AccrueRefund {
  const a = resource.attributes;
  return { id: resource.id, status: a.status, amount: a.amount, createdAt: a.createdAt ?? null, updatedAt: a.updatedAt ?? null };
}

export function toWebhook(resource: z.infer<typeof webhookResourceSchema>): { webhook: AccrueWebhook; secret: string | null } {
  const a = resource.attributes;
  return {
    webhook: {
      id: resource.id,
      name: a.name,
      url: a.url,
      topics: a.topics,
      enabled: a.enabled,
      createdAt: a.createdAt ?? null,
      updatedAt: a.updatedAt ?? null,
    },
    secret: a.secret ?? null,
  };
}

/**
 * A webhook event from any of the document's shapes: a bare WebhookEvent with `included`
 * (deliveries), wrapped in `data` with `included` beside it, or with `included` nested in `data`
 * (the "Get a webhook event" sample).
 */
export const eventDocumentSchema = z.union([
  z.object({ data: eventResourceSchema.extend({ included: z.array(identifier).optional() }), included: z.array(identifier).optional() }),
  eventResourceSchema.extend({ included: z.array(identifier).optional() }),
]);

export function toEvent(document: z.infer<typeof eventDocumentSchema>): AccrueWebhookEvent {
  const resource = "data" in document ? document.data : document;
  const included = [...(resource.included ?? []), ...("data" in document ? (document.included ?? []) : [])];
  return {
    id: resource.id,
    topic: resource.attributes.topic,
    createdAt: resource.attributes.createdAt ?? null,
    resources: included.map((item) => ({ type: item.type, id: item.id })),
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(document)"}: ${issue.message}`)
    .join("; ");
}
