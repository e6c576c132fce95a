/**
 * Accrue behind the payments domain's port (app/payments/gateway/port.ts). The statuses, errors
 * and amounts are mapped in gateway-mapping.ts, the charge in gateway-charge.ts; this module
 * holds the capabilities, the credentials, the follow-up operations and the webhooks
 * (docs/decisions/accrue-a20-port-mapping.md).
 */
import type { Logger } from "~/lib/logger";
import { err, ok, type Result } from "~/lib/result";
import type {
  CredentialCheck,
  CredentialProblem,
  GatewayAccount,
  GatewayCapabilities,
  GatewayCredentials,
  GatewayMode,
  GatewayPayment,
  GatewayRefund,
  GatewayResult,
  PaymentGateway,
  WebhookRegistrationProblem,
  WebhookVerification,
} from "~/payments/gateway/port";
import { createAccrueClient, type AccrueClient, type AccrueClientOptions, type AccrueMerchantClient, type IntentWithPayments } from "./client";
import { chargeIntent } from "./gateway-charge";
import { accrueAmountProblem, adapterError, paymentStatus, toCents, toGatewayError, toGatewayPayment, toGatewayRefund } from "./gateway-mapping";
import type { AccrueError } from "./errors";
import { WEBHOOK_TOPICS, type AccruePayment } from "./schemas";
import type { AccrueCredentials } from "./transport";
import { accrueWidget, DEFAULT_WIDGET_HOSTS, isAccrueIntentId, type AccrueWidgetHosts } from "./widget";
import { ACCRUE_SIGNATURE_HEADER, verifyAccrueWebhook, webhookDedupKey } from "./webhook";

/**
 * - delayed capture: authorize, then `POST /payments/{id}/capture` (accrue-a06-capture-and-void.md);
 * - partial capture: the capture carries an amount up to the authorization, once per payment;
 * - void: cancel of an uncaptured payment;
 * - refunds: partial and several, up to what was captured (accrue-a10-refunds.md);
 * - no 3-D Secure (a wallet); no idempotency promise, so unknown outcomes are read back (accrue-a09);
 * - a payment is found by our reference through its intent (accrue-a15-reconciliation.md).
 */
export const ACCRUE_CAPABILITIES: GatewayCapabilities = {
  delayedCapture: true,
  partialCapture: true,
  void: true,
  multipleRefunds: true,
  threeDSecure: false,
  idempotencyKeyLifetimeMs: null,
  lookupByReference: true,
};

/**
 * Accrue's longest documented timeout (docs/decisions/accrue-a14-timeouts.md) plus a margin: a
 * refund of unknown outcome that has not appeared by then never will, so the next run's
 * read-back is conclusive (docs/decisions/accrue-a20-port-mapping.md).
 */
export const REFUND_SETTLE_MS = 95_000;

export interface AccruePaymentGatewayOptions {
  /** Live API base URL (configuration `ACCRUE_API_URL`). */
  readonly liveBaseUrl: string;
  /** Sandbox API base URL for test sessions (configuration `ACCRUE_SANDBOX_API_URL`). */
  readonly sandboxBaseUrl: string;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
  /** Overrides for both clients (tests: timeouts, budget, sleep, clock). */
  readonly client?: Partial<Omit<AccrueClientOptions, "baseUrl" | "environment">>;
  readonly now?: () => number;
  /** Where the shopper's page loads Accrue's widget from (configuration `ACCRUE_WIDGET_URL`, `ACCRUE_SANDBOX_WIDGET_URL`). */
  readonly widget?: AccrueWidgetHosts;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Printable, no spaces: a secret pasted with a line break or quotes is caught here, not at Accrue. */
const SECRET = /^[\x21-\x7e]{16,512}$/;
/** The forms a Client ID and a Client Secret must have, for the setup form's own checks. */
export const ACCRUE_CLIENT_ID_PATTERN = UUID;
export const ACCRUE_CLIENT_SECRET_PATTERN = SECRET;

/** The name our webhook carries at Accrue (shown in the merchant's Accrue dashboard). */
export const ACCRUE_WEBHOOK_NAME = "Shopify payments app";

function registrationProblem(error: AccrueError): WebhookRegistrationProblem {
  const reason =
    error.code === "UNAUTHORIZED" || error.code === "REJECTED" || error.code === "INVALID_INPUT"
      ? "refused"
      : error.category === "outcome_unknown"
        ? "outcome_unknown"
        : error.category === "retryable" || error.origin === "network"
          ? "unreachable"
          : "unexpected";
  return { reason, message: error.message };
}

/** The Client ID and Client Secret, or why they cannot be used (nothing is sent). Never quotes the secret. */
export function accrueCredentials(credentials: GatewayCredentials | null): Result<AccrueCredentials, CredentialProblem> {
  if (!credentials || credentials.secret === "") return err({ reason: "missing", message: "No Accrue Client Secret is saved for this mode" });
  const clientId = credentials.publicId?.trim() ?? "";
  if (clientId === "") return err({ reason: "missing", message: "No Accrue Client ID is saved for this mode" });
  if (!UUID.test(clientId)) return err({ reason: "malformed", message: "The Accrue Client ID must be a UUID (e.g. 123e4567-e89b-12d3-a456-426614174000)" });
  if (!SECRET.test(credentials.secret))
    return err({ reason: "malformed", message: "The Accrue Client Secret is not in Accrue's form (16 to 512 characters, no spaces)" });
  return ok({ clientId, clientSecret: credentials.secret });
}

function mappedPayment(payment: AccruePayment): GatewayResult<GatewayPayment> {
  const neutral = toGatewayPayment(payment);
  return neutral
    ? ok(neutral)
    : err(adapterError("UNEXPECTED_RESPONSE", "retryable", `Accrue reports payment ${payment.id} as ${payment.status}, a status we do not know`));
}

const isAt = (payment: AccruePayment, status: ReturnType<typeof paymentStatus>) => paymentStatus(payment.status) === status;

function accountFor(client: AccrueMerchantClient, mode: GatewayMode, logger: Logger | undefined, now: () => number): GatewayAccount {
  const read = async (paymentId: string) => {
    const found = await client.getPayment(paymentId);
    return found.ok ? ok(found.value) : err(toGatewayError(found.error));
  };
  return {
    mode,
    charge: (request) => chargeIntent({ client, logger, now }, request),

    async retrieve(paymentId) {
      const found = await read(paymentId);
      return found.ok ? mappedPayment(found.value.payment) : found;
    },

    async findByReference(reference, expected) {
      if (accrueAmountProblem(expected.amount)) return ok(null);
      const cents = toCents(expected.amount);
      const others = new Set(expected.others);
      const ours = (payments: readonly AccruePayment[]) =>
        payments.find((payment) => payment.amount === cents && !others.has(payment.id) && (isAt(payment, "authorized") || isAt(payment, "captured")));
      /** The payment of ours on one intent, settling an authorize of ours that may still be in flight on it. */
      const onIntent = async ({ intent, payments }: IntentWithPayments): Promise<GatewayResult<GatewayPayment | null>> => {
        const found = ours(payments);
        if (found) return mappedPayment(found);
        if (intent.status !== "Promotable") return ok(null);
        // Settle it (adopt or fence) so "no payment" stays true afterwards (docs/decisions/accrue-a08-authorize-once.md).
        const settled = await client.resolveAuthorization(intent.id);
        if (settled.ok) {
          const adopted = ours([settled.value.payment]);
          return adopted ? mappedPayment(adopted) : ok(null);
        }
        if (settled.error.code === "AUTHORIZE_NOT_APPLIED" || settled.error.code === "STATE_MISMATCH") return ok(null);
        return err(toGatewayError(settled.error));
      };

      if (expected.intentId) {
        // The attempt's own intent, read by id (docs/decisions/accrue-a15-reconciliation.md).
        const read = await client.getPaymentIntent(expected.intentId);
        if (!read.ok) return read.error.code === "NOT_FOUND" ? ok(null) : err(toGatewayError(read.error));
        // Another session's intent never becomes this attempt's payment.
        return read.value.intent.reference === reference ? onIntent(read.value) : ok(null);
      }
      const search = await client.findPaymentIntentsByReference(reference);
      if (!search.ok) return err(toGatewayError(search.error));
      for (const match of search.value.matches) {
        const found = await onIntent(match);
        if (!found.ok || found.value) return found;
      }
      return ok(null);
    },

    async capture(paymentId, amount, options) {
      const problem = accrueAmountProblem(amount);
      if (problem) return err(adapterError("INVALID_REQUEST", "terminal", problem));
      const cents = toCents(amount);
      // Read first: a capture that landed before its answer was lost is adopted, never re-sent;
      // an expired or released authorization is refused without a call (accrue-a06).
      const before = await read(paymentId);
      if (!before.ok) return before;
      const payment = before.value.payment;
      if (isAt(payment, "captured")) return mappedPayment(payment);
      if (!isAt(payment, "authorized")) return err(adapterError("STATE_MISMATCH", "terminal", `The Accrue payment is ${payment.status}; nothing was captured`));
      if (payment.expiresAt !== null && Date.parse(payment.expiresAt) <= now())
        return err(adapterError("AUTHORIZATION_EXPIRED", "terminal", `The Accrue authorization expired at ${payment.expiresAt}; nothing was captured`));
      if (cents > payment.amount)
        return err(adapterError("INVALID_REQUEST", "terminal", `A capture of ${cents} cents is more than the ${payment.amount} cents authorized`));
      const captured = await client.capturePayment(paymentId, cents, { idempotencyKey: options.idempotencyKey });
      if (captured.ok) return mappedPayment(captured.value);
      return settleRefusal(captured.error, paymentId, "captured");
    },

    async cancel(paymentId, options) {
      const before = await read(paymentId);
      if (!before.ok) return before;
      const payment = before.value.payment;
      if (isAt(payment, "canceled")) return mappedPayment(payment);
      // Accrue's cancel also reverses a capture in its waiting period: a void never does that.
      if (!isAt(payment, "authorized"))
        return err(adapterError("STATE_MISMATCH", "terminal", `The Accrue payment is ${payment.status}; only an uncaptured authorization is voided`));
      const canceled = await client.cancelPayment(paymentId, { idempotencyKey: options.idempotencyKey });
      if (canceled.ok) return mappedPayment(canceled.value);
      return settleRefusal(canceled.error, paymentId, "canceled");
    },

    async refund(paymentId, amount, options) {
      const problem = accrueAmountProblem(amount);
      if (problem) return err(adapterError("INVALID_REQUEST", "terminal", problem));
      const cents = toCents(amount);
      // Read first: an earlier send of this refund whose answer was lost shows up as a refund new
      // to the ledger, and is adopted instead of refunding twice (accrue-a20-port-mapping.md).
      const earlier = await client.findNewRefund(paymentId, cents, options.knownRefundIds);
      if (!earlier.ok) return err(toGatewayError(earlier.error));
      if (earlier.value) return ok(toGatewayRefund(earlier.value));
      const sent = await client.refundPayment(paymentId, cents, { knownRefundIds: options.knownRefundIds, idempotencyKey: options.idempotencyKey });
      if (sent.ok) return ok(toGatewayRefund(sent.value.refund));
      const error = toGatewayError(sent.error);
      if (error.category !== "outcome_unknown") return err(error);
      return err({ ...error, retryAfterMs: Math.max(error.retryAfterMs ?? 0, REFUND_SETTLE_MS) });
    },

    async retrieveRefund(paymentId, refundId): Promise<GatewayResult<GatewayRefund>> {
      const found = await read(paymentId);
      if (!found.ok) return found;
      const refund = found.value.refunds.find((candidate) => candidate.id === refundId);
      // A refund Accrue told us about is never given up on: read again later.
      if (!refund) return err(adapterError("UNEXPECTED_RESPONSE", "retryable", `Accrue does not list refund ${refundId} on payment ${paymentId}`));
      return ok(toGatewayRefund(refund));
    },
  };

  /** A refused capture or cancel may mean an earlier send landed: read once, adopt if so. */
  async function settleRefusal(
    error: Parameters<typeof toGatewayError>[0],
    paymentId: string,
    wanted: "captured" | "canceled",
  ): Promise<GatewayResult<GatewayPayment>> {
    if (error.code !== "REJECTED") return err(toGatewayError(error));
    const after = await client.getPayment(paymentId);
    if (after.ok && isAt(after.value.payment, wanted)) return mappedPayment(after.value.payment);
    return err(toGatewayError(error));
  }
}

export function createAccruePaymentGateway(options: AccruePaymentGatewayOptions): PaymentGateway {
  const now = options.now ?? options.client?.now ?? Date.now;
  const shared = { ...options.client, ...(options.logger ? { logger: options.logger } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
  const clients: Record<GatewayMode, AccrueClient> = {
    test: createAccrueClient({ ...shared, baseUrl: options.sandboxBaseUrl, environment: "sandbox" }),
    live: createAccrueClient({ ...shared, baseUrl: options.liveBaseUrl, environment: "live" }),
  };
  return {
    id: "accrue",
    displayName: "Accrue",
    instrument: "wallet",
    capabilities: ACCRUE_CAPABILITIES,
    amountProblem: accrueAmountProblem,
    account(credentials, mode) {
      // Accrue's credentials do not say their environment: the mode picks the host, never mixed
      // (docs/decisions/accrue-a16-hosts-and-paths.md).
      const checked = accrueCredentials(credentials);
      if (!checked.ok) return checked;
      return ok(accountFor(clients[mode].forMerchant(checked.value), mode, options.logger, now));
    },
    async checkCredentials(credentials, mode): Promise<CredentialCheck> {
      const checked = accrueCredentials(credentials);
      if (!checked.ok) return { ok: false, reason: "refused", message: checked.error.message };
      const result = await clients[mode].checkCredentials(checked.value);
      if (result.ok) return result;
      return { ok: false, reason: result.reason === "unauthorized" ? "refused" : result.reason, message: result.message };
    },
    walletWidget: (input) => accrueWidget(options.widget ?? DEFAULT_WIDGET_HOSTS, input),
    isIntentId: isAccrueIntentId,
    // docs/decisions/accrue-a12-webhook-registration.md: the six documented topics, never "*"
    // (a future topic's deliveries would reach us before the adapter knows what they mean).
    webhooks: {
      async register(credentials, mode, url) {
        const checked = accrueCredentials(credentials);
        if (!checked.ok) return err({ reason: "refused", message: checked.error.message });
        const created = await clients[mode]
          .forMerchant(checked.value)
          .createWebhook({ name: ACCRUE_WEBHOOK_NAME, url, topics: [...WEBHOOK_TOPICS], enabled: true });
        if (!created.ok) return err(registrationProblem(created.error));
        return ok({ webhookId: created.value.webhook.id, secret: created.value.secret });
      },
      async remove(credentials, mode, webhookId) {
        const checked = accrueCredentials(credentials);
        if (!checked.ok) return err({ reason: "refused", message: checked.error.message });
        const deleted = await clients[mode].forMerchant(checked.value).deleteWebhook(webhookId);
        if (deleted.ok || deleted.error.code === "NOT_FOUND") return ok(undefined);
        return err(registrationProblem(deleted.error));
      },
    },
    verifyWebhook({ rawBody, headers, secret }): WebhookVerification {
      if (!secret) return { ok: false, reason: "no webhook secret is saved for this shop" };
      const verified = verifyAccrueWebhook(rawBody, headers.get(ACCRUE_SIGNATURE_HEADER), secret);
      if (!verified.ok) return { ok: false, reason: verified.error.reason };
      const { event, knownTopic } = verified.value;
      // A topic this adapter does not know is acknowledged and ignored (accrue-a11).
      if (!knownTopic) return { ok: true, event: { dedupeKey: webhookDedupKey(event), type: event.topic, subject: "other", paymentId: null, reference: null } };
      const subject = event.topic.startsWith("Refund") ? "refund" : "payment";
      // Deliveries name resources by id only. A payment event names its payment when the delivery
      // includes it; intent and refund events name none (a Refund has no link to its payment), so
      // the domain re-reads the shop's open Accrue sessions instead (accrue-a20-port-mapping.md).
      const payment =
        event.topic.startsWith("Payment") && !event.topic.startsWith("PaymentIntent")
          ? (event.resources.find((resource) => resource.type === "Payment")?.id ?? null)
          : null;
      return {
        ok: true,
        event: { dedupeKey: webhookDedupKey(event), type: event.topic, subject, paymentId: payment, reference: null },
      };
    },
  };
}
