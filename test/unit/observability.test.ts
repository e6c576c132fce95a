import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "~/lib/logger";
import { gatewayPathTemplate } from "~/observability/metrics.server";
import { createRouteTemplater, methodLabel, statusLabel, UNMATCHED_ROUTE } from "~/observability/route-templates.server";
import { BUILD_ROUTES } from "../support/build-routes";
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

  it("redacts at any depth, in arrays, in child bindings and whatever the key's spelling", () => {
    const { logger, lines } = capture();
    const decrypted = { type: "card", data: { full_name: "Jim S", pan: "4111111111111111", month: 4, year: 2030, verification_value: "987" } };
    const deep = { a: { b: { c: { d: { e: { payload: decrypted } } } } } };
    logger
      .child({ session: { X_Api_Key: "smtgw_sk_live_child" } })
      .child({ grand: { token: "tok_grandchild" } })
      .info(
        {
          deep,
          list: [{ headers: { "X-Shopify-Access-Token": "shpat_in_list", Cookie: "shopify_app_session=offline_x" } }],
          verificationValue: "654",
          customer: { billing_address: { line1: "1 Secret Street" }, phone_number: "+35699000000" },
          webhook_secret: "whsec_nested",
          kept: { amount: "12.50", currency: "EUR", paymentSessionId: "ps_1" },
        },
        "payment",
      );
    const line = lines[0]!;
    const text = JSON.stringify(line);
    for (const secret of [
      "4111111111111111",
      "987",
      "654",
      "Jim S",
      "smtgw_sk_live_child",
      "shpat_in_list",
      "offline_x",
      "1 Secret Street",
      "+35699000000",
      "whsec_nested",
      "tok_grandchild",
    ])
      expect(text).not.toContain(secret);
    const redactedCard = { full_name: "[redacted]", pan: "[redacted]", month: "[redacted]", year: "[redacted]", verification_value: "[redacted]" };
    expect(line.deep).toEqual({ a: { b: { c: { d: { e: { payload: { type: "card", data: redactedCard } } } } } } });
    expect(line.kept).toEqual({ amount: "12.50", currency: "EUR", paymentSessionId: "ps_1" });
    expect(line.session).toEqual({ X_Api_Key: "[redacted]" });
    expect(line.grand).toEqual({ token: "[redacted]" });
  });

  it("a cycle or an absurdly deep object is cut, not followed", () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { pan: "4111111111111111" };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    logger.info({ cyclic, deep }, "odd shapes");
    const text = JSON.stringify(lines[0]);
    expect(text).toContain('"self":"[circular]"');
    expect(text).toContain('"[too deep]"');
    expect(text).not.toContain("4111111111111111");
  });

  it("Accelebit paths are measured as templates, without ids", () => {
    expect(gatewayPathTemplate("/v1/payments/f47ac10b-58cc")).toBe("/v1/payments/:id");
    expect(gatewayPathTemplate("/v1/payments")).toBe("/v1/payments");
    expect(gatewayPathTemplate("/prefix/v1/refunds/r-1")).toBe("/v1/refunds/:id");
    expect(gatewayPathTemplate("/v1/anything-else/x/y")).toBe("other");
  });
});

describe("route templates", () => {
  const templateOf = createRouteTemplater(BUILD_ROUTES);

  it("a path is labelled with the template of the route that serves it, without tokens", () => {
    expect(templateOf("/pay/AbC_123-xyz")).toBe("/pay/:token");
    expect(templateOf("/pay/AbC_123-xyz/return")).toBe("/pay/:token/return");
    expect(templateOf("/webhooks/accelebit/tok")).toBe("/webhooks/accelebit/:token");
    expect(templateOf("/card-3ds/tok")).toBe("/card-3ds/:token");
    expect(templateOf("/card-3ds/tok/return")).toBe("/card-3ds/:token/return");
    expect(templateOf("/shopify/payment")).toBe("/shopify/payment");
    expect(templateOf("/shopify/card/confirm")).toBe("/shopify/card/confirm");
    expect(templateOf("/app")).toBe("/app");
    expect(templateOf("/app/transactions")).toBe("/app/transactions");
    expect(templateOf("/app/transactions/cm123")).toBe("/app/transactions/:id");
    expect(templateOf("/auth/callback")).toBe("/auth/*");
    expect(templateOf("/")).toBe("/");
  });

  it("the CSV export has its own label (it used to be counted as a transaction page)", () => {
    expect(templateOf("/app/transactions/export.csv")).toBe("/app/transactions/export.csv");
  });

  it("every unknown path is one label", () => {
    const labels = new Set(["/nope", "/app/nope/deeper", "/pay", "/pay/a/b/c", "/%", "/shopify/unknown", "/.env", "/wp-login.php"].map(templateOf));
    expect([...labels]).toEqual([UNMATCHED_ROUTE]);
  });

  it("methods and statuses a client invents do not become labels", () => {
    expect(["GET", "POST", "BREW", "get", "X".repeat(100)].map(methodLabel)).toEqual(["GET", "POST", "OTHER", "OTHER", "OTHER"]);
    expect([200, 404, 99, 600, NaN].map(statusLabel)).toEqual(["200", "404", "invalid", "invalid", "invalid"]);
  });
});
