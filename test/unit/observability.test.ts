import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "~/lib/logger";
import { pathTemplate } from "~/observability/metrics.server";
import { annotateRequest, runWithRequestContext } from "~/observability/request-context.server";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger(stream, "info"), lines };
}

describe("structured logs", () => {
  it("every line of a request carries its request id, Shopify's request id, the shop and the session", () => {
    const { logger, lines } = capture();
    const headers = new Headers({ "Shopify-Request-Id": "req-123", "Shopify-Shop-Domain": "a-shop.myshopify.com" });
    runWithRequestContext(headers, () => {
      logger.info("first");
      annotateRequest({ paymentSessionId: "ps_1" });
      logger.info("second");
    });
    logger.info("outside");
    expect(lines[0]).toMatchObject({ msg: "first", shopifyRequestId: "req-123", shop: "a-shop.myshopify.com" });
    expect(lines[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[1]).toMatchObject({ msg: "second", paymentSessionId: "ps_1", requestId: lines[0]!.requestId });
    expect(lines[2]!.requestId).toBeUndefined();
  });

  it("redacts card data, secrets and personal data whatever object is logged", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        card: { number: "4242424242424242", cvv: "123" },
        apiKey: "smtgw_sk_test_x",
        accessToken: "shpat_x",
        email: "a@b.c",
        billingAddress: "{}",
        clientIp: "203.0.113.1",
      },
      "payment",
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ["4242424242424242", "smtgw_sk_test_x", "shpat_x", "a@b.c", "203.0.113.1"]) expect(text).not.toContain(secret);
  });

  it("paths are logged and measured as templates, without tokens", () => {
    expect(pathTemplate("/pay/AbC_123-xyz")).toBe("/pay/:token");
    expect(pathTemplate("/pay/AbC_123-xyz/return")).toBe("/pay/:token/return");
    expect(pathTemplate("/webhooks/accelebit/tok")).toBe("/webhooks/accelebit/:token");
    expect(pathTemplate("/card-3ds/tok")).toBe("/card-3ds/:token");
    expect(pathTemplate("/v1/payments/f47ac10b-58cc")).toBe("/v1/payments/:id");
    expect(pathTemplate("/shopify/payment")).toBe("/shopify/payment");
  });
});
