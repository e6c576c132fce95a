import { randomBytes, randomUUID } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Opaque ids shaped like Shopify's session ids (e.g. `u0nwmSrNntjIWozmNslK5Tlq`). */
export function shopifyLikeId(length = 24): string {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += BASE62[byte % BASE62.length];
  return id;
}

/** `group` and `session_id` look like base64 of 32 bytes in Shopify's examples. */
export function base64Token(): string {
  return randomBytes(32).toString("base64");
}

export function requestId(): string {
  return randomUUID();
}

export type SessionGidType = "PaymentSession" | "RefundSession" | "CaptureSession" | "VoidSession";

export function sessionGid(type: SessionGidType, id: string): string {
  return `gid://shopify/${type}/${id}`;
}
