import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/lib/config.server";
import { hardeningCookies } from "~/shopify/session-cookie";
import { shopify } from "~/shopify.server";

/** OAuth begin (/auth) and callback (/auth/callback), handled by shopifyApp; the cookies it sets are hardened. */
export async function loader({ request }: LoaderFunctionArgs) {
  await hardeningCookies(config().SHOPIFY_APP_URL.startsWith("https:"), () => shopify().authenticate.admin(request));
  return null;
}
