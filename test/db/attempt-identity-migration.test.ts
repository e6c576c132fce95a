import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, migrate, type Connection } from "~/lib/migrator.server";
import { createTestDatabase, type TestDatabase } from "../support/database";

/**
 * The migration that gave every attempt its own identity (docs/decisions/0001-attempt-identity.md)
 * carries rows written by the previous version over: an attempt keeps the reference it was sent
 * with (Shopify's id), an attempt still in 3-D Secure is marked as sent to it, and open sessions
 * are handed to the sweeper at once.
 */
const BEFORE = "20261121070250_transactions_indexes";

let database: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  await migrate(database.url, { through: BEFORE });
  conn = await connect(database.url);
  await conn.exec(`
    INSERT INTO "Shop" ("id", "domain", "webhookToken", "updatedAt") VALUES ('shop1', 'old.myshopify.com', 'tok', CURRENT_TIMESTAMP);
    INSERT INTO "PaymentSession" ("id", "shopId", "shopifyId", "gid", "group", "kind", "amount", "currency", "test", "paymentMethodType", "status", "shopperToken", "updatedAt")
      VALUES ('open', 'shop1', 'S-open', 'gid://shopify/PaymentSession/S-open', 'g', 'sale', 10, 'EUR', true, 'offsite', 'three_ds', 't1', CURRENT_TIMESTAMP),
             ('done', 'shop1', 'S-done', 'gid://shopify/PaymentSession/S-done', 'g', 'sale', 10, 'EUR', true, 'offsite', 'resolved', 't2', CURRENT_TIMESTAMP);
    INSERT INTO "PaymentAttempt" ("id", "paymentSessionId", "number", "idempotencyKey", "status", "updatedAt")
      VALUES ('a1', 'open', 1, 'shopify-S-open-attempt-1', 'failed', CURRENT_TIMESTAMP),
             ('a2', 'open', 2, 'shopify-S-open-attempt-2', 'pending_3ds', CURRENT_TIMESTAMP),
             ('a3', 'done', 1, 'shopify-S-done-attempt-1', 'captured', CURRENT_TIMESTAMP);
    INSERT INTO "SessionEvent" ("id", "shopId", "paymentSessionId", "kind", "summary") VALUES ('e1', 'shop1', 'open', 'decision', 'kept');
  `);
  await migrate(database.url);
}, 60_000);

afterAll(async () => {
  await conn.close();
  await database.drop();
});

describe("the attempt-identity migration", () => {
  it("rebuilds tables without losing the rows that reference them (SQLite would cascade-delete them on DROP TABLE)", async () => {
    expect((await conn.query(`SELECT "id" FROM "SessionEvent"`)).map((r) => r.id)).toEqual(["e1"]);
    expect(await conn.query(`SELECT "id" FROM "PaymentAttempt"`)).toHaveLength(3);
  });

  it("keeps each older attempt's reference (Shopify's id) and marks the one in 3-D Secure", async () => {
    const rows = await conn.query(`SELECT "id", "merchantRef", "threeDs" FROM "PaymentAttempt" ORDER BY "id"`);
    expect(rows.map((r) => [r.id, r.merchantRef, Boolean(Number(r.threeDs) || r.threeDs === true)])).toEqual([
      ["a1", "S-open", false],
      ["a2", "S-open", true],
      ["a3", "S-done", false],
    ]);
  });

  it("hands open sessions to the sweeper and leaves settled ones alone", async () => {
    const rows = await conn.query(`SELECT "id", "nextCheckAt" FROM "PaymentSession" ORDER BY "id"`);
    expect(rows.map((r) => [r.id, r.nextCheckAt !== null])).toEqual([
      ["done", false],
      ["open", true],
    ]);
  });
});
