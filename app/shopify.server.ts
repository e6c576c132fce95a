import "@shopify/shopify-app-remix/adapters/node";
import { type ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "~/shopify/prisma-session-storage";
import { db } from "~/db.server";
import { config } from "~/lib/config.server";
import { secretBox } from "~/lib/secret-box.server";
import { recordInstall } from "~/merchants/shops.server";
import { EncryptedSessionStorage } from "~/shopify/encrypted-session-storage";
import { SHOPIFY_API_VERSION } from "~/shopify/api-version";

const LIBRARY_LOG_LEVEL: Record<string, LogSeverity> = {
  fatal: LogSeverity.Error,
  error: LogSeverity.Error,
  warn: LogSeverity.Warning,
  info: LogSeverity.Info,
  debug: LogSeverity.Debug,
  trace: LogSeverity.Debug,
  // The library has no "off": errors only.
  silent: LogSeverity.Error,
};

function createShopifyApp() {
  const settings = config();
  return shopifyApp({
    apiKey: settings.SHOPIFY_API_KEY,
    apiSecretKey: settings.SHOPIFY_API_SECRET,
    apiVersion: SHOPIFY_API_VERSION as ApiVersion,
    scopes: settings.SCOPES,
    appUrl: settings.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(db()), secretBox()),
    distribution: AppDistribution.AppStore,
    // Payments apps must not be embedded in the Shopify admin (App Store requirement 5.2.5).
    isEmbeddedApp: false,
    // Shopify requires expiring offline tokens for public apps from 2027-01-01; the
    // library refreshes them when they are within five minutes of expiry.
    future: { expiringOfflineAccessTokens: true },
    logger: { level: LIBRARY_LOG_LEVEL[settings.LOG_LEVEL] },
    hooks: {
      afterAuth: async ({ session }) => {
        await recordInstall(session.shop);
      },
    },
  });
}

type ShopifyApp = ReturnType<typeof createShopifyApp>;
let app: ShopifyApp | undefined;

/** The shopifyApp instance, created on first use (configuration must be valid by then). */
export function shopify(): ShopifyApp {
  app ??= createShopifyApp();
  return app;
}
