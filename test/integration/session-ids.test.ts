import { describe, expect, it } from "vitest";
import { shopifyLikeId } from "../simulators/shopify/ids";
import { withSeededShop } from "../support/seeded-shop";
import { callRoute } from "../support/shopify-auth";

/**
 * Shopify's ids at the edge (docs/decisions/shopify-session-ids.md): a session id of any other
 * shape than Shopify's (letters and digits), or a gid that does not name the request's id, is
 * a 422 at intake with nothing stored, never a 201 followed by a reject.
 */
const SHOP = "ids-shop.myshopify.com";
const HEADERS = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "req-ids-1", "Shopify-Api-Version": "2026-04" };
// Shopify's documented example ids (docs/decisions/shopify-session-ids.md).
const PAYMENT_ID = "u0nwmSrNntjIWozmNslK5Tlq";
const REFUND_ID = "PJUG6iB0xU7czy1ZN3xEwn4o";

const { db } = withSeededShop(SHOP, "smtgw_sk_test_IdsShopKey00001");

const offsite = (id: string, gid = `gid://shopify/PaymentSession/${id}`) => ({
  id,
  gid,
  group: "rZNvy+1jH6Z+BcPqA5U5BSIcnUavBha3C63xBalm+xE=",
  session_id: "4B2dxmle3vGgimS4deUX3+2PgLF2+/0ZWnNsNSZcgdU=",
  amount: "123.00",
  currency: "CAD",
  test: true,
  merchant_locale: "en",
  payment_method: { type: "offsite", data: { cancel_url: "https://my-test-shop.com/1/checkouts/4c94" } },
  proposed_at: "2020-07-13T00:00:00Z",
  kind: "sale",
});
const card = (id: string, gid = `gid://shopify/PaymentSession/${id}`) => ({
  ...offsite(id, gid),
  payment_method: {
    type: "credit_card",
    data: { fingerprint: "f".repeat(64), encrypted_message: "AAAA", ephemeral_public_key: "-----BEGIN PUBLIC KEY-----", tag: "AAAA" },
  },
});
const finalized =
  (type: "RefundSession" | "CaptureSession" | "VoidSession") =>
  (id: string, gid = `gid://shopify/${type}/${id}`, paymentId = PAYMENT_ID) => ({
    id,
    gid,
    payment_id: paymentId,
    ...(type === "VoidSession" ? {} : { amount: "10.00", currency: "CAD" }),
    merchant_locale: "en",
    proposed_at: "2021-07-13T00:00:00Z",
  });
const confirmation = (id: string, gid = `gid://shopify/PaymentSession/${id}`) => ({ id, gid, confirmation_result: true });

const ROUTES = [
  ["/shopify/payment", () => import("~/routes/shopify.payment"), offsite],
  ["/shopify/card/payment", () => import("~/routes/shopify.card.payment"), card],
  ["/shopify/refund", () => import("~/routes/shopify.refund"), finalized("RefundSession")],
  ["/shopify/capture", () => import("~/routes/shopify.capture"), finalized("CaptureSession")],
  ["/shopify/void", () => import("~/routes/shopify.void"), finalized("VoidSession")],
  ["/shopify/card/confirm", () => import("~/routes/shopify.card.confirm"), confirmation],
] as const;

async function post(path: string, load: () => Promise<{ action: unknown }>, body: unknown) {
  const { action } = await load();
  return callRoute(action as never, new Request(`http://localhost:3999${path}`, { method: "POST", headers: HEADERS, body: JSON.stringify(body) }));
}

const stored = () =>
  Promise.all([
    db().paymentSession.count(),
    db().refundSession.count(),
    db().captureSession.count(),
    db().voidSession.count(),
    db().job.count(),
    db().sessionEvent.count(),
  ]);

const BAD_IDS: [string, string][] = [
  ["with a space", "u0nwmSrN ntjIWozmNslK5Tlq"],
  ["with a dash and underscore", "pay-1_x"],
  ["of 65 characters", "a".repeat(65)],
  ["with a path", "../../etc/passwd"],
  ["with a newline", "u0nwmSrNntjIWozmNslK5Tlq\n"],
  ["in another alphabet", "ü0nwmSrNntjIWozmNslK5Tlq"],
  ["empty", ""],
];

describe("Shopify session ids at the edge", () => {
  it.each(ROUTES.flatMap(([path, load, body]) => BAD_IDS.map(([label, id]) => [path, label, load, body, id] as const)))(
    "%s refuses an id %s with 422 and stores nothing",
    async (path, _label, load, body, id) => {
      const before = await stored();
      const res = await post(path, load, body(id));
      expect(res.status).toBe(422);
      expect(await res.text()).toContain("id must be a Shopify session id: 1–64 letters and digits");
      expect(await stored()).toEqual(before);
    },
  );

  it.each(ROUTES.map(([path, load, body]) => [path, load, body] as const))(
    "%s refuses a gid that names another id (422, nothing stored)",
    async (path, load, body) => {
      const before = await stored();
      const type = path.includes("refund")
        ? "RefundSession"
        : path.includes("capture")
          ? "CaptureSession"
          : path.includes("void")
            ? "VoidSession"
            : "PaymentSession";
      const res = await post(path, load, body(REFUND_ID, `gid://shopify/${type}/${PAYMENT_ID}`));
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(`gid must be a ${type} gid naming the request's id (gid://shopify/${type}/<id>)`);
      expect(await stored()).toEqual(before);
    },
  );

  it.each(["/shopify/refund", "/shopify/capture", "/shopify/void"])("%s refuses a payment_id of another shape (422, nothing stored)", async (path) => {
    const route = ROUTES.find(([p]) => p === path)!;
    const before = await stored();
    const res = await post(path, route[1], (route[2] as ReturnType<typeof finalized>)(REFUND_ID, undefined, "pay 1"));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("payment_id must be a Shopify session id");
    expect(await stored()).toEqual(before);
  });

  it("the documented example id is taken in (201 and one row)", async () => {
    const res = await post("/shopify/payment", ROUTES[0][1], offsite(PAYMENT_ID));
    expect(res.status).toBe(201);
    expect(await db().paymentSession.count({ where: { shopifyId: PAYMENT_ID } })).toBe(1);
  });

  it("every id the Shopify simulator makes has the documented shape", async () => {
    const { shopifySessionId } = await import("~/payments/session-request");
    for (let i = 0; i < 2000; i++) expect(shopifySessionId.safeParse(shopifyLikeId()).success).toBe(true);
  });
});
