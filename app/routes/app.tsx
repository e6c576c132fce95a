import { type HeadersFunction, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
// Polaris's own AppProvider: the one in @shopify/shopify-app-remix/react imports JSON with
// import attributes, which the classic Remix compiler's esbuild cannot parse. A
// non-embedded app needs nothing else from it.
import { AppProvider } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { authenticateMerchant } from "~/shopify/merchant-auth.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

/** Every /app page is the merchant's: authenticated, scoped to the session's shop. */
export async function loader({ request }: LoaderFunctionArgs) {
  await authenticateMerchant(request);
  return null;
}

export default function AppLayout() {
  return (
    <AppProvider i18n={enTranslations}>
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
