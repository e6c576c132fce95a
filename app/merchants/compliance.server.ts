import { z } from "zod";
import { db } from "~/db.server";
import { scheduleWebhookRemoval } from "~/merchants/gateway-webhooks.server";

/**
 * What the app does on Shopify's app/uninstalled and the three mandatory compliance
 * webhooks. Each handler is idempotent: Shopify redelivers, and deliveries arrive late.
 */

/**
 * app/uninstalled: the access token is revoked; drop it and the shop's settings, and book the
 * removal of the webhooks the app registered at a gateway (app/merchants/gateway-webhooks.server.ts).
 */
export async function handleAppUninstalled(shopDomain: string, triggeredAt: Date | null) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
  // A late delivery about an earlier install must not disable a reinstalled shop.
  if (shop && triggeredAt && triggeredAt < shop.installedAt) return { ignored: "stale" as const };
  const uninstalledAt = triggeredAt ?? new Date();
  await db().$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { shop: shopDomain } });
    if (!shop) return;
    await tx.shopSettings.deleteMany({ where: { shopId: shop.id } });
    // A redelivery of the same uninstall keeps the first time, so it books no second removal.
    const at = shop.active ? uninstalledAt : (shop.uninstalledAt ?? uninstalledAt);
    await tx.shop.update({ where: { id: shop.id }, data: { active: false, uninstalledAt: at } });
    await scheduleWebhookRemoval(tx, shop.id, at);
  });
  return { ignored: null };
}

/**
 * The signed body of each webhook topic (Shopify's documented payloads). The topic header is
 * not covered by the HMAC, so the body must fit exactly one topic: each shape requires the
 * fields that tell its topic and refuses those of the others, so a captured body cannot be
 * replayed "as" another topic (docs/decisions/shopify-webhook-ids.md). Unknown extra fields
 * are ignored, as Shopify adds fields over time.
 */
const myshopifyDomain = z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain");
const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]);
const customer = z.object({
  id: numericId.nullish(),
  email: z.string().max(320).nullish(),
  phone: z.string().max(64).nullish(),
});
const absent = z.never({ error: "does not belong to this topic" }).optional();
const ids = z.array(numericId).max(10_000);

export const webhookPayloads = {
  "app/uninstalled": z.looseObject({
    id: numericId,
    myshopify_domain: myshopifyDomain,
    shop_domain: absent,
    customer: absent,
  }),
  "customers/data_request": z.looseObject({
    shop_id: numericId,
    shop_domain: myshopifyDomain,
    customer,
    orders_requested: ids,
    data_request: z.object({ id: numericId }).optional(),
    orders_to_redact: absent,
    myshopify_domain: absent,
  }),
  "customers/redact": z.looseObject({
    shop_id: numericId,
    shop_domain: myshopifyDomain,
    customer,
    orders_to_redact: ids,
    orders_requested: absent,
    data_request: absent,
    myshopify_domain: absent,
  }),
  "shop/redact": z.looseObject({
    shop_id: numericId,
    shop_domain: myshopifyDomain,
    customer: absent,
    orders_requested: absent,
    orders_to_redact: absent,
    data_request: absent,
    myshopify_domain: absent,
  }),
} as const;
export type WebhookTopic = keyof typeof webhookPayloads;
export type CustomerPayload = z.infer<(typeof webhookPayloads)["customers/redact"]> | z.infer<(typeof webhookPayloads)["customers/data_request"]>;

export function isWebhookTopic(topic: string): topic is WebhookTopic {
  return Object.hasOwn(webhookPayloads, topic);
}

/** The shop a signed body names: the only shop a webhook may act on. */
export function shopNamedBy(topic: WebhookTopic, payload: z.infer<(typeof webhookPayloads)[WebhookTopic]>): string {
  return "myshopify_domain" in payload && typeof payload.myshopify_domain === "string"
    ? payload.myshopify_domain
    : (payload as { shop_domain: string }).shop_domain;
}

function customerFilter(shopId: string, customer: CustomerPayload["customer"]) {
  const match = [...(customer?.email ? [{ customerEmail: customer.email }] : []), ...(customer?.phone ? [{ customerPhone: customer.phone }] : [])];
  // No identifier → match nothing rather than everything.
  return match.length ? { shopId, OR: match } : null;
}

/** customers/data_request: record the request and the data we hold for that customer. */
export async function handleCustomerDataRequest(shopDomain: string, webhookId: string, payload: CustomerPayload) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
  const where = shop ? customerFilter(shop.id, payload.customer) : null;
  const sessions = where
    ? await db().paymentSession.findMany({
        where,
        orderBy: { createdAt: "asc" },
        select: {
          shopifyId: true,
          amount: true,
          currency: true,
          createdAt: true,
          status: true,
          customerEmail: true,
          customerPhone: true,
          billingAddress: true,
          clientIp: true,
          attempts: { select: { cardBrand: true, cardLast4: true, status: true, createdAt: true } },
        },
      })
    : [];
  const result = JSON.stringify({
    customer: payload.customer ?? null,
    paymentSessions: sessions.map((s) => ({ ...s, amount: s.amount.toString(), billingAddress: s.billingAddress ? JSON.parse(s.billingAddress) : null })),
  });
  return db().complianceRequest.create({
    data: {
      webhookId,
      topic: "customers/data_request",
      shopDomain,
      customerId: payload.customer?.id?.toString() ?? null,
      result,
      completedAt: new Date(),
    },
  });
}

/** customers/redact: erase the customer's personal data; the financial record stays. */
export async function handleCustomerRedact(shopDomain: string, webhookId: string, payload: CustomerPayload) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
  const where = shop ? customerFilter(shop.id, payload.customer) : null;
  const customerId = payload.customer?.id?.toString() ?? null;
  return db().$transaction(async (tx) => {
    const redacted = where
      ? await tx.paymentSession.updateMany({
          where,
          data: { customerEmail: null, customerPhone: null, billingAddress: null, clientIp: null, customerRedactedAt: new Date() },
        })
      : { count: 0 };
    // Data-request exports about this customer hold the same personal data.
    if (customerId) await tx.complianceRequest.updateMany({ where: { shopDomain, customerId, topic: "customers/data_request" }, data: { result: null } });
    await tx.complianceRequest.create({
      data: {
        webhookId,
        topic: "customers/redact",
        shopDomain,
        customerId,
        result: JSON.stringify({ redactedSessions: redacted.count }),
        completedAt: new Date(),
      },
    });
    return redacted.count;
  });
}

/**
 * shop/redact (48 hours after uninstall): delete everything of the shop. Shopify sends it only
 * for a shop that uninstalled the app; a shop that is installed now (it reinstalled, or the
 * body is a replay) keeps its data: the delivery is acknowledged and nothing is deleted.
 */
export async function handleShopRedact(shopDomain: string) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
  if (shop?.active) return { ignored: "installed" as const };
  await db().$transaction([
    db().session.deleteMany({ where: { shop: shopDomain } }),
    db().complianceRequest.deleteMany({ where: { shopDomain } }),
    ...(shop
      ? [
          db().job.deleteMany({ where: { shopId: shop.id } }),
          // Cascades to settings, payment/refund/capture/void sessions, attempts and gateway events.
          db().shop.delete({ where: { id: shop.id } }),
        ]
      : []),
  ]);
  return { ignored: null };
}
