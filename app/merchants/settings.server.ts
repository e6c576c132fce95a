import { z } from "zod";
import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { removeCredentials, saveCredentials, saveWebhookSecret, shopGateway } from "~/merchants/credentials.server";
import { liveSecretKey, testSecretKey, webhookSigningSecret } from "~/merchants/gateway-keys";
import { accrueWebhookUrl } from "~/merchants/accrue-settings.server";
import { shopReadiness, tellShopify, type ConfigurePaymentsAppFn, type Readiness } from "~/merchants/readiness.server";
import type { CredentialCheck, GatewayMode } from "~/payments/gateway/port";

export { paymentsSettingsUrl } from "~/merchants/readiness.server";

/** Checks a key against Accelebit with a harmless authenticated request. */
export type KeyCheck = (apiKey: string, mode: GatewayMode) => Promise<CredentialCheck>;

/** Tells Shopify the provider is (not) ready: paymentsAppConfigure. */
export type ConfigurePaymentsApp = ConfigurePaymentsAppFn;

export interface SettingsDeps {
  checkKey: KeyCheck;
  configure: ConfigurePaymentsApp;
  box: SecretBox;
  appUrl: string;
}

/** What the setup page may show: never a secret, only its last four characters. */
export interface SettingsView {
  shop: string;
  testKeyLast4: string | null;
  liveKeyLast4: string | null;
  hasWebhookSecret: boolean;
  webhookUrl: string;
  ready: boolean;
  externalHandle: string | null;
  /** Which gateway can take payments in which mode (and whether Accrue's webhook is registered per mode). */
  gateways: Readiness;
  accrue: AccrueView;
}

/** Accrue's part of the page: Client IDs are public and shown whole; of a Client Secret only its last four. */
export interface AccrueView {
  testClientId: string | null;
  testSecretLast4: string | null;
  liveClientId: string | null;
  liveSecretLast4: string | null;
  webhookUrl: string;
}

export async function loadSettingsView(shopDomain: string, appUrl: string): Promise<SettingsView | null> {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain }, include: { settings: true, credentials: true } });
  if (!shop) return null;
  const gateway = await shopGateway(db(), shop.id, "accelebit");
  const accrueGateway = await shopGateway(db(), shop.id, "accrue");
  const credential = (gatewayId: string, mode: GatewayMode) => shop.credentials.find((c) => c.gateway === gatewayId && c.mode === mode) ?? null;
  const last4 = (mode: GatewayMode) => credential("accelebit", mode)?.secretLast4 ?? null;
  const { readiness } = await shopReadiness(db(), shop.id);
  return {
    shop: shop.domain,
    testKeyLast4: last4("test"),
    liveKeyLast4: last4("live"),
    hasWebhookSecret: Boolean(gateway.webhookSecretCiphertext),
    webhookUrl: accelebitWebhookUrl(appUrl, gateway.webhookToken),
    ready: shop.settings?.ready ?? false,
    externalHandle: shop.settings?.externalHandle ?? null,
    gateways: readiness,
    accrue: {
      testClientId: credential("accrue", "test")?.publicId ?? null,
      testSecretLast4: credential("accrue", "test")?.secretLast4 ?? null,
      liveClientId: credential("accrue", "live")?.publicId ?? null,
      liveSecretLast4: credential("accrue", "live")?.secretLast4 ?? null,
      webhookUrl: accrueWebhookUrl(appUrl, accrueGateway.webhookToken),
    },
  };
}

export function accelebitWebhookUrl(appUrl: string, webhookToken: string): string {
  return `${appUrl}/webhooks/accelebit/${webhookToken}`;
}

// A blank field keeps what is stored; "remove" checkboxes clear it.
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const settingsForm = z.object({
  testApiKey: z.preprocess(blankToUndefined, testSecretKey.optional()),
  liveApiKey: z.preprocess(blankToUndefined, liveSecretKey.optional()),
  webhookSecret: z.preprocess(blankToUndefined, webhookSigningSecret.optional()),
  removeLiveKey: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
});

export type FieldName = "testApiKey" | "liveApiKey" | "webhookSecret";

export type SaveSettingsResult =
  | { status: "invalid"; fieldErrors: Partial<Record<FieldName, string>> }
  | { status: "gateway-unreachable"; message: string }
  | { status: "saved"; configured: true; settingsUrl: string }
  | { status: "saved"; configured: false; userErrors: string[] }
  | { status: "saved"; configured: false; failure: string };

/**
 * The setup page's save: validate, check new keys against Accelebit, store them encrypted,
 * then tell Shopify the provider is ready. Nothing is written unless every check passed.
 */
export async function saveSettings(shopDomain: string, form: Record<string, unknown>, deps: SettingsDeps & { apiKey: string }): Promise<SaveSettingsResult> {
  const parsed = settingsForm.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<FieldName, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FieldName;
      fieldErrors[field] ??= issue.message;
    }
    return { status: "invalid", fieldErrors };
  }
  const input = parsed.data;
  const shop = await db().shop.findUnique({ where: { domain: shopDomain }, include: { credentials: { where: { gateway: "accelebit" } } } });
  if (!shop) throw new Response("Shop not installed", { status: 404 });
  const stored = (mode: GatewayMode) => shop.credentials.find((c) => c.mode === mode) ?? null;

  if (!input.testApiKey && !stored("test")) {
    return { status: "invalid", fieldErrors: { testApiKey: "A test secret key is required: Shopify test orders use it." } };
  }

  const fieldErrors: Partial<Record<FieldName, string>> = {};
  const toCheck: [FieldName, string, GatewayMode][] = [];
  if (input.testApiKey) toCheck.push(["testApiKey", input.testApiKey, "test"]);
  if (input.liveApiKey && !input.removeLiveKey) toCheck.push(["liveApiKey", input.liveApiKey, "live"]);
  for (const [field, key, mode] of toCheck) {
    const check = await deps.checkKey(key, mode);
    if (check.ok) continue;
    if (check.reason === "refused") {
      fieldErrors[field] = `Accelebit did not accept this ${mode} key (UNAUTHORIZED). Copy it again from your Accelebit dashboard.`;
    } else {
      return {
        status: "gateway-unreachable",
        message: `Accelebit could not be reached to check your ${mode} key; nothing was saved. Try again in a minute. (${check.message})`,
      };
    }
  }
  if (Object.keys(fieldErrors).length) return { status: "invalid", fieldErrors };

  const { box } = deps;

  // Every secret of the save, or none of them.
  await db().$transaction(async (tx) => {
    const key = (mode: GatewayMode) => ({ shopId: shop.id, gateway: "accelebit" as const, mode });
    if (input.testApiKey) await saveCredentials(tx, box, key("test"), { secret: input.testApiKey, publicId: null });
    if (input.removeLiveKey) await removeCredentials(tx, key("live"));
    else if (input.liveApiKey) await saveCredentials(tx, box, key("live"), { secret: input.liveApiKey, publicId: null });
    if (input.webhookSecret) await saveWebhookSecret(tx, box, shop.id, "accelebit", input.webhookSecret);
    await tx.shopSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id }, update: {} });
  });

  // What Shopify shows the merchant as the connected account: the keys in use, masked, with
  // Accrue's beside them when it is connected too (app/merchants/readiness.server.ts).
  return { status: "saved", ...(await tellShopify(shopDomain, shop.id, deps)) };
}
