import { Session } from "@shopify/shopify-api";
import { z } from "zod";
import { db } from "~/db.server";
import { lastFour, type SecretBox } from "~/lib/secret-box";
import { liveSecretKey, testSecretKey, webhookSigningSecret } from "~/merchants/gateway-keys";
import { secretContext } from "~/merchants/settings.server";
import { newWebhookToken } from "~/merchants/shops.server";
import { EncryptedSessionStorage } from "~/shopify/encrypted-session-storage";
import { PrismaSessionStorage } from "~/shopify/prisma-session-storage";

export const seedShopInput = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain"),
  accessToken: z.string().min(1, "is required"),
  accelebitTestKey: testSecretKey,
  accelebitLiveKey: liveSecretKey.optional(),
  webhookSecret: webhookSigningSecret.optional(),
  scopes: z.string().default("write_payment_gateways,write_payment_sessions"),
});
export type SeedShopInput = z.infer<typeof seedShopInput>;

/**
 * Registers an installed, configured shop without OAuth, for local development, the demo
 * and black-box tests: the offline session OAuth would have stored, the shop row and its
 * encrypted Accelebit settings. Idempotent: seeding again updates the same rows.
 */
export async function seedShop(input: SeedShopInput, box: SecretBox) {
  const shop = await db().shop.upsert({
    where: { domain: input.shop },
    create: { domain: input.shop, webhookToken: newWebhookToken() },
    update: { active: true, uninstalledAt: null },
  });
  const settings = {
    testApiKeyCiphertext: box.encrypt(input.accelebitTestKey, secretContext(shop.id, "test-key")),
    testApiKeyLast4: lastFour(input.accelebitTestKey),
    liveApiKeyCiphertext: input.accelebitLiveKey ? box.encrypt(input.accelebitLiveKey, secretContext(shop.id, "live-key")) : null,
    liveApiKeyLast4: input.accelebitLiveKey ? lastFour(input.accelebitLiveKey) : null,
    webhookSecretCiphertext: input.webhookSecret ? box.encrypt(input.webhookSecret, secretContext(shop.id, "webhook-secret")) : null,
    ready: true,
    externalHandle: `Accelebit test ••••${lastFour(input.accelebitTestKey)}`,
    configuredAt: new Date(),
  };
  await db().shopSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id, ...settings }, update: settings });
  const storage = new EncryptedSessionStorage(new PrismaSessionStorage(db()), box);
  await storage.storeSession(
    new Session({ id: `offline_${input.shop}`, shop: input.shop, state: "seeded", isOnline: false, accessToken: input.accessToken, scope: input.scopes }),
  );
  return shop;
}
