/**
 * Accelebit sandbox: a local HTTP double of the Accelebit Payments API, written from the
 * vendor's documents (/work/shared/seeds 000–003), never from our client. Used by tests
 * (in-process, ephemeral port) and the local demo (main.ts). Never used by production paths:
 * the app reaches it only through ACCELEBIT_API_URL.
 *
 * See README.md for the magic cards, the fault knobs and the /__sandbox/ control endpoints.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { API_PATH, Faults, faultSettingsSchema, type FaultSettings } from "./faults";
import {
  BodyTooLarge,
  canonicalJson,
  dataResponse,
  errorResponse,
  headerValue,
  parseForm,
  readBody,
  redirect,
  send,
  sendHtml,
  type SandboxResponse,
} from "./http";
import { outcomeForCard } from "./magic-cards";
import { cents, formatCents } from "./money";
import {
  Account,
  maskKey,
  paymentCreatedView,
  paymentDetailView,
  type IdempotencyEntry,
  type PaymentRecord,
  type RefundRecord,
  type ThreeDsChallenge,
  type WebhookTarget,
} from "./store";
import { CALLBACK_PATH, CHALLENGE_PATH, challengePage, decodeToken, encodeToken, messagePage } from "./three-ds";
import {
  customerRequestSchema,
  paymentRequestSchema,
  refundRequestSchema,
  validationMessage,
  type CustomerRequest,
  type PaymentRequest,
  type RefundRequest,
} from "./validation";
import { WebhookDispatcher, type DeliveryRecord, type WebhookRetry } from "./webhooks";

export type { FaultSettings } from "./faults";
export type { DeliveryRecord } from "./webhooks";
export { MAGIC_CARDS } from "./magic-cards";

/** "Keys expire after 24 hours" (seed 001, Idempotency). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_WEBHOOK_SECRET = "accelebit-sandbox-webhook-secret";
/** Keys of the documented form; anything else is UNAUTHORIZED. */
const API_KEY_FORM = /^smtgw_sk_(test|live)_[A-Za-z0-9_-]+$/;

/** Behaviours the documents leave open; both forms must be handled by the app. */
export const behaviourSchema = z.strictObject({
  /** How a declined card is answered: 400 or 402 error envelope, or 201 with status "failed". */
  declineStyle: z.enum(["error_400", "error_402", "created_failed"]).optional(),
  /**
   * GET /v1/payments?merchantRef= "returns the same fields as the retrieve endpoint" and does not
   * say which payment when several share a reference: the newest alone ("single" is the same),
   * the oldest alone, or all of them (newest first).
   */
  merchantRefLookup: z.enum(["single", "newest", "oldest", "list"]).optional(),
  /**
   * Webhook delivery: at once (retried while the receiver fails), or held until the test
   * releases them — late, in any order, or twice (releaseWebhooks).
   */
  webhooks: z.enum(["immediate", "held"]).optional(),
});
export type Behaviour = Required<z.infer<typeof behaviourSchema>>;
const DEFAULT_BEHAVIOUR: Behaviour = { declineStyle: "error_400", merchantRefLookup: "single", webhooks: "immediate" };

export const releaseWebhooksSchema = z.strictObject({
  /** Oldest first (as sent), newest first, or in the order of `eventIds`. */
  order: z.enum(["fifo", "lifo"]).optional(),
  /** Only these held events (default: all). */
  eventIds: z.array(z.string()).optional(),
  /** Deliver each one twice, as a gateway that retries a delivery it thinks failed. */
  twice: z.boolean().optional(),
});
export type ReleaseWebhooks = z.infer<typeof releaseWebhooksSchema>;

export interface AccelebitSandboxOptions {
  /** 0 or absent: an ephemeral port. */
  readonly port?: number;
  readonly host?: string;
  /** Base of the URLs handed to browsers (3-D Secure); default http://host:port. */
  readonly publicUrl?: string;
  readonly now?: () => Date;
  /** Source for fault rates. */
  readonly random?: () => number;
  /** Default webhook target of every account (an account may override it). */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly webhookRetry?: Partial<WebhookRetry>;
  /** Waits between webhook retries (tests make them instant). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly faults?: FaultSettings;
  readonly behaviour?: Partial<Behaviour>;
  /** Well-formed keys that are nevertheless refused (a revoked key). */
  readonly revokedKeys?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  idempotencyKey: string | null;
  /** The account's key, masked; null when the request was not authenticated. */
  account: string | null;
  status: number | "dropped" | null;
}

/** A request held before processing (test helper): lets a test decide when it proceeds. */
export interface Hold {
  /** Resolves when a matching request arrives and is held. */
  readonly reached: Promise<void>;
  release(): void;
  /** Resolves when the held request has been processed (recorded), before it is answered. */
  readonly finished: Promise<void>;
}

export interface AccelebitSandbox {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  setFaults(faults: FaultSettings): void;
  clearFaults(): void;
  setBehaviour(behaviour: Partial<Behaviour>): void;
  /** Per-account webhook target; without apiKey, the default for every account. */
  configureWebhooks(target: WebhookTarget, apiKey?: string): void;
  stats(apiKey: string): ReturnType<Account["stats"]>;
  payments(apiKey: string): (ReturnType<typeof paymentDetailView> & { refundedAmount: string })[];
  refunds(apiKey: string): RefundRecord[];
  requests(): RequestLogEntry[];
  webhookDeliveries(): DeliveryRecord[];
  waitForWebhooks(): Promise<void>;
  /** Events held back (behaviour `webhooks: "held"`), oldest first. */
  heldWebhooks(): { eventId: string; type: string; objectId: string }[];
  /** Delivers held events (and waits for their deliveries); resolves with how many were released. */
  releaseWebhooks(options?: ReleaseWebhooks): Promise<number>;
  holdNext(match: string): Hold;
  /** The cardholder answers the open 3-D Secure challenge of a payment at the bank (the browser is not involved); false when there is none. */
  answerChallenge(apiKey: string, paymentId: string, outcome: "approve" | "fail"): boolean;
  reset(): void;
}

type Outcome = { response: SandboxResponse; store: boolean; after?: () => void };
type Validated = { ok: true; run: (account: Account, idempotencyKey: string) => Outcome } | { ok: false; message: string };

interface PendingHold {
  match: string;
  used: boolean;
  reached: () => void;
  released: Promise<void>;
  finish: () => void;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const invalid = (message: string) => errorResponse(400, "INVALID_REQUEST", message);
const notFound = (message: string) => errorResponse(404, "NOT_FOUND", message);

export async function startAccelebitSandbox(options: AccelebitSandboxOptions = {}): Promise<AccelebitSandbox> {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const revoked = new Set(options.revokedKeys ?? []);
  const faults = new Faults(random);
  let behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  let defaultWebhook: WebhookTarget | null = options.webhookUrl ? { url: options.webhookUrl, secret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET } : null;
  let accounts = new Map<string, Account>();
  let challenges = new Map<string, { account: Account; challenge: ThreeDsChallenge }>();
  let requestLog: RequestLogEntry[] = [];
  let holds: PendingHold[] = [];
  let paymentSeq = 0;
  let publicUrl = "";
  const dispatcher = new WebhookDispatcher({
    now,
    log,
    retry: { maxAttempts: 5, baseDelayMs: 500, ...options.webhookRetry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  if (options.faults) faults.set(options.faults);
  dispatcher.setHeld(behaviour.webhooks === "held");

  const webhookTarget = (account: Account) => account.webhook ?? defaultWebhook;

  function accountFor(apiKey: string | undefined): Account | null {
    if (apiKey === undefined || !API_KEY_FORM.test(apiKey) || revoked.has(apiKey)) return null;
    let account = accounts.get(apiKey);
    if (!account) {
      account = new Account(apiKey, apiKey.startsWith("smtgw_sk_test_") ? "test" : "live");
      accounts.set(apiKey, account);
    }
    return account;
  }

  /** Latency knob and test holds: applied once a POST's Idempotency-Key is registered. */
  async function delay(method: string, path: string): Promise<PendingHold | null> {
    const ms = faults.latencyMs(method, path);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    const hold = holds.find((h) => !h.used && h.match === `${method} ${path}`);
    if (!hold) return null;
    hold.used = true;
    hold.reached();
    await hold.released;
    return hold;
  }

  // ---- payments -------------------------------------------------------------------------

  function resolveCustomer(account: Account, externalId: string | undefined): string | null {
    if (externalId === undefined) return null;
    const existing = account.customerByExternalId(externalId);
    if (existing) return existing.id;
    const id = randomUUID();
    account.customers.set(id, { id, externalId, email: null, metadata: {}, createdAt: now().toISOString() });
    return id;
  }

  function createPayment(account: Account, request: PaymentRequest, idempotencyKey: string): Outcome {
    const outcome = request.paymentMethod === "card" ? outcomeForCard(request.card?.number) : "captured";
    const threeDs = outcome === "three_ds_get" || outcome === "three_ds_post";
    if (threeDs && !request.returnUrl) {
      return { response: invalid("returnUrl: is required when the payment needs 3-D Secure"), store: false };
    }
    if (outcome === "provider_error" || (outcome === "provider_error_once" && !account.flakyCardsSeen.has(idempotencyKey))) {
      account.flakyCardsSeen.add(idempotencyKey);
      // Not stored under the key: "a retry may succeed (same Idempotency-Key)".
      return { response: errorResponse(502, "PROVIDER_ERROR", "The upstream provider returned an error"), store: false };
    }

    const payment: PaymentRecord = {
      id: randomUUID(),
      seq: (paymentSeq += 1),
      status: outcome === "declined" ? "failed" : outcome === "authorized" ? "authorized" : threeDs ? "pending_3ds" : "captured",
      amount: request.amount,
      currency: request.currency,
      provider: request.currency === "EUR" ? "everest" : "triple000",
      threeDsRequired: threeDs,
      threeDsData: null,
      createdAt: now().toISOString(),
      merchantRef: request.merchantRef ?? null,
      customerId: resolveCustomer(account, request.customerId),
      returnUrl: request.returnUrl ?? null,
      error: outcome === "declined" ? { name: "CARD_DECLINED", message: "The card was declined by the issuing bank" } : null,
      cardLast4: request.card ? request.card.number.slice(-4) : null,
      refundedCents: 0n,
      metadata: request.metadata ?? null,
    };
    if (threeDs) {
      const token = randomUUID();
      const method = outcome === "three_ds_get" ? "GET" : "POST";
      challenges.set(token, { account, challenge: { token, paymentId: payment.id, method, completed: false } });
      payment.threeDsData =
        method === "GET"
          ? { redirectUrl: `${publicUrl}${CHALLENGE_PATH}/${token}`, method, parameters: {} }
          : {
              redirectUrl: `${publicUrl}${CHALLENGE_PATH}`,
              method,
              parameters: { PaReq: encodeToken(token), TermUrl: `${publicUrl}${CALLBACK_PATH}/${token}` },
            };
    }
    account.payments.set(payment.id, payment);

    const after = () => {
      if (payment.status === "captured") dispatcher.enqueue(webhookTarget(account), "payment.captured", paymentDetailView(payment));
      if (payment.status === "failed") dispatcher.enqueue(webhookTarget(account), "payment.failed", paymentDetailView(payment));
    };
    if (payment.status !== "failed") return { response: dataResponse(201, paymentCreatedView(payment)), store: true, after };
    const error = payment.error ?? { name: "CARD_DECLINED", message: "Declined" };
    const response =
      behaviour.declineStyle === "created_failed"
        ? dataResponse(201, { ...paymentCreatedView(payment), error })
        : errorResponse(behaviour.declineStyle === "error_402" ? 402 : 400, error.name, error.message);
    return { response, store: true, after };
  }

  function createRefund(account: Account, request: RefundRequest): Outcome {
    const refuse = (message: string): Outcome => ({ response: invalid(message), store: false });
    const payment = account.payments.get(request.transactionId.toLowerCase());
    if (!payment) return refuse("transactionId: no payment with this id");
    if (payment.status !== "captured") return refuse(`transactionId: only captured payments can be refunded (this payment is ${payment.status})`);
    if (request.currency !== payment.currency) return refuse(`currency: must match the payment's currency (${payment.currency})`);
    const remaining = cents(payment.amount) - payment.refundedCents;
    if (cents(request.amount) > remaining) {
      return refuse(`amount: exceeds the refundable amount of the payment (${formatCents(remaining)} ${payment.currency} remaining)`);
    }
    payment.refundedCents += cents(request.amount);
    const refund: RefundRecord = {
      id: randomUUID(),
      transactionId: payment.id,
      amount: request.amount,
      currency: request.currency,
      status: "created",
      reason: request.reason ?? null,
      createdAt: now().toISOString(),
    };
    account.refunds.set(refund.id, refund);
    return { response: dataResponse(201, refund), store: true, after: () => dispatcher.enqueue(webhookTarget(account), "refund.created", { ...refund }) };
  }

  function createCustomer(account: Account, request: CustomerRequest): Outcome {
    const existing = account.customerByExternalId(request.externalId);
    if (existing) return { response: dataResponse(200, existing), store: true };
    const customer = {
      id: randomUUID(),
      externalId: request.externalId,
      email: request.email ?? null,
      metadata: request.metadata ?? {},
      createdAt: now().toISOString(),
    };
    account.customers.set(customer.id, customer);
    return { response: dataResponse(201, customer), store: true };
  }

  function validator<S extends z.ZodType>(schema: S, run: (account: Account, value: z.output<S>, key: string) => Outcome) {
    return (body: unknown): Validated => {
      const parsed = schema.safeParse(body);
      return parsed.success ? { ok: true, run: (account, key) => run(account, parsed.data, key) } : { ok: false, message: validationMessage(parsed.error) };
    };
  }

  const postRoutes: Record<string, (body: unknown) => Validated> = {
    "/v1/payments": validator(paymentRequestSchema, createPayment),
    "/v1/refunds": validator(refundRequestSchema, (account, value) => createRefund(account, value)),
    "/v1/customers": validator(customerRequestSchema, (account, value) => createCustomer(account, value)),
  };

  // ---- idempotency ----------------------------------------------------------------------

  function liveEntry(account: Account, key: string): IdempotencyEntry | undefined {
    const entry = account.idempotency.get(key);
    if (entry && now().getTime() - entry.createdAtMs >= IDEMPOTENCY_KEY_TTL_MS) {
      account.idempotency.delete(key);
      return undefined;
    }
    return entry;
  }

  function register(account: Account, key: string, fingerprint: string): IdempotencyEntry {
    let settle!: (answer: SandboxResponse | null) => void;
    const answer = new Promise<SandboxResponse | null>((resolve) => {
      settle = resolve;
    });
    const entry: IdempotencyEntry = { fingerprint, createdAtMs: now().getTime(), answer, settle };
    account.idempotency.set(key, entry);
    return entry;
  }

  function release(account: Account, key: string, entry: IdempotencyEntry): void {
    if (account.idempotency.get(key) === entry) account.idempotency.delete(key);
    entry.settle(null);
  }

  type Handled = { response: SandboxResponse; processed: boolean; hold?: PendingHold | null };

  async function handlePost(req: IncomingMessage, account: Account, path: string, entryLog: RequestLogEntry): Promise<Handled> {
    const route = postRoutes[path];
    if (!route) return { response: notFound("No such endpoint"), processed: false };
    if (!/^application\/json\b/i.test(headerValue(req, "content-type") ?? "")) {
      return { response: invalid("Content-Type: must be application/json"), processed: false };
    }
    const key = headerValue(req, "idempotency-key");
    entryLog.idempotencyKey = key ?? null;
    if (!key || key.length > 255) return { response: invalid("Idempotency-Key: header is required (at most 255 characters)"), processed: false };

    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLarge) throw error;
      return { response: invalid("body: must be valid JSON"), processed: false };
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return { response: invalid("body: must be a JSON object"), processed: false };

    const fingerprint = `${path}\n${canonicalJson(body)}`;
    for (let existing = liveEntry(account, key); existing; existing = liveEntry(account, key)) {
      if (existing.fingerprint !== fingerprint) {
        return {
          response: errorResponse(409, "DUPLICATE_REQUEST", "The Idempotency-Key was already used with different request parameters"),
          processed: false,
        };
      }
      // Same key, same body: the original answer, even if the first request is still running.
      const answer = await existing.answer;
      if (answer) return { response: answer, processed: true };
      // The first request left nothing to replay (a provider error): this one runs afresh.
    }

    const validated = route(body);
    if (!validated.ok) return { response: invalid(validated.message), processed: false };
    const entry = register(account, key, fingerprint);
    try {
      const hold = await delay("POST", path);
      const outcome = validated.run(account, key);
      if (outcome.store) entry.settle(outcome.response);
      else release(account, key, entry);
      outcome.after?.();
      return { response: outcome.response, processed: true, hold };
    } catch (error) {
      release(account, key, entry);
      throw error;
    }
  }

  async function handleGet(account: Account, path: string, query: URLSearchParams): Promise<Handled> {
    const hold = await delay("GET", path);
    const [, , resource, id, extra] = path.split("/");
    if (extra !== undefined) return { response: notFound("No such endpoint"), processed: false };
    if (resource === "customers" && id) {
      const customer = account.customers.get(id);
      return { response: customer ? dataResponse(200, customer) : notFound("No customer with this id"), processed: true, hold };
    }
    if (resource === "payments" && id) {
      const payment = account.payments.get(id);
      return { response: payment ? dataResponse(200, paymentDetailView(payment)) : notFound("No payment with this id"), processed: true, hold };
    }
    if (resource === "payments") {
      const merchantRef = query.get("merchantRef");
      if (!merchantRef) return { response: invalid("merchantRef: query parameter is required"), processed: false };
      const found = account.paymentsByMerchantRef(merchantRef);
      const [newest] = found;
      if (!newest) return { response: notFound("No payment with this merchantRef"), processed: true, hold };
      const data =
        behaviour.merchantRefLookup === "list"
          ? found.map(paymentDetailView)
          : paymentDetailView(behaviour.merchantRefLookup === "oldest" ? found.at(-1)! : newest);
      return { response: dataResponse(200, data), processed: true, hold };
    }
    return { response: notFound("No such endpoint"), processed: false };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const path = url.pathname;
    const entryLog: RequestLogEntry = { method, path, query: url.search, idempotencyKey: null, account: null, status: null };
    requestLog.push(entryLog);
    const answer = (response: SandboxResponse) => {
      entryLog.status = response.status;
      send(res, response);
    };

    const before = faults.before(method, path);
    if (before?.kind === "rate_limit") {
      return answer(errorResponse(429, "RATE_LIMITED", "Too many requests", { "Retry-After": String(before.retryAfterSeconds) }));
    }
    if (before?.kind === "server_error") return answer(errorResponse(before.status, "INTERNAL_ERROR", "Internal server error"));

    const account = accountFor(headerValue(req, "x-api-key"));
    if (!account) return answer(errorResponse(401, "UNAUTHORIZED", "The API key is invalid or missing"));
    entryLog.account = maskKey(account.apiKey);

    const handled =
      method === "POST" ? await handlePost(req, account, path, entryLog) : method === "GET" ? await handleGet(account, path, url.searchParams) : null;
    if (!handled) return answer(notFound("No such endpoint"));
    handled.hold?.finish();
    const after = handled.processed ? faults.after(method, path) : null;
    if (after?.kind === "drop") {
      entryLog.status = "dropped";
      res.socket?.destroy();
      return;
    }
    if (after?.kind === "server_error") return answer(errorResponse(after.status, "INTERNAL_ERROR", "Internal server error"));
    answer(handled.response);
  }

  // ---- 3-D Secure -----------------------------------------------------------------------

  function completeChallenge(res: ServerResponse, token: string, outcome: string | undefined): void {
    const found = challenges.get(token);
    if (!found) return sendHtml(res, 404, messagePage("Unknown challenge", "This 3-D Secure challenge does not exist."));
    const { account, challenge } = found;
    const payment = account.payments.get(challenge.paymentId);
    if (!payment) return sendHtml(res, 404, messagePage("Unknown payment", "The payment of this challenge does not exist."));
    const back = payment.returnUrl ? { href: payment.returnUrl, label: "Return to the merchant" } : undefined;
    if (challenge.completed) return sendHtml(res, 409, messagePage("Challenge already completed", "This 3-D Secure challenge was already answered.", back));
    if (outcome !== "approve" && outcome !== "fail") return sendHtml(res, 400, messagePage("Invalid answer", 'The answer must be "approve" or "fail".'));

    settleChallenge(account, challenge, payment, outcome);
    if (!payment.returnUrl) return sendHtml(res, 200, messagePage("Challenge completed", `The payment is ${payment.status}.`));
    redirect(res, payment.returnUrl);
  }

  /** The cardholder answered: the payment is captured or failed, and its webhook goes out. */
  function settleChallenge(account: Account, challenge: ThreeDsChallenge, payment: PaymentRecord, outcome: "approve" | "fail"): void {
    challenge.completed = true;
    payment.threeDsData = null;
    if (outcome === "approve") {
      payment.status = "captured";
      dispatcher.enqueue(webhookTarget(account), "payment.captured", paymentDetailView(payment));
    } else {
      payment.status = "failed";
      payment.error = { name: "CARD_DECLINED", message: "3-D Secure authentication failed" };
      dispatcher.enqueue(webhookTarget(account), "payment.failed", paymentDetailView(payment));
    }
  }

  function challengeFor(token: string | null, method: "GET" | "POST") {
    const found = token ? challenges.get(token) : undefined;
    if (!found || found.challenge.method !== method) return null;
    const payment = found.account.payments.get(found.challenge.paymentId);
    return payment ? { ...found, payment } : null;
  }

  async function handleThreeDs(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    const form = method === "POST" ? parseForm(await readBody(req)) : {};
    const tokenInPath = path.split("/")[3] ?? null;

    if (method === "GET" && path.startsWith(`${CHALLENGE_PATH}/`) && path.split("/").length === 4) {
      const found = challengeFor(tokenInPath, "GET");
      if (!found) return sendHtml(res, 404, messagePage("Unknown challenge", "This 3-D Secure challenge does not exist."));
      if (found.challenge.completed) return completeChallenge(res, found.challenge.token, undefined);
      const { payment } = found;
      return sendHtml(
        res,
        200,
        challengePage({
          amount: payment.amount,
          currency: payment.currency,
          cardLast4: payment.cardLast4,
          action: `${CHALLENGE_PATH}/${found.challenge.token}/complete`,
          hidden: {},
        }),
      );
    }
    if (method === "POST" && path === CHALLENGE_PATH) {
      const found = challengeFor(decodeToken(form.PaReq), "POST");
      if (!found) return sendHtml(res, 400, messagePage("Invalid PaReq", "The PaReq parameter does not belong to a 3-D Secure challenge."));
      const expectedTermUrl = `${publicUrl}${CALLBACK_PATH}/${found.challenge.token}`;
      if (form.TermUrl !== expectedTermUrl)
        return sendHtml(res, 400, messagePage("Invalid TermUrl", "TermUrl must be posted exactly as received in threeDsData.parameters."));
      if (found.challenge.completed) return completeChallenge(res, found.challenge.token, undefined);
      const { payment } = found;
      return sendHtml(
        res,
        200,
        challengePage({
          amount: payment.amount,
          currency: payment.currency,
          cardLast4: payment.cardLast4,
          action: expectedTermUrl,
          hidden: { PaRes: encodeToken(found.challenge.token) },
        }),
      );
    }
    if (method === "POST" && tokenInPath && path === `${CHALLENGE_PATH}/${tokenInPath}/complete`) {
      if (!challengeFor(tokenInPath, "GET")) return sendHtml(res, 404, messagePage("Unknown challenge", "This 3-D Secure challenge does not exist."));
      return completeChallenge(res, tokenInPath, form.outcome);
    }
    const callbackToken = path.split("/")[4];
    if (method === "POST" && callbackToken && path === `${CALLBACK_PATH}/${callbackToken}`) {
      if (!challengeFor(callbackToken, "POST") || decodeToken(form.PaRes) !== callbackToken) {
        return sendHtml(res, 400, messagePage("Invalid PaRes", "The PaRes does not belong to this challenge."));
      }
      return completeChallenge(res, callbackToken, form.outcome);
    }
    sendHtml(res, 404, messagePage("Not found", "No such page."));
  }

  // ---- /__sandbox/ control --------------------------------------------------------------

  const webhookConfigSchema = z.strictObject({ url: z.url(), secret: z.string().min(1).optional() });

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const text = await readBody(req);
    return text === "" ? {} : JSON.parse(text);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    const apiKey = headerValue(req, "x-api-key");
    const parseWith = async <S extends z.ZodType>(schema: S): Promise<z.output<S> | null> => {
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        send(res, invalid("body: must be valid JSON"));
        return null;
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        send(res, invalid(validationMessage(parsed.error)));
        return null;
      }
      return parsed.data;
    };

    const route = `${method} ${path}`;
    switch (route) {
      case "GET /__sandbox/health":
        return send(res, dataResponse(200, { ok: true }));
      case "GET /__sandbox/faults":
        return send(res, dataResponse(200, faults.current()));
      case "POST /__sandbox/faults": {
        const settings = await parseWith(faultSettingsSchema);
        if (settings === null) return;
        faults.set(settings);
        return send(res, dataResponse(200, faults.current()));
      }
      case "DELETE /__sandbox/faults":
        faults.set({});
        return send(res, dataResponse(200, faults.current()));
      case "POST /__sandbox/behaviour": {
        const update = await parseWith(behaviourSchema);
        if (update === null) return;
        behaviour = { ...behaviour, ...update };
        dispatcher.setHeld(behaviour.webhooks === "held");
        return send(res, dataResponse(200, behaviour));
      }
      case "POST /__sandbox/webhooks/release": {
        const options = await parseWith(releaseWebhooksSchema);
        if (options === null) return;
        return send(res, dataResponse(200, { released: await dispatcher.release(options) }));
      }
      case "POST /__sandbox/webhooks": {
        const config = await parseWith(webhookConfigSchema);
        if (config === null) return;
        const target = { url: config.url, secret: config.secret ?? DEFAULT_WEBHOOK_SECRET };
        if (apiKey === undefined) defaultWebhook = target;
        else {
          const account = accountFor(apiKey);
          if (!account) return send(res, errorResponse(401, "UNAUTHORIZED", "The API key is invalid or missing"));
          account.webhook = target;
        }
        return send(res, dataResponse(200, { url: target.url, account: apiKey === undefined ? "default" : maskKey(apiKey) }));
      }
      case "GET /__sandbox/webhooks/deliveries":
        return send(res, dataResponse(200, dispatcher.deliveries()));
      case "GET /__sandbox/stats": {
        if (apiKey !== undefined) return send(res, dataResponse(200, sandbox.stats(apiKey)));
        return send(
          res,
          dataResponse(
            200,
            [...accounts.values()].map((account) => ({ account: maskKey(account.apiKey), ...account.stats() })),
          ),
        );
      }
      case "GET /__sandbox/requests":
        return send(res, dataResponse(200, requestLog));
      case "POST /__sandbox/reset":
        sandbox.reset();
        return send(res, dataResponse(200, { reset: true }));
      default:
        return send(res, notFound("No such sandbox endpoint"));
    }
  }

  // ---- server ---------------------------------------------------------------------------

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const path = url.pathname;
    const work = path.startsWith("/__sandbox/")
      ? handleAdmin(req, res, method, path)
      : path === CHALLENGE_PATH || path.startsWith(`${CHALLENGE_PATH}/`) || path.startsWith(`${CALLBACK_PATH}/`)
        ? handleThreeDs(req, res, method, path)
        : API_PATH.test(path)
          ? handleApi(req, res, method, url)
          : Promise.resolve(send(res, notFound("No such endpoint")));
    work.catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof BodyTooLarge) return send(res, invalid("body: too large"));
      log(`sandbox error on ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      send(res, errorResponse(500, "INTERNAL_ERROR", "Internal server error"));
    });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  publicUrl = (options.publicUrl ?? url).replace(/\/+$/, "");

  const sandbox: AccelebitSandbox = {
    url,
    port,
    async close() {
      dispatcher.close();
      for (const hold of holds) hold.finish();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    setFaults: (settings) => faults.set(settings),
    clearFaults: () => faults.set({}),
    setBehaviour(update) {
      behaviour = { ...behaviour, ...behaviourSchema.parse(update) };
      dispatcher.setHeld(behaviour.webhooks === "held");
    },
    configureWebhooks(target, apiKey) {
      if (apiKey === undefined) defaultWebhook = target;
      else {
        const account = accountFor(apiKey);
        if (!account) throw new Error("not a sandbox API key of the documented form");
        account.webhook = target;
      }
    },
    stats: (apiKey) => (accounts.get(apiKey) ?? new Account(apiKey, apiKey.startsWith("smtgw_sk_test_") ? "test" : "live")).stats(),
    payments: (apiKey) =>
      [...(accounts.get(apiKey)?.payments.values() ?? [])].map((payment) => ({
        ...paymentDetailView(payment),
        refundedAmount: formatCents(payment.refundedCents),
      })),
    refunds: (apiKey) => [...(accounts.get(apiKey)?.refunds.values() ?? [])].map((refund) => ({ ...refund })),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    webhookDeliveries: () => dispatcher.deliveries(),
    waitForWebhooks: () => dispatcher.idle(),
    heldWebhooks: () => dispatcher.held(),
    releaseWebhooks: (release = {}) => dispatcher.release(releaseWebhooksSchema.parse(release)),
    answerChallenge(apiKey, paymentId, outcome) {
      const found = [...challenges.values()].find(({ account, challenge }) => account.apiKey === apiKey && challenge.paymentId === paymentId);
      const payment = found?.account.payments.get(paymentId);
      if (!found || !payment || found.challenge.completed) return false;
      settleChallenge(found.account, found.challenge, payment, outcome);
      return true;
    },
    holdNext(match) {
      const reached = deferred();
      const released = deferred();
      const finished = deferred();
      holds.push({ match, used: false, reached: reached.resolve, released: released.promise, finish: finished.resolve });
      return { reached: reached.promise, release: released.resolve, finished: finished.promise };
    },
    reset() {
      accounts = new Map();
      challenges = new Map();
      requestLog = [];
      holds = [];
      dispatcher.forget();
      faults.set(options.faults ?? {});
      behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
      dispatcher.setHeld(behaviour.webhooks === "held");
      defaultWebhook = options.webhookUrl ? { url: options.webhookUrl, secret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET } : null;
    },
  };
  return sandbox;
}
