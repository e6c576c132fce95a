import { redirect } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { shopify } from "~/shopify.server";

/**
 * Authenticates a merchant page (non-embedded: a signed session cookie, or OAuth). Sends
 * the merchant to the login form where the library cannot tell which shop to send to
 * OAuth: no ?shop= and no session cookie, or a stored session whose scopes are out of
 * date (the library would otherwise fail with a 500).
 */
export async function authenticateMerchant(request: Request) {
  const hasShopParam = new URL(request.url).searchParams.has("shop");
  if (!hasShopParam && !request.headers.get("Cookie")?.includes("shopify_app_session=")) throw redirect("/auth/login");
  try {
    return await shopify().authenticate.admin(request);
  } catch (error) {
    if (error instanceof InvalidShopError) throw redirect("/auth/login");
    throw error;
  }
}
