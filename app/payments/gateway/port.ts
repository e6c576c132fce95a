/**
 * The PaymentGateway port: what the payments domain asks of a payment gateway, in its own
 * words (docs/decisions/0011-gateway-port.md). Each gateway is an adapter that implements it
 * (app/accelebit, app/accrue) and maps its vendor's statuses and errors to the neutral ones
 * below in one place. The domain reads `capabilities` instead of hard-coding what one vendor
 * lacks, and never imports an adapter: app/payments/gateways.server.ts picks the adapter for a
 * session's gateway.
 */
import type { Result } from "~/lib/result";
import type { Money } from "~/payments/money";

export const GATEWAY_IDS = ["accelebit", "accrue"] as const;
export type GatewayId = (typeof GATEWAY_IDS)[number];
export type GatewayMode = "test" | "live";

export function isGatewayId(value: string): value is GatewayId {
  return (GATEWAY_IDS as readonly string[]).includes(value);
}

/** What a gateway can do, read by the domain (capture, void and refund sessions, the charge window). */
export interface GatewayCapabilities {
  /** Authorize now and capture later: an authorization session's capture moves money. */
  readonly delayedCapture: boolean;
  /** A capture may take less than was authorized. */
  readonly partialCapture: boolean;
  /** An uncaptured authorization can be released without moving money. */
  readonly void: boolean;
  /** Several refunds of one payment, adding up to at most what was captured. */
  readonly multipleRefunds: boolean;
  /** The gateway may ask for 3-D Secure (a redirect of the shopper). */
  readonly threeDSecure: boolean;
  /**
   * How long a repeated write with the same idempotency key is recognised (and not executed
   * again); null when the gateway promises none, so a write of unknown outcome is only ever
   * settled by reading it back.
   */
  readonly idempotencyKeyLifetimeMs: number | null;
  /** A payment can be found by the reference we gave it, when its id was lost. */
  readonly lookupByReference: boolean;
}

/** A payment as the domain sees it. */
export type GatewayPaymentStatus =
  /** The shopper must act first (3-D Secure): see `action`. */
  | "action_required"
  /** Held on the buyer's instrument, not captured. */
  | "authorized"
  /** The money is taken (or irrevocably on its way). */
  | "captured"
  /** Declined or failed: no money moved. */
  | "failed"
  /** An authorization released (void). */
  | "canceled";

export interface ShopperAction {
  readonly redirectUrl: string;
  readonly method: "GET" | "POST";
  readonly parameters: Readonly<Record<string, string>>;
}

export interface GatewayPayment {
  readonly id: string;
  readonly status: GatewayPaymentStatus;
  /** As the gateway recorded it; null when it did not say. */
  readonly amount: Money | null;
  /** The upstream processor, when the gateway names one. */
  readonly provider: string | null;
  readonly action: ShopperAction | null;
  /** Why a failed payment failed, in the gateway's words (code) and ours (declined). */
  readonly failure: { readonly code: string; readonly message: string | null; readonly declined: boolean } | null;
  /** Until when an authorization holds, when the gateway says. */
  readonly authorizationExpiresAt: Date | null;
}

export type GatewayRefundStatus = "succeeded" | "pending" | "failed";

export interface GatewayRefund {
  readonly id: string;
  readonly status: GatewayRefundStatus;
  readonly amount: Money;
}

/**
 * - `retryable`: repeating may succeed and nothing needs reconciling first (for a write, with
 *   the same idempotency key);
 * - `terminal`: repeating the same request cannot succeed (a decline, a bad key, a bug);
 * - `outcome_unknown`: a write was sent and it is not known whether it took effect: read the
 *   state back before deciding anything, never start a new attempt.
 */
export type GatewayErrorCategory = "retryable" | "terminal" | "outcome_unknown";

export type GatewayErrorCode =
  /** The issuer or wallet said no: the shopper may try another instrument. */
  | "DECLINED"
  | "INSUFFICIENT_FUNDS"
  /** The merchant's credentials were refused. */
  | "CREDENTIALS_REFUSED"
  | "INVALID_REQUEST"
  | "DUPLICATE_REQUEST"
  | "NOT_FOUND"
  /** The operation does not fit the object's state (e.g. capture of an expired authorization). */
  | "STATE_MISMATCH"
  | "AUTHORIZATION_EXPIRED"
  | "UNAVAILABLE"
  | "RATE_LIMITED"
  | "TIMEOUT"
  | "NETWORK"
  | "UNEXPECTED_RESPONSE";

export interface GatewayError {
  readonly code: GatewayErrorCode;
  readonly category: GatewayErrorCategory;
  /** The vendor's own error name or code, for the merchant message; null when it sent none. */
  readonly gatewayCode: string | null;
  /** Never contains card data or credentials. */
  readonly message: string;
  /** A payment the gateway recorded although the request failed (a decline answered as a payment). */
  readonly payment?: GatewayPayment;
  readonly retryAfterMs?: number;
}

export type GatewayResult<T> = Result<T, GatewayError>;

/** The buyer's billing details the domain holds (from Shopify's session). */
export interface Billing {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly phone?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string;
  readonly address?: string;
  readonly city?: string;
  readonly postalCode?: string;
  readonly state?: string;
}

/** What the shopper pays with. */
export type PaymentInstrument =
  /** A card typed on our page or decrypted from Shopify's payload; it lives in memory only. */
  | {
      readonly kind: "card";
      readonly card: { readonly number: string; readonly expiryMonth: string; readonly expiryYear: string; readonly cvv: string; readonly holderName: string };
      readonly billing: Billing;
      /** The buyer's IPv4 address for fraud scoring; null when there is none. */
      readonly buyerIp: string | null;
      /** Where the gateway sends the shopper back after 3-D Secure: our opaque URL. */
      readonly returnUrl: string;
    }
  /** A payment intent the shopper created in the gateway's own widget. */
  | { readonly kind: "intent"; readonly intentId: string };

export interface ChargeRequest {
  readonly amount: Money;
  /** The attempt's own reference at the gateway (docs/decisions/0001-attempt-identity.md). */
  readonly reference: string;
  readonly idempotencyKey: string;
  /** Take the money now (a sale) or only authorize (an authorization session). */
  readonly capture: boolean;
  readonly instrument: PaymentInstrument;
  readonly metadata: Readonly<Record<string, string>>;
  /** Gateway payment ids of the session's other attempts, which a lookup after a lost answer must not take for this one. */
  readonly otherAttemptPaymentIds: readonly string[];
}

/** One merchant account of a gateway, in one mode. */
export interface GatewayAccount {
  readonly mode: GatewayMode;
  /** Charges or authorizes; a lost answer is settled by the adapter (a lookup or a read) before this returns, and stays `outcome_unknown` only when that is impossible. */
  charge(request: ChargeRequest): Promise<GatewayResult<GatewayPayment>>;
  /** A read: a failed payment is an ok value with status "failed". */
  retrieve(paymentId: string): Promise<GatewayResult<GatewayPayment>>;
  /**
   * The payment carrying `reference`, if any: one that matches the amount and is none of
   * `others`. `intentId`, when the attempt was made from a known wallet intent, is read
   * directly instead of searched for (a search may not reach far enough back).
   */
  findByReference(
    reference: string,
    expected: { readonly amount: Money; readonly others: readonly string[]; readonly intentId?: string },
  ): Promise<GatewayResult<GatewayPayment | null>>;
  capture(paymentId: string, amount: Money, options: { readonly idempotencyKey: string }): Promise<GatewayResult<GatewayPayment>>;
  /** Releases an uncaptured authorization (void). */
  cancel(paymentId: string, options: { readonly idempotencyKey: string }): Promise<GatewayResult<GatewayPayment>>;
  /**
   * `knownRefundIds`: the payment's refunds the caller already knows, so an adapter that must
   * read back a refund of unknown outcome (no idempotency promise) can tell a new one apart.
   */
  refund(
    paymentId: string,
    amount: Money,
    options: { readonly idempotencyKey: string; readonly reason: string; readonly knownRefundIds: readonly string[] },
  ): Promise<GatewayResult<GatewayRefund>>;
  /** A refund's current state (a `pending` refund is read again until it settles). */
  retrieveRefund(paymentId: string, refundId: string): Promise<GatewayResult<GatewayRefund>>;
}

/** The merchant's secrets for one gateway and mode, decrypted only for the call that needs them. */
export interface GatewayCredentials {
  /** The server-only secret (Accelebit secret key, Accrue client secret). */
  readonly secret: string;
  /** A public identifier that goes with it (Accrue client id); null when the gateway has none. */
  readonly publicId: string | null;
}

export type CredentialProblem = { readonly reason: "missing" | "malformed" | "wrong_mode"; readonly message: string };

export type CredentialCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: "refused" | "unreachable" | "unexpected"; readonly message: string };

/** A webhook delivery whose signature checked out: only a trigger to re-read (nothing in it is applied). */
export interface GatewayEvent {
  /** Deduplicates redeliveries and replays. */
  readonly dedupeKey: string;
  readonly type: string;
  readonly subject: "payment" | "refund" | "other";
  /** The payment to re-read (for a refund event, the refunded payment), when the event names one. */
  readonly paymentId: string | null;
  /** The payment's reference, when the payload carries it: finds an attempt whose payment id we never learned. */
  readonly reference: string | null;
}

/** Our webhook as the gateway registered it: its id there and the secret it signs deliveries with (store it encrypted). */
export interface RegisteredWebhook {
  readonly webhookId: string;
  readonly secret: string;
}

/** Why a registration call did not do what was asked: the gateway refused, could not be reached, or its outcome is unknown. */
export type WebhookRegistrationProblem = { readonly reason: "refused" | "unreachable" | "outcome_unknown" | "unexpected"; readonly message: string };

/**
 * Webhook registration through the gateway's API, for gateways that offer it (Accrue, A12);
 * absent where the merchant copies a signing secret from the gateway's dashboard (Accelebit).
 */
export interface GatewayWebhooks {
  /** Creates a webhook for the given topics-of-interest at `url`, with the merchant's credentials of that mode. */
  register(credentials: GatewayCredentials, mode: GatewayMode, url: string): Promise<Result<RegisteredWebhook, WebhookRegistrationProblem>>;
  /** Deletes it; an already deleted webhook is success. */
  remove(credentials: GatewayCredentials, mode: GatewayMode, webhookId: string): Promise<Result<void, WebhookRegistrationProblem>>;
}

export type WebhookVerification = { readonly ok: true; readonly event: GatewayEvent } | { readonly ok: false; readonly reason: string };

/**
 * A gateway's own widget, in which the shopper signs in and creates a payment intent on our
 * page (a wallet gateway). The page loads `scriptUrl`, places `element`, and posts back only
 * the intent id found in `intentIdField` of the detail of the `intentCreatedEvent` DOM event
 * (public/wallet-pay.js); the server reads the intent itself before anything is charged.
 */
export interface WalletWidget {
  readonly scriptUrl: string;
  readonly scriptAttributes: Readonly<Record<string, string>>;
  /** A custom element and its attributes (the amount and our session's reference among them). */
  readonly element: { readonly tag: string; readonly attributes: Readonly<Record<string, string>> };
  /** Origins the page's Content-Security-Policy must allow for the script and its frames. */
  readonly origins: readonly string[];
  readonly intentCreatedEvent: string;
  readonly intentIdField: string;
}

export interface PaymentGateway {
  readonly id: GatewayId;
  /** As merchants and shoppers read it. */
  readonly displayName: string;
  /** What shoppers pay with: a card, or a wallet held at the gateway (declines have their own reasons at Shopify). */
  readonly instrument: "card" | "wallet";
  readonly capabilities: GatewayCapabilities;
  /** Why this gateway cannot take the amount at all (a currency it does not support, a precision it cannot express); null when it can. */
  amountProblem(amount: Money): string | null;
  /** The account for a session's mode, or why the stored credentials cannot serve it (nothing is sent). */
  account(credentials: GatewayCredentials | null, mode: GatewayMode): Result<GatewayAccount, CredentialProblem>;
  /** A harmless authenticated request, for the settings page to check credentials before saving them. */
  checkCredentials(credentials: GatewayCredentials, mode: GatewayMode): Promise<CredentialCheck>;
  verifyWebhook(input: { readonly rawBody: string; readonly headers: Headers; readonly secret: string | null }): WebhookVerification;
  /**
   * For a wallet gateway: the widget for one session, given the merchant's public id for the
   * session's mode, the exact amount and the session's opaque reference. Absent for a card gateway.
   */
  walletWidget?(input: { readonly mode: GatewayMode; readonly publicId: string; readonly amount: Money; readonly reference: string }): WalletWidget;
  /** Whether `value` can be one of this gateway's intent ids (checked before any request). */
  isIntentId?(value: string): boolean;
  /** Present when the app registers its webhook through the gateway's API. */
  readonly webhooks?: GatewayWebhooks;
}

/** One line for a job's last error or the timeline: our code, the gateway's own, and whether a retry may help. */
export function describeGatewayError(error: Pick<GatewayError, "code" | "gatewayCode" | "category">): string {
  const own = error.gatewayCode && error.gatewayCode !== error.code ? ` ${error.gatewayCode}` : "";
  return `${error.code}${own} (${error.category})`;
}
