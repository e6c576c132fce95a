import type { ActionFunctionArgs } from "@remix-run/node";
import { customerPayload, handleAppUninstalled, handleCustomerDataRequest, handleCustomerRedact, handleShopRedact } from "~/merchants/compliance.server";
import { handleOnce, verifyShopifyWebhook } from "~/shopify/webhooks.server";

/** Shopify webhooks (shopify.app.toml): app/uninstalled and the three compliance topics. */
export async function action({ request }: ActionFunctionArgs) {
  const webhook = await verifyShopifyWebhook(request);
  const parsed = customerPayload.safeParse(webhook.payload);
  if (!parsed.success) return new Response("Webhook payload has an unexpected shape", { status: 400 });
  const payload = parsed.data;

  const handlers: Record<string, () => Promise<unknown>> = {
    app_uninstalled: () => handleAppUninstalled(webhook.shop, webhook.triggeredAt),
    customers_data_request: () => handleCustomerDataRequest(webhook.shop, webhook.webhookId, payload),
    customers_redact: () => handleCustomerRedact(webhook.shop, webhook.webhookId, payload),
    shop_redact: () => handleShopRedact(webhook.shop),
  };
  // The header says "app/uninstalled"; the library may hand it over as "APP_UNINSTALLED".
  const handler = handlers[webhook.topic.toLowerCase().replace("/", "_")];
  if (!handler) return new Response(`Unhandled webhook topic ${webhook.topic}`, { status: 404 });
  await handleOnce(webhook, handler);
  return new Response(null, { status: 200 });
}
