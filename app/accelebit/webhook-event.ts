/**
 * Decision "Webhook payload shape": the documents do not print a payload, so we accept
 * `{ type | event, data: { id, … } }`-style bodies defensively and keep only what we need —
 * the event name and the payment / refund id. A webhook is only a trigger: the handler
 * re-reads the payment with GET /v1/payments/{id} and acts on that answer, so nothing else
 * in the payload is trusted.
 */
import { z } from "zod";

const objectSchema = z.looseObject({
  id: z.string().min(1).optional(),
  status: z.string().optional(),
  transactionId: z.string().min(1).optional(),
  merchantRef: z.string().min(1).optional(),
});

/** When the event happened: an ISO 8601 date-time, or Unix seconds (both are common; the documents print no payload). */
const timestamp = z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]);

const payloadSchema = z.looseObject({
  id: z.string().min(1).optional(),
  eventId: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  event: z.string().min(1).optional(),
  createdAt: timestamp.optional(),
  created_at: timestamp.optional(),
  created: timestamp.optional(),
  data: objectSchema.extend({ object: objectSchema.optional() }),
});

export interface AccelebitWebhookEvent {
  /** The delivery's event id, when Accelebit sends one (retries of one event share it). */
  readonly id: string | null;
  /** e.g. payment.captured, payment.failed, refund.created */
  readonly type: string;
  readonly objectType: "payment" | "refund" | "unknown";
  /** The payment's id for payment.*, the refund's id for refund.* */
  readonly objectId: string;
  /** The payment to re-read: the object itself for payment.*, the refunded payment for refund.* */
  readonly paymentId: string | null;
  readonly status: string | null;
  /** The payment's merchantRef, when the payload carries it: finds an attempt whose payment id we never learned. */
  readonly merchantRef: string | null;
  /** When Accelebit says the event happened (part of the signed body), when the payload says. */
  readonly createdAt: Date | null;
}

export function parseAccelebitWebhookEvent(payload: unknown): AccelebitWebhookEvent | null {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const { id, eventId, type, event, data } = parsed.data;
  const stamp = parsed.data.createdAt ?? parsed.data.created_at ?? parsed.data.created;
  const name = type ?? event;
  // Some gateways nest the object one level deeper (data.object); accept both.
  const object = data.id === undefined && data.object ? data.object : data;
  if (name === undefined || object.id === undefined) return null;
  const objectType = name.startsWith("payment.") ? "payment" : name.startsWith("refund.") ? "refund" : "unknown";
  return {
    id: id ?? eventId ?? null,
    type: name,
    objectType,
    objectId: object.id,
    paymentId: objectType === "payment" ? object.id : (object.transactionId ?? null),
    status: object.status ?? null,
    merchantRef: objectType === "payment" ? (object.merchantRef ?? null) : null,
    createdAt: stamp === undefined ? null : new Date(typeof stamp === "number" ? stamp * 1000 : stamp),
  };
}

/**
 * The key under which a delivery is remembered to ignore replays and Accelebit's retries:
 * the event id, or, when there is none, type + object id + status (the same fact told twice).
 */
export function webhookDedupKey(event: Pick<AccelebitWebhookEvent, "id" | "type" | "objectId" | "status">): string {
  return event.id !== null ? `accelebit:event:${event.id}` : `accelebit:${event.type}:${event.objectId}:${event.status ?? ""}`;
}
