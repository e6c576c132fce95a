/**
 * What we send to Accelebit, validated before it leaves the process: a request that breaks
 * a documented rule (seeds 002 and 003) becomes a typed INVALID_REQUEST without a network
 * call. Types are inferred from these schemas.
 *
 * We are sometimes stricter than the documents, always for a stated reason:
 * - `merchantRef` is required: it is how a payment whose answer we lost is found again.
 * - `returnUrl` is required: this app handles 3-D Secure.
 * - `billing.ip` must be given: without it Accelebit would use our server's IP as the buyer's.
 *   The documents take IPv4 only, so a buyer who reached us over IPv6 alone is passed as an
 *   explicit `null` (left out of the request): a decision the caller makes, never an omission.
 */
import { z } from "zod";
import { isAccelebitAmount, isIsoCurrency, THREE_DECIMAL_CURRENCIES, amountToMinorUnits } from "./amount";
import { UNDOCUMENTED_WIRE_FIELD_NAMES as WIRE } from "./wire-fields";

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** A loose UUID check (8-4-4-4-12 hex): ids are Accelebit's, we do not judge their version. */
const uuidLike = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID");

const amount = z
  .string({ error: "is required" })
  .refine(isAccelebitAmount, 'must be a decimal string with at most two decimals, e.g. "55.00"')
  .refine((value) => !isAccelebitAmount(value) || amountToMinorUnits(value) > 0n, "must be greater than zero");

const currency = z
  .string({ error: "is required" })
  .regex(/^[A-Za-z]{3}$/, "must be a three-letter ISO 4217 code")
  .transform((value) => value.toUpperCase())
  .refine(isIsoCurrency, "is not an ISO 4217 currency")
  .refine((value) => !THREE_DECIMAL_CURRENCIES.has(value), "has three minor digits, which Accelebit amounts cannot express");

const country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
  .transform((value) => value.toUpperCase())
  .refine((value) => value !== "ZZ" && regionNames.of(value) !== undefined, "is not an ISO 3166-1 country");

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, "is not a calendar date");

const nonEmpty = z.string({ error: "is required" }).trim().min(1, "must not be empty");

export const cardSchema = z.object({
  number: z.string({ error: "is required" }).regex(/^\d{13,19}$/, "must be 13–19 digits"),
  expiryMonth: z.string({ error: "is required" }).regex(/^(0[1-9]|1[0-2])$/, 'must be "01" to "12"'),
  expiryYear: z.string({ error: "is required" }).regex(/^\d{2}$/, 'must be two digits, e.g. "28" for 2028'),
  cvv: z.string({ error: "is required" }).regex(/^\d{3,4}$/, "must be 3–4 digits"),
  holderName: nonEmpty,
});

export const billingSchema = z
  .object({
    firstName: nonEmpty.optional(),
    lastName: nonEmpty.optional(),
    email: z.email("must be an email address").optional(),
    phone: z.string().min(5, "must be at least 5 characters, with the country code").optional(),
    country: country.optional(),
    address: nonEmpty.optional(),
    city: nonEmpty.optional(),
    postalCode: nonEmpty.optional(),
    state: nonEmpty.optional(),
    ip: z.ipv4("must be the buyer's IPv4 address").nullable(),
    dateOfBirth: isoDate.optional(),
    gender: z.enum(["M", "F"], 'must be "M" or "F"').optional(),
  })
  .superRefine((billing, ctx) => {
    if ((billing.country === "US" || billing.country === "CA") && billing.state === undefined) {
      ctx.addIssue({ code: "custom", path: ["state"], message: "is required for US and CA addresses" });
    }
  });

const paymentBase = {
  amount,
  currency,
  customerId: nonEmpty.optional(),
  billing: billingSchema,
  merchantRef: nonEmpty,
  returnUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  deviceFingerprint: z.string().max(128, "must be at most 128 characters").optional(),
  metadata: z.record(z.string(), z.string()).optional(),
};

export const createPaymentInputSchema = z.discriminatedUnion(
  "paymentMethod",
  [
    z.object({ ...paymentBase, paymentMethod: z.literal("card"), card: cardSchema }),
    z.object({ ...paymentBase, paymentMethod: z.literal("stored_card"), storedCardId: uuidLike }),
  ],
  { error: 'must be "card" or "stored_card"' },
);
export type CreatePaymentInput = z.input<typeof createPaymentInputSchema>;
export type ValidCreatePayment = z.output<typeof createPaymentInputSchema>;

export const createRefundInputSchema = z.object({
  transactionId: uuidLike,
  amount,
  currency,
  reason: z.string().max(500, "must be at most 500 characters").optional(),
});
export type CreateRefundInput = z.input<typeof createRefundInputSchema>;

/** Customers: only externalId, email and metadata are documented (index 000). */
export const createCustomerInputSchema = z.object({
  externalId: nonEmpty,
  email: z.email("must be an email address").optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type CreateCustomerInput = z.input<typeof createCustomerInputSchema>;

/** Ids we put in a URL path: anything else could change the path we call. */
export const pathIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be an Accelebit id");

export const merchantRefSchema = nonEmpty.max(255, "must be at most 255 characters");

/**
 * The caller decides the Idempotency-Key (stored with the order so a retry reuses it);
 * the client never invents one.
 */
export const idempotencyKeySchema = z
  .string({ error: "is required: the caller supplies the Idempotency-Key" })
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1–255 printable characters without spaces");

/** The JSON body sent for a validated payment, with the undocumented names mapped once. */
export function paymentWireBody(input: ValidCreatePayment): Record<string, unknown> {
  const { ip, dateOfBirth, gender, ...billing } = input.billing;
  const body: Record<string, unknown> = {
    amount: input.amount,
    currency: input.currency,
    paymentMethod: input.paymentMethod,
    customerId: input.customerId,
    billing: {
      ...billing,
      [WIRE.buyerIp]: ip ?? undefined,
      [WIRE.dateOfBirth]: dateOfBirth,
      [WIRE.gender]: gender,
    },
    merchantRef: input.merchantRef,
    returnUrl: input.returnUrl,
    [WIRE.deviceFingerprint]: input.deviceFingerprint,
    metadata: input.metadata,
  };
  if (input.paymentMethod === "card") body.card = input.card;
  else body[WIRE.storedCardId] = input.storedCardId;
  return body;
}
