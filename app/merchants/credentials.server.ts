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

/**
 * The public identifier saved with a gateway's credentials for a mode (Accrue's Client ID, which
 * the shopper's widget carries), without decrypting the secret; null when none is saved.
 */
export async function loadPublicId(shopId: string, gateway: GatewayId, mode: GatewayMode): Promise<string | null> {
  const row = await db().gatewayCredential.findUnique({ where: { shopId_gateway_mode: { shopId, gateway, mode } }, select: { publicId: true } });
  return row?.publicId ?? null;
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

/**
 * A gateway whose webhook the app registers through its API (Accrue) has one registration per
 * mode, sandbox and live being separate systems, but one ShopGateway row (one URL token): the
 * row's `webhookId` holds the ids as a JSON object keyed by mode, and its ciphertext the secrets
 * as one encrypted JSON document (docs/decisions/accrue-merchant-setup.md).
 */
export interface ModeWebhook {
  readonly webhookId: string;
  readonly secret: string;
}
export type ModeWebhooks = Partial<Record<GatewayMode, ModeWebhook>>;

const MODES: readonly GatewayMode[] = ["test", "live"];
const SECRETS_FORMAT = "mode-secrets-v1";

function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The secrets of a decrypted webhook secret: one per mode for a registered gateway, else the one the merchant gave. */
function secretsOf(plaintext: string): Partial<Record<GatewayMode, string>> | string {
  const document = parseJsonObject(plaintext);
  if (document?.format !== SECRETS_FORMAT || typeof document.secrets !== "object" || document.secrets === null) return plaintext;
  const secrets = document.secrets as Record<string, unknown>;
  return Object.fromEntries(MODES.flatMap((mode) => (typeof secrets[mode] === "string" ? [[mode, secrets[mode]]] : [])));
}

/** Every secret that may sign the gateway's deliveries to this shop (none when nothing is stored). */
export async function loadWebhookSecrets(shopId: string, gateway: GatewayId, box: SecretBox): Promise<string[]> {
  const plaintext = await loadWebhookSecret(shopId, gateway, box);
  if (plaintext === null) return [];
  const secrets = secretsOf(plaintext);
  return typeof secrets === "string" ? [secrets] : MODES.flatMap((mode) => (secrets[mode] ? [secrets[mode]] : []));
}

/** The ids of the registrations per mode, without decrypting anything (for the setup page). */
export function modeWebhookIds(webhookId: string | null): Partial<Record<GatewayMode, string>> {
  const ids = parseJsonObject(webhookId);
  if (!ids) return {};
  return Object.fromEntries(MODES.flatMap((mode) => (typeof ids[mode] === "string" ? [[mode, ids[mode]]] : [])));
}

/** The registrations per mode, decrypted: a mode is present only when both its id and its secret are stored. */
export async function loadModeWebhooks(client: Client, shopId: string, gateway: GatewayId, box: SecretBox): Promise<ModeWebhooks> {
  const row = await client.shopGateway.findUnique({ where: { shopId_gateway: { shopId, gateway } } });
  if (!row?.webhookSecretCiphertext) return {};
  const secrets = secretsOf(box.decrypt(row.webhookSecretCiphertext, webhookSecretContext(shopId, gateway)));
  if (typeof secrets === "string") return {};
  const ids = modeWebhookIds(row.webhookId);
  const webhooks: ModeWebhooks = {};
  for (const mode of MODES) {
    const webhookId = ids[mode];
    const secret = secrets[mode];
    if (webhookId && secret) webhooks[mode] = { webhookId, secret };
  }
  return webhooks;
}

/** Replaces the stored registrations (all modes at once); none left clears the id and the secret. */
export async function saveModeWebhooks(client: Client, box: SecretBox, shopId: string, gateway: GatewayId, webhooks: ModeWebhooks) {
  const modes = MODES.filter((mode) => webhooks[mode]);
  if (modes.length === 0) {
    await shopGateway(client, shopId, gateway);
    return client.shopGateway.update({ where: { shopId_gateway: { shopId, gateway } }, data: { webhookSecretCiphertext: null, webhookId: null } });
  }
  const secrets = Object.fromEntries(modes.map((mode) => [mode, webhooks[mode]!.secret]));
  const ids = Object.fromEntries(modes.map((mode) => [mode, webhooks[mode]!.webhookId]));
  return saveWebhookSecret(client, box, shopId, gateway, JSON.stringify({ format: SECRETS_FORMAT, secrets }), JSON.stringify(ids));
}
