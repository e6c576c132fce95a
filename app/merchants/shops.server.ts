import { randomBytes } from "node:crypto";
import { db } from "~/db.server";

/** A fresh unguessable token for the shop's Accelebit webhook URL. */
export function newWebhookToken(): string {
  return randomBytes(18).toString("base64url");
}

/** Called after OAuth: the shop exists and is active (again, after a reinstall). */
export async function recordInstall(domain: string) {
  return db().shop.upsert({
    where: { domain },
    create: { domain, webhookToken: newWebhookToken() },
    update: { active: true, uninstalledAt: null, installedAt: new Date() },
  });
}

export function findShop(domain: string) {
  return db().shop.findUnique({ where: { domain }, include: { settings: true } });
}
