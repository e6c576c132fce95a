import { z } from "zod";
import { encryptedCardPayloadSchema } from "~/card-decryption";
import { paymentSessionBody } from "~/payments/session-request";

/**
 * Shopify's credit-card payment session request (reference §2.4): the offsite request's fields
 * with `payment_method.data` holding the encrypted card and the MOTO flag. Unknown fields are ignored.
 */
export const cardSessionBody = paymentSessionBody.extend({
  payment_method: z.object({
    type: z.literal("credit_card", { error: 'must be "credit_card" for this extension' }),
    data: encryptedCardPayloadSchema.extend({ moto: z.boolean({ error: "must be true or false" }).optional() }),
  }),
});
export type CardSessionBody = z.infer<typeof cardSessionBody>;

/** The confirmation callback (reference §3.4): at least `id` and `confirmation_result`. */
export const confirmationCallbackBody = z.object({
  id: z.string().min(1).max(255),
  gid: z
    .string()
    .regex(/^gid:\/\/shopify\/PaymentSession\/[^\s]+$/, "must be a PaymentSession gid")
    .optional(),
  confirmation_result: z.boolean({ error: "must be true or false" }),
});
export type ConfirmationCallbackBody = z.infer<typeof confirmationCallbackBody>;
