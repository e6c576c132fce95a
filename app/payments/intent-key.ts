import type { GatewayMode } from "~/payments/gateway/port";

/**
 * The identity of one wallet intent across every session of the app (PaymentAttempt.intentKey,
 * unique): one intent, one attempt (docs/decisions/accrue-shopper-page.md).
 */
export function intentKey(gateway: string, mode: GatewayMode, intentId: string): string {
  return `${gateway}:${mode}:${intentId}`;
}

/** The intent id an attempt's key names; null for an attempt without one (a card). */
export function intentIdOf(key: string | null | undefined): string | null {
  if (!key) return null;
  const parts = key.split(":");
  return parts.length >= 3 ? parts.slice(2).join(":") : null;
}
