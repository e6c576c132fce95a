/**
 * Request rules, written from the vendor documents (seeds 002 and 003) and NOT shared with
 * the app's client: the sandbox must catch the client's mistakes, not repeat them.
 * Only what the documents state is enforced; fields they do not mark as required are optional.
 */
import { z } from "zod";

const currencies = new Set(Intl.supportedValuesOf("currency"));
const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const amount = z
  .string({ error: "is required and must be a decimal string" })
  .regex(/^\d+(\.\d{1,2})?$/, 'must be a decimal string with at most two decimal places, e.g. "55.00"')
  .refine((value) => /[1-9]/.test(value), "must be greater than zero");

const currency = z
  .string({ error: "is required" })
  .regex(/^[A-Za-z]{3}$/, "must be a three-letter ISO 4217 code")
  .transform((value) => value.toUpperCase())
  .refine((value) => currencies.has(value), "is not an ISO 4217 currency code");

const optionalText = z.string({ error: "must be a string" }).optional();

export const paymentRequestSchema = z
  .object({
    amount,
    currency,
    paymentMethod: z.enum(["card", "stored_card"], 'must be "card" or "stored_card"'),
    customerId: optionalText,
    card: z
      .object({
        number: z.string({ error: "is required" }).regex(/^\d{13,19}$/, "must be 13-19 digits"),
        expiryMonth: z.string({ error: "is required" }).regex(/^(0[1-9]|1[0-2])$/, 'must be "01" through "12"'),
        expiryYear: z.string({ error: "is required" }).regex(/^\d{2}$/, 'must be two digits, e.g. "28"'),
        cvv: z.string({ error: "is required" }).regex(/^\d{3,4}$/, "must be 3-4 digits"),
        holderName: optionalText,
      })
      .optional(),
    storedCardId: z.string().regex(UUID, "must be a UUID").optional(),
    billing: z
      .object({
        firstName: optionalText,
        lastName: optionalText,
        email: z.email("must be a valid email address").optional(),
        phone: z.string().min(5, "must be at least 5 characters").optional(),
        country: z
          .string()
          .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
          .transform((value) => value.toUpperCase())
          .refine((value) => value !== "ZZ" && regions.of(value) !== undefined, "is not an ISO 3166-1 alpha-2 code")
          .optional(),
        address: optionalText,
        city: optionalText,
        postalCode: optionalText,
        state: optionalText,
        ip: z.ipv4("must be an IPv4 address").optional(),
        dateOfBirth: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
          .refine((value) => {
            const date = new Date(`${value}T00:00:00Z`);
            return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
          }, "must be a real date")
          .optional(),
        gender: z.enum(["M", "F"], 'must be "M" or "F"').optional(),
      })
      .optional(),
    merchantRef: optionalText,
    returnUrl: z.url("must be a URL").optional(),
    deviceFingerprint: z.string().max(128, "must be at most 128 characters").optional(),
    metadata: z.record(z.string(), z.unknown(), "must be an object").optional(),
  })
  .superRefine((body, ctx) => {
    if (body.paymentMethod === "card" && body.card === undefined) {
      ctx.addIssue({ code: "custom", path: ["card"], message: "is required when paymentMethod is card" });
    }
    if (body.paymentMethod === "stored_card" && body.storedCardId === undefined) {
      ctx.addIssue({ code: "custom", path: ["storedCardId"], message: "is required when paymentMethod is stored_card" });
    }
    const country = body.billing?.country;
    if ((country === "US" || country === "CA") && !body.billing?.state) {
      ctx.addIssue({ code: "custom", path: ["billing", "state"], message: "is required for US and CA addresses" });
    }
  });
export type PaymentRequest = z.output<typeof paymentRequestSchema>;

export const refundRequestSchema = z.object({
  transactionId: z.string({ error: "is required" }).regex(UUID, "must be a UUID"),
  amount,
  currency,
  reason: z.string().max(500, "must be at most 500 characters").optional(),
});
export type RefundRequest = z.output<typeof refundRequestSchema>;

export const customerRequestSchema = z.object({
  externalId: z.string({ error: "is required" }).min(1, "is required"),
  email: z.email("must be a valid email address").optional(),
  metadata: z.record(z.string(), z.unknown(), "must be an object").optional(),
});
export type CustomerRequest = z.output<typeof customerRequestSchema>;

/** "card.number: must be 13-19 digits" — the field and the rule, never the value. */
export function validationMessage(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}
