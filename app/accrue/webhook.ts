/**
 * Webhook intake (docs/decisions/accrue-a11-webhook-verification.md): the signature is a hex
 * HMAC-SHA256 in `x-accrue-signature`, checked over the raw body bytes in constant time before
 * anything is parsed. Only then is the body read, as an event naming resources to re-read:
 * its payload states are never applied.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "~/lib/result";
import { eventDocumentSchema, toEvent, WEBHOOK_TOPICS, type AccrueWebhookEvent } from "./schemas";

export const ACCRUE_SIGNATURE_HEADER = "x-accrue-signature";

export type RawBody = string | Uint8Array;

export type WebhookRejection =
  { readonly reason: "missing_signature" | "bad_signature"; readonly message: string } | { readonly reason: "malformed"; readonly message: string };

export interface VerifiedWebhook {
  readonly event: AccrueWebhookEvent;
  /** False for a topic this adapter does not know: answer 2xx and ignore it. */
  readonly knownTopic: boolean;
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

function bytesOf(raw: RawBody): Buffer {
  return typeof raw === "string" ? Buffer.from(raw, "utf8") : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

export function signAccrueWebhook(raw: RawBody, secret: string): string {
  return createHmac("sha256", secret).update(bytesOf(raw)).digest("hex");
}

function matches(bytes: Buffer, secret: string, received: Buffer): boolean {
  const expected = createHmac("sha256", secret).update(bytes).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The header's digest (`<hex>` or `sha256=<hex>`), or null. */
export function parseSignature(header: string | null | undefined): Buffer | null {
  if (typeof header !== "string") return null;
  const digest = header
    .trim()
    .toLowerCase()
    .replace(/^sha256=/, "");
  return HEX_DIGEST.test(digest) ? Buffer.from(digest, "hex") : null;
}

/**
 * `secrets`: the webhook's current secret, plus the previous one while a re-registration is
 * under way. The exact bytes are checked first; a compact re-serialisation of the JSON second,
 * since Accrue's own sample signs one (the decision record explains why that is no weaker).
 */
export function verifyAccrueWebhook(
  raw: RawBody,
  signatureHeader: string | null | undefined,
  secrets: string | readonly string[],
): Result<VerifiedWebhook, WebhookRejection> {
  const received = parseSignature(signatureHeader);
  if (received === null) return err({ reason: "missing_signature", message: `No valid ${ACCRUE_SIGNATURE_HEADER} header` });
  const candidates = (typeof secrets === "string" ? [secrets] : [...secrets]).filter((secret) => secret.length > 0);
  const bytes = bytesOf(raw);
  let verified = candidates.some((secret) => matches(bytes, secret, received));
  let json: unknown;
  let parsedOk = false;
  try {
    json = JSON.parse(bytes.toString("utf8"));
    parsedOk = true;
  } catch {
    parsedOk = false;
  }
  if (!verified && parsedOk) {
    const compact = Buffer.from(JSON.stringify(json), "utf8");
    if (!compact.equals(bytes)) verified = candidates.some((secret) => matches(compact, secret, received));
  }
  if (!verified) return err({ reason: "bad_signature", message: "The signature does not match the body" });
  if (!parsedOk) return err({ reason: "malformed", message: "The body is not JSON" });
  const event = eventDocumentSchema.safeParse(json);
  if (!event.success) return err({ reason: "malformed", message: "The body is not a WebhookEvent" });
  const value = toEvent(event.data);
  return ok({ event: value, knownTopic: (WEBHOOK_TOPICS as readonly string[]).includes(value.topic) });
}

/** Deliveries repeat with the same event id: dedupe on this. */
export function webhookDedupKey(event: AccrueWebhookEvent): string {
  return `accrue-event:${event.id}`;
}
