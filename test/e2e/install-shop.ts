// Leaves a shop as a completed OAuth install would: the shop row and an encrypted offline
// session, with no Accelebit settings yet. Usage: tsx test/e2e/install-shop.ts <shop> <token>
import { Session } from "@shopify/shopify-api";
import { db } from "~/db.server";
import { recordInstall } from "~/merchants/shops.server";
import { shopify } from "~/shopify.server";

const [shop, accessToken] = process.argv.slice(2) as [string, string];
await recordInstall(shop);
await shopify().sessionStorage!.storeSession(
  new Session({ id: `offline_${shop}`, shop, state: "e2e", isOnline: false, accessToken, scope: "write_payment_gateways,write_payment_sessions" }),
);
await db().$disconnect();
