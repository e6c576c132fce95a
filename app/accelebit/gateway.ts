/**
 * The Accelebit gateway: the only object the rest of the app uses to talk to Accelebit.
 *
 * `forKey(apiKey)` binds one merchant account; `forSession(session, keys)` does the same
 * through selectApiKey, so a test session can only ever use the shop's test key.
 */
import type { z } from "zod";
import type { Logger } from "~/lib/logger";
import { keyMode, selectApiKey, type KeyMode, type KeySelectionError, type ShopKeys } from "./api-key";
import { accelebitError, type AccelebitError } from "./errors";
import { findOurPayment, lookupNotFound, NO_PAYMENT, readMerchantRefLookup, type MerchantRefLookup } from "./merchant-ref-lookup";
import { paymentOutcome, readCreatedPayment, unexpected } from "./payment-outcome";
import {
  createCustomerInputSchema,
  createPaymentInputSchema,
  createRefundInputSchema,
  idempotencyKeySchema,
  merchantRefSchema,
  pathIdSchema,
  paymentWireBody,
  type CreateCustomerInput,
  type CreatePaymentInput,
  type CreateRefundInput,
} from "./request-schemas";
import { customerSchema, paymentSchema, refundSchema, type AccelebitCustomer, type AccelebitPayment, type AccelebitRefund } from "./response-schemas";
import { scrubSecrets } from "./redact";
import { err, ok, type Result } from "~/lib/result";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy";
import { Transport, type ApiSuccess } from "./transport";

export interface AccelebitGatewayOptions {
  /** e.g. https://api.gateway.accelebit.com (from ACCELEBIT_API_URL); "/v1" is added here. */
  readonly baseUrl: string;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** Per HTTP request. Default 10 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Injected so tests never really wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source, in [0, 1). */
  readonly random?: () => number;
  /** Clock for Retry-After HTTP dates. */
  readonly now?: () => Date;
}

export interface PostOptions {
  /** Decided and stored by the caller, reused for every retry of the same request. */
  readonly idempotencyKey: string;
}

export interface CreatePaymentOptions extends PostOptions {
  /**
   * Accelebit ids of this merchantRef's earlier attempts, so recovery after a lost answer
   * never mistakes an earlier attempt for this one.
   */
  readonly knownEarlierAttemptIds?: readonly string[];
}

export type AccelebitResult<T> = Result<T, AccelebitError>;

export interface AccelebitAccount {
  readonly mode: KeyMode | null;
  createCustomer(input: CreateCustomerInput, options: PostOptions): Promise<AccelebitResult<AccelebitCustomer>>;
  retrieveCustomer(customerId: string): Promise<AccelebitResult<AccelebitCustomer>>;
  /**
   * ok: captured, authorized or pending_3ds. A decline (either documented form) is a
   * CARD_DECLINED error; a lost answer is settled through the merchantRef lookup before
   * this returns, and only stays `outcome_unknown` when that is impossible.
   */
  createPayment(input: CreatePaymentInput, options: CreatePaymentOptions): Promise<AccelebitResult<AccelebitPayment>>;
  /** A read: a failed payment is an ok value with status "failed". */
  retrievePayment(paymentId: string): Promise<AccelebitResult<AccelebitPayment>>;
  findPaymentByMerchantRef(merchantRef: string): Promise<AccelebitResult<MerchantRefLookup>>;
  createRefund(input: CreateRefundInput, options: PostOptions): Promise<AccelebitResult<AccelebitRefund>>;
}

export type ApiKeyCheck =
  | { readonly ok: true; readonly mode: KeyMode }
  | { readonly ok: false; readonly reason: "unauthorized" | "unreachable" | "unexpected"; readonly message: string };

export interface AccelebitGateway {
  forKey(apiKey: string, context?: { readonly logger?: Logger }): AccelebitAccount;
  forSession(session: { readonly test: boolean }, keys: ShopKeys, context?: { readonly logger?: Logger }): Result<AccelebitAccount, KeySelectionError>;
  /** A harmless authenticated request, for the setup page to validate a key before saving it. */
  checkApiKey(apiKey: string): Promise<ApiKeyCheck>;
}

/** A reference no payment of ours ever carries: looking it up only proves the key works. */
export const KEY_CHECK_MERCHANT_REF = "accelebit-for-shopify-key-check";

const DEFAULT_TIMEOUT_MS = 10_000;

function invalidRequest(what: string, error: z.ZodError, secrets: readonly (string | undefined)[], field?: string): AccelebitError {
  const issues = error.issues.map((issue) => ({
    path: [...(field === undefined ? [] : [field]), ...issue.path].join(".") || "(root)",
    message: scrubSecrets(issue.message, secrets),
  }));
  return accelebitError({
    name: "INVALID_REQUEST",
    origin: "client",
    httpStatus: null,
    message: `Invalid ${what}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join("; ")}`,
    issues,
  });
}

/** `field` names a scalar input (an id, the Idempotency-Key) in the issues' paths. */
function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  secrets: readonly (string | undefined)[],
  field?: string,
): Result<z.output<S>, AccelebitError> {
  const parsed = schema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(invalidRequest(what, parsed.error, secrets, field));
}

/** Card values of a payment input, whatever its shape, so they can be scrubbed from every message. */
function cardSecrets(input: unknown): (string | undefined)[] {
  const card = (input as { card?: { number?: unknown; cvv?: unknown } } | null)?.card;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return [text(card?.number), text(card?.cvv)];
}

function parsedAs<T>(schema: z.ZodType<T>, what: string) {
  return (success: ApiSuccess): Result<T, AccelebitError> => {
    const parsed = schema.safeParse(success.data);
    return parsed.success ? ok(parsed.data) : err(unexpected(success.httpStatus, what, parsed.error, false));
  };
}

/** For POSTs: an answer we cannot read does not tell us whether the request took effect. */
function postedAs<T>(schema: z.ZodType<T>, what: string) {
  return (success: ApiSuccess): Result<T, AccelebitError> => {
    const parsed = schema.safeParse(success.data);
    return parsed.success ? ok(parsed.data) : err(unexpected(success.httpStatus, what, parsed.error, true));
  };
}

export function createAccelebitGateway(options: AccelebitGatewayOptions): AccelebitGateway {
  new URL(options.baseUrl); // a wrong base URL is a configuration bug: fail at start-up, not at checkout
  const transport = new Transport({
    baseUrl: options.baseUrl,
    logger: options.logger,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    now: options.now ?? (() => new Date()),
  });

  function forKey(apiKey: string, context: { readonly logger?: Logger } = {}): AccelebitAccount {
    const mode = keyMode(apiKey);
    const logger = (context.logger ?? options.logger).child({ accelebitMode: mode ?? "malformed-key" });
    const keyRefused = () =>
      err(
        accelebitError({
          name: "UNAUTHORIZED",
          origin: "client",
          httpStatus: null,
          message: "The API key is not an Accelebit secret key (smtgw_sk_…); nothing was sent",
        }),
      );

    async function findPaymentByMerchantRef(merchantRef: string): Promise<AccelebitResult<MerchantRefLookup>> {
      if (mode === null) return keyRefused();
      const ref = validate(merchantRefSchema, merchantRef, "payment lookup", [], "merchantRef");
      if (!ref.ok) return ref;
      const found = await transport.call(
        apiKey,
        { operation: "payments.findByMerchantRef", method: "GET", path: "/payments", query: { merchantRef: ref.value } },
        { interpret: (success) => readMerchantRefLookup(success.data, success.httpStatus) },
        logger,
      );
      return !found.ok && lookupNotFound(found.error) ? ok(NO_PAYMENT) : found;
    }

    return {
      mode,

      async createCustomer(input, postOptions) {
        if (mode === null) return keyRefused();
        const valid = validate(createCustomerInputSchema, input, "customer request", []);
        if (!valid.ok) return valid;
        const key = validate(idempotencyKeySchema, postOptions?.idempotencyKey, "customer request", [], "idempotencyKey");
        if (!key.ok) return key;
        return transport.call(
          apiKey,
          { operation: "customers.create", method: "POST", path: "/customers", body: valid.value, idempotencyKey: key.value },
          { interpret: postedAs(customerSchema, "customer") },
          logger,
        );
      },

      async retrieveCustomer(customerId) {
        if (mode === null) return keyRefused();
        const id = validate(pathIdSchema, customerId, "customer request", [], "customerId");
        if (!id.ok) return id;
        return transport.call(
          apiKey,
          { operation: "customers.retrieve", method: "GET", path: `/customers/${id.value}` },
          { interpret: parsedAs(customerSchema, "customer") },
          logger,
        );
      },

      async createPayment(input, paymentOptions) {
        const secrets = cardSecrets(input);
        if (mode === null) return keyRefused();
        const valid = validate(createPaymentInputSchema, input, "payment request", secrets);
        if (!valid.ok) return valid;
        const key = validate(idempotencyKeySchema, paymentOptions?.idempotencyKey, "payment request", secrets, "idempotencyKey");
        if (!key.ok) return key;
        const payment = valid.value;
        const knownEarlierAttemptIds = paymentOptions.knownEarlierAttemptIds ?? [];

        return transport.call(
          apiKey,
          { operation: "payments.create", method: "POST", path: "/payments", body: paymentWireBody(payment), idempotencyKey: key.value, secrets },
          {
            interpret: (success) => readCreatedPayment(success.data, { httpStatus: success.httpStatus, topLevelError: success.topLevelError, secrets }),
            // Before anyone decides a payment failed, look it up by merchantRef
            // (docs/decisions/0009-merchant-ref-lookup.md). Found → that is the answer; not found
            // → the POST is repeated with the same Idempotency-Key, which cannot charge twice.
            // A lookup that fails on the last try leaves the outcome unknown: only Accelebit's
            // word that nothing exists lets the caller treat the attempt as not charged.
            reconcile: async (error, { final }) => {
              const lookup = await findPaymentByMerchantRef(payment.merchantRef);
              if (!lookup.ok) {
                if (!final || error.category === "outcome_unknown") return "retry";
                return err(
                  accelebitError({
                    name: error.name,
                    category: "outcome_unknown",
                    origin: error.origin,
                    httpStatus: error.httpStatus,
                    message: `${error.message}; the payment could not be looked up afterwards (${lookup.error.name})`,
                  }),
                );
              }
              const ours = findOurPayment(lookup.value, { amount: payment.amount, currency: payment.currency, knownEarlierAttemptIds });
              if (ours === null) return "retry";
              logger.info(
                { accelebit: { operation: "payments.create", paymentId: ours.id, status: ours.status, after: error.name, idempotencyKey: key.value } },
                "accelebit payment recovered by merchantRef",
              );
              return paymentOutcome(ours, { httpStatus: null, topLevelError: null, secrets });
            },
          },
          logger,
        );
      },

      async retrievePayment(paymentId) {
        if (mode === null) return keyRefused();
        const id = validate(pathIdSchema, paymentId, "payment request", [], "paymentId");
        if (!id.ok) return id;
        return transport.call(
          apiKey,
          { operation: "payments.retrieve", method: "GET", path: `/payments/${id.value}` },
          { interpret: parsedAs(paymentSchema, "payment") },
          logger,
        );
      },

      findPaymentByMerchantRef,

      async createRefund(input, postOptions) {
        if (mode === null) return keyRefused();
        const valid = validate(createRefundInputSchema, input, "refund request", []);
        if (!valid.ok) return valid;
        const key = validate(idempotencyKeySchema, postOptions?.idempotencyKey, "refund request", [], "idempotencyKey");
        if (!key.ok) return key;
        // No lookup exists for refunds: an unknown outcome is settled by repeating the POST
        // with the same Idempotency-Key (the loop does that), or left to the caller to retry.
        return transport.call(
          apiKey,
          { operation: "refunds.create", method: "POST", path: "/refunds", body: valid.value, idempotencyKey: key.value },
          { interpret: postedAs(refundSchema, "refund") },
          logger,
        );
      },
    };
  }

  return {
    forKey,

    forSession(session, keys, context) {
      const selected = selectApiKey(session, keys);
      return selected.ok ? ok(forKey(selected.value.apiKey, context)) : selected;
    },

    async checkApiKey(apiKey) {
      const mode = keyMode(apiKey);
      if (mode === null) return { ok: false, reason: "unauthorized", message: "This is not an Accelebit secret key: keys start with smtgw_sk_" };
      const result = await forKey(apiKey).findPaymentByMerchantRef(KEY_CHECK_MERCHANT_REF);
      if (result.ok) return { ok: true, mode };
      const { name, message } = result.error;
      if (name === "UNAUTHORIZED") return { ok: false, reason: "unauthorized", message: `Accelebit refused this key: ${message}` };
      if (name === "TIMEOUT" || name === "NETWORK_ERROR" || name === "SERVER_ERROR" || name === "RATE_LIMITED" || name === "PROVIDER_ERROR") {
        return { ok: false, reason: "unreachable", message: `Accelebit could not be reached to check the key: ${message}` };
      }
      return { ok: false, reason: "unexpected", message: `Accelebit answered unexpectedly while checking the key: ${message}` };
    },
  };
}
