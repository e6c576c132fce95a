import { createHmac } from "node:crypto";
import { merchantSessionCookies } from "~/shopify/session-cookie";
import { TEST_API_SECRET, TEST_APP_URL } from "./app-env";

/** What a merchant's browser holds after OAuth: the signed session cookie. */
export function merchantCookies(shop: string, secret = TEST_API_SECRET): { name: string; value: string }[] {
  return merchantSessionCookies(shop, secret);
}

export function merchantCookieHeader(shop: string): string {
  return merchantCookies(shop)
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
}

/**
 * A merchant's request to an /app page, already signed in to `shop`. A form post carries the
 * app's Origin, as the merchant's browser sends it (pass `Origin` in init.headers to differ).
 */
export function merchantRequest(shop: string, pathAndQuery: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("Cookie", merchantCookieHeader(shop));
  const method = (init.method ?? "GET").toUpperCase();
  // The origin the app serves its pages on (this test file's SHOPIFY_APP_URL).
  if (method !== "GET" && method !== "HEAD" && !headers.has("Origin")) headers.set("Origin", new URL(process.env.SHOPIFY_APP_URL ?? TEST_APP_URL).origin);
  return new Request(`${TEST_APP_URL}${pathAndQuery}`, { ...init, headers });
}

/** A webhook as Shopify signs it: base64 HMAC-SHA256 of the raw body with the app secret. */
export function shopifyWebhookRequest(
  topic: string,
  shop: string,
  body: unknown,
  {
    webhookId = crypto.randomUUID(),
    secret = TEST_API_SECRET,
    triggeredAt = new Date().toISOString(),
    rawBody,
  }: { webhookId?: string; secret?: string; triggeredAt?: string; rawBody?: string } = {},
): Request {
  const raw = rawBody ?? JSON.stringify(body);
  return new Request(`${TEST_APP_URL}/webhooks`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": webhookId,
      "X-Shopify-Api-Version": "2026-04",
      "X-Shopify-Triggered-At": triggeredAt,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(raw).digest("base64"),
    },
    body: raw,
  });
}

/** Calls a Remix loader or action and returns its Response, whether returned or thrown. */
export async function callRoute(
  fn: (args: { request: Request; params: Record<string, string>; context: object }) => unknown,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await fn({ request, params, context: {} });
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
