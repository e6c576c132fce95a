import { z } from "zod";
import { db } from "~/db.server";
import type { Logger } from "~/lib/logger";
import type { SecretBox } from "~/lib/secret-box";
import {
  credentialContext,
  loadModeWebhooks,
  removeCredentials,
  saveCredentials,
  saveModeWebhooks,
  shopGateway,
  type ModeWebhook,
  type ModeWebhooks,
} from "~/merchants/credentials.server";
import { accrueClientId, accrueClientSecret } from "~/merchants/gateway-keys";
import { tellShopify, type ConfigureOutcome, type ConfigurePaymentsAppFn } from "~/merchants/readiness.server";
import type { CredentialCheck, GatewayCredentials, GatewayMode, GatewayWebhooks } from "~/payments/gateway/port";

/**
 * The setup page's Accrue section (docs/decisions/accrue-merchant-setup.md): a Client ID and
 * Client Secret per mode (sandbox = "test", live), proven against Accrue with a harmless
 * authenticated GET before anything is written, stored encrypted like every secret; then our
 * webhook is registered with Accrue for the mode through its API
 * (docs/decisions/accrue-a12-webhook-registration.md) and its id and secret stored encrypted.
 */
export interface AccrueSettingsDeps {
  /** The port's checkCredentials for Accrue. */
  check(credentials: GatewayCredentials, mode: GatewayMode): Promise<CredentialCheck>;
  /** The port's webhook registration for Accrue. */
  webhooks: GatewayWebhooks;
  configure: ConfigurePaymentsAppFn;
  box: SecretBox;
  appUrl: string;
  apiKey: string;
  logger: Logger;
}

export function accrueWebhookUrl(appUrl: string, webhookToken: string): string {
  return `${appUrl}/webhooks/accrue/${webhookToken}`;
}

const MODE_NAME: Record<GatewayMode, string> = { test: "sandbox", live: "live" };

// A blank field keeps what is stored; the checkbox removes the live credentials.
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const accrueForm = z.object({
  accrueTestClientId: z.preprocess(blankToUndefined, accrueClientId.optional()),
  accrueTestClientSecret: z.preprocess(blankToUndefined, accrueClientSecret.optional()),
  accrueLiveClientId: z.preprocess(blankToUndefined, accrueClientId.optional()),
  accrueLiveClientSecret: z.preprocess(blankToUndefined, accrueClientSecret.optional()),
  removeAccrueLive: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
});

export type AccrueFieldName = "accrueTestClientId" | "accrueTestClientSecret" | "accrueLiveClientId" | "accrueLiveClientSecret";
const FIELDS: Record<GatewayMode, { clientId: AccrueFieldName; secret: AccrueFieldName }> = {
  test: { clientId: "accrueTestClientId", secret: "accrueTestClientSecret" },
  live: { clientId: "accrueLiveClientId", secret: "accrueLiveClientSecret" },
};

/** What a mode's registration came to in this save: kept, newly registered, or a problem the merchant is told about. */
export type WebhookStatus = "kept" | "registered" | "failed" | "none";

export type SaveAccrueResult = { form: "accrue" } & (
  | { status: "invalid"; fieldErrors: Partial<Record<AccrueFieldName, string>> }
  | { status: "gateway-unreachable"; message: string }
  | ({ status: "saved"; webhooks: Record<GatewayMode, WebhookStatus>; webhookProblems: string[] } & ConfigureOutcome)
);

type Plan = { kind: "keep" } | { kind: "new"; credentials: GatewayCredentials } | { kind: "remove" } | { kind: "none" };

export async function saveAccrueSettings(shopDomain: string, form: Record<string, unknown>, deps: AccrueSettingsDeps): Promise<SaveAccrueResult> {
  const parsed = accrueForm.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<AccrueFieldName, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as AccrueFieldName;
      fieldErrors[field] ??= issue.message;
    }
    return { form: "accrue", status: "invalid", fieldErrors };
  }
  const input = parsed.data;
  const shop = await db().shop.findUnique({ where: { domain: shopDomain }, include: { credentials: { where: { gateway: "accrue" } } } });
  if (!shop) throw new Response("Shop not installed", { status: 404 });
  const stored = (mode: GatewayMode) => shop.credentials.find((c) => c.mode === mode) ?? null;
  const storedCredentials = (mode: GatewayMode): GatewayCredentials | null => {
    const row = stored(mode);
    return row ? { secret: deps.box.decrypt(row.secretCiphertext, credentialContext(shop.id, "accrue", mode)), publicId: row.publicId } : null;
  };

  // What the form asks for, per mode; a Client ID and its secret go together.
  const fieldErrors: Partial<Record<AccrueFieldName, string>> = {};
  const planFor = (mode: GatewayMode, clientId: string | undefined, secret: string | undefined, remove: boolean): Plan => {
    if (remove) return stored(mode) ? { kind: "remove" } : { kind: "none" };
    const fields = FIELDS[mode];
    const storedId = stored(mode)?.publicId ?? null;
    if (secret) {
      const id = clientId ?? storedId;
      if (!id) {
        fieldErrors[fields.clientId] = `Enter the ${MODE_NAME[mode]} Client ID that goes with this Client Secret.`;
        return { kind: "none" };
      }
      return { kind: "new", credentials: { secret, publicId: id } };
    }
    if (clientId && clientId.toLowerCase() !== storedId?.toLowerCase()) {
      fieldErrors[fields.secret] = `Enter the ${MODE_NAME[mode]} Client Secret that goes with this Client ID.`;
      return { kind: "none" };
    }
    return stored(mode) ? { kind: "keep" } : { kind: "none" };
  };
  const plans: Record<GatewayMode, Plan> = {
    test: planFor("test", input.accrueTestClientId, input.accrueTestClientSecret, false),
    live: planFor("live", input.accrueLiveClientId, input.accrueLiveClientSecret, input.removeAccrueLive),
  };
  if (plans.test.kind === "none" && !fieldErrors.accrueTestClientId && !fieldErrors.accrueTestClientSecret) {
    fieldErrors.accrueTestClientId = "Sandbox credentials are required: Shopify test orders use them.";
  }
  if (Object.keys(fieldErrors).length) return { form: "accrue", status: "invalid", fieldErrors };

  // Proven against Accrue before anything is written.
  for (const mode of ["test", "live"] as const) {
    const plan = plans[mode];
    if (plan.kind !== "new") continue;
    const check = await deps.check(plan.credentials, mode);
    if (check.ok) continue;
    if (check.reason === "refused") {
      fieldErrors[FIELDS[mode].secret] =
        `Accrue's ${MODE_NAME[mode]} environment did not accept this Client ID and Client Secret (401 Unauthorized). ` +
        `Copy both again from your Accrue dashboard (${MODE_NAME[mode]} credentials).`;
    } else {
      return {
        form: "accrue",
        status: "gateway-unreachable",
        message: `Accrue could not be reached to check your ${MODE_NAME[mode]} credentials; nothing was saved. Try again in a minute. (${check.message})`,
      };
    }
  }
  if (Object.keys(fieldErrors).length) return { form: "accrue", status: "invalid", fieldErrors };

  // The webhook per mode: new credentials get a new registration (the old one is deleted once
  // the new one is stored); kept credentials without a registration retry it; removed ones lose it.
  const { webhookToken } = await shopGateway(db(), shop.id, "accrue");
  const url = accrueWebhookUrl(deps.appUrl, webhookToken);
  const before = await loadModeWebhooks(db(), shop.id, "accrue", deps.box);
  const after: ModeWebhooks = {};
  const statuses: Record<GatewayMode, WebhookStatus> = { test: "none", live: "none" };
  const created: { mode: GatewayMode; credentials: GatewayCredentials; webhook: ModeWebhook }[] = [];
  const obsolete: { mode: GatewayMode; credentials: GatewayCredentials | null; webhook: ModeWebhook }[] = [];
  const webhookProblems: string[] = [];
  for (const mode of ["test", "live"] as const) {
    const plan = plans[mode];
    const old = before[mode];
    if (plan.kind === "keep" && old) {
      after[mode] = old;
      statuses[mode] = "kept";
      continue;
    }
    if (old) obsolete.push({ mode, credentials: storedCredentials(mode), webhook: old });
    if (plan.kind === "remove" || plan.kind === "none") continue;
    const credentials = plan.kind === "new" ? plan.credentials : storedCredentials(mode)!;
    const registered = await deps.webhooks.register(credentials, mode, url);
    if (registered.ok) {
      after[mode] = registered.value;
      created.push({ mode, credentials, webhook: registered.value });
      statuses[mode] = "registered";
    } else {
      statuses[mode] = "failed";
      deps.logger.warn({ shop: shopDomain, mode, reason: registered.error.reason }, "Accrue webhook registration failed; the credentials are saved without it");
      webhookProblems.push(
        `Your ${MODE_NAME[mode]} credentials are saved, but Accrue did not register our webhook (${registered.error.message}). ` +
          `Payments still work: their updates are read back on a schedule instead of at once. Save again to retry.`,
      );
    }
  }

  // Every credential and registration of the save, or none of them.
  try {
    await db().$transaction(async (tx) => {
      const key = (mode: GatewayMode) => ({ shopId: shop.id, gateway: "accrue" as const, mode });
      for (const mode of ["test", "live"] as const) {
        const plan = plans[mode];
        if (plan.kind === "new") await saveCredentials(tx, deps.box, key(mode), plan.credentials);
        if (plan.kind === "remove") await removeCredentials(tx, key(mode));
      }
      await saveModeWebhooks(tx, deps.box, shop.id, "accrue", after);
      await tx.shopSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id }, update: {} });
    });
  } catch (error) {
    // Nothing was stored: the webhooks just made would sign deliveries nobody can verify.
    await removeAll(created, deps);
    throw error;
  }
  // The registrations replaced or dropped: best-effort (an orphan's deliveries fail verification and do no harm).
  await removeAll(obsolete, deps);

  return { form: "accrue", status: "saved", webhooks: statuses, webhookProblems, ...(await tellShopify(shopDomain, shop.id, deps)) };
}

async function removeAll(webhooks: { mode: GatewayMode; credentials: GatewayCredentials | null; webhook: ModeWebhook }[], deps: AccrueSettingsDeps) {
  for (const { mode, credentials, webhook } of webhooks) {
    if (!credentials) continue;
    const removed = await deps.webhooks.remove(credentials, mode, webhook.webhookId).catch((error: unknown) => ({
      ok: false as const,
      error: { reason: "unexpected", message: error instanceof Error ? error.message : String(error) },
    }));
    if (!removed.ok) deps.logger.warn({ mode, webhookId: webhook.webhookId, reason: removed.error.reason }, "an old Accrue webhook could not be deleted");
  }
}
