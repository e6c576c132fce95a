import type { LoaderFunctionArgs } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { config } from "~/lib/config.server";
import { plainText } from "~/lib/http.server";
import { hardeningCookies } from "~/shopify/session-cookie";
import { shopify } from "~/shopify.server";

/**
 * OAuth begin (/auth) and callback (/auth/callback), handled by shopifyApp; the cookies it sets
 * are hardened. The library's other /auth pages (the exit-iframe and session-token bounce
 * pages) belong to embedded apps, which a payments app is not: 404, rather than the library's
 * error (a 500) on a query it refuses. A shop parameter it refuses is a 400.
 */
const OAUTH_PATHS = new Set(["/auth", "/auth/", "/auth/callback"]);

export async function loader({ request }: LoaderFunctionArgs) {
  if (!OAUTH_PATHS.has(new URL(request.url).pathname)) return plainText("Not found", 404);
  try {
    await hardeningCookies(config().SHOPIFY_APP_URL.startsWith("https:"), () => shopify().authenticate.admin(request));
  } catch (error) {
    // A shop parameter the library refuses deep inside OAuth (it throws rather than answers).
    if (error instanceof InvalidShopError) return plainText("Invalid shop: use your shop's *.myshopify.com domain", 400);
    throw error;
  }
  return null;
}
