import { z } from "zod";
import { currencyCode, gidMatchesId, shopifyAmount, shopifySessionId } from "~/payments/session-request";

/**
 * Shopify's refund, capture and void session requests (`id`, `gid`, `payment_id`, plus `amount`
 * and `currency` except for a void), validated at the edge. Unknown fields are ignored. Whether
 * `payment_id` names a payment of this shop is not a matter of shape: that is decided later and
 * answered with a reject, never a 4xx.
 */

const common = {
  id: shopifySessionId,
  gid: z.string({ error: "is required" }).max(300),
  payment_id: shopifySessionId,
  merchant_locale: z.string().max(35).nullish(),
  proposed_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullish(),
  // Only in third-party models; the payment's own test flag is what selects the key.
  test: z.boolean({ error: "must be true or false" }).nullish(),
};

export const refundSessionBody = z.object({ ...common, amount: shopifyAmount, currency: currencyCode }).superRefine(gidMatchesId("RefundSession"));
export type RefundSessionBody = z.infer<typeof refundSessionBody>;

export const captureSessionBody = z.object({ ...common, amount: shopifyAmount, currency: currencyCode }).superRefine(gidMatchesId("CaptureSession"));
export type CaptureSessionBody = z.infer<typeof captureSessionBody>;

/** A void carries no amount: it cancels whatever the payment still holds. */
export const voidSessionBody = z.object(common).superRefine(gidMatchesId("VoidSession"));
export type VoidSessionBody = z.infer<typeof voidSessionBody>;
