import type { GatewayMode } from "~/payments/gateway/port";

/**
 * The identity of one wallet intent across every session of the app (PaymentAttempt.intentKey,
 * unique): one intent, one attempt (docs/decisions/accrue-shopper-page.md).
 */
export function intentKey(gateway: string, mode: GatewayMode, intentId: string): string {
  return `${gateway}:${mode}:${intentId}`;
}
