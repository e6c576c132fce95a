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

const payloadSchema = z.looseObject({
  id: z.string().min(1).optional(),
  eventId: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  event: z.string().min(1).optional(),
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
}

export function parseAccelebitWebhookEvent(payload: unknown): AccelebitWebhookEvent | null {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const { id, eventId, type, event, data } = parsed.data;
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
  };
}

/**
 * The key under which a delivery is remembered to ignore replays and Accelebit's retries:
 * the event id, or, when there is none, type + object id + status (the same fact told twice).
 */
export function webhookDedupKey(event: Pick<AccelebitWebhookEvent, "id" | "type" | "objectId" | "status">): string {
  return event.id !== null ? `accelebit:event:${event.id}` : `accelebit:${event.type}:${event.objectId}:${event.status ?? ""}`;
}
