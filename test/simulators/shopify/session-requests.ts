import { SHOPIFY_API_VERSION } from "~/shopify/api-version";
import { encryptCardPayloadForTest, type TestCard } from "../../card-decryption/encrypt-for-test";
import { base64Token, requestId, sessionGid, shopifyLikeId } from "./ids";
import type { FinalizedSessionRecord, FinalizedSessionType, PaymentKind, PaymentMethodType, PaymentSessionRecord, SimulatorStore } from "./store";

/**
 * Builds session requests exactly as Shopify sends them (reference §2 and §3) and delivers them to
 * the app. Creating a request also registers the session, so mutations on it are accepted later.
 */

export interface ShopifyAddress {
  given_name?: string;
  family_name: string;
  line1: string;
  line2?: string;
  city: string;
  postal_code?: string;
  province?: string;
  province_code?: string;
  country_code: string;
  phone_number?: string;
  company?: string;
}

export interface ShopifyCustomer {
  email?: string;
  phone_number?: string;
  locale?: string;
  billing_address?: ShopifyAddress;
  shipping_address?: ShopifyAddress;
}

export interface ShopifyClientDetails {
  ip_address: string;
  user_agent: string;
  accept_language: string;
}

export interface PaymentSessionBody {
  id: string;
  gid: string;
  group: string;
  session_id: string;
  amount: string;
  currency: string;
  test: boolean;
  merchant_locale: string;
  payment_method: { type: PaymentMethodType; data: Record<string, unknown> };
  proposed_at: string;
  customer?: ShopifyCustomer;
  kind: PaymentKind;
  client_details?: ShopifyClientDetails;
}

export interface RefundSessionBody {
  id: string;
  gid: string;
  payment_id: string;
  amount: string;
  currency: string;
  test: boolean;
  merchant_locale: string;
  proposed_at: string;
}

export type CaptureSessionBody = RefundSessionBody;

/** Void sessions carry no amount, currency or test flag (reference §3.3). */
export interface VoidSessionBody {
  id: string;
  gid: string;
  payment_id: string;
  merchant_locale: string;
  proposed_at: string;
}

/** A request ready to send: the three documented headers plus the JSON body. */
export interface SimulatedSessionRequest<TBody> {
  shop: string;
  id: string;
  gid: string;
  headers: {
    "Shopify-Shop-Domain": string;
    "Shopify-Request-Id": string;
    "Shopify-Api-Version": string;
  };
  body: TBody;
}

export interface CreatePaymentSessionParams {
  shop: string;
  /** Default "sale". */
  kind?: PaymentKind;
  /** Decimal string with a dot, as Shopify sends it. Default "10.00". */
  amount?: string;
  /** Default "USD". */
  currency?: string;
  /** Default true: the provider runs in test mode on development stores. */
  test?: boolean;
  /** Default "offsite". */
  paymentMethodType?: PaymentMethodType;
  /** Replaces `payment_method.data` (e.g. card data encrypted to another key). */
  paymentMethodData?: Record<string, unknown>;
  /** Credit cards: the card Shopify encrypts to the configured key (default a 4242… test card). */
  card?: TestCard;
  /** Credit cards: `payment_method.data.moto` (default false). */
  moto?: boolean;
  /** Credit cards with 3DS: Shopify's confirmation_result after paymentSessionConfirm (default true). */
  confirmationResult?: boolean;
  /** `null` omits the optional customer object. */
  customer?: ShopifyCustomer | null;
  /** Sent by default for credit cards (3DS needs it); pass it for offsite, or `null` to omit. */
  clientDetails?: ShopifyClientDetails | null;
  merchantLocale?: string;
  /** Reuse to model a second attempt on the same checkout. */
  group?: string;
  id?: string;
  proposedAt?: string;
  apiVersion?: string;
}

export interface CreateRefundSessionParams {
  /** The payment session's `id` (not its gid, not a capture id; reference pitfall 11). */
  paymentId: string;
  /** Defaults to the payment's amount and currency. */
  amount?: string;
  currency?: string;
  id?: string;
  merchantLocale?: string;
  proposedAt?: string;
  apiVersion?: string;
}

export type CreateCaptureSessionParams = CreateRefundSessionParams;
export type CreateVoidSessionParams = Omit<CreateRefundSessionParams, "amount" | "currency">;

export interface DeliveryResult {
  status: number;
  /** Parsed JSON when the app answered JSON, else the text (empty string for an empty body). */
  body: unknown;
  text: string;
  requestId: string;
}

const DECIMAL_AMOUNT = /^\d+(\.\d+)?$/;

const DEFAULT_CUSTOMER: ShopifyCustomer = {
  email: "buyer@example.com",
  phone_number: "5555555555",
  locale: "en",
  billing_address: {
    given_name: "Alice",
    family_name: "Smith",
    line1: "123 Street",
    line2: "Suite B",
    city: "Montreal",
    postal_code: "H2Z 0B3",
    province: "Quebec",
    province_code: "QC",
    country_code: "CA",
    phone_number: "5555555555",
    company: "",
  },
  shipping_address: {
    given_name: "Alice",
    family_name: "Smith",
    line1: "123 Street",
    line2: "Suite B",
    city: "Montreal",
    postal_code: "H2Z 0B3",
    province: "Quebec",
    province_code: "QC",
    country_code: "CA",
    phone_number: "5555555555",
    company: "",
  },
};

const DEFAULT_CLIENT_DETAILS: ShopifyClientDetails = {
  ip_address: "203.0.113.7",
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  accept_language: "en-US",
};

/**
 * Card data encrypted to Shopify's published TEST key (reference §5.5; decrypts to a 4242… test card).
 * Not Shopify's own TEST payload, which was never captured.
 */
const TEST_CARD_PAYMENT_METHOD_DATA: Record<string, unknown> = {
  encrypted_message:
    "w6R5CPUqgT5YZuxjJQuDzIr75wyvJyps5d46K66abGccfJpvNg21tGbezy3wcSYaYPQnA+1PduQwUQdBafZdiq3QXj3rmYpK1qZvjTKyseEgEtDJvA2wDf+WcpX+I1TxhqZIE6V69UuTssY1k9DtUvMngoIzx4olPs4fCQ==",
  ephemeral_public_key:
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnkjqUzM9Z4TiVAuaG6y/Kggp1Z47\nD8QhCLtPZBRPGFh2rFszVM9aS8fi/EiFknFsAZ3/8OvJGdw0bnDbkv54RA==\n-----END PUBLIC KEY-----\n",
  tag: "e+AURFtb7zppMPT0b0lbGg==",
  moto: false,
};

export function createPaymentSession(store: SimulatorStore, baseUrl: string, params: CreatePaymentSessionParams): SimulatedSessionRequest<PaymentSessionBody> {
  const id = params.id ?? shopifyLikeId();
  const gid = sessionGid("PaymentSession", id);
  const amount = params.amount ?? "10.00";
  if (!DECIMAL_AMOUNT.test(amount)) throw new Error(`amount must be a decimal string like "12.50", got ${JSON.stringify(amount)}`);
  const paymentMethodType = params.paymentMethodType ?? "offsite";
  const record: PaymentSessionRecord = {
    type: "payment",
    shop: params.shop,
    id,
    gid,
    delivery: "not-sent",
    deliveries: [],
    lastMutation: null,
    answers: new Map(),
    kind: params.kind ?? "sale",
    paymentMethodType,
    amount,
    currency: params.currency ?? "USD",
    test: params.test ?? true,
    status: "open",
    redirected: false,
    redirectUrl: null,
    pendingReason: null,
    pendingExpiresAt: null,
    authorizationExpiresAt: null,
    networkTransactionId: null,
    rejection: null,
    confirmationResult: params.confirmationResult ?? true,
    confirmationCallbacks: [],
  };
  store.addSession(record);

  const paymentMethodData =
    params.paymentMethodData ?? (paymentMethodType === "offsite" ? { cancel_url: cancelUrl(baseUrl, id) } : cardPaymentMethodData(store, params));
  const clientDetails = params.clientDetails === undefined ? (paymentMethodType === "credit_card" ? DEFAULT_CLIENT_DETAILS : null) : params.clientDetails;
  const customer = params.customer === undefined ? DEFAULT_CUSTOMER : params.customer;

  const body: PaymentSessionBody = {
    id,
    gid,
    group: params.group ?? base64Token(),
    session_id: base64Token(),
    amount: record.amount,
    currency: record.currency,
    test: record.test,
    merchant_locale: params.merchantLocale ?? "en",
    payment_method: { type: paymentMethodType, data: paymentMethodData },
    proposed_at: params.proposedAt ?? new Date().toISOString(),
    ...(customer === null ? {} : { customer }),
    kind: record.kind,
    ...(clientDetails === null ? {} : { client_details: clientDetails }),
  };
  return { shop: params.shop, id, gid, headers: headersFor(params.shop, params.apiVersion), body };
}

const DEFAULT_TEST_CARD: TestCard = { full_name: "Alice Smith", pan: "4242424242424242", month: 12, year: 2039, verification_value: "123" };

/**
 * `payment_method.data` of a card session: the card encrypted to the configured public key exactly
 * as Shopify does (reference §5.1, fresh ephemeral key per message), or, with no key configured,
 * the fixed vector encrypted to Shopify's TEST key.
 */
function cardPaymentMethodData(store: SimulatorStore, params: CreatePaymentSessionParams): Record<string, unknown> {
  if (store.cardEncryption === null) return { ...TEST_CARD_PAYMENT_METHOD_DATA, moto: params.moto ?? false };
  const { publicKeyPem, fingerprint } = store.cardEncryption;
  return { ...encryptCardPayloadForTest(params.card ?? DEFAULT_TEST_CARD, publicKeyPem, fingerprint), moto: params.moto ?? false };
}

/**
 * Shopify's answer to paymentSessionConfirm (reference §3.4): a POST to the extension's
 * confirmation_callback_url with the three headers and `{id, gid, confirmation_result}`.
 * Sent shortly after the mutation's answer, as Shopify decides asynchronously.
 */
export function scheduleConfirmationCallback(store: SimulatorStore, session: PaymentSessionRecord): void {
  const url = store.confirmationCallbackUrl;
  if (url === null) return;
  setTimeout(() => {
    const body = { id: session.id, gid: session.gid, confirmation_result: session.confirmationResult };
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headersFor(session.shop, undefined) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.text();
        session.confirmationCallbacks.push({ url, status: response.status, error: null });
      })
      .catch((error: unknown) => {
        session.confirmationCallbacks.push({ url, status: null, error: error instanceof Error ? error.message : String(error) });
      });
  }, 50);
}

/**
 * Shopify's cancel_url is simply the checkout. `?cancelled=1` lets the simulated checkout tell a cancel
 * apart from a return after a reject, so the demo and browser tests can see which one happened.
 */
export function cancelUrl(baseUrl: string, paymentId: string): string {
  return `${baseUrl}/__sim/checkout/${encodeURIComponent(paymentId)}?cancelled=1`;
}

export function createRefundSession(store: SimulatorStore, params: CreateRefundSessionParams): SimulatedSessionRequest<RefundSessionBody> {
  const payment = resolvedPayment(store, params.paymentId, "refund");
  const { record, request } = finalizedSession(store, "refund", payment, params);
  const body: RefundSessionBody = {
    id: record.id,
    gid: record.gid,
    payment_id: payment.id,
    amount: record.amount ?? payment.amount,
    currency: record.currency ?? payment.currency,
    test: payment.test,
    merchant_locale: params.merchantLocale ?? "en",
    proposed_at: params.proposedAt ?? new Date().toISOString(),
  };
  return { ...request, body };
}

export function createCaptureSession(store: SimulatorStore, params: CreateCaptureSessionParams): SimulatedSessionRequest<CaptureSessionBody> {
  const payment = authorizedPayment(store, params.paymentId, "capture");
  const { record, request } = finalizedSession(store, "capture", payment, params);
  const body: CaptureSessionBody = {
    id: record.id,
    gid: record.gid,
    payment_id: payment.id,
    amount: record.amount ?? payment.amount,
    currency: record.currency ?? payment.currency,
    test: payment.test,
    merchant_locale: params.merchantLocale ?? "en",
    proposed_at: params.proposedAt ?? new Date().toISOString(),
  };
  return { ...request, body };
}

export function createVoidSession(store: SimulatorStore, params: CreateVoidSessionParams): SimulatedSessionRequest<VoidSessionBody> {
  const payment = authorizedPayment(store, params.paymentId, "void");
  const { record, request } = finalizedSession(store, "void", payment, params);
  const body: VoidSessionBody = {
    id: record.id,
    gid: record.gid,
    payment_id: payment.id,
    merchant_locale: params.merchantLocale ?? "en",
    proposed_at: params.proposedAt ?? new Date().toISOString(),
  };
  return { ...request, body };
}

/**
 * POSTs the request to the app like Shopify: JSON body, the three headers, no redirects followed.
 * While it is in flight Shopify refuses mutations on the session; a 2xx acknowledges it.
 * Sending the same request again models Shopify's retry (same id and body).
 */
export async function deliverSession(
  store: SimulatorStore,
  appSessionUrl: string,
  request: SimulatedSessionRequest<unknown>,
  timeoutMs = 10_000,
): Promise<DeliveryResult> {
  const session = store.sessions.get(request.gid);
  if (session === undefined) throw new Error(`Unknown session ${request.gid}; was the simulator reset?`);
  const shopifyRequestId = request.headers["Shopify-Request-Id"];
  session.delivery = "in-flight";
  try {
    const response = await fetch(appSessionUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...request.headers },
      body: JSON.stringify(request.body),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    session.delivery = response.ok ? "acknowledged" : "failed";
    session.deliveries.push({ requestId: shopifyRequestId, status: response.status, error: null });
    return { status: response.status, body: parseMaybeJson(text), text, requestId: shopifyRequestId };
  } catch (error) {
    session.delivery = "failed";
    session.deliveries.push({ requestId: shopifyRequestId, status: null, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

function finalizedSession(
  store: SimulatorStore,
  type: FinalizedSessionType,
  payment: PaymentSessionRecord,
  params: CreateRefundSessionParams | CreateVoidSessionParams,
): { record: FinalizedSessionRecord; request: Omit<SimulatedSessionRequest<unknown>, "body"> } {
  const id = params.id ?? shopifyLikeId();
  const gidType = type === "refund" ? "RefundSession" : type === "capture" ? "CaptureSession" : "VoidSession";
  const amount = "amount" in params ? params.amount : undefined;
  if (amount !== undefined && !DECIMAL_AMOUNT.test(amount)) throw new Error(`amount must be a decimal string, got ${JSON.stringify(amount)}`);
  const record: FinalizedSessionRecord = {
    type,
    shop: payment.shop,
    id,
    gid: sessionGid(gidType, id),
    delivery: "not-sent",
    deliveries: [],
    lastMutation: null,
    answers: new Map(),
    paymentGid: payment.gid,
    amount: type === "void" ? null : (amount ?? payment.amount),
    currency: type === "void" ? null : (("currency" in params ? params.currency : undefined) ?? payment.currency),
    status: "open",
    rejection: null,
  };
  store.addSession(record);
  return { record, request: { shop: payment.shop, id, gid: record.gid, headers: headersFor(payment.shop, params.apiVersion) } };
}

/** Shopify only offers refunds on paid payments. */
function resolvedPayment(store: SimulatorStore, paymentId: string, purpose: FinalizedSessionType): PaymentSessionRecord {
  const payment = store.paymentById(paymentId);
  if (payment === undefined) throw new Error(`No payment session with id ${paymentId} (pass the payment's id, not its gid)`);
  if (payment.status !== "resolved") throw new Error(`Cannot ${purpose} payment ${paymentId}: it is ${payment.status}, not resolved`);
  return payment;
}

/** Capture and void only exist for resolved authorizations. */
function authorizedPayment(store: SimulatorStore, paymentId: string, purpose: FinalizedSessionType): PaymentSessionRecord {
  const payment = resolvedPayment(store, paymentId, purpose);
  if (payment.kind !== "authorization") throw new Error(`Cannot ${purpose} payment ${paymentId}: it is a sale, not an authorization`);
  return payment;
}

function headersFor(shop: string, apiVersion: string | undefined): SimulatedSessionRequest<unknown>["headers"] {
  return {
    "Shopify-Shop-Domain": shop,
    "Shopify-Request-Id": requestId(),
    "Shopify-Api-Version": apiVersion ?? SHOPIFY_API_VERSION,
  };
}

function parseMaybeJson(text: string): unknown {
  if (text === "") return "";
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
