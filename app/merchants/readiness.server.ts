import { db, type Prisma, type PrismaClient } from "~/db.server";
import { modeWebhookIds } from "~/merchants/credentials.server";
import type { GatewayMode } from "~/payments/gateway/port";

/**
 * Which gateways a shop can take payments with, per mode, and what Shopify is told about it
 * (docs/decisions/accrue-merchant-setup.md): one payments app, one `paymentsAppConfigure`, two
 * gateways behind it. The provider is ready when at least one gateway can take test payments;
 * the external handle names every connected gateway by public, masked identifiers only.
 */
type Client = PrismaClient | Prisma.TransactionClient;

export interface ModeReadiness {
  readonly test: boolean;
  readonly live: boolean;
}

export interface Readiness {
  readonly accelebit: ModeReadiness;
  /** Credentials proven and saved per mode; `webhook`: a registration with Accrue is stored for the mode. */
  readonly accrue: ModeReadiness & { readonly webhook: ModeReadiness };
}

export interface ShopifyConfiguration {
  readonly ready: boolean;
  readonly externalHandle: string;
}

export async function shopReadiness(client: Client, shopId: string): Promise<{ readiness: Readiness; configuration: ShopifyConfiguration }> {
  const [credentials, accrueRow] = await Promise.all([
    client.gatewayCredential.findMany({ where: { shopId }, select: { gateway: true, mode: true, secretLast4: true, publicId: true } }),
    client.shopGateway.findUnique({ where: { shopId_gateway: { shopId, gateway: "accrue" } }, select: { webhookId: true, webhookSecretCiphertext: true } }),
  ]);
  const credential = (gateway: string, mode: GatewayMode) => credentials.find((c) => c.gateway === gateway && c.mode === mode) ?? null;
  const webhookIds = accrueRow?.webhookSecretCiphertext ? modeWebhookIds(accrueRow.webhookId) : {};
  const readiness: Readiness = {
    accelebit: { test: credential("accelebit", "test") !== null, live: credential("accelebit", "live") !== null },
    accrue: {
      test: credential("accrue", "test") !== null,
      live: credential("accrue", "live") !== null,
      webhook: { test: Boolean(webhookIds.test), live: Boolean(webhookIds.live) },
    },
  };
  const handles: string[] = [];
  // Accelebit's handle is the masked secret key it always showed; Accrue's the Client ID's end (public).
  const accelebitLive = credential("accelebit", "live");
  const accelebitTest = credential("accelebit", "test");
  if (accelebitLive) handles.push(`Accelebit live ••••${accelebitLive.secretLast4}`);
  else if (accelebitTest) handles.push(`Accelebit test ••••${accelebitTest.secretLast4}`);
  const accrueLive = credential("accrue", "live");
  const accrueTest = credential("accrue", "test");
  if (accrueLive) handles.push(`Accrue live ••••${(accrueLive.publicId ?? "").slice(-4)}`);
  else if (accrueTest) handles.push(`Accrue sandbox ••••${(accrueTest.publicId ?? "").slice(-4)}`);
  return {
    readiness,
    configuration: { ready: readiness.accelebit.test || readiness.accrue.test, externalHandle: handles.join(", ") },
  };
}

/** What telling Shopify came to, for the page's banner. */
export type ConfigureOutcome = { configured: true; settingsUrl: string } | { configured: false; userErrors: string[] } | { configured: false; failure: string };

export type ConfigurePaymentsAppFn = (
  shop: string,
  input: { externalHandle: string; ready: boolean },
) => Promise<{ ok: true } | { ok: false; userErrors: { field: string[] | null; message: string }[] } | { ok: false; failure: string }>;

/**
 * Tells Shopify what the shop's stored credentials make of it, after any save. Shopify refusing
 * marks the shop not ready; Shopify unreachable keeps the readiness it had
 * (docs/decisions/0007-replay-before-readiness.md): saving again tells Shopify.
 */
export async function tellShopify(shopDomain: string, shopId: string, deps: { configure: ConfigurePaymentsAppFn; apiKey: string }): Promise<ConfigureOutcome> {
  const { configuration } = await shopReadiness(db(), shopId);
  const configured = await deps.configure(shopDomain, configuration);
  if (configured.ok) {
    await db().shopSettings.update({
      where: { shopId },
      data: { ready: configuration.ready, externalHandle: configuration.externalHandle, configuredAt: new Date() },
    });
    return { configured: true, settingsUrl: paymentsSettingsUrl(shopDomain, deps.apiKey) };
  }
  if ("userErrors" in configured) {
    await db().shopSettings.update({ where: { shopId }, data: { ready: false } });
    return { configured: false, userErrors: configured.userErrors.map((e) => e.message) };
  }
  return { configured: false, failure: configured.failure };
}

/** Where Shopify wants merchants sent after onboarding (App Store requirement 5.2.7). */
export function paymentsSettingsUrl(shopDomain: string, apiKey: string): string {
  return `https://${shopDomain}/services/payments_partners/gateways/${apiKey}/settings`;
}
