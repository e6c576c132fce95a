/**
 * The one Shopify API version of this app. shopify.extension.toml's api_version decides the
 * payloads Shopify sends us, and Shopify requires the GraphQL calls to use the same version;
 * test/unit/api-version.test.ts checks the TOML files agree with this constant.
 */
export const SHOPIFY_API_VERSION = "2026-04" as const;
