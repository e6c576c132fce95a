// Remix hands us Fetch API Requests, as it does to shopifyApp.
import "@shopify/shopify-api/adapters/web-api";
import { type ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { config } from "~/lib/config.server";
import { SHOPIFY_API_VERSION } from "~/shopify/api-version";

type ShopifyApi = ReturnType<typeof createApi>;
let api: ShopifyApi | undefined;

function createApi() {
  const settings = config();
  const appUrl = new URL(settings.SHOPIFY_APP_URL);
  return shopifyApi({
    apiKey: settings.SHOPIFY_API_KEY,
    apiSecretKey: settings.SHOPIFY_API_SECRET,
    apiVersion: SHOPIFY_API_VERSION as ApiVersion,
    scopes: settings.SCOPES,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Warning },
  });
}

/**
 * The plain Shopify API library, for what shopifyApp does not expose: verifying webhook
 * HMACs without loading a session, and forcing a token refresh after a 401.
 */
export function shopifyApiLibrary(): ShopifyApi {
  api ??= createApi();
  return api;
}
