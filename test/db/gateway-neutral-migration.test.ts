import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, migrate, type Connection } from "~/lib/migrator.server";
import { createTestDatabase, type TestDatabase } from "../support/database";

/**
 * The migration to the gateway-neutral schema (docs/decisions/0011-gateway-port.md) carries
 * the rows of the previous version over, on both providers: a shop's Accelebit keys, webhook
 * token and signing secret move to the per-gateway tables with their ciphertexts unchanged (their
 * encryption contexts did not change, so they still decrypt); vendor id columns become the
 * neutral ones (a void's refund becomes the void's id); Accelebit's statuses, error names and
 * the job types named after it become the domain's.
 */
const BEFORE = "20261201204527_webhook_delivery_received_at_index";

let database: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  await migrate(database.url, { through: BEFORE });
  conn = await connect(database.url);
  await conn.exec(`
    INSERT INTO "Shop" ("id", "domain", "webhookToken", "updatedAt") VALUES ('shop1', 'old.myshopify.com', 'tok-old', CURRENT_TIMESTAMP),
      ('shop2', 'bare.myshopify.com', 'tok-bare', CURRENT_TIMESTAMP);
    INSERT INTO "ShopSettings" ("id", "shopId", "testApiKeyCiphertext", "testApiKeyLast4", "liveApiKeyCiphertext", "liveApiKeyLast4", "webhookSecretCiphertext", "ready", "updatedAt")
      VALUES ('set1', 'shop1', 'v1:k:test-cipher', '0001', 'v1:k:live-cipher', '0002', 'v1:k:hook-cipher', true, CURRENT_TIMESTAMP);
    INSERT INTO "PaymentSession" ("id", "shopId", "shopifyId", "gid", "group", "kind", "amount", "currency", "test", "paymentMethodType", "status", "shopperToken", "accelebitPaymentId", "gatewayStatus", "updatedAt")
      VALUES ('paid', 'shop1', 'S-paid', 'gid://shopify/PaymentSession/S-paid', 'g', 'sale', 10, 'EUR', true, 'offsite', 'resolved', 't1', 'pay_2', 'captured', CURRENT_TIMESTAMP),
             ('bank', 'shop1', 'S-bank', 'gid://shopify/PaymentSession/S-bank', 'g', 'sale', 10, 'EUR', true, 'offsite', 'three_ds', 't2', 'pay_3', 'pending_3ds', CURRENT_TIMESTAMP);
    INSERT INTO "PaymentAttempt" ("id", "paymentSessionId", "number", "idempotencyKey", "merchantRef", "status", "accelebitPaymentId", "errorName", "errorMessage", "updatedAt")
      VALUES ('a1', 'paid', 1, 'shopify-S-paid-attempt-1', 'S-paid-attempt-1', 'failed', 'pay_1', 'CARD_DECLINED', 'Do not honour', CURRENT_TIMESTAMP),
             ('a2', 'paid', 2, 'shopify-S-paid-attempt-2', 'S-paid-attempt-2', 'captured', 'pay_2', NULL, NULL, CURRENT_TIMESTAMP),
             ('a3', 'bank', 1, 'shopify-S-bank-attempt-1', 'S-bank-attempt-1', 'pending_3ds', 'pay_3', NULL, NULL, CURRENT_TIMESTAMP);
    INSERT INTO "RefundSession" ("id", "shopId", "shopifyId", "gid", "paymentShopifyId", "paymentSessionId", "amount", "currency", "test", "status", "accelebitRefundId", "updatedAt")
      VALUES ('r1', 'shop1', 'R-1', 'gid://shopify/RefundSession/R-1', 'S-paid', 'paid', 4, 'EUR', true, 'resolved', 'ref_1', CURRENT_TIMESTAMP);
    INSERT INTO "VoidSession" ("id", "shopId", "shopifyId", "gid", "paymentShopifyId", "paymentSessionId", "test", "status", "accelebitRefundId", "updatedAt")
      VALUES ('v1', 'shop1', 'V-1', 'gid://shopify/VoidSession/V-1', 'S-paid', 'paid', true, 'processing', 'ref_2', CURRENT_TIMESTAMP);
    INSERT INTO "Job" ("id", "type", "payload", "updatedAt") VALUES ('j1', 'accelebit.event', '{}', CURRENT_TIMESTAMP),
      ('j2', 'refund-session.refund', '{}', CURRENT_TIMESTAMP), ('j3', 'void-session.refund', '{}', CURRENT_TIMESTAMP);
  `);
  await migrate(database.url);
}, 60_000);

afterAll(async () => {
  await conn.close();
  await database.drop();
});

const rows = (sql: string) => conn.query(sql);

describe("the gateway-neutral migration", () => {
  it("moves each shop's Accelebit keys, webhook token and signing secret to the per-gateway tables, ciphertexts unchanged", async () => {
    expect(await rows(`SELECT "shopId", "gateway", "mode", "secretCiphertext", "secretLast4" FROM "GatewayCredential" ORDER BY "mode"`)).toEqual([
      { shopId: "shop1", gateway: "accelebit", mode: "live", secretCiphertext: "v1:k:live-cipher", secretLast4: "0002" },
      { shopId: "shop1", gateway: "accelebit", mode: "test", secretCiphertext: "v1:k:test-cipher", secretLast4: "0001" },
    ]);
    expect(await rows(`SELECT "shopId", "gateway", "webhookToken", "webhookSecretCiphertext" FROM "ShopGateway" ORDER BY "shopId"`)).toEqual([
      { shopId: "shop1", gateway: "accelebit", webhookToken: "tok-old", webhookSecretCiphertext: "v1:k:hook-cipher" },
      { shopId: "shop2", gateway: "accelebit", webhookToken: "tok-bare", webhookSecretCiphertext: null },
    ]);
    const ready = await rows(`SELECT "ready" FROM "ShopSettings" WHERE "shopId" = 'shop1'`);
    expect(ready.map((r) => Boolean(Number(r.ready) || r.ready === true))).toEqual([true]);
  });

  it("keeps every payment, attempt, refund and void, under the neutral id columns and statuses", async () => {
    expect(await rows(`SELECT "id", "gateway", "gatewayPaymentId", "gatewayStatus" FROM "PaymentSession" ORDER BY "id"`)).toEqual([
      { id: "bank", gateway: "accelebit", gatewayPaymentId: "pay_3", gatewayStatus: "action_required" },
      { id: "paid", gateway: "accelebit", gatewayPaymentId: "pay_2", gatewayStatus: "captured" },
    ]);
    expect(await rows(`SELECT "id", "status", "gatewayPaymentId", "errorName", "errorMessage" FROM "PaymentAttempt" ORDER BY "id"`)).toEqual([
      { id: "a1", status: "failed", gatewayPaymentId: "pay_1", errorName: "DECLINED", errorMessage: "(CARD_DECLINED) Do not honour" },
      { id: "a2", status: "captured", gatewayPaymentId: "pay_2", errorName: null, errorMessage: null },
      { id: "a3", status: "action_required", gatewayPaymentId: "pay_3", errorName: null, errorMessage: null },
    ]);
    expect(await rows(`SELECT "id", "gateway", "gatewayRefundId" FROM "RefundSession"`)).toEqual([
      { id: "r1", gateway: "accelebit", gatewayRefundId: "ref_1" },
    ]);
    expect(await rows(`SELECT "id", "gateway", "gatewayVoidId" FROM "VoidSession"`)).toEqual([{ id: "v1", gateway: "accelebit", gatewayVoidId: "ref_2" }]);
  });

  it("renames the stored job types its handlers now have", async () => {
    expect((await rows(`SELECT "type" FROM "Job" ORDER BY "id"`)).map((r) => r.type)).toEqual([
      "gateway.event",
      "refund-session.gateway",
      "void-session.gateway",
    ]);
  });
});
