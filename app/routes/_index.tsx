import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

/**
 * Shopify opens application_url with ?shop=…; anyone else is sent to the login form.
 * The settings page itself lives at /app.
 */
export function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return redirect(url.searchParams.has("shop") ? `/app${url.search}` : "/auth/login");
}
