import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database";
import { useAppEnv } from "./app-env";

/**
 * A fresh database with one installed, configured shop, for a test file whose requests never
 * reach Accelebit (ACCELEBIT_API_URL points at a closed port). Registers the file's hooks.
 */
export function withSeededShop(shop: string, accelebitTestKey: string) {
  let database: TestDatabase;
  let db: typeof import("~/db.server").db;
  beforeAll(async () => {
    database = await createTestDatabase();
    useAppEnv({ DATABASE_URL: database.url, ACCELEBIT_API_URL: "http://127.0.0.1:9" });
    ({ db } = await import("~/db.server"));
    const { seedShop } = await import("~/merchants/seed-shop.server");
    const { secretBox } = await import("~/lib/secret-box.server");
    await seedShop(
      { shop, accessToken: `shpat_${shop.split(".")[0]}`, accelebitTestKey, scopes: "write_payment_gateways,write_payment_sessions" },
      secretBox(),
    );
  });
  afterAll(async () => {
    await db().$disconnect();
    await database.drop();
  });
  return { db: () => db() };
}
