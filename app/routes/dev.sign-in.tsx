import { timingSafeEqual } from "node:crypto";
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { config, developmentFeaturesEnabled } from "~/lib/config.server";
import { hardenSetCookie, merchantSessionCookies } from "~/shopify/session-cookie";

/**
 * Local demo only: signs the browser in as a seeded shop, standing in for the OAuth
 * redirect Shopify would make. Exists only when DEV_SIGN_IN_SECRET is configured and NODE_ENV
 * says development or test explicitly (npm run demo sets both; docs/decisions/production-by-default.md);
 * otherwise this URL is a plain 404.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const settings = config();
  const { DEV_SIGN_IN_SECRET, SHOPIFY_API_SECRET } = settings;
  if (!DEV_SIGN_IN_SECRET || !developmentFeaturesEnabled(settings)) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const given = Buffer.from(url.searchParams.get("secret") ?? "");
  const expected = Buffer.from(DEV_SIGN_IN_SECRET);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Response("Forbidden", { status: 403 });
  const shop = url.searchParams.get("shop") ?? "";
  if (!(await db().session.findUnique({ where: { id: `offline_${shop}` } })))
    throw new Response("Unknown shop: seed it with npm run dev:seed-shop", { status: 404 });
  const headers = new Headers();
  for (const cookie of merchantSessionCookies(shop, SHOPIFY_API_SECRET))
    headers.append("Set-Cookie", hardenSetCookie(`${cookie.name}=${cookie.value}; Path=/`, settings.SHOPIFY_APP_URL.startsWith("https:")));
  return redirect("/app", { headers });
}
