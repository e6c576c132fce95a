import { Session } from "@shopify/shopify-api";
import { z } from "zod";
import { db } from "~/db.server";
import { lastFour, type SecretBox } from "~/lib/secret-box";
import { liveSecretKey, testSecretKey, webhookSigningSecret } from "~/merchants/gateway-keys";
import { removeCredentials, saveCredentials, saveWebhookSecret, shopGateway } from "~/merchants/credentials.server";
import { EncryptedSessionStorage } from "~/shopify/encrypted-session-storage";
import { PrismaSessionStorage } from "~/shopify/prisma-session-storage";

export const seedShopInput = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain"),
  accessToken: z.string().min(1, "is required"),
  accelebitTestKey: testSecretKey,
  accelebitLiveKey: liveSecretKey.optional(),
  webhookSecret: webhookSigningSecret.optional(),
  // Accrue sandbox credentials (test sessions), both or neither.
  accrueTestClientId: z.uuid("must be an Accrue Client ID (a UUID)").optional(),
  accrueTestClientSecret: z
    .string()
    .regex(/^[\x21-\x7e]{16,512}$/, "must be an Accrue Client Secret")
    .optional(),
  scopes: z.string().default("write_payment_gateways,write_payment_sessions"),
});
export type SeedShopInput = z.infer<typeof seedShopInput>;

/**
 * Registers an installed, configured shop without OAuth, for local development, the demo
 * and black-box tests: the offline session OAuth would have stored, the shop row and its
 * encrypted Accelebit settings (and Accrue sandbox credentials when given). Idempotent: seeding again updates the same rows.
 */
export async function seedShop(input: SeedShopInput, box: SecretBox) {
  const shop = await db().shop.upsert({
    where: { domain: input.shop },
    create: { domain: input.shop },
    update: { active: true, uninstalledAt: null },
  });
  const settings = { ready: true, externalHandle: `Accelebit test ••••${lastFour(input.accelebitTestKey)}`, configuredAt: new Date() };
  const gateway = await db().$transaction(async (tx) => {
    const key = (mode: "test" | "live") => ({ shopId: shop.id, gateway: "accelebit" as const, mode });
    await saveCredentials(tx, box, key("test"), { secret: input.accelebitTestKey, publicId: null });
    if (input.accelebitLiveKey) await saveCredentials(tx, box, key("live"), { secret: input.accelebitLiveKey, publicId: null });
    else await removeCredentials(tx, key("live"));
    if (input.webhookSecret) await saveWebhookSecret(tx, box, shop.id, "accelebit", input.webhookSecret);
    if (input.accrueTestClientId && input.accrueTestClientSecret) {
      const accrue = { shopId: shop.id, gateway: "accrue" as const, mode: "test" as const };
      await saveCredentials(tx, box, accrue, { secret: input.accrueTestClientSecret, publicId: input.accrueTestClientId });
    }
    await tx.shopSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id, ...settings }, update: settings });
    return shopGateway(tx, shop.id, "accelebit");
  });
  const storage = new EncryptedSessionStorage(new PrismaSessionStorage(db()), box);
  await storage.storeSession(
    new Session({ id: `offline_${input.shop}`, shop: input.shop, state: "seeded", isOnline: false, accessToken: input.accessToken, scope: input.scopes }),
  );
  // The shop, with the token of its Accelebit webhook URL (/webhooks/accelebit/<token>).
  return { ...shop, webhookToken: gateway.webhookToken };
}
