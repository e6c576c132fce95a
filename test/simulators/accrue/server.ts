/**
 * Accrue sandbox: a local HTTP double of the Accrue Merchant API (JSON:API), written from the
 * vendor's document, never from our client, with a stand-in widget, signed webhooks, a settable
 * clock, fault injection and a behaviour knob for every point the document leaves open.
 * Used by tests (in-process, ephemeral port) and the local demo (main.ts). Production code never
 * imports it: the app reaches it only through its configured Accrue URLs.
 *
 * See README.md for the endpoints, magic phone numbers, knobs and /__sandbox/ control endpoints.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";
import { BodyTooLarge, canonicalJson, headerValue, parseForm, readBody, sendHtml } from "../accelebit/http";
import { listen } from "../shared/listen";
import { Engine, newSecret, Refusal } from "./engine";
import { Faults, faultSettingsSchema, type FaultSettings } from "./faults";
import { documentResponse, errorResponse, MEDIA_TYPE, primaryData, sendJsonApi, validationErrors, type SimResponse } from "./jsonapi";
import { behaviourSchema, DEFAULT_BEHAVIOUR, type Behaviour } from "./knobs";
import { normalisePhone } from "./magic-phones";
import {
  attachedProfileSchema,
  authorizeSchema,
  captureSchema,
  increaseSchema,
  isProblem,
  problemsOf,
  readInclude,
  readPage,
  readSort,
  refundSchema,
  webhookCreateSchema,
  webhookUpdateSchema,
} from "./requests";
import { Merchant, type CaptureRecord, type IntentRecord, type PaymentRecord, type RefundRecord, type ResourceObject, type WebhookRecord } from "./store";
import {
  eventResource,
  intentIncludes,
  intentResource,
  paymentIncludes,
  paymentResource,
  refundResource,
  userResource,
  walletBalanceResource,
  walletResource,
  webhookResource,
} from "./views";
import { WebhookDispatcher, type DeliveryRecord, type WebhookRetry } from "./webhooks";
import {
  canceledPage,
  errorPage,
  intentCreatedPage,
  readWidgetContext,
  signInPage,
  walletPage,
  WIDGET_PAGE_PATH,
  WIDGET_SCRIPT,
  WIDGET_SCRIPT_PATH,
  type WidgetContext,
} from "./widget";

export type { FaultSettings } from "./faults";
export type { Behaviour } from "./knobs";
export type { DeliveryRecord } from "./webhooks";
export { MAGIC_PHONES } from "./magic-phones";
export { SIGNATURE_HEADER } from "./webhooks";

/** Idempotency keys live 48 hours (document, "Idempotency"), when the `idempotency` knob honours them. */
export const IDEMPOTENCY_TTL_MS = 48 * 60 * 60 * 1000;
const RATE_WINDOW_MS = 60_000;
const API_PREFIX = "/api/v1";

export interface MerchantCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AccrueSandboxOptions {
  /** 0 or absent: an ephemeral port. */
  readonly port?: number;
  readonly host?: string;
  /** "sandbox" or "live": only named in answers and logs; start one sandbox per environment. */
  readonly environment?: "sandbox" | "live";
  /** Base clock; advanceClock() adds to it. */
  readonly now?: () => Date;
  /** Source for fault rates. */
  readonly random?: () => number;
  readonly merchants?: readonly (Partial<MerchantCredentials> & { name?: string })[];
  readonly webhookRetry?: Partial<WebhookRetry>;
  /** Waits between webhook retries (tests make them instant). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly faults?: FaultSettings;
  readonly behaviour?: Partial<Behaviour>;
  readonly log?: (line: string) => void;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  /** As received, /api/v1 included. */
  path: string;
  /** Without /api/v1: the form fault `match`es use. */
  route: string;
  query: string;
  /** The Client-ID sent (public), or null. */
  clientId: string | null;
  authScheme: "bearer" | "basic" | "other" | null;
  idempotencyKey: string | null;
  contentType: string | null;
  /** The parsed request document (never carries secrets), or null. */
  body: unknown;
  status: number | "dropped" | "hung" | null;
  /** Whether the request took effect (it reached the handler). */
  processed: boolean;
}

export interface SandboxState {
  intents: ReturnType<typeof intentResource>[];
  payments: (ReturnType<typeof paymentResource> & { authorizedAmount: number; capturedAmount: number | null; refundedAmount: number })[];
  captures: CaptureRecord[];
  refunds: RefundRecord[];
  webhooks: Omit<WebhookRecord, "secret">[];
}

export interface AccrueSandbox {
  readonly url: string;
  readonly port: number;
  readonly environment: "sandbox" | "live";
  close(): Promise<void>;
  createMerchant(input?: Partial<MerchantCredentials> & { name?: string }): MerchantCredentials;
  /** The secret stops working (401), as for an expired or rotated one. */
  revokeMerchant(clientId: string): void;
  rotateSecret(clientId: string): MerchantCredentials;
  setFaults(faults: FaultSettings): void;
  clearFaults(): void;
  setBehaviour(behaviour: Partial<Behaviour>): void;
  behaviour(): Behaviour;
  /** Moves the sandbox clock on and applies what became due (then sends due webhooks). */
  advanceClock(ms: number): void;
  /** Applies time-driven transitions at the current clock and sends due webhooks. */
  tick(): void;
  /** What the widget does: signs the shopper in by phone and creates an intent. */
  createPaymentIntent(input: { clientId: string; phoneNumber: string; amount: number; reference: string | null }): ReturnType<typeof intentResource>;
  clearRequiredAction(clientId: string, intentId: string): void;
  state(clientId: string): SandboxState;
  /** The webhook's signing secret (tests that receive deliveries need it). */
  webhookSecret(clientId: string, webhookId: string): string | null;
  requests(): RequestLogEntry[];
  webhookDeliveries(): DeliveryRecord[];
  /** Releases out-of-order batches and due late deliveries. */
  flushWebhooks(): void;
  waitForWebhooks(): Promise<void>;
  reset(): void;
}

type Handled = { response: SimResponse; processed: boolean; idempotent?: boolean };

function decodeBasic(value: string): { clientId: string; secret: string } | null {
  const text = Buffer.from(value, "base64").toString("utf8");
  const colon = text.indexOf(":");
  return colon <= 0 ? null : { clientId: text.slice(0, colon), secret: text.slice(colon + 1) };
}

export async function startAccrueSandbox(options: AccrueSandboxOptions = {}): Promise<AccrueSandbox> {
  const baseNow = options.now ?? (() => new Date());
  let clockOffsetMs = 0;
  const nowMs = () => baseNow().getTime() + clockOffsetMs;
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const environment = options.environment ?? "sandbox";
  const faults = new Faults(random);
  let behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...behaviourSchema.parse(options.behaviour ?? {}) };
  let merchants = new Map<string, Merchant>();
  let requestLog: RequestLogEntry[] = [];
  let admitted: number[] = [];
  const hung = new Set<ServerResponse>();
  const dispatcher = new WebhookDispatcher({
    nowMs,
    faults,
    log,
    retry: { maxAttempts: 5, baseDelayMs: 500, ...options.webhookRetry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const engine = new Engine({
    nowMs,
    behaviour: () => behaviour,
    emit: (merchant, event, included) => dispatcher.dispatch(event, included, [...merchant.webhooks.values()], behaviour),
  });
  if (options.faults) faults.set(options.faults);

  function createMerchant(input: Partial<MerchantCredentials> & { name?: string } = {}): MerchantCredentials {
    const clientId = input.clientId ?? randomUUID();
    const clientSecret = input.clientSecret ?? newSecret();
    merchants.set(clientId, new Merchant(clientId, clientSecret, input.name ?? "Sandbox merchant"));
    return { clientId, clientSecret };
  }
  const seedMerchants = () => {
    for (const merchant of options.merchants ?? []) createMerchant(merchant);
  };
  seedMerchants();

  const requireMerchant = (clientId: string) => {
    const merchant = merchants.get(clientId);
    if (!merchant) throw new Error(`no sandbox merchant with Client ID ${clientId}`);
    return merchant;
  };
  const tickAll = () => {
    for (const merchant of merchants.values()) engine.advance(merchant);
    dispatcher.sendDue();
  };

  const err = (status: number, code: string, detail: string, extra: { meta?: Record<string, unknown>; headers?: Record<string, string> } = {}) =>
    errorResponse(behaviour, status, code, detail, extra);
  const refusalResponse = (refusal: Refusal): SimResponse => {
    const status =
      refusal.kind === "not_found" ? 404 : refusal.kind === "invalid" ? 400 : refusal.kind === "decline" ? behaviour.declineStatus : behaviour.stateErrorStatus;
    return err(status, refusal.code, refusal.message, refusal.meta ? { meta: refusal.meta } : {});
  };

  // ---- authentication ------------------------------------------------------------------

  function authenticate(req: IncomingMessage, entry: RequestLogEntry): Merchant | null {
    const authorization = headerValue(req, "authorization") ?? "";
    const headerClientId = headerValue(req, "client-id") ?? null;
    entry.clientId = headerClientId;
    const [scheme = "", credential = ""] = authorization.split(/\s+/, 2);
    let clientId = headerClientId;
    let secret: string | null = null;
    if (/^bearer$/i.test(scheme)) {
      entry.authScheme = "bearer";
      if (behaviour.auth === "basic") return null;
      secret = credential;
    } else if (/^basic$/i.test(scheme)) {
      entry.authScheme = "basic";
      if (behaviour.auth === "bearer") return null;
      const decoded = decodeBasic(credential);
      if (!decoded || (clientId !== null && clientId !== decoded.clientId)) return null;
      clientId = decoded.clientId;
      secret = decoded.secret;
    } else if (authorization !== "") entry.authScheme = "other";
    if (clientId === null || secret === null || secret === "") return null;
    const merchant = merchants.get(clientId);
    if (!merchant || merchant.revoked || merchant.clientSecret !== secret) return null;
    return merchant;
  }

  // ---- request documents ---------------------------------------------------------------

  function parseDocument<S extends z.ZodType>(schema: S, body: unknown, shape: "bare" | "wrapped" | "either" = "wrapped"): z.output<S> | SimResponse {
    const data = primaryData(body, shape);
    if (data === undefined) {
      const expected = shape === "bare" ? "a bare resource object {type, attributes}" : "a JSON:API document with a `data` member";
      return validationErrors(behaviour, [{ pointer: shape === "bare" ? "" : "/data", detail: `The request body must be ${expected}` }]);
    }
    const parsed = schema.safeParse(data);
    return parsed.success ? parsed.data : validationErrors(behaviour, problemsOf(parsed.error, shape === "bare" ? "" : "/data"));
  }
  const isResponse = (value: unknown): value is SimResponse =>
    typeof value === "object" && value !== null && "status" in value && typeof (value as { status: unknown }).status === "number" && "body" in value;

  // ---- resources -----------------------------------------------------------------------

  const intentDoc = (merchant: Merchant, intent: IntentRecord, include: ReadonlySet<string>, status = 200) =>
    documentResponse(status, intentResource(intent, behaviour), { included: intentIncludes(merchant, intent, include, behaviour) });
  const paymentDoc = (merchant: Merchant, payment: PaymentRecord, include: ReadonlySet<string>, self?: string) =>
    documentResponse(200, paymentResource(payment, behaviour), {
      ...(self ? { links: { self: `${API_PREFIX}/payments/${payment.id}/${self}` } } : {}),
      included: paymentIncludes(merchant, payment, include, behaviour),
    });

  function listOf<T extends { seq: number }>(
    records: T[],
    query: URLSearchParams,
    toResource: (record: T) => ResourceObject,
    includes?: (record: T) => ResourceObject[],
  ) {
    const page = readPage(query, behaviour);
    if (isProblem(page)) return err(400, "invalid_query", page.problem);
    const sort = readSort(query);
    if (isProblem(sort)) return err(400, "invalid_query", sort.problem);
    const sorted = [...records].sort((a, b) => (sort === "desc" ? b.seq - a.seq : a.seq - b.seq));
    const slice = sorted.slice(page.offset, page.offset + page.limit);
    if (slice.length === 0 && behaviour.emptyList === "empty_object") return { status: 200, body: {} };
    const included = includes ? slice.flatMap(includes) : [];
    return documentResponse(200, slice.map(toResource), { included });
  }

  function requiredInclude(query: URLSearchParams, allowed: readonly string[]): Set<string> | SimResponse {
    if (behaviour.listInclude === "required" && !query.get("include"))
      return err(400, "invalid_query", `include is required (supported: ${allowed.join(",")})`);
    const include = readInclude(query, allowed);
    return isProblem(include) ? err(400, "invalid_query", include.problem) : include;
  }
  const optionalInclude = (query: URLSearchParams, allowed: readonly string[]): Set<string> | SimResponse => {
    const include = readInclude(query, allowed);
    return isProblem(include) ? err(400, "invalid_query", include.problem) : include;
  };

  function eventsList(merchant: Merchant, query: URLSearchParams): SimResponse {
    const since = query.get("filter[since]") ?? (behaviour.eventsSinceDefault === "error" ? "wakawkaka" : null);
    const until = query.get("filter[until]");
    const sinceMs = since === null ? Number.NEGATIVE_INFINITY : Date.parse(since);
    const untilMs = until === null ? Number.POSITIVE_INFINITY : Date.parse(until);
    if (Number.isNaN(sinceMs) || Number.isNaN(untilMs)) return err(400, "invalid_query", "filter[since] and filter[until] must be ISO 8601 date-times");
    const events = merchant.events.filter((event) => {
      const at = Date.parse(event.createdAt);
      return at >= sinceMs && at <= untilMs;
    });
    return listOf(events, query, eventResource);
  }

  function eventDoc(merchant: Merchant, id: string): SimResponse {
    const event = merchant.events.find((candidate) => candidate.id === id);
    if (!event) return err(404, "not_found", "No webhook event with this id");
    const resource = eventResource(event);
    const included = [event.resource];
    return behaviour.eventIncludedPlacement === "inside_data"
      ? documentResponse(200, { ...resource, included } as ResourceObject)
      : documentResponse(200, resource, { included });
  }

  function userByReference(merchant: Merchant, reference: string) {
    return merchant.users.get(reference) ?? [...merchant.users.values()].find((user) => user.attachedProfile.referenceId === reference);
  }

  function usersMatching(merchant: Merchant, query: URLSearchParams) {
    const phone = query.get("filter[phoneNumber]");
    const email = query.get("filter[email]");
    const referenceId = query.get("filter[referenceId]");
    return [...merchant.users.values()].filter(
      (user) =>
        (phone === null || user.phoneNumber === phone || user.attachedProfile.phoneNumber === phone) &&
        (email === null || user.attachedProfile.email === email) &&
        (referenceId === null || user.attachedProfile.referenceId === referenceId),
    );
  }

  // ---- routes --------------------------------------------------------------------------

  /** Runs one API operation. `segments` is the path below /api/v1, split on "/". */
  function route(merchant: Merchant, method: string, segments: string[], query: URLSearchParams, body: unknown): Handled | null {
    const [resource, id, action, extra] = segments;
    if (extra !== undefined) return null;
    const processed = (response: SimResponse): Handled => ({ response, processed: true });
    const guard = (run: () => SimResponse): Handled => {
      try {
        return processed(run());
      } catch (error) {
        if (error instanceof Refusal) return { response: refusalResponse(error), processed: true, idempotent: true };
        throw error;
      }
    };
    const doc = <S extends z.ZodType>(schema: S, shape: "bare" | "wrapped" | "either" = "wrapped") => parseDocument(schema, body, shape);

    if (resource === "payment-intents") {
      if (method === "GET" && id === undefined) {
        const include = requiredInclude(query, ["client", "payments"]);
        if (isResponse(include)) return processed(include);
        const status = query.get("filter[status]");
        const intents = [...merchant.intents.values()].filter((intent) => status === null || intent.status === status);
        return processed(
          listOf(
            intents,
            query,
            (intent) => intentResource(intent, behaviour),
            (intent) => intentIncludes(merchant, intent, include, behaviour),
          ),
        );
      }
      if (id === undefined) return null;
      if (method === "GET" && action === undefined) {
        const include = optionalInclude(query, ["client", "payments"]);
        if (isResponse(include)) return processed(include);
        return guard(() => intentDoc(merchant, engine.intent(merchant, id), include));
      }
      if (method === "POST" && action === "cancel")
        return guard(() => (engine.cancelIntent(merchant, engine.intent(merchant, id)), intentDoc(merchant, engine.intent(merchant, id), new Set())));
      if (method === "POST" && action === "authorize") {
        const input = doc(authorizeSchema);
        if (isResponse(input)) return { response: input, processed: false };
        const include = optionalInclude(query, ["client", "payments"]);
        if (isResponse(include)) return processed(include);
        return guard(() => {
          const intent = engine.intent(merchant, id);
          engine.authorize(merchant, intent, input.attributes.amount);
          return intentDoc(merchant, intent, include);
        });
      }
      return null;
    }

    if (resource === "payments") {
      if (method === "GET" && id === undefined) {
        const include = requiredInclude(query, ["paymentIntent", "refunds"]);
        if (isResponse(include)) return processed(include);
        const status = query.get("filter[status]");
        const payments = [...merchant.payments.values()].filter((payment) => status === null || payment.status === status);
        return processed(
          listOf(
            payments,
            query,
            (payment) => paymentResource(payment, behaviour),
            (payment) => paymentIncludes(merchant, payment, include, behaviour),
          ),
        );
      }
      if (id === undefined) return null;
      const include = optionalInclude(query, ["paymentIntent", "refunds"]);
      if (isResponse(include)) return processed(include);
      if (method === "GET" && action === undefined) return guard(() => paymentDoc(merchant, engine.payment(merchant, id), include));
      if (method !== "POST") return null;
      const withIntent = new Set([...include, "paymentIntent"]);
      if (action === "capture") {
        const input = doc(captureSchema);
        if (isResponse(input)) return { response: input, processed: false };
        return guard(() => {
          const payment = engine.payment(merchant, id);
          engine.capture(merchant, payment, input.attributes.amount);
          return paymentDoc(merchant, payment, withIntent, "capture");
        });
      }
      if (action === "increase-authorization") {
        const input = doc(increaseSchema);
        if (isResponse(input)) return { response: input, processed: false };
        return guard(() => {
          const payment = engine.payment(merchant, id);
          engine.increaseAuthorization(merchant, payment, input.attributes.increase);
          return paymentDoc(merchant, payment, withIntent, "increase-authorization");
        });
      }
      if (action === "cancel" || action === "complete") {
        return guard(() => {
          const payment = engine.payment(merchant, id);
          if (action === "cancel") engine.cancelPayment(merchant, payment);
          else engine.complete(merchant, payment);
          return paymentDoc(merchant, payment, withIntent, action);
        });
      }
      if (action === "refund") {
        const input = doc(refundSchema);
        if (isResponse(input)) return { response: input, processed: false };
        return guard(() => {
          const payment = engine.payment(merchant, id);
          const refund = engine.refund(merchant, payment, input.attributes.amount);
          if (behaviour.refundAnswer === "refund") return documentResponse(200, refundResource(refund));
          const intent = merchant.intents.get(payment.intentId);
          const received = payment.status === "Sent" || payment.status === "Complete";
          return documentResponse(200, paymentResource(payment, behaviour), {
            links: { self: `${API_PREFIX}/payments/${payment.id}/refund` },
            included: [refundResource(refund), ...(intent ? [intentResource(intent, behaviour)] : [])],
            ...(received ? {} : { meta: { message: "Full refund will be initiated after the original payment is successfully received." } }),
          });
        });
      }
      return null;
    }

    if (resource === "webhooks") {
      if (id === undefined) {
        if (method === "POST") {
          const input = doc(webhookCreateSchema, behaviour.webhookRequestShape);
          if (isResponse(input)) return { response: input, processed: false };
          const at = new Date(nowMs()).toISOString();
          const webhook: WebhookRecord = {
            id: randomUUID(),
            name: input.attributes.name,
            url: input.attributes.url,
            topics: [...input.attributes.topics],
            enabled: input.attributes.enabled ?? true,
            secret: newSecret(),
            createdAt: at,
            updatedAt: at,
          };
          merchant.webhooks.set(webhook.id, webhook);
          return processed(documentResponse(201, webhookResource(webhook, true)));
        }
        if (method === "GET" && behaviour.eventsListPath !== "webhook-events") return processed(eventsList(merchant, query));
        return null;
      }
      if (action !== undefined) return null;
      const webhook = merchant.webhooks.get(id);
      const updateAllowed =
        (method === "PATCH" || method === "PUT") && (behaviour.webhookUpdateMethod === "either" || behaviour.webhookUpdateMethod === method);
      if (method !== "GET" && method !== "DELETE" && !updateAllowed) return null;
      if (!webhook) return processed(err(404, "not_found", "No webhook with this id"));
      if (method === "GET") return processed(documentResponse(200, webhookResource(webhook, behaviour.secretOnGet === "shown")));
      if (method === "DELETE") {
        merchant.webhooks.delete(id);
        return processed({ status: 204 });
      }
      const input = doc(webhookUpdateSchema, behaviour.webhookRequestShape);
      if (isResponse(input)) return { response: input, processed: false };
      if (input.id !== undefined && input.id !== id) return { response: err(409, "id_mismatch", "The document's id differs from the URL's"), processed: false };
      const { enabled, name, url, topics } = input.attributes;
      if (enabled !== undefined) webhook.enabled = enabled;
      if (name !== undefined) webhook.name = name;
      if (url !== undefined) webhook.url = url;
      if (topics !== undefined) webhook.topics = [...topics];
      webhook.updatedAt = new Date(nowMs()).toISOString();
      return processed(documentResponse(200, webhookResource(webhook, behaviour.secretOnGet === "shown")));
    }

    if (resource === "webhook-events" && method === "GET") {
      if (id === undefined) return behaviour.eventsListPath === "webhooks" ? null : processed(eventsList(merchant, query));
      return action === undefined ? processed(eventDoc(merchant, id)) : null;
    }

    if (resource === "users") {
      if (method === "GET" && (id === undefined || (id === "users" && action === undefined))) {
        return processed(
          listOf(
            [...usersMatching(merchant, query).entries()].map(([seq, user]) => ({ seq, user })),
            query,
            ({ user }) => userResource(user),
          ),
        );
      }
      if (id === undefined) return null;
      const user = userByReference(merchant, id);
      if (method === "GET" && action === "wallet-balance") {
        const wallet = user && merchant.walletOfUser(user.id);
        if (!user || !wallet) return processed(err(404, "not_found", "No user with this id or reference"));
        const include = optionalInclude(query, ["user"]);
        if (isResponse(include)) return processed(include);
        return processed(documentResponse(200, walletBalanceResource(wallet), { included: include.has("user") ? [userResource(user)] : [] }));
      }
      if (method === "PATCH" && action === "attached-profile") {
        const input = doc(attachedProfileSchema, "either");
        if (isResponse(input)) return { response: input, processed: false };
        if (!user) return processed(err(404, "not_found", "No user with this id or reference"));
        user.attachedProfile = { ...user.attachedProfile, ...input.attributes };
        user.updatedAt = new Date(nowMs()).toISOString();
        return processed(documentResponse(200, userResource(user)));
      }
      return null;
    }

    if (resource === "wallets" && method === "GET") {
      if (id === undefined || id === "") {
        const users = new Set(usersMatching(merchant, query).map((user) => user.id));
        const wallets = [...merchant.wallets.values()].filter((wallet) => users.has(wallet.userId)).map((wallet, seq) => ({ seq, wallet }));
        return processed(listOf(wallets, query, ({ wallet }) => walletResource(wallet)));
      }
      if (action !== "balance") return null;
      const wallet = merchant.wallets.get(id);
      if (!wallet) return processed(err(404, "not_found", "No wallet with this id"));
      const include = optionalInclude(query, ["user"]);
      if (isResponse(include)) return processed(include);
      const user = merchant.users.get(wallet.userId);
      return processed(documentResponse(200, walletBalanceResource(wallet), { included: include.has("user") && user ? [userResource(user)] : [] }));
    }
    return null;
  }

  // ---- the API pipeline ----------------------------------------------------------------

  /** The path below the prefix, or null when the prefix knob refuses this form. */
  function routePath(path: string): string | null {
    const prefixed = path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
    if (behaviour.pathPrefix === "api_v1" && !prefixed) return null;
    if (behaviour.pathPrefix === "none" && prefixed) return null;
    return prefixed ? path.slice(API_PREFIX.length) || "/" : path;
  }

  function rateLimited(): number | null {
    const now = nowMs();
    admitted = admitted.filter((at) => at > now - RATE_WINDOW_MS);
    if (admitted.length >= behaviour.rateLimitPerMinute) {
      const [oldest = now] = admitted;
      return Math.max(1, Math.ceil((oldest + RATE_WINDOW_MS - now) / 1000));
    }
    admitted.push(now);
    return null;
  }

  function idempotencyScope(method: string, routeText: string): string {
    // Keys are per operation: the route with ids replaced.
    return `${method} ${routeText.replace(/\/[0-9a-f-]{36}(?=\/|$)/gi, "/{id}")}`;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL, routeText: string): Promise<void> {
    const entry: RequestLogEntry = {
      at: new Date(nowMs()).toISOString(),
      method,
      path: url.pathname,
      route: routeText,
      query: url.search,
      clientId: null,
      authScheme: null,
      idempotencyKey: headerValue(req, "idempotency-key") ?? null,
      contentType: headerValue(req, "content-type") ?? null,
      body: null,
      status: null,
      processed: false,
    };
    requestLog.push(entry);
    const answer = (response: SimResponse) => {
      entry.status = response.status;
      sendJsonApi(res, response);
    };
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
        entry.body = body;
      } catch {
        return answer(err(400, "invalid_json", "The request body is not valid JSON"));
      }
    }

    const before = faults.before(method, routeText);
    if (before?.kind === "rate_limit") {
      const headers: Record<string, string> = before.retryAfterSeconds === null ? {} : { "Retry-After": String(before.retryAfterSeconds) };
      return answer(err(429, "rate_limited", "Too many requests", { headers }));
    }
    if (before?.kind === "unauthorized") return answer(err(401, "unauthorized", "The client secret is invalid, missing or expired"));
    if (before?.kind === "request_timeout") return answer(err(408, "request_timeout", "The request took too long"));
    if (before?.kind === "server_error") return answer(err(before.status, "internal_error", "Internal server error"));
    if (before?.kind === "drop") {
      entry.status = "dropped";
      res.socket?.destroy();
      return;
    }
    if (before?.kind === "hang") {
      entry.status = "hung";
      hung.add(res);
      return;
    }

    const retryAfter = rateLimited();
    if (retryAfter !== null) {
      const headers: Record<string, string> = behaviour.rateLimitRetryAfter === "sent" ? { "Retry-After": String(retryAfter) } : {};
      return answer(err(429, "rate_limited", `More than ${behaviour.rateLimitPerMinute} requests in a minute`, { headers }));
    }

    const merchant = authenticate(req, entry);
    if (!merchant) return answer(err(401, "unauthorized", "The client secret is invalid, missing or expired"));

    if (text !== "" && behaviour.mediaType === "strict" && (entry.contentType ?? "").split(";")[0]?.trim().toLowerCase() !== MEDIA_TYPE) {
      return answer(err(415, "unsupported_media_type", `Request documents must be sent as ${MEDIA_TYPE}`));
    }

    const latency = faults.latencyMs(method, routeText);
    // A client that gave up meanwhile does not stop the processing, as on a real server.
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));

    engine.advance(merchant);
    const key = behaviour.idempotency === "honoured" && method === "POST" ? entry.idempotencyKey : null;
    const scope = key === null ? null : `${idempotencyScope(method, routeText)} ${key}`;
    const fingerprint = canonicalJson({ route: routeText, query: url.search, body: body ?? null });
    let handled: Handled | null;
    const remembered = scope === null ? undefined : merchant.idempotency.get(scope);
    if (remembered && nowMs() - remembered.createdAtMs < IDEMPOTENCY_TTL_MS) {
      handled =
        remembered.fingerprint === fingerprint
          ? { response: { status: remembered.status, body: remembered.body }, processed: false }
          : { response: err(422, "idempotency_key_reused", "This Idempotency-Key was used with another request"), processed: false };
    } else {
      handled = route(merchant, method, routeText.split("/").slice(1), url.searchParams, body);
      if (handled && scope !== null && handled.processed && handled.response.status < 500) {
        merchant.idempotency.set(scope, { fingerprint, createdAtMs: nowMs(), status: handled.response.status, body: handled.response.body });
      }
    }
    if (!handled) return answer(err(404, "not_found", `No such endpoint: ${method} ${url.pathname}`));
    entry.processed = handled.processed;
    dispatcher.sendDue();

    const after = handled.processed ? faults.after(method, routeText) : null;
    if (after?.kind === "drop") {
      entry.status = "dropped";
      res.socket?.destroy();
      return;
    }
    if (after?.kind === "hang") {
      entry.status = "hung";
      hung.add(res);
      return;
    }
    if (after?.kind === "server_error") return answer(err(after.status, "internal_error", "Internal server error"));
    answer(handled.response);
  }

  // ---- the widget ----------------------------------------------------------------------

  function merchantForWidget(context: WidgetContext): Merchant | null {
    const merchant = merchants.get(context.clientId);
    return merchant && !merchant.revoked ? merchant : null;
  }

  async function handleWidget(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const path = url.pathname;
    if (method === "GET" && path === WIDGET_SCRIPT_PATH) {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Content-Length": Buffer.byteLength(WIDGET_SCRIPT), "Cache-Control": "no-store" });
      res.end(WIDGET_SCRIPT);
      return;
    }
    const fields = method === "POST" ? parseForm(await readBody(req)) : Object.fromEntries(url.searchParams);
    const context = readWidgetContext(fields);
    if ("problem" in context) return sendHtml(res, 400, errorPage("Accrue Pay is unavailable", context.problem));
    const merchant = merchantForWidget(context);
    if (!merchant) return sendHtml(res, 400, errorPage("Accrue Pay is unavailable", "This merchant's Client ID is not known to Accrue."));

    if (method === "GET" && path === WIDGET_PAGE_PATH) return sendHtml(res, 200, signInPage(context, merchant.name));
    const phoneNumber = normalisePhone(fields.phoneNumber ?? "");
    if (method === "POST" && path === `${WIDGET_PAGE_PATH}/sign-in`) {
      if (!phoneNumber) return sendHtml(res, 400, signInPage(context, merchant.name, "Enter a phone number, e.g. +1 212 555 0100."));
      const { user, wallet } = engine.signIn(merchant, phoneNumber);
      return sendHtml(res, 200, walletPage(context, { phoneNumber, userId: user.id, walletId: wallet.id, available: wallet.deposit }));
    }
    if (method === "POST" && path === `${WIDGET_PAGE_PATH}/pay`) {
      if (!phoneNumber) return sendHtml(res, 400, signInPage(context, merchant.name, "Sign in again."));
      if (fields.action === "cancel") return sendHtml(res, 200, canceledPage(context));
      const intent = engine.createIntent(merchant, { phoneNumber, amount: context.amount, reference: context.reference === "" ? null : context.reference });
      return sendHtml(res, 200, intentCreatedPage(context, intent));
    }
    sendHtml(res, 404, errorPage("Not found", "No such page."));
  }

  // ---- /__sandbox/ control -------------------------------------------------------------

  const merchantInput = z.strictObject({ clientId: z.string().min(1).optional(), clientSecret: z.string().min(1).optional(), name: z.string().optional() });
  const intentInput = z.strictObject({
    clientId: z.string(),
    phoneNumber: z.string(),
    amount: z.number().int().positive(),
    reference: z.string().nullable().optional(),
  });
  const clockInput = z.strictObject({ advanceMs: z.number().int().min(0) });

  function stateOf(clientId: string): SandboxState {
    const merchant = merchants.get(clientId);
    if (!merchant) return { intents: [], payments: [], captures: [], refunds: [], webhooks: [] };
    return {
      intents: [...merchant.intents.values()].map((intent) => intentResource(intent, behaviour)),
      payments: [...merchant.payments.values()].map((payment) => ({
        ...paymentResource(payment, behaviour),
        authorizedAmount: payment.authorizedAmount,
        capturedAmount: payment.capturedAmount,
        refundedAmount: merchant.refundedAmount(payment),
      })),
      captures: merchant.captures.map((capture) => ({ ...capture })),
      refunds: [...merchant.refunds.values()].map((refund) => ({ ...refund })),
      webhooks: [...merchant.webhooks.values()].map((webhook) => {
        const { secret: _secret, ...rest } = webhook;
        return { ...rest, topics: [...webhook.topics] };
      }),
    };
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const path = url.pathname;
    const ok = (data: unknown) => sendJsonApi(res, { status: 200, body: { data } });
    const bad = (detail: string) => sendJsonApi(res, err(400, "invalid_request", detail));
    const input = async <S extends z.ZodType>(schema: S): Promise<z.output<S> | null> => {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text === "" ? {} : JSON.parse(text);
      } catch {
        bad("body: must be valid JSON");
        return null;
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        bad(parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; "));
        return null;
      }
      return parsed.data;
    };
    const parts = path.split("/").slice(2);
    const second = parts[1] ?? "";
    const byId = (parts[0] === "merchants" || parts[0] === "payment-intents") && parts.length === 3;
    const routeKey = `${method} /${(byId ? [parts[0], ":id", parts[2]] : parts).join("/")}`;
    try {
      switch (routeKey) {
        case "GET /health":
          return ok({ ok: true, environment });
        case "POST /merchants": {
          const body = await input(merchantInput);
          if (body) ok(sandbox.createMerchant(body));
          return;
        }
        case "POST /merchants/:id/revoke":
          sandbox.revokeMerchant(second);
          return ok({ revoked: second });
        case "POST /merchants/:id/rotate":
          return ok(sandbox.rotateSecret(second));
        case "GET /faults":
          return ok(faults.current());
        case "POST /faults": {
          const body = await input(faultSettingsSchema);
          if (body) faults.set(body);
          if (body) ok(faults.current());
          return;
        }
        case "DELETE /faults":
          faults.set({});
          return ok(faults.current());
        case "GET /behaviour":
          return ok(behaviour);
        case "POST /behaviour": {
          const body = await input(behaviourSchema);
          if (body) behaviour = { ...behaviour, ...body };
          if (body) ok(behaviour);
          return;
        }
        case "POST /clock": {
          const body = await input(clockInput);
          if (body) sandbox.advanceClock(body.advanceMs);
          if (body) ok({ now: new Date(nowMs()).toISOString() });
          return;
        }
        case "POST /tick":
          sandbox.tick();
          return ok({ now: new Date(nowMs()).toISOString() });
        case "POST /payment-intents": {
          const body = await input(intentInput);
          if (body) ok(sandbox.createPaymentIntent({ ...body, reference: body.reference ?? null }));
          return;
        }
        case "POST /payment-intents/:id/clear-action": {
          const clientId = url.searchParams.get("clientId") ?? "";
          sandbox.clearRequiredAction(clientId, second);
          return ok({ cleared: second });
        }
        case "GET /state":
          return ok(sandbox.state(url.searchParams.get("clientId") ?? ""));
        case "GET /requests":
          return ok(requestLog);
        case "GET /webhooks/deliveries":
          return ok(dispatcher.deliveries());
        case "POST /webhooks/flush":
          sandbox.flushWebhooks();
          return ok({ flushed: true });
        case "POST /reset":
          sandbox.reset();
          return ok({ reset: true });
        default:
          return sendJsonApi(res, err(404, "not_found", "No such sandbox endpoint"));
      }
    } catch (error) {
      return bad(error instanceof Error ? error.message : String(error));
    }
  }

  // ---- server --------------------------------------------------------------------------

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const path = url.pathname;
    const routeText = routePath(path);
    const work = path.startsWith("/__sandbox/")
      ? handleAdmin(req, res, method, url)
      : path === WIDGET_SCRIPT_PATH || path === WIDGET_PAGE_PATH || path.startsWith(`${WIDGET_PAGE_PATH}/`)
        ? handleWidget(req, res, method, url)
        : routeText !== null
          ? handleApi(req, res, method, url, routeText)
          : Promise.resolve(sendJsonApi(res, err(404, "not_found", `No such endpoint: ${method} ${path}`)));
    work.catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof BodyTooLarge) return sendJsonApi(res, err(413, "body_too_large", "The request body is too large"));
      log(`accrue sandbox error on ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      sendJsonApi(res, err(500, "internal_error", "Internal server error"));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const { url, port } = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");

  const sandbox: AccrueSandbox = {
    url,
    port,
    environment,
    async close() {
      dispatcher.close();
      for (const res of hung) res.socket?.destroy();
      hung.clear();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    createMerchant,
    revokeMerchant(clientId) {
      requireMerchant(clientId).revoked = true;
    },
    rotateSecret(clientId) {
      const merchant = requireMerchant(clientId);
      merchant.clientSecret = newSecret();
      merchant.revoked = false;
      return { clientId, clientSecret: merchant.clientSecret };
    },
    setFaults: (settings) => faults.set(settings),
    clearFaults: () => faults.set({}),
    setBehaviour(update) {
      behaviour = { ...behaviour, ...behaviourSchema.parse(update) };
    },
    behaviour: () => ({ ...behaviour }),
    advanceClock(ms) {
      clockOffsetMs += ms;
      tickAll();
    },
    tick: tickAll,
    createPaymentIntent(input) {
      const merchant = requireMerchant(input.clientId);
      const phoneNumber = normalisePhone(input.phoneNumber);
      if (!phoneNumber) throw new Error(`not a phone number: ${input.phoneNumber}`);
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw new Error("amount must be a positive integer of cents");
      engine.advance(merchant);
      const intent = engine.createIntent(merchant, { phoneNumber, amount: input.amount, reference: input.reference });
      dispatcher.sendDue();
      return intentResource(intent, behaviour);
    },
    clearRequiredAction(clientId, intentId) {
      const merchant = requireMerchant(clientId);
      const intent = merchant.intents.get(intentId);
      if (!intent) throw new Error(`no intent ${intentId}`);
      engine.clearRequiredAction(merchant, intent);
      dispatcher.sendDue();
    },
    state: stateOf,
    webhookSecret: (clientId, webhookId) => merchants.get(clientId)?.webhooks.get(webhookId)?.secret ?? null,
    requests: () => structuredClone(requestLog),
    webhookDeliveries: () => dispatcher.deliveries(),
    flushWebhooks() {
      dispatcher.flushOutOfOrder();
      dispatcher.sendDue();
    },
    waitForWebhooks: () => dispatcher.idle(),
    reset() {
      merchants = new Map();
      seedMerchants();
      requestLog = [];
      admitted = [];
      clockOffsetMs = 0;
      for (const res of hung) res.socket?.destroy();
      hung.clear();
      dispatcher.forget();
      faults.set(options.faults ?? {});
      behaviour = { ...DEFAULT_BEHAVIOUR, ...behaviourSchema.parse(options.behaviour ?? {}) };
    },
  };
  log(`accrue ${environment} sandbox with ${merchants.size} merchant(s): ${[...merchants.values()].map((m) => m.clientId).join(", ")}`);
  return sandbox;
}
