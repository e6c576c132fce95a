import { db, isUniqueViolation, type Prisma, type PrismaClient } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { lastFour } from "~/lib/secret-box";
import { newWebhookToken } from "~/merchants/shops.server";
import type { GatewayCredentials, GatewayId, GatewayMode } from "~/payments/gateway/port";

/**
 * A shop's gateway credentials and webhook settings, encrypted at rest. Each ciphertext is
 * bound to its context (the shop, the gateway, the mode), so a row copied elsewhere does not
 * decrypt. Accelebit's contexts keep the names they had before there were several gateways, so
 * stored ciphertexts stay readable.
 */
type Client = PrismaClient | Prisma.TransactionClient;

export function credentialContext(shopId: string, gateway: GatewayId, mode: GatewayMode): string {
  return gateway === "accelebit" ? `shop:${shopId}:${mode}-key` : `shop:${shopId}:${gateway}:${mode}`;
}

export function webhookSecretContext(shopId: string, gateway: GatewayId): string {
  return gateway === "accelebit" ? `shop:${shopId}:webhook-secret` : `shop:${shopId}:${gateway}:webhook-secret`;
}

/** The decrypted credentials of one gateway and mode; null when the merchant has not given them. */
export async function loadCredentials(shopId: string, gateway: GatewayId, mode: GatewayMode, box: SecretBox): Promise<GatewayCredentials | null> {
  const row = await db().gatewayCredential.findUnique({ where: { shopId_gateway_mode: { shopId, gateway, mode } } });
  if (!row) return null;
  return { secret: box.decrypt(row.secretCiphertext, credentialContext(shopId, gateway, mode)), publicId: row.publicId };
}

export function saveCredentials(
  client: Client,
  box: SecretBox,
  key: { shopId: string; gateway: GatewayId; mode: GatewayMode },
  credentials: GatewayCredentials,
) {
  const data = {
    secretCiphertext: box.encrypt(credentials.secret, credentialContext(key.shopId, key.gateway, key.mode)),
    secretLast4: lastFour(credentials.secret),
    publicId: credentials.publicId,
  };
  return client.gatewayCredential.upsert({
    where: { shopId_gateway_mode: key },
    create: { ...key, ...data },
    update: data,
  });
}

export function removeCredentials(client: Client, key: { shopId: string; gateway: GatewayId; mode: GatewayMode }) {
  return client.gatewayCredential.deleteMany({ where: key });
}

/**
 * The shop's row for a gateway (its webhook URL token), created on first use. Two requests
 * creating it at once (two OAuth callbacks) race in the upsert on PostgreSQL: the loser's
 * insert hits the unique key, and the row the winner made is read instead.
 */
export async function shopGateway(client: Client, shopId: string, gateway: GatewayId) {
  const where = { shopId_gateway: { shopId, gateway } };
  try {
    return await client.shopGateway.upsert({ where, create: { shopId, gateway, webhookToken: newWebhookToken() }, update: {} });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return client.shopGateway.findUniqueOrThrow({ where });
  }
}

/** The signing secret of the gateway's deliveries to this shop; null when none is stored. */
export async function loadWebhookSecret(shopId: string, gateway: GatewayId, box: SecretBox): Promise<string | null> {
  const row = await db().shopGateway.findUnique({ where: { shopId_gateway: { shopId, gateway } }, select: { webhookSecretCiphertext: true } });
  return row?.webhookSecretCiphertext ? box.decrypt(row.webhookSecretCiphertext, webhookSecretContext(shopId, gateway)) : null;
}

export function saveWebhookSecret(client: Client, box: SecretBox, shopId: string, gateway: GatewayId, secret: string, webhookId: string | null = null) {
  const webhookSecretCiphertext = box.encrypt(secret, webhookSecretContext(shopId, gateway));
  return client.shopGateway.upsert({
    where: { shopId_gateway: { shopId, gateway } },
    create: { shopId, gateway, webhookToken: newWebhookToken(), webhookSecretCiphertext, webhookId },
    update: { webhookSecretCiphertext, ...(webhookId !== null ? { webhookId } : {}) },
  });
}
