/**
 * The webhooks the app registered at a gateway through its API (Accrue), deleted when the shop
 * uninstalls the app (docs/decisions/accrue-a12-webhook-registration.md): a job, so a gateway
 * that is down then is asked again, and Shopify's app/uninstalled is answered at once.
 */
import { z } from "zod";
import { db } from "~/db.server";
import { jobHandler, type JobClient } from "~/jobs";
import { enqueueJob } from "~/jobs/enqueue.server";
import type { SecretBox } from "~/lib/secret-box";
import { loadCredentials, loadModeWebhooks, saveModeWebhooks, type ModeWebhooks } from "~/merchants/credentials.server";
import type { Gateways } from "~/payments/gateway-account.server";
import { GATEWAY_IDS, type GatewayMode } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";

export const REMOVE_GATEWAY_WEBHOOKS = "gateway-webhooks.remove";

/** Books the removal of a shop's registered gateway webhooks (once per uninstall). */
export function scheduleWebhookRemoval(client: JobClient, shopId: string, uninstalledAt: Date) {
  return enqueueJob(client, {
    type: REMOVE_GATEWAY_WEBHOOKS,
    payload: { shopId },
    shopId,
    dedupeKey: jobKeys.removeGatewayWebhooks(shopId, uninstalledAt),
  });
}

export function removeGatewayWebhooksHandler(deps: () => { gateways: Gateways; box: SecretBox }) {
  return jobHandler(z.object({ shopId: z.string().min(1) }), async ({ shopId }) => {
    const { gateways, box } = deps();
    const shop = await db().shop.findUnique({ where: { id: shopId }, select: { active: true } });
    // Reinstalled since: its registrations are in use again.
    if (!shop || shop.active) return;
    const failures: string[] = [];
    for (const id of GATEWAY_IDS) {
      const gateway = gateways(id);
      if (!gateway.webhooks) continue;
      const registered = await loadModeWebhooks(db(), shopId, id, box);
      const left: ModeWebhooks = { ...registered };
      for (const mode of Object.keys(registered) as GatewayMode[]) {
        const credentials = await loadCredentials(shopId, id, mode, box);
        // Without credentials the webhook cannot be deleted by us; its deliveries are refused
        // once the secret is gone, and the merchant's account still lists it.
        if (!credentials) {
          delete left[mode];
          continue;
        }
        const removed = await gateway.webhooks.remove(credentials, mode, registered[mode]!.webhookId);
        if (removed.ok) delete left[mode];
        else failures.push(`${gateway.displayName} ${mode}: ${removed.error.message}`);
      }
      if (Object.keys(left).length !== Object.keys(registered).length) await saveModeWebhooks(db(), box, shopId, id, left);
    }
    // What is left is retried with the job's backoff.
    if (failures.length) throw new Error(`Webhooks not deleted yet: ${failures.join("; ")}`);
  });
}
