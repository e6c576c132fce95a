/**
 * Verifying an Accelebit webhook delivery: signature first (webhook-signature.ts), then the
 * payload (webhook-event.ts). Deduplication of replays is the caller's, keyed by
 * webhookDedupKey(event) in durable storage.
 */
import { ACCELEBIT_WEBHOOK_SIGNATURE_HEADER, parseSignatureHeader, signatureMatches, type RawBody } from "./webhook-signature";
import { parseAccelebitWebhookEvent, type AccelebitWebhookEvent } from "./webhook-event";

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookVerification =
  | { readonly ok: true; readonly event: AccelebitWebhookEvent }
  | { readonly ok: false; readonly reason: "missing_secret" | "missing_signature" | "malformed_signature" | "bad_signature" | "malformed_payload" };

function headerValue(headers: WebhookHeaders, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? null) : null;
  }
  return null;
}

export function verifyAccelebitWebhook(input: { rawBody: RawBody; headers: WebhookHeaders; secret: string | null | undefined }): WebhookVerification {
  if (!input.secret) return { ok: false, reason: "missing_secret" };
  const header = headerValue(input.headers, ACCELEBIT_WEBHOOK_SIGNATURE_HEADER);
  if (header === null) return { ok: false, reason: "missing_signature" };
  const digest = parseSignatureHeader(header);
  if (digest === null) return { ok: false, reason: "malformed_signature" };
  if (!signatureMatches(input.rawBody, input.secret, digest)) return { ok: false, reason: "bad_signature" };

  let payload: unknown;
  try {
    payload = JSON.parse(typeof input.rawBody === "string" ? input.rawBody : Buffer.from(input.rawBody).toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed_payload" };
  }
  const event = parseAccelebitWebhookEvent(payload);
  return event ? { ok: true, event } : { ok: false, reason: "malformed_payload" };
}
