import { gateways } from "~/gateways.server";
import { config } from "~/lib/config.server";
import { secretBox } from "~/lib/secret-box.server";
import type { ChargeDeps } from "~/payments/charge.server";

/** The charging use cases' collaborators, wired to this process's configuration. */
export function chargeDeps(): ChargeDeps {
  const settings = config();
  return { gateways, box: secretBox(), appUrl: settings.SHOPIFY_APP_URL, maxAttempts: settings.MAX_CARD_ATTEMPTS };
}
