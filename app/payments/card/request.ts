import { z } from "zod";
import { encryptedCardPayloadSchema } from "~/card-decryption";
import { gidMatchesId, paymentSessionFields, shopifySessionId } from "~/payments/session-request";

/**
 * Shopify's credit-card payment session request: the offsite request's fields
 * with `payment_method.data` holding the encrypted card and the MOTO flag. Unknown fields are ignored.
 */
export const cardSessionBody = paymentSessionFields
  .extend({
    payment_method: z.object({
      type: z.literal("credit_card", { error: 'must be "credit_card" for this extension' }),
      data: encryptedCardPayloadSchema.extend({ moto: z.boolean({ error: "must be true or false" }).optional() }),
    }),
  })
  .superRefine(gidMatchesId("PaymentSession"));
export type CardSessionBody = z.infer<typeof cardSessionBody>;

/**
 * The confirmation callback Shopify POSTs after paymentSessionConfirm: it carries at least `id`
 * and `confirmation_result` (and usually `gid`); nothing else of it is read.
 */
export const confirmationCallbackBody = z
  .object({
    id: shopifySessionId,
    gid: z.string().max(300).optional(),
    confirmation_result: z.boolean({ error: "must be true or false" }),
  })
  .superRefine(gidMatchesId("PaymentSession"));
export type ConfirmationCallbackBody = z.infer<typeof confirmationCallbackBody>;
