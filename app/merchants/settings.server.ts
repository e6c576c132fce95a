import { z } from "zod";
import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { lastFour } from "~/lib/secret-box";
import { liveSecretKey, testSecretKey, webhookSigningSecret, type GatewayMode } from "~/merchants/gateway-keys";

/** Checks a key against Accelebit with a harmless authenticated request. */
export type KeyCheck = (apiKey: string) => Promise<{ ok: true } | { ok: false; reason: "unauthorized" | "unreachable" | "unexpected"; message: string }>;

/** Tells Shopify the provider is (not) ready: paymentsAppConfigure. */
export type ConfigurePaymentsApp = (
  shop: string,
  input: { externalHandle: string; ready: boolean },
) => Promise<{ ok: true } | { ok: false; userErrors: { field: string[] | null; message: string }[] } | { ok: false; failure: string }>;

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
}

export async function loadSettingsView(shopDomain: string, appUrl: string): Promise<SettingsView | null> {
  const shop = await db().shop.findUnique({ where: { domain: shopDomain }, include: { settings: true } });
  if (!shop) return null;
  return {
    shop: shop.domain,
    testKeyLast4: shop.settings?.testApiKeyLast4 ?? null,
    liveKeyLast4: shop.settings?.liveApiKeyLast4 ?? null,
    hasWebhookSecret: Boolean(shop.settings?.webhookSecretCiphertext),
    webhookUrl: accelebitWebhookUrl(appUrl, shop.webhookToken),
    ready: shop.settings?.ready ?? false,
    externalHandle: shop.settings?.externalHandle ?? null,
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

export function secretContext(shopId: string, name: "test-key" | "live-key" | "webhook-secret"): string {
  return `shop:${shopId}:${name}`;
}

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
  const shop = await db().shop.findUnique({ where: { domain: shopDomain }, include: { settings: true } });
  if (!shop) throw new Response("Shop not installed", { status: 404 });

  if (!input.testApiKey && !shop.settings?.testApiKeyCiphertext) {
    return { status: "invalid", fieldErrors: { testApiKey: "A test secret key is required: Shopify test orders use it." } };
  }

  const fieldErrors: Partial<Record<FieldName, string>> = {};
  const toCheck: [FieldName, string, GatewayMode][] = [];
  if (input.testApiKey) toCheck.push(["testApiKey", input.testApiKey, "test"]);
  if (input.liveApiKey && !input.removeLiveKey) toCheck.push(["liveApiKey", input.liveApiKey, "live"]);
  for (const [field, key, mode] of toCheck) {
    const check = await deps.checkKey(key);
    if (check.ok) continue;
    if (check.reason === "unauthorized") {
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
  const data: Record<string, string | null> = {};
  if (input.testApiKey) {
    data.testApiKeyCiphertext = box.encrypt(input.testApiKey, secretContext(shop.id, "test-key"));
    data.testApiKeyLast4 = lastFour(input.testApiKey);
  }
  if (input.removeLiveKey) {
    data.liveApiKeyCiphertext = null;
    data.liveApiKeyLast4 = null;
  } else if (input.liveApiKey) {
    data.liveApiKeyCiphertext = box.encrypt(input.liveApiKey, secretContext(shop.id, "live-key"));
    data.liveApiKeyLast4 = lastFour(input.liveApiKey);
  }
  if (input.webhookSecret) data.webhookSecretCiphertext = box.encrypt(input.webhookSecret, secretContext(shop.id, "webhook-secret"));

  const testLast4 = data.testApiKeyLast4 ?? shop.settings?.testApiKeyLast4 ?? "";
  const liveLast4 = "liveApiKeyLast4" in data ? data.liveApiKeyLast4 : shop.settings?.liveApiKeyLast4;
  // What Shopify shows the merchant as the connected account: the keys in use, masked.
  const externalHandle = liveLast4 ? `Accelebit live ••••${liveLast4}` : `Accelebit test ••••${testLast4}`;

  await db().shopSettings.upsert({
    where: { shopId: shop.id },
    create: { shopId: shop.id, ...data },
    update: data,
  });

  const configured = await deps.configure(shopDomain, { externalHandle, ready: true });
  if (configured.ok) {
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { ready: true, externalHandle, configuredAt: new Date() } });
    return { status: "saved", configured: true, settingsUrl: paymentsSettingsUrl(shopDomain, deps.apiKey) };
  }
  if ("userErrors" in configured) {
    // Shopify refused the configuration: the provider is not ready in Shopify's eyes either.
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { ready: false } });
    return { status: "saved", configured: false, userErrors: configured.userErrors.map((e) => e.message) };
  }
  // Shopify could not be reached: the keys are saved and the shop keeps the readiness it had
  // (docs/decisions/0007-replay-before-readiness.md); saving again tells Shopify.
  return { status: "saved", configured: false, failure: configured.failure };
}

/** Where Shopify wants merchants sent after onboarding (App Store requirement 5.2.7). */
export function paymentsSettingsUrl(shopDomain: string, apiKey: string): string {
  return `https://${shopDomain}/services/payments_partners/gateways/${apiKey}/settings`;
}

/** The decrypted Accelebit key of a mode, for the gateway adapter; null when not configured. */
export async function gatewayKeyFor(shopId: string, mode: GatewayMode, box: SecretBox): Promise<string | null> {
  const settings = await db().shopSettings.findUnique({ where: { shopId } });
  const ciphertext = mode === "test" ? settings?.testApiKeyCiphertext : settings?.liveApiKeyCiphertext;
  return ciphertext ? box.decrypt(ciphertext, secretContext(shopId, mode === "test" ? "test-key" : "live-key")) : null;
}
