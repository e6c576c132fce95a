import { createHmac, hkdfSync } from "node:crypto";

/**
 * The cookie a non-embedded shopifyApp reads to find the merchant's session
 * (`shopify_app_session` = the offline session id), signed the way @shopify/shopify-api
 * signs cookies: HMAC-SHA256 with a key derived from the app secret by HKDF.
 * Used by the development sign-in and by the tests; OAuth sets it in production.
 */
export const SESSION_COOKIE = "shopify_app_session";

export function signCookieValue(value: string, apiSecret: string): string {
  const key = Buffer.from(hkdfSync("sha256", apiSecret, new Uint8Array(0), "shopify-app-js/cookie-signing/v1", 32));
  return createHmac("sha256", key).update(value).digest("base64");
}

export function merchantSessionCookies(shop: string, apiSecret: string): { name: string; value: string }[] {
  const value = `offline_${shop}`;
  return [
    { name: SESSION_COOKIE, value },
    { name: `${SESSION_COOKIE}.sig`, value: signCookieValue(value, apiSecret) },
  ];
}
