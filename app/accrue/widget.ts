/**
 * Accrue's payment widget on our shopper page (docs/decisions/accrue-a01-intent-creation.md):
 * the script from Accrue's widget host for the session's mode, the `<accrue-pay>` element with
 * Shopify's exact amount in cents and our session's opaque reference (accrue-a02-binding.md),
 * and the event the page listens to for the new intent's id.
 */
import type { GatewayMode, WalletWidget } from "~/payments/gateway/port";
import type { Money } from "~/payments/money";
import { toCents } from "./gateway-mapping";
import { idSchema } from "./request-schemas";

export interface AccrueWidgetHosts {
  /** The live widget script (configuration `ACCRUE_WIDGET_URL`). */
  readonly liveScriptUrl: string;
  /** The sandbox widget script for test sessions (configuration `ACCRUE_SANDBOX_WIDGET_URL`). */
  readonly sandboxScriptUrl: string;
}

export const DEFAULT_WIDGET_HOSTS: AccrueWidgetHosts = {
  liveScriptUrl: "https://pay.accruesavings.com/main.js",
  sandboxScriptUrl: "https://pay-sandbox.accruesavings.com/main.js",
};

/** The name the stand-in widget gives its event; the real widget's is not published (accrue-a01). */
export const INTENT_CREATED_EVENT = "accrue-pay:payment-intent-created";

export function accrueWidget(
  hosts: AccrueWidgetHosts,
  input: { readonly mode: GatewayMode; readonly publicId: string; readonly amount: Money; readonly reference: string },
): WalletWidget {
  const scriptUrl = input.mode === "live" ? hosts.liveScriptUrl : hosts.sandboxScriptUrl;
  return {
    scriptUrl,
    scriptAttributes: { "data-script": "accrue-pay", "data-client-id": input.publicId },
    element: { tag: "accrue-pay", attributes: { flow: "wallet", amount: String(toCents(input.amount)), reference: input.reference } },
    origins: [new URL(scriptUrl).origin],
    intentCreatedEvent: INTENT_CREATED_EVENT,
    intentIdField: "paymentIntentId",
  };
}

export function isAccrueIntentId(value: string): boolean {
  return idSchema.safeParse(value).success;
}
