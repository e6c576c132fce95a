import { shopifyApiLibrary } from "~/shopify/api.server";
import { db, isUniqueViolation } from "~/db.server";
import { readBodyText } from "~/lib/http.server";
import { containsNul } from "~/lib/text";

// Compliance and uninstall payloads are a few hundred bytes; anything near this is not Shopify.
const MAX_WEBHOOK_BYTES = 256 * 1024;

/**
 * How long a webhook id is remembered (docs/decisions/shopify-webhook-ids.md): far beyond
 * Shopify's redeliveries (hours), so a redelivery is always recognised; older ids are pruned.
 * A delivery triggered longer ago than this is refused: its id may already be forgotten.
 */
export const WEBHOOK_ID_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface VerifiedShopifyWebhook {
  topic: string;
  /** X-Shopify-Shop-Domain: not signed; the body's shop decides (app/routes/webhooks.tsx). */
  shop: string;
  webhookId: string;
  triggeredAt: Date;
  payload: unknown;
}

/**
 * Verifies a Shopify webhook's HMAC (401 when it does not match, 400 when headers or JSON
 * are malformed, or when it was triggered before the replay window). Deliberately does not load or refresh the shop's session: after an
 * uninstall the token is revoked, and compliance webhooks need no API call.
 */
export async function verifyShopifyWebhook(request: Request, now = new Date()): Promise<VerifiedShopifyWebhook> {
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
  if (containsNul(payload)) throw new Response("Webhook body holds a NUL character", { status: 400 });
  const triggeredAt = "triggeredAt" in check && check.triggeredAt ? new Date(check.triggeredAt) : null;
  if (!triggeredAt || Number.isNaN(triggeredAt.getTime()))
    throw new Response("Invalid webhook request: X-Shopify-Triggered-At must be a date", { status: 400 });
  if (now.getTime() - triggeredAt.getTime() > WEBHOOK_ID_RETENTION_MS) {
    throw new Response("Webhook refused: triggered more than 30 days ago, outside the replay window", { status: 400 });
  }
  return { topic: check.topic, shop: check.domain, webhookId: check.webhookId, triggeredAt, payload };
}

/**
 * Runs a webhook's handler once per webhook id. The delivery is recorded only after the
 * handler succeeded, so a failed attempt is retried by Shopify's redelivery; handlers are
 * idempotent, so two concurrent deliveries of one id are harmless too.
 */
export async function handleOnce(webhook: VerifiedShopifyWebhook, handler: () => Promise<unknown>, now = new Date()): Promise<"handled" | "duplicate"> {
  if (await db().webhookDelivery.findUnique({ where: { webhookId: webhook.webhookId } })) return "duplicate";
  try {
    await handler();
    await db().webhookDelivery.create({ data: { webhookId: webhook.webhookId, topic: webhook.topic, shopDomain: webhook.shop, receivedAt: now } });
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
  await pruneWebhookIds(now);
  return "handled";
}

/** Forgets webhook ids older than the retention window (an indexed range delete; run after each delivery). */
export function pruneWebhookIds(now = new Date()) {
  return db().webhookDelivery.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - WEBHOOK_ID_RETENTION_MS) } } });
}
