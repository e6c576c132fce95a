/**
 * Accelebit behind the payments domain's port (app/payments/gateway/port.ts): the one place
 * where Accelebit's statuses, errors and amounts become the domain's neutral ones
 * (docs/decisions/0011-gateway-port.md). Everything Accelebit-specific — keys and their mode,
 * the two-decimal amount strings, the merchantRef lookup, the webhook signature — stays in
 * this folder.
 */
import { err, ok, type Result } from "~/lib/result";
import type {
  CredentialCheck,
  CredentialProblem,
  GatewayAccount,
  GatewayCapabilities,
  GatewayError,
  GatewayErrorCode,
  GatewayMode,
  GatewayPayment,
  GatewayResult,
  PaymentGateway,
  WebhookVerification,
} from "~/payments/gateway/port";
import { parseMoney, toDecimal, type Money } from "~/payments/money";
import { THREE_DECIMAL_CURRENCIES } from "./amount";
import { selectApiKey } from "./api-key";
import type { AccelebitError, AccelebitErrorCode } from "./errors";
import { createAccelebitGateway, type AccelebitAccount, type AccelebitGatewayOptions } from "./gateway";
import { findOurPayment } from "./merchant-ref-lookup";
import type { AccelebitPayment } from "./response-schemas";
import { verifyAccelebitWebhook } from "./webhook";
import { webhookDedupKey } from "./webhook-event";

/**
 * What the documented API can do: no capture or void endpoint, so an authorization cannot be
 * completed or released through it (docs/decisions/0012-capture-and-void-by-capability.md); keys
 * expire 24 hours after first use.
 */
export const ACCELEBIT_CAPABILITIES: GatewayCapabilities = {
  delayedCapture: false,
  partialCapture: false,
  void: false,
  multipleRefunds: true,
  threeDSecure: true,
  idempotencyKeyLifetimeMs: 24 * 60 * 60 * 1000,
  lookupByReference: true,
};

/** Accelebit's error names in the domain's words. */
const CODES: Record<AccelebitErrorCode, GatewayErrorCode> = {
  CARD_DECLINED: "DECLINED",
  PROVIDER_ERROR: "UNAVAILABLE",
  INVALID_REQUEST: "INVALID_REQUEST",
  UNAUTHORIZED: "CREDENTIALS_REFUSED",
  DUPLICATE_REQUEST: "DUPLICATE_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  RATE_LIMITED: "RATE_LIMITED",
  SERVER_ERROR: "UNAVAILABLE",
  TIMEOUT: "TIMEOUT",
  NETWORK_ERROR: "NETWORK",
  UNEXPECTED_RESPONSE: "UNEXPECTED_RESPONSE",
};

/** Accelebit amounts: decimal strings with at most two decimals (docs/decisions/0013-accelebit-amounts.md). */
export function accelebitAmount(money: Money): Result<string, string> {
  if (THREE_DECIMAL_CURRENCIES.has(money.currency)) return err(`${money.currency} has three minor digits; Accelebit amounts allow at most two decimals`);
  // Zero-decimal currencies are sent as "1500.00": the documents show only two-decimal amounts.
  const decimal = toDecimal(money);
  return ok(decimal.includes(".") ? decimal.padEnd(decimal.indexOf(".") + 3, "0") : `${decimal}.00`);
}

function moneyFrom(amount: string | undefined, currency: string | undefined, fallbackCurrency: string | null): Money | null {
  const code = currency ?? fallbackCurrency;
  if (amount === undefined || code === null) return null;
  const parsed = parseMoney(amount, code, { allowZero: true });
  return parsed.ok ? parsed.value : null;
}

/** `fallbackCurrency`: the currency we asked for, when Accelebit's answer does not repeat it. */
export function toGatewayPayment(payment: AccelebitPayment, fallbackCurrency: string | null): GatewayPayment {
  const status = payment.status === "pending_3ds" ? "action_required" : payment.status;
  const failureName = payment.error?.name ?? "CARD_DECLINED";
  return {
    id: payment.id,
    status,
    amount: moneyFrom(payment.amount, payment.currency, fallbackCurrency),
    provider: payment.provider ?? null,
    action: payment.threeDsData
      ? { redirectUrl: payment.threeDsData.redirectUrl, method: payment.threeDsData.method, parameters: payment.threeDsData.parameters }
      : null,
    failure: payment.status === "failed" ? { code: failureName, message: payment.error?.message ?? null, declined: failureName === "CARD_DECLINED" } : null,
    // Accelebit documents no expiry for an authorization.
    authorizationExpiresAt: null,
  };
}

export function toGatewayError(error: AccelebitError, fallbackCurrency: string | null): GatewayError {
  return {
    code: CODES[error.name],
    category: error.category,
    gatewayCode: error.gatewayName ?? error.name,
    message: error.message,
    ...(error.payment ? { payment: toGatewayPayment(error.payment, fallbackCurrency) } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}

const noEndpoint = (what: string): GatewayResult<never> =>
  err({ code: "STATE_MISMATCH", category: "terminal", gatewayCode: null, message: `Accelebit has no ${what} endpoint` });

function accountFor(client: AccelebitAccount, mode: GatewayMode): GatewayAccount {
  const mapped = <T, U>(result: Result<T, AccelebitError>, map: (value: T) => U, currency: string | null): GatewayResult<U> =>
    result.ok ? ok(map(result.value)) : err(toGatewayError(result.error, currency));
  return {
    mode,
    async charge(request) {
      const amount = accelebitAmount(request.amount);
      if (!amount.ok) return err({ code: "INVALID_REQUEST", category: "terminal", gatewayCode: null, message: amount.error });
      if (request.instrument.kind !== "card")
        return err({ code: "INVALID_REQUEST", category: "terminal", gatewayCode: null, message: "Accelebit charges cards only" });
      const { card, billing, buyerIp, returnUrl } = request.instrument;
      // Accelebit has no separate capture: a sale and an authorization are the same request.
      const result = await client.createPayment(
        {
          amount: amount.value,
          currency: request.amount.currency,
          paymentMethod: "card",
          card,
          billing: { ...billing, ip: buyerIp },
          merchantRef: request.reference,
          returnUrl,
          metadata: { ...request.metadata },
        },
        { idempotencyKey: request.idempotencyKey, knownEarlierAttemptIds: request.otherAttemptPaymentIds },
      );
      return mapped(result, (payment) => toGatewayPayment(payment, request.amount.currency), request.amount.currency);
    },
    async retrieve(paymentId) {
      return mapped(await client.retrievePayment(paymentId), (payment) => toGatewayPayment(payment, null), null);
    },
    async findByReference(reference, expected) {
      const amount = accelebitAmount(expected.amount);
      if (!amount.ok) return ok(null);
      const lookup = await client.findPaymentByMerchantRef(reference);
      if (!lookup.ok) return err(toGatewayError(lookup.error, expected.amount.currency));
      const ours = findOurPayment(lookup.value, { amount: amount.value, currency: expected.amount.currency, knownEarlierAttemptIds: expected.others });
      return ok(ours ? toGatewayPayment(ours, expected.amount.currency) : null);
    },
    // Accelebit answers a refund it made ("created") and documents no pending refund, so one is never read again.
    retrieveRefund: async () => noEndpoint("refund retrieval"),
    capture: async () => noEndpoint("capture"),
    cancel: async () => noEndpoint("void"),
    async refund(paymentId, money, options) {
      const amount = accelebitAmount(money);
      if (!amount.ok) return err({ code: "INVALID_REQUEST", category: "terminal", gatewayCode: null, message: amount.error });
      const result = await client.createRefund(
        { transactionId: paymentId, amount: amount.value, currency: money.currency, reason: options.reason },
        { idempotencyKey: options.idempotencyKey },
      );
      // Accelebit answers a refund it made ("created"); it documents no pending or failed refund.
      return mapped(
        result,
        (refund) => ({ id: refund.id, status: "succeeded" as const, amount: moneyFrom(refund.amount, refund.currency, money.currency) ?? money }),
        money.currency,
      );
    },
  };
}

export function createAccelebitPaymentGateway(options: AccelebitGatewayOptions): PaymentGateway {
  const client = createAccelebitGateway(options);
  return {
    id: "accelebit",
    displayName: "Accelebit",
    instrument: "card",
    capabilities: ACCELEBIT_CAPABILITIES,
    amountProblem(amount) {
      const formatted = accelebitAmount(amount);
      return formatted.ok ? null : formatted.error;
    },
    account(credentials, mode): Result<GatewayAccount, CredentialProblem> {
      const selected = selectApiKey({ test: mode === "test" }, mode === "test" ? { testKey: credentials?.secret } : { liveKey: credentials?.secret });
      if (!selected.ok)
        return err({
          reason: selected.error.reason === "missing_key" ? "missing" : selected.error.reason === "wrong_mode" ? "wrong_mode" : "malformed",
          message: selected.error.message,
        });
      return ok(accountFor(client.forKey(selected.value.apiKey), mode));
    },
    async checkCredentials(credentials, mode): Promise<CredentialCheck> {
      const checked = await client.checkApiKey(credentials.secret);
      if (!checked.ok) return { ok: false, reason: checked.reason === "unauthorized" ? "refused" : checked.reason, message: checked.message };
      if (checked.mode !== mode) return { ok: false, reason: "refused", message: `This is a ${checked.mode} key; the ${mode} key is needed here` };
      return { ok: true };
    },
    verifyWebhook({ rawBody, headers, secret }): WebhookVerification {
      const verified = verifyAccelebitWebhook({ rawBody, headers, secret });
      if (!verified.ok) return { ok: false, reason: verified.reason };
      const { event } = verified;
      return {
        ok: true,
        event: {
          dedupeKey: webhookDedupKey(event),
          type: event.type,
          subject: event.objectType === "unknown" ? "other" : event.objectType,
          paymentId: event.paymentId,
          reference: event.merchantRef,
        },
      };
    },
  };
}
