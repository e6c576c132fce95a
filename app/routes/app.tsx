import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { shopify } from "~/shopify.server";
import { config } from "~/lib/config.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

/** Every /app page is the merchant's: authenticated, scoped to the session's shop. */
export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return { apiKey: config().SHOPIFY_API_KEY };
}

export default function AppLayout() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={false} apiKey={apiKey}>
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
