import { randomBytes } from "node:crypto";
import { db } from "~/db.server";
import { shopGateway } from "~/merchants/credentials.server";

/** A fresh unguessable token for a shop's webhook URL of one gateway. */
export function newWebhookToken(): string {
  return randomBytes(18).toString("base64url");
}

/** Called after OAuth: the shop exists and is active (again, after a reinstall), with its Accelebit webhook URL. */
export async function recordInstall(domain: string) {
  const shop = await db().shop.upsert({
    where: { domain },
    create: { domain },
    update: { active: true, uninstalledAt: null, installedAt: new Date() },
  });
  await shopGateway(db(), shop.id, "accelebit");
  return shop;
}

export function findShop(domain: string) {
  return db().shop.findUnique({ where: { domain }, include: { settings: true } });
}
