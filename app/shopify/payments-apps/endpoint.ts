import { SHOPIFY_API_VERSION } from "~/shopify/api-version";

/**
 * Permanent shop domains only. The domain arrives in Shopify's `Shopify-Shop-Domain` header and the
 * access token is sent to it, so anything else (an attacker's host) must never become a URL here.
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

const apiPath = `/payments_apps/api/${SHOPIFY_API_VERSION}/graphql.json`;

/**
 * The GraphQL endpoint for one shop. With `apiOrigin` (the SHOPIFY_PAYMENTS_API_ORIGIN setting of tests
 * and the local demo) every shop shares that origin and is told apart by its access token.
 */
export function paymentsAppsEndpoint(shop: string, apiOrigin?: string): string {
  if (!SHOP_DOMAIN.test(shop)) throw new Error(`Not a permanent *.myshopify.com shop domain: ${JSON.stringify(shop)}`);
  if (apiOrigin === undefined) return `https://${shop.toLowerCase()}${apiPath}`;

  const origin = new URL(apiOrigin);
  if (origin.protocol !== "https:" && origin.protocol !== "http:") {
    throw new Error(`apiOrigin must be an http(s) origin, got ${JSON.stringify(apiOrigin)}`);
  }
  // An origin has no path: a configured path would be silently dropped, so refuse it instead.
  if (origin.pathname !== "/" || origin.search !== "" || origin.hash !== "") {
    throw new Error(`apiOrigin must be an origin without a path, got ${JSON.stringify(apiOrigin)}`);
  }
  return `${origin.origin}${apiPath}`;
}
