import { redirect } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { config } from "~/lib/config.server";
import { plainText } from "~/lib/http.server";
import { hardeningCookies } from "~/shopify/session-cookie";
import { shopify } from "~/shopify.server";

/**
 * Authenticates a merchant page (non-embedded: a signed session cookie, or OAuth). Sends
 * the merchant to the login form where the library cannot tell which shop to send to
 * OAuth: no ?shop= and no session cookie, or a stored session whose scopes are out of
 * date (the library would otherwise fail with a 500).
 *
 * Every /app loader and action calls it, so every /app action is checked for its origin here
 * (cross-site request forgery): the session cookie is SameSite=Lax, which still lets another
 * site's top-level GET through but not its POST; the Origin check refuses such POSTs even
 * from a browser that ignores SameSite.
 */
export async function authenticateMerchant(request: Request) {
  if (!isSafeMethod(request.method)) assertSameOrigin(request);
  const hasShopParam = new URL(request.url).searchParams.has("shop");
  if (!hasShopParam && !request.headers.get("Cookie")?.includes("shopify_app_session=")) throw redirect("/auth/login");
  try {
    // On /app?shop=… the library may begin OAuth itself, setting its state cookie.
    return await hardeningCookies(config().SHOPIFY_APP_URL.startsWith("https:"), () => shopify().authenticate.admin(request));
  } catch (error) {
    if (error instanceof InvalidShopError) throw redirect("/auth/login");
    throw error;
  }
}

const isSafeMethod = (method: string) => method === "GET" || method === "HEAD";

/**
 * A state-changing merchant request must come from the app's own pages: its Origin header
 * (which every current browser sends on a POST) must be the app's origin (SHOPIFY_APP_URL).
 * Without Origin, the Fetch Metadata header must say same-origin. 403 otherwise.
 */
export function assertSameOrigin(request: Request): void {
  const appOrigin = new URL(config().SHOPIFY_APP_URL).origin;
  const origin = request.headers.get("Origin");
  if (origin !== null ? origin === appOrigin : request.headers.get("Sec-Fetch-Site") === "same-origin") return;
  throw plainText("Cross-site request refused: this form can only be sent from the app's own pages.", 403);
}
