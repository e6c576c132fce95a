/**
 * Decision "Webhook signature header name and algorithm" — the one place to change when the
 * real scheme is known: HMAC-SHA256 over the raw request body with the merchant's signing
 * secret, lowercase hex digest in the header below, compared in constant time.
 *
 * Header: `X-Accelebit-Signature: <hex>` (a `sha256=` prefix is accepted too, a common
 * convention we tolerate defensively).
 *
 * The local sandbox imports only the two constants and computes the HMAC on its own, so a
 * mistake here is not mirrored there.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const ACCELEBIT_WEBHOOK_SIGNATURE_HEADER = "x-accelebit-signature";
export const ACCELEBIT_WEBHOOK_SIGNATURE_ALGORITHM = "sha256";

const HEX_DIGEST = /^[0-9a-f]{64}$/;

export type RawBody = string | Uint8Array;

function bytesOf(rawBody: RawBody): Buffer {
  return typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
}

export function signAccelebitWebhook(rawBody: RawBody, secret: string): string {
  return createHmac(ACCELEBIT_WEBHOOK_SIGNATURE_ALGORITHM, secret).update(bytesOf(rawBody)).digest("hex");
}

/** The hex digest carried by a header value, or null when it is not one. */
export function parseSignatureHeader(value: string): string | null {
  const digest = value
    .trim()
    .toLowerCase()
    .replace(/^sha256=/, "");
  return HEX_DIGEST.test(digest) ? digest : null;
}

export function signatureMatches(rawBody: RawBody, secret: string, digest: string): boolean {
  const expected = Buffer.from(signAccelebitWebhook(rawBody, secret), "hex");
  const received = Buffer.from(digest, "hex");
  return received.length === expected.length && timingSafeEqual(received, expected);
}
