import { config } from "~/lib/config.server";
import { logger } from "~/lib/logger";
import type { AccrueSettingsDeps } from "~/merchants/accrue-settings.server";
import { secretBox } from "~/lib/secret-box.server";
import type { ConfigurePaymentsApp, KeyCheck, SettingsDeps } from "~/merchants/settings.server";
import { gateways } from "~/gateways.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";

const checkKey: KeyCheck = (apiKey, mode) => gateways("accelebit").checkCredentials({ secret: apiKey, publicId: null }, mode);

const configure: ConfigurePaymentsApp = async (shop, input) => {
  const outcome = await paymentsAppsClientFor(shop).paymentsAppConfigure(input);
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

/** The Accrue section's collaborators: the Accrue adapter behind the port, and Shopify. */
export function accrueSettingsDeps(): AccrueSettingsDeps {
  const accrue = gateways("accrue");
  if (!accrue.webhooks) throw new Error("The Accrue adapter registers no webhooks");
  return {
    check: (credentials, mode) => accrue.checkCredentials(credentials, mode),
    webhooks: accrue.webhooks,
    configure,
    box: secretBox(),
    appUrl: config().SHOPIFY_APP_URL,
    apiKey: config().SHOPIFY_API_KEY,
    logger,
  };
}
