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

/**
 * Every cookie the app sets (OAuth state, the merchant's session and its signature) is for the
 * server only: HttpOnly, SameSite=Lax, and Secure when the app is served over https (or when
 * the library asked for it). @shopify/shopify-api sets neither HttpOnly nor a standard
 * `Secure` (it writes `secure=true`), so its Set-Cookie headers are rewritten here.
 */
export function hardenSetCookie(setCookie: string, secure: boolean): string {
  const [pair = "", ...rest] = setCookie.split(";").map((part) => part.trim());
  const attributes = rest.filter(Boolean);
  const named = (name: string) => attributes.some((a) => a.toLowerCase().split("=")[0] === name);
  const kept = attributes.filter((a) => !["httponly", "secure", "samesite"].includes(a.toLowerCase().split("=")[0]!));
  return [pair, ...kept, "HttpOnly", ...(secure || named("secure") ? ["Secure"] : []), "SameSite=Lax"].join("; ");
}

/** The same response with hardened Set-Cookie headers (a new Response: redirects have immutable headers). */
export function withHardenedCookies(response: Response, secure: boolean): Response {
  const cookies = response.headers.getSetCookie();
  if (cookies.length === 0) return response;
  const headers = new Headers(response.headers);
  headers.delete("Set-Cookie");
  for (const cookie of cookies) headers.append("Set-Cookie", hardenSetCookie(cookie, secure));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Runs a shopifyApp call whose answer (returned or thrown) may set cookies, and hardens them. */
export async function hardeningCookies<T>(secure: boolean, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    return (result instanceof Response ? withHardenedCookies(result, secure) : result) as T;
  } catch (thrown) {
    throw thrown instanceof Response ? withHardenedCookies(thrown, secure) : thrown;
  }
}
