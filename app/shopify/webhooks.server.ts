import { shopifyApiLibrary } from "~/shopify/api.server";
import { db, isUniqueViolation } from "~/db.server";
import { readBodyText } from "~/lib/http.server";

// Compliance and uninstall payloads are a few hundred bytes; anything near this is not Shopify.
const MAX_WEBHOOK_BYTES = 256 * 1024;

export interface VerifiedShopifyWebhook {
  topic: string;
  shop: string;
  webhookId: string;
  triggeredAt: Date | null;
  payload: unknown;
}

/**
 * Verifies a Shopify webhook's HMAC (401 when it does not match, 400 when headers or JSON
 * are malformed). Deliberately does not load or refresh the shop's session: after an
 * uninstall the token is revoked, and compliance webhooks need no API call.
 */
export async function verifyShopifyWebhook(request: Request): Promise<VerifiedShopifyWebhook> {
  if (request.method !== "POST") throw new Response("Method not allowed", { status: 405 });
  const rawBody = await readBodyText(request, MAX_WEBHOOK_BYTES);
  const check = await shopifyApiLibrary().webhooks.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    const invalidHmac = check.reason === "invalid_hmac";
    throw new Response(invalidHmac ? "Invalid webhook signature" : `Invalid webhook request: ${check.reason}`, { status: invalidHmac ? 401 : 400 });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw new Response("Webhook body is not JSON", { status: 400 });
  }
  const triggered = "triggeredAt" in check && check.triggeredAt ? new Date(check.triggeredAt) : null;
  return {
    topic: check.topic,
    shop: check.domain,
    webhookId: check.webhookId,
    triggeredAt: triggered && !Number.isNaN(triggered.getTime()) ? triggered : null,
    payload,
  };
}

/**
 * Runs a webhook's handler once per webhook id. The delivery is recorded only after the
 * handler succeeded, so a failed attempt is retried by Shopify's redelivery; handlers are
 * idempotent, so two concurrent deliveries of one id are harmless too.
 */
export async function handleOnce(webhook: VerifiedShopifyWebhook, handler: () => Promise<unknown>): Promise<"handled" | "duplicate"> {
  if (await db().webhookDelivery.findUnique({ where: { webhookId: webhook.webhookId } })) return "duplicate";
  try {
    await handler();
    await db().webhookDelivery.create({ data: { webhookId: webhook.webhookId, topic: webhook.topic, shopDomain: webhook.shop } });
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
  return "handled";
}
