import { z } from "zod";
import { currencyCode, shopifyAmount } from "~/payments/session-request";

/**
 * Shopify's refund, capture and void session requests (reference §3.1–3.3), validated at the
 * edge. Unknown fields are ignored. Whether `payment_id` names a payment of this shop is not
 * a matter of shape: that is decided later and answered with a reject, never a 4xx.
 */

/** Shopify's ids are short tokens; ours become part of an Accelebit Idempotency-Key (printable, at most 255). */
const shopifyId = z.string({ error: "is required" }).regex(/^[\x21-\x7e]{1,200}$/, "must be 1–200 printable characters without spaces");
const gidOf = (type: string) => z.string({ error: "is required" }).regex(new RegExp(`^gid://shopify/${type}/[^\\s]+$`), `must be a ${type} gid`);

const common = {
  id: shopifyId,
  payment_id: shopifyId,
  merchant_locale: z.string().max(35).nullish(),
  proposed_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullish(),
  // Only in third-party models; the payment's own test flag is what selects the key.
  test: z.boolean({ error: "must be true or false" }).nullish(),
};

export const refundSessionBody = z.object({ ...common, gid: gidOf("RefundSession"), amount: shopifyAmount, currency: currencyCode });
export type RefundSessionBody = z.infer<typeof refundSessionBody>;

export const captureSessionBody = z.object({ ...common, gid: gidOf("CaptureSession"), amount: shopifyAmount, currency: currencyCode });
export type CaptureSessionBody = z.infer<typeof captureSessionBody>;

/** A void carries no amount: it cancels whatever the payment still holds. */
export const voidSessionBody = z.object({ ...common, gid: gidOf("VoidSession") });
export type VoidSessionBody = z.infer<typeof voidSessionBody>;
