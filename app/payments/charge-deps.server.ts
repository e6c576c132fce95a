import { config } from "~/lib/config.server";
import { secretBox } from "~/lib/secret-box.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { accelebitGateway } from "~/payments/gateway.server";

/** The charging use cases' collaborators, wired to this process's configuration. */
export function chargeDeps(): ChargeDeps {
  const settings = config();
  return { gateway: accelebitGateway(), box: secretBox(), appUrl: settings.SHOPIFY_APP_URL, maxAttempts: settings.MAX_CARD_ATTEMPTS };
}
