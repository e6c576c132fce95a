import { config } from "~/lib/config.server";
import { logger } from "~/lib/logger";
import { shopifyMutationLatency, timedFetch } from "~/observability/metrics.server";
import { offlineAccessToken } from "~/shopify/access-token.server";
import { createPaymentsAppsClient, type PaymentsAppsClient } from "~/shopify/payments-apps";

/** The Payments Apps API client of one shop, with its (refreshed) offline token. */
export function paymentsAppsClientFor(shop: string): PaymentsAppsClient {
  return createPaymentsAppsClient({
    shop,
    getAccessToken: offlineAccessToken(shop),
    apiOrigin: config().SHOPIFY_PAYMENTS_API_ORIGIN,
    logger,
    fetch: timedFetch((_url, _method, status, seconds) => shopifyMutationLatency.observe({ status }, seconds)),
  });
}
