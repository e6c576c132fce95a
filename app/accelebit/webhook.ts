/**
 * Verifying an Accelebit webhook delivery: signature first (webhook-signature.ts), then the
 * payload (webhook-event.ts), then its age: a signed event dated outside the replay window is
 * refused (docs/decisions/accelebit-webhook-replay-window.md). Deduplication of replays inside
 * the window is the caller's, keyed by webhookDedupKey(event) in durable storage.
 */
import { ACCELEBIT_WEBHOOK_SIGNATURE_HEADER, parseSignatureHeader, signatureMatches, type RawBody } from "./webhook-signature";
import { parseAccelebitWebhookEvent, type AccelebitWebhookEvent } from "./webhook-event";
import { containsNul } from "~/lib/text";

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookVerification =
  | { readonly ok: true; readonly event: AccelebitWebhookEvent }
  | {
      readonly ok: false;
      readonly reason: "missing_secret" | "missing_signature" | "malformed_signature" | "bad_signature" | "malformed_payload" | "outside_replay_window";
    };

/** Accelebit retries a delivery for some time (the documents do not say how long): three days covers a weekend outage. */
export const ACCELEBIT_WEBHOOK_REPLAY_WINDOW_MS = 72 * 60 * 60 * 1000;
/** Clocks differ: an event may be dated a little ahead of ours. */
export const ACCELEBIT_WEBHOOK_CLOCK_SKEW_MS = 5 * 60 * 1000;

function headerValue(headers: WebhookHeaders, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? null) : null;
  }
  return null;
}

export function verifyAccelebitWebhook(input: {
  rawBody: RawBody;
  headers: WebhookHeaders;
  secret: string | null | undefined;
  now?: Date;
}): WebhookVerification {
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
  // The database refuses NUL characters in text: such a payload is malformed here, not a 500 later.
  const event = containsNul(payload) ? null : parseAccelebitWebhookEvent(payload);
  if (!event) return { ok: false, reason: "malformed_payload" };
  if (event.createdAt && !withinReplayWindow(event.createdAt, input.now ?? new Date())) return { ok: false, reason: "outside_replay_window" };
  return { ok: true, event };
}

function withinReplayWindow(createdAt: Date, now: Date): boolean {
  const age = now.getTime() - createdAt.getTime();
  return age <= ACCELEBIT_WEBHOOK_REPLAY_WINDOW_MS && age >= -ACCELEBIT_WEBHOOK_CLOCK_SKEW_MS;
}
