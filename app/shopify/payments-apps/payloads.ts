import { z } from "zod";
import type { FinalizedSessionResult, PaymentSessionResult, PaymentsAppConfigurationResult, UserError } from "./outcome";
import {
  FINALIZED_SESSION_STATE_CODES,
  PAYMENT_SESSION_STATE_CODES,
  PAYMENT_SESSION_STATE_PENDING_REASONS,
  PAYMENT_SESSION_STATE_REJECTED_REASONS,
} from "./schema-types";

/**
 * Schemas for the mutation payloads our documents select. Shopify's answer is external input:
 * we check it has the shape our documents ask for before any decision is made on it.
 * Nullable schema fields accept both null and absence, because a selection Shopify omits is no
 * reason to fail a payment.
 */

/** A payload reduced to what the outcome decision needs. */
export interface ParsedPayload<TResult> {
  entity: TResult | null;
  userErrors: UserError[];
}

const userError = z
  .object({
    field: z.array(z.string()).nullish(),
    message: z.string(),
    code: z.string().nullish(),
  })
  .transform((e): UserError => ({ field: e.field ?? null, message: e.message, code: e.code ?? null }));

const paymentSession = z
  .object({
    id: z.string(),
    state: z.object({
      code: z.enum(PAYMENT_SESSION_STATE_CODES),
      pendingReason: z.enum(PAYMENT_SESSION_STATE_PENDING_REASONS).nullish(),
      rejectedReason: z.enum(PAYMENT_SESSION_STATE_REJECTED_REASONS).nullish(),
      merchantMessage: z.string().nullish(),
    }),
    nextAction: z
      .object({
        action: z.string(),
        context: z.object({ redirectUrl: z.string().nullish() }),
      })
      .nullish(),
    authorizationExpiresAt: z.string().nullish(),
    pendingExpiresAt: z.string().nullish(),
  })
  .transform((s): PaymentSessionResult => ({
    id: s.id,
    state: s.state.code,
    pendingReason: s.state.pendingReason ?? null,
    rejectedReason: s.state.rejectedReason ?? null,
    merchantMessage: s.state.merchantMessage ?? null,
    nextActionRedirectUrl: s.nextAction?.context.redirectUrl ?? null,
    authorizationExpiresAt: s.authorizationExpiresAt ?? null,
    pendingExpiresAt: s.pendingExpiresAt ?? null,
  }));

const finalizedSession = z
  .object({
    id: z.string(),
    state: z.object({
      code: z.enum(FINALIZED_SESSION_STATE_CODES),
      rejectedReason: z.string().nullish(),
      merchantMessage: z.string().nullish(),
    }),
  })
  .transform((s): FinalizedSessionResult => ({
    id: s.id,
    state: s.state.code,
    rejectedReason: s.state.rejectedReason ?? null,
    merchantMessage: s.state.merchantMessage ?? null,
  }));

const paymentsAppConfiguration = z
  .object({ externalHandle: z.string().nullish(), ready: z.boolean() })
  .transform((c): PaymentsAppConfigurationResult => ({ externalHandle: c.externalHandle ?? null, ready: c.ready }));

/** Builds a parser for `{ <rootField>: { <entityKey>: entity, userErrors } }` response data. */
function payloadParser<TResult>(rootField: string, entityKey: string, entity: z.ZodType<TResult, unknown>): (data: unknown) => ParsedPayload<TResult> | null {
  const schema = z.object({
    [rootField]: z.object({
      [entityKey]: entity.nullish(),
      userErrors: z.array(userError),
    }),
  });
  return (data) => {
    const parsed = schema.safeParse(data);
    if (!parsed.success) return null;
    const payload = parsed.data[rootField] as { userErrors: UserError[] } & Record<string, TResult | null | undefined>;
    return { entity: payload[entityKey] ?? null, userErrors: payload.userErrors };
  };
}

export const parsePaymentSessionPayload = (rootField: string) => payloadParser<PaymentSessionResult>(rootField, "paymentSession", paymentSession);

export const parseFinalizedSessionPayload = (rootField: string, entityKey: string) =>
  payloadParser<FinalizedSessionResult>(rootField, entityKey, finalizedSession);

export const parseConfigurationPayload = (rootField: string) =>
  payloadParser<PaymentsAppConfigurationResult>(rootField, "paymentsAppConfiguration", paymentsAppConfiguration);
