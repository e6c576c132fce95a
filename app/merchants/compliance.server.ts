import { z } from "zod";
import { db } from "~/db.server";

/**
 * What the app does on Shopify's app/uninstalled and the three mandatory compliance
 * webhooks. Each handler is idempotent: Shopify redelivers, and deliveries arrive late.
 */

/** app/uninstalled: the access token is revoked; drop it and the Accelebit credentials. */
export async function handleAppUninstalled(shopDomain: string, triggeredAt: Date | null) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
  // A late delivery about an earlier install must not disable a reinstalled shop.
  if (shop && triggeredAt && triggeredAt < shop.installedAt) return { ignored: "stale" as const };
  await db().$transaction([
    db().session.deleteMany({ where: { shop: shopDomain } }),
    ...(shop
      ? [
          db().shopSettings.deleteMany({ where: { shopId: shop.id } }),
          db().shop.update({ where: { id: shop.id }, data: { active: false, uninstalledAt: triggeredAt ?? new Date() } }),
        ]
      : []),
  ]);
  return { ignored: null };
}

export const customerPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z
    .object({
      id: z.union([z.number(), z.string()]).optional(),
      email: z.string().optional().nullable(),
      phone: z.string().optional().nullable(),
    })
    .optional(),
  orders_requested: z.array(z.union([z.number(), z.string()])).optional(),
  orders_to_redact: z.array(z.union([z.number(), z.string()])).optional(),
});
export type CustomerPayload = z.infer<typeof customerPayload>;

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

/** shop/redact (48 hours after uninstall): delete everything of the shop. */
export async function handleShopRedact(shopDomain: string) {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain } });
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
}
