import { createHmac } from "node:crypto";
import { TEST_API_SECRET, TEST_APP_URL } from "./app-env";
import { callRoute } from "./shopify-auth";

// Any Remix loader: called with a bare request (callRoute).
type Loader = (args: never) => unknown;

/** The cookies a browser sends back: name=value of each Set-Cookie. */
export function cookiesFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/**
 * Shopify's token endpoint, as Shopify answers an expiring offline token exchange (shopify-api
 * keeps its own reference to fetch, set by its runtime adapter). Returns the requests it saw.
 */
export async function fakeShopifyTokenEndpoint(accessToken: string, refreshToken: string) {
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  const { setAbstractFetchFunc } = await import("@shopify/shopify-api/runtime");
  setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input instanceof Request ? input.url : input), body: JSON.parse(String(init?.body ?? "{}")) });
    return Response.json({
      access_token: accessToken,
      scope: "write_payment_gateways,write_payment_sessions",
      expires_in: 3600,
      refresh_token: refreshToken,
      refresh_token_expires_in: 7_776_000,
    });
  });
  return requests;
}

/** OAuth as the merchant's browser and Shopify run it: /auth → Shopify's grant → /auth/callback. */
export async function oauthRoundTrip(loader: Loader, shop: string, code = "auth-code-1") {
  const begin = await callRoute(loader as never, new Request(`${TEST_APP_URL}/auth?shop=${shop}`));
  const authorize = new URL(begin.headers.get("Location")!);
  const query = new URLSearchParams({
    code,
    host: Buffer.from(`${shop}/admin`).toString("base64url"),
    shop,
    state: authorize.searchParams.get("state")!,
    timestamp: String(Math.floor(Date.now() / 1000)),
  });
  const message = [...query.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  query.set("hmac", createHmac("sha256", TEST_API_SECRET).update(message).digest("hex"));
  const callback = callRoute(loader as never, new Request(`${TEST_APP_URL}/auth/callback?${query}`, { headers: { Cookie: cookiesFrom(begin) } }));
  return { begin, authorize, callback };
}
