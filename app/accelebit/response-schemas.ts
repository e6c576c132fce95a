/**
 * What Accelebit answers, validated at the boundary: an answer of an unexpected shape
 * becomes an UNEXPECTED_RESPONSE error naming the offending field, instead of a crash deep
 * inside the app. Only what the documents show on every example is required: Accelebit's
 * 3-D Secure example has no amount, currency, provider or createdAt, so those are optional
 * (docs/decisions/accelebit-open-points.md).
 *
 * Unknown fields are dropped, and the gateway's free texts pass through scrubSecrets: a
 * gateway that echoes a card number or key must not smuggle it into our records or logs.
 */
import { z } from "zod";
import { scrubSecrets } from "./redact";

const gatewayText = z.string().transform((text) => scrubSecrets(text));

export const PAYMENT_STATUSES = ["captured", "authorized", "pending_3ds", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const errorInfoSchema = z.object({
  status: z.number().optional(),
  name: z.string().optional(),
  message: gatewayText.optional(),
});
export type GatewayErrorInfo = z.infer<typeof errorInfoSchema>;

/** Decision "threeDsData.parameters for GET redirects": may be `{}` or absent. */
export const threeDsDataSchema = z.object({
  redirectUrl: z.url(),
  method: z.enum(["GET", "POST"]),
  parameters: z
    .record(z.string(), z.string())
    .nullish()
    .transform((parameters) => parameters ?? {}),
});
export type ThreeDsData = z.infer<typeof threeDsDataSchema>;

export const paymentSchema = z.object({
  id: z.string().min(1),
  status: z.enum(PAYMENT_STATUSES),
  amount: z.string().optional(),
  currency: z.string().optional(),
  provider: z.string().nullish(),
  threeDsRequired: z.boolean().optional(),
  threeDsData: threeDsDataSchema.nullish(),
  createdAt: z.string().optional(),
  merchantRef: z.string().nullish(),
  error: errorInfoSchema.nullish(),
});
export type AccelebitPayment = z.infer<typeof paymentSchema>;

export const refundSchema = z.object({
  id: z.string().min(1),
  transactionId: z.string().min(1),
  amount: z.string(),
  currency: z.string(),
  status: z.string(),
  reason: gatewayText.nullish(),
  createdAt: z.string().optional(),
});
export type AccelebitRefund = z.infer<typeof refundSchema>;

export const customerSchema = z.object({
  id: z.string().min(1),
  externalId: z.string().nullish(),
  email: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  createdAt: z.string().optional(),
});
export type AccelebitCustomer = z.infer<typeof customerSchema>;

/** Decision "merchantRef lookup result": one payment, or a list of them. */
export const merchantRefLookupDataSchema = z.union([paymentSchema, z.array(paymentSchema)]).nullable();

/** The error envelope `{ data: null, error: { status, name, message } }`. */
export const errorEnvelopeSchema = z.object({
  error: errorInfoSchema,
});

/**
 * The success envelope `{ data: … }`. A top-level `error` may sit beside the data: one of
 * the documented forms of a declined payment (see payment-outcome.ts).
 */
export const successEnvelopeSchema = z.object({
  data: z.unknown(),
  error: errorInfoSchema.nullish(),
});

/** "data.status: Invalid option…" — paths and zod's messages, never the received values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
