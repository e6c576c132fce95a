// npm run dev:seed-shop -- --shop <domain> --access-token <token> --accelebit-test-key <key>
//                          [--accelebit-live-key <key>] [--webhook-secret <secret>]
//                          [--accrue-test-client-id <uuid> --accrue-test-client-secret <secret>]
// Registers an installed, configured shop without OAuth. Refuses to run in production.
import { parseArgs } from "node:util";
import { db } from "../app/db.server";
import { config, developmentFeaturesEnabled } from "../app/lib/config.server";
import { secretBox } from "../app/lib/secret-box.server";
import { seedShop, seedShopInput } from "../app/merchants/seed-shop.server";

// Production unless told otherwise (docs/decisions/production-by-default.md).
const development = (() => {
  try {
    return developmentFeaturesEnabled(config());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return process.exit(1);
  }
})();
if (!development) {
  console.error("dev:seed-shop registers shops without OAuth: it runs only with NODE_ENV=development or test.");
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    shop: { type: "string" },
    "access-token": { type: "string" },
    "accelebit-test-key": { type: "string" },
    "accelebit-live-key": { type: "string" },
    "webhook-secret": { type: "string" },
    "accrue-test-client-id": { type: "string" },
    "accrue-test-client-secret": { type: "string" },
  },
});
const parsed = seedShopInput.safeParse({
  shop: values.shop,
  accessToken: values["access-token"],
  accelebitTestKey: values["accelebit-test-key"],
  accelebitLiveKey: values["accelebit-live-key"],
  webhookSecret: values["webhook-secret"],
  accrueTestClientId: values["accrue-test-client-id"],
  accrueTestClientSecret: values["accrue-test-client-secret"],
});
if (!parsed.success) {
  const names: Record<string, string> = {
    shop: "--shop",
    accessToken: "--access-token",
    accelebitTestKey: "--accelebit-test-key",
    accelebitLiveKey: "--accelebit-live-key",
    webhookSecret: "--webhook-secret",
    accrueTestClientId: "--accrue-test-client-id",
    accrueTestClientSecret: "--accrue-test-client-secret",
  };
  for (const issue of parsed.error.issues) console.error(`${names[String(issue.path[0])] ?? issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}
try {
  config();
  const shop = await seedShop(parsed.data, secretBox());
  console.log(`seeded ${shop.domain} (Accelebit webhook path /webhooks/accelebit/${shop.webhookToken})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db().$disconnect();
}
