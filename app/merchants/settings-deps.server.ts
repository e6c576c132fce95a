import { config } from "~/lib/config.server";
import { logger } from "~/lib/logger";
import { secretBox } from "~/lib/secret-box.server";
import type { ConfigurePaymentsApp, KeyCheck, SettingsDeps } from "~/merchants/settings.server";
import { accelebitGateway } from "~/payments/gateway.server";
import { offlineAccessToken } from "~/shopify/access-token.server";
import { createPaymentsAppsClient } from "~/shopify/payments-apps";

const checkKey: KeyCheck = (apiKey) => accelebitGateway().checkApiKey(apiKey);

const configure: ConfigurePaymentsApp = async (shop, input) => {
  const client = createPaymentsAppsClient({
    shop,
    getAccessToken: offlineAccessToken(shop),
    apiOrigin: config().SHOPIFY_PAYMENTS_API_ORIGIN,
    logger,
  });
  const outcome = await client.paymentsAppConfigure(input);
  switch (outcome.kind) {
    case "done":
      return { ok: true };
    case "user-errors":
    case "conflict":
      return { ok: false, userErrors: outcome.userErrors.map((e) => ({ field: e.field ?? null, message: e.message })) };
    case "failed":
      return { ok: false, failure: `Shopify could not be reached (${outcome.code}).` };
  }
};

/** The setup page's collaborators, wired to Accelebit and Shopify. */
export function settingsDeps(): SettingsDeps {
  return { checkKey, configure, box: secretBox(), appUrl: config().SHOPIFY_APP_URL };
}
