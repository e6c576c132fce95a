import type { GetAccessToken } from "~/shopify/payments-apps";
import { shopifyApiLibrary } from "~/shopify/api.server";
import { shopify } from "~/shopify.server";

/**
 * The shop's offline access token for Payments Apps calls. shopifyApp refreshes an
 * expiring token when it is within five minutes of expiry; `forceRefresh` (after a 401)
 * refreshes it now.
 */
export function offlineAccessToken(shop: string): GetAccessToken {
  return async ({ forceRefresh = false } = {}) => {
    const app = shopify();
    const { session } = await app.unauthenticated.admin(shop);
    if (forceRefresh && session.refreshToken) {
      const { session: refreshed } = await shopifyApiLibrary().auth.refreshToken({ shop, refreshToken: session.refreshToken });
      await app.sessionStorage!.storeSession(refreshed);
      return refreshed.accessToken!;
    }
    if (!session.accessToken) throw new Error(`No offline access token stored for ${shop}`);
    return session.accessToken;
  };
}
