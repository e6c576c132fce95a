import { describe, expect, it } from "vitest";
import { connect } from "~/lib/migrator.server";
import { scanForSecrets } from "../e2e/secret-scan";
import { createTestDatabase } from "../support/database";

describe("the e2e secret scan can fail", () => {
  it("finds a card number or a security code in the logs and a key in a stored row", async () => {
    const database = await createTestDatabase();
    const conn = await connect(database.url);
    await conn.exec(`INSERT INTO "WebhookDelivery" (id, "webhookId", topic, "shopDomain") VALUES ('w1', 'smtgw_sk_test_E2ePayShopKey0001', 't', 's')`);
    await conn.close();
    const clean = await scanForSecrets('{"msg":"ok","cardLast4":"4242"}', database.url);
    const dirty = await scanForSecrets('{"card":{"number":"4242424242424242","cvv":"123"}}', database.url);
    await database.drop();
    expect(clean.hits).toEqual(["WebhookDelivery: smtgw_…"]);
    expect(dirty.hits).toEqual(["WebhookDelivery: smtgw_…", "app log: 424242…", "app log: a security code"]);
  });
});
