import type { ActionFunctionArgs } from "@remix-run/node";
import { plainText } from "~/lib/http.server";
import {
  handleAppUninstalled,
  handleCustomerDataRequest,
  handleCustomerRedact,
  handleShopRedact,
  isWebhookTopic,
  shopNamedBy,
  webhookPayloads,
  type CustomerPayload,
  type WebhookTopic,
} from "~/merchants/compliance.server";
import { describeIssues } from "~/payments/session-request";
import { handleOnce, verifyShopifyWebhook } from "~/shopify/webhooks.server";

/**
 * Shopify webhooks (shopify.app.toml): app/uninstalled and the three compliance topics. Only
 * the body is signed, so the body decides: it must fit the topic's shape (400 otherwise) and
 * name the shop of the X-Shopify-Shop-Domain header (401 otherwise), and the handler acts on
 * the shop the body names (docs/decisions/shopify-webhook-ids.md).
 */
export async function action({ request }: ActionFunctionArgs) {
  const webhook = await verifyShopifyWebhook(request);
  // The header says "app/uninstalled"; the library may hand it over as "APP_UNINSTALLED".
  const lower = webhook.topic.toLowerCase();
  const topic = lower.includes("/") ? lower : lower.replace("_", "/");
  if (!isWebhookTopic(topic)) return plainText(`Unhandled webhook topic ${webhook.topic.slice(0, 100)}`, 404);
  const parsed = webhookPayloads[topic].safeParse(webhook.payload);
  if (!parsed.success) return plainText(`Webhook payload does not fit ${topic}: ${describeIssues(parsed.error)}`, 400);
  const shop = shopNamedBy(topic, parsed.data);
  if (shop !== webhook.shop) return plainText("Webhook refused: the signed body names another shop than X-Shopify-Shop-Domain", 401);

  const handlers: Record<WebhookTopic, () => Promise<unknown>> = {
    "app/uninstalled": () => handleAppUninstalled(shop, webhook.triggeredAt),
    "customers/data_request": () => handleCustomerDataRequest(shop, webhook.webhookId, parsed.data as CustomerPayload),
    "customers/redact": () => handleCustomerRedact(shop, webhook.webhookId, parsed.data as CustomerPayload),
    "shop/redact": () => handleShopRedact(shop),
  };
  await handleOnce({ ...webhook, shop }, handlers[topic]);
  return new Response(null, { status: 200 });
}
