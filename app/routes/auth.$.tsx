import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopify } from "~/shopify.server";

/** OAuth begin (/auth) and callback (/auth/callback), handled by shopifyApp. */
export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return null;
}
