import { z } from "zod";

/**
 * Shopify's payment session request (the body it POSTs to the extension's payment_session_url),
 * validated at the edge. Unknown fields are ignored (Shopify adds fields over time); everything
 * we rely on is checked.
 */

const address = z.object({
  given_name: z.string().max(255).nullish(),
  family_name: z.string().max(255).nullish(),
  line1: z.string().max(255).nullish(),
  line2: z.string().max(255).nullish(),
  city: z.string().max(255).nullish(),
  postal_code: z.string().max(64).nullish(),
  province: z.string().max(255).nullish(),
  province_code: z.string().max(16).nullish(),
  country_code: z.string().max(2).nullish(),
  phone_number: z.string().max(64).nullish(),
  company: z.string().max(255).nullish(),
});
export type ShopifyAddress = z.infer<typeof address>;

/** "123.00": a dot decimal, never a float. The upper bound only rejects absurd values. */
export const shopifyAmount = z
  .string({ error: "must be a decimal string" })
  .regex(/^\d{1,12}(\.\d{1,3})?$/, 'must be a decimal string such as "123.00"')
  .refine((v) => /[1-9]/.test(v), "must be greater than zero");

export const currencyCode = z.string({ error: "is required" }).regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR");

/**
 * Shopify's session ids, in the documented shape (docs/decisions/shopify-session-ids.md): opaque
 * tokens of letters and digits (`u0nwmSrNntjIWozmNslK5Tlq`). They become part of Accelebit
 * Idempotency-Keys and merchant references, so an id of any other shape is refused here, with a
 * 4xx at intake, instead of being accepted and failing later.
 */
export const shopifySessionId = z.string({ error: "is required" }).regex(/^[A-Za-z0-9]{1,64}$/, "must be a Shopify session id: 1–64 letters and digits");

export type SessionGidType = "PaymentSession" | "RefundSession" | "CaptureSession" | "VoidSession";

/** A request's `gid` must be exactly `gid://shopify/<Type>/<its id>`: the id the mutation will name. */
export function gidMatchesId<T extends { id: string; gid?: string | null }>(type: SessionGidType) {
  return (body: T, ctx: z.RefinementCtx) => {
    if (body.gid !== undefined && body.gid !== null && body.gid !== `gid://shopify/${type}/${body.id}`)
      ctx.addIssue({ code: "custom", path: ["gid"], message: `must be a ${type} gid naming the request's id (gid://shopify/${type}/<id>)` });
  };
}

/** `group` and `session_id` look like base64 in every documented example; anything with spaces or controls is not Shopify's. */
const shopifyToken = z.string().regex(/^[A-Za-z0-9+/=_-]{1,255}$/, "must be a Shopify token (base64 characters, at most 255)");

export const paymentSessionFields = z.object({
  id: shopifySessionId,
  gid: z.string({ error: "is required" }).max(300),
  group: shopifyToken,
  session_id: shopifyToken.nullish(),
  amount: shopifyAmount,
  currency: currencyCode,
  test: z.boolean({ error: "must be true or false" }),
  merchant_locale: z.string().max(35).nullish(),
  kind: z.enum(["sale", "authorization"], { error: 'must be "sale" or "authorization"' }),
  proposed_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullish(),
  payment_method: z.object({
    type: z.literal("offsite", { error: 'must be "offsite" for this extension' }),
    data: z
      .object({ cancel_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }) })
      .partial()
      .nullish(),
  }),
  // Older API versions put cancel_url at the top level.
  cancel_url: z.url({ protocol: /^https?$/ }).nullish(),
  customer: z
    .object({
      email: z.string().max(320).nullish(),
      phone_number: z.string().max(64).nullish(),
      locale: z.string().max(35).nullish(),
      billing_address: address.nullish(),
      shipping_address: address.nullish(),
    })
    .nullish(),
  client_details: z
    .object({ ip_address: z.string().max(64).nullish(), user_agent: z.string().max(1024).nullish() })
    .partial()
    .nullish(),
});

export const paymentSessionBody = paymentSessionFields.superRefine(gidMatchesId("PaymentSession"));
export type PaymentSessionBody = z.infer<typeof paymentSessionBody>;

export const sessionHeaders = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "Shopify-Shop-Domain must be a *.myshopify.com domain"),
  requestId: z.string().min(1, "Shopify-Request-Id is required").max(255),
  apiVersion: z.string().regex(/^\d{4}-\d{2}$|^unstable$/, "Shopify-Api-Version must look like 2026-04"),
});
export type SessionHeaders = z.infer<typeof sessionHeaders>;

export function readSessionHeaders(request: Request) {
  return sessionHeaders.safeParse({
    shop: request.headers.get("Shopify-Shop-Domain") ?? "",
    requestId: request.headers.get("Shopify-Request-Id") ?? "",
    apiVersion: request.headers.get("Shopify-Api-Version") ?? "",
  });
}

/** One readable line per problem, for the 4xx answer. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")} ${i.message}` : i.message)).join("; ");
}
