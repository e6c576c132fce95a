/**
 * The Accrue Merchant API client: the only object the rest of the app uses to talk to Accrue.
 *
 * `createAccrueClient(options)` is made once per environment (sandbox, live); `forMerchant`
 * binds one merchant's Client ID and Client Secret. Every write follows
 * docs/decisions/accrue-a09-unknown-outcomes.md: a POST whose outcome is unknown is never
 * repeated before the state has been read back, and authorize and refund are never repeated at
 * all (docs/decisions/accrue-a08-authorize-once.md, accrue-a10-refunds.md).
 */
import type { z } from "zod";
import type { Logger } from "~/lib/logger";
import { included, metaMessage, readMany, readOne } from "./documents";
import { accrueError, type AccrueError } from "./errors";
import { sharedRateBudget, type RateBudget, DEFAULT_REQUESTS_PER_MINUTE } from "./rate-budget";
import {
  amountSchema,
  eventQuerySchema,
  idempotencyKeySchema,
  idSchema,
  pageSchema,
  webhookInputSchema,
  webhookPatchSchema,
  type EventQuery,
  type PageInput,
  type WebhookInput,
  type WebhookPatch,
} from "./request-schemas";
import { err, ok, type Result } from "~/lib/result";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy";
import {
  CAPTURED_PAYMENT_STATUSES,
  eventDocumentSchema,
  eventResourceSchema,
  intentResourceSchema,
  paymentResourceSchema,
  refundResourceSchema,
  toEvent,
  toIntent,
  toPayment,
  toRefund,
  toWebhook,
  UNCAPTURED_PAYMENT_STATUSES,
  webhookResourceSchema,
  type AccruePayment,
  type AccruePaymentIntent,
  type AccrueRefund,
  type AccrueWebhook,
  type AccrueWebhookEvent,
} from "./schemas";
import { DEFAULT_TIMEOUTS, Transport, type AccrueCredentials, type ApiAnswer, type ApiCall, type Timeouts } from "./transport";

export type AccrueResult<T> = Result<T, AccrueError>;

export interface AccrueClientOptions {
  /** e.g. https://merchant-api-sandbox.accruesavings.com (from configuration). */
  readonly baseUrl: string;
  /** Names the process-wide rate budget; sandbox and live are limited apart. */
  readonly environment: "sandbox" | "live";
  /** Default "/api/v1" (docs/decisions/accrue-a16-hosts-and-paths.md). */
  readonly pathPrefix?: string;
  /** Default "bearer", as the document says (docs/decisions/accrue-a17-auth-and-parsing.md). */
  readonly authScheme?: "bearer" | "basic";
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
  /** Default: the process-wide budget of `environment`. */
  readonly budget?: RateBudget;
  /** For the process-wide budget, when this is the first client of its environment. */
  readonly requestsPerMinute?: number;
  /** Injected so tests never really wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface IntentWithPayments {
  readonly intent: AccruePaymentIntent;
  /** The intent's payments, newest first. */
  readonly payments: readonly AccruePayment[];
}

export interface Authorization {
  readonly intent: AccruePaymentIntent;
  /** Ours: the payment this authorize created, or the live one found by reading the intent. */
  readonly payment: AccruePayment;
  /** True when found by reading the intent rather than in the authorize answer. */
  readonly adopted: boolean;
  /** Other live payments on the same intent: not ours to keep; cancel them (accrue-a08-authorize-once.md). */
  readonly otherPayments: readonly AccruePayment[];
}

export interface PaymentWithRefunds {
  readonly payment: AccruePayment;
  readonly refunds: readonly AccrueRefund[];
}

export interface RefundOutcome {
  /** Ours: the refund new to the caller's ledger. */
  readonly refund: AccrueRefund;
  /** The payment as read with it, when the answer or a read-back carried it. */
  readonly payment: AccruePayment | null;
  readonly adopted: boolean;
  /** Accrue's `meta.message`, e.g. that a full refund starts once the payment is received. */
  readonly message: string | null;
}

export interface IntentSearch {
  /** Intents carrying the reference, newest first; each must still pass the caller's binding rules. */
  readonly matches: readonly IntentWithPayments[];
  readonly pagesRead: number;
}

export interface CreatedWebhook {
  readonly webhook: AccrueWebhook;
  /** Shown once: store it encrypted (docs/decisions/accrue-a12-webhook-registration.md). */
  readonly secret: string;
}

export type CredentialCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: "unauthorized" | "unreachable" | "unexpected"; readonly message: string };

export interface AccrueMerchantClient {
  getPaymentIntent(intentId: string): Promise<AccrueResult<IntentWithPayments>>;
  listPaymentIntents(page?: PageInput): Promise<AccrueResult<IntentWithPayments[]>>;
  /** docs/decisions/accrue-a15-reconciliation.md: newest first, at most `maxPages`, back to `createdAfter`. */
  findPaymentIntentsByReference(reference: string, options?: { maxPages?: number; createdAfter?: Date }): Promise<AccrueResult<IntentSearch>>;
  cancelPaymentIntent(intentId: string): Promise<AccrueResult<AccruePaymentIntent>>;
  /** Reads the intent, then sends authorize at most once (accrue-a08-authorize-once.md). */
  authorizePaymentIntent(intentId: string, amount: number, options?: { idempotencyKey?: string }): Promise<AccrueResult<Authorization>>;
  /**
   * For the reconciler after an authorize of unknown outcome: never sends authorize. Promoted →
   * the payment is adopted; still Promotable → fenced with a cancel (AUTHORIZE_NOT_APPLIED).
   */
  resolveAuthorization(intentId: string): Promise<AccrueResult<Authorization>>;
  getPayment(paymentId: string): Promise<AccrueResult<PaymentWithRefunds>>;
  listPayments(page?: PageInput): Promise<AccrueResult<AccruePayment[]>>;
  capturePayment(paymentId: string, amount: number, options?: { idempotencyKey?: string }): Promise<AccrueResult<AccruePayment>>;
  increaseAuthorization(paymentId: string, increase: number, options?: { idempotencyKey?: string }): Promise<AccrueResult<AccruePayment>>;
  cancelPayment(paymentId: string, options?: { idempotencyKey?: string }): Promise<AccrueResult<AccruePayment>>;
  completePayment(paymentId: string, options?: { idempotencyKey?: string }): Promise<AccrueResult<AccruePayment>>;
  /**
   * Sent once. `knownRefundIds`: every refund id of this payment already in the caller's ledger,
   * so ours is told apart (accrue-a10-refunds.md). `idempotencyKey`: the ledger row's own key.
   */
  refundPayment(
    paymentId: string,
    amount: number,
    options: { knownRefundIds: readonly string[]; idempotencyKey: string },
  ): Promise<AccrueResult<RefundOutcome>>;
  /** For the reconciler after an unknown refund outcome: a refund of `amount` not in `knownRefundIds`, or null. */
  findNewRefund(paymentId: string, amount: number, knownRefundIds: readonly string[]): Promise<AccrueResult<AccrueRefund | null>>;
  createWebhook(input: WebhookInput): Promise<AccrueResult<CreatedWebhook>>;
  getWebhook(webhookId: string): Promise<AccrueResult<{ webhook: AccrueWebhook; secret: string | null }>>;
  updateWebhook(webhookId: string, patch: WebhookPatch): Promise<AccrueResult<AccrueWebhook>>;
  deleteWebhook(webhookId: string): Promise<AccrueResult<void>>;
  listWebhookEvents(query: EventQuery): Promise<AccrueResult<AccrueWebhookEvent[]>>;
  getWebhookEvent(eventId: string): Promise<AccrueResult<AccrueWebhookEvent>>;
  /** A harmless authenticated GET (one intent, newest first), for the settings page. */
  checkCredentials(): Promise<CredentialCheck>;
}

export interface AccrueClient {
  readonly environment: "sandbox" | "live";
  forMerchant(credentials: AccrueCredentials, context?: { readonly logger?: Logger }): AccrueMerchantClient;
  checkCredentials(credentials: AccrueCredentials): Promise<CredentialCheck>;
}

export function createAccrueClient(options: AccrueClientOptions): AccrueClient {
  const transport = new Transport({
    baseUrl: options.baseUrl,
    pathPrefix: options.pathPrefix ?? "/api/v1",
    authScheme: options.authScheme ?? "bearer",
    fetch: options.fetch ?? globalThis.fetch,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    budget: options.budget ?? sharedRateBudget(options.environment, options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    environment: options.environment,
    forMerchant: (credentials, context) => new MerchantClient(transport, credentials, context?.logger ?? options.logger),
    checkCredentials: (credentials) => new MerchantClient(transport, credentials, options.logger).checkCredentials(),
  };
}

const newestFirst = <T extends { createdAt: string | null }>(items: readonly T[]): T[] =>
  items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (b.item.createdAt ?? "").localeCompare(a.item.createdAt ?? "") || b.index - a.index)
    .map(({ item }) => item);

const DEAD_PAYMENT_STATUSES: readonly string[] = ["Canceled", "Expired"];

interface WriteSpec<T> {
  readonly call: ApiCall;
  /** Reads a success answer; an unreadable one must be an outcome_unknown error. */
  readonly parse: (answer: ApiAnswer) => Result<T, AccrueError>;
  /** Reads the state back after an unknown outcome. */
  readonly read: () => Promise<Result<T, AccrueError>>;
  readonly applied: (state: T) => boolean;
  /** Not applied, and the state still allows the operation: it may be sent once more. */
  readonly repeatable: (state: T) => boolean;
  readonly statusOf: (state: T) => string;
}

class MerchantClient implements AccrueMerchantClient {
  constructor(
    private readonly transport: Transport,
    private readonly credentials: AccrueCredentials,
    private readonly logger: Logger | undefined,
  ) {}

  // ---- plumbing ------------------------------------------------------------------------

  private send(call: ApiCall) {
    return this.transport.send(this.credentials, call, this.logger);
  }

  private invalid(operation: string, error: z.ZodError, field: string): AccrueError {
    const message = error.issues.map((issue) => `${[field, ...issue.path].join(".")}: ${issue.message}`).join("; ");
    return accrueError({ code: "INVALID_INPUT", origin: "client", operation, httpStatus: null, message: `Invalid input: ${message}` });
  }

  private check<S extends z.ZodType>(operation: string, schema: S, value: unknown, field: string): Result<z.output<S>, AccrueError> {
    const parsed = schema.safeParse(value);
    return parsed.success ? ok(parsed.data) : err(this.invalid(operation, parsed.error, field));
  }

  private unexpected(operation: string, answer: ApiAnswer, problem: string, write: boolean): AccrueError {
    return accrueError({
      code: "UNEXPECTED_RESPONSE",
      category: write ? "outcome_unknown" : "terminal",
      origin: "gateway",
      operation,
      httpStatus: answer.httpStatus,
      message: `Accrue answered HTTP ${answer.httpStatus} with an unexpected document: ${problem}`.slice(0, 300),
      attempts: 1,
    });
  }

  private mismatch(operation: string, observedStatus: string, message: string): AccrueError {
    return accrueError({ code: "STATE_MISMATCH", origin: "gateway", operation, httpStatus: null, message, observedStatus });
  }

  private paymentFrom(operation: string, write: boolean) {
    return (answer: ApiAnswer): Result<AccruePayment, AccrueError> => {
      const read = readOne(answer.document, paymentResourceSchema);
      return read.ok ? ok(toPayment(read.value)) : err(this.unexpected(operation, answer, read.problem, write));
    };
  }

  private intentFrom(operation: string, write: boolean) {
    return (answer: ApiAnswer): Result<AccruePaymentIntent, AccrueError> => {
      const read = readOne(answer.document, intentResourceSchema);
      return read.ok ? ok(toIntent(read.value)) : err(this.unexpected(operation, answer, read.problem, write));
    };
  }

  /**
   * A write that may be sent a second time only after a read-back proved it did not take effect
   * and the state still allows it (capture, cancel, complete, webhook update).
   */
  private async write<T>(spec: WriteSpec<T>): Promise<Result<T, AccrueError>> {
    let resent = false;
    let unknown: AccrueError | null = null;
    for (;;) {
      const sent = await this.send(spec.call);
      const outcome = sent.ok ? spec.parse(sent.value) : sent;
      if (outcome.ok) return outcome;
      const error = outcome.error;
      const refusedOnResend = resent && error.code === "REJECTED";
      if (error.category !== "outcome_unknown" && !refusedOnResend) return outcome;
      if (error.category === "outcome_unknown") unknown = error;
      const read = await spec.read();
      if (!read.ok) {
        return err(unknown ? { ...unknown, message: `${unknown.message}; reading the state back failed: ${read.error.message}`.slice(0, 300) } : error);
      }
      if (spec.applied(read.value)) {
        this.logger?.info({ accrue: { operation: spec.call.operation, readBack: "applied" } }, "accrue write settled by read-back");
        return read;
      }
      if (refusedOnResend) return outcome;
      if (!resent && spec.repeatable(read.value)) {
        resent = true;
        this.logger?.warn({ accrue: { operation: spec.call.operation, readBack: "not_applied" } }, "accrue write not applied, sending once more");
        continue;
      }
      if (resent && unknown) return err(unknown);
      const status = spec.statusOf(read.value);
      return err(this.mismatch(spec.call.operation, status, `After an unknown outcome the object is ${status}, which does not allow ${spec.call.operation}`));
    }
  }

  // ---- payment intents -----------------------------------------------------------------

  private async paymentsOf(operation: string, intent: AccruePaymentIntent, answer: ApiAnswer): Promise<AccrueResult<AccruePayment[]>> {
    const found = new Map(included(answer.document, "Payment", paymentResourceSchema).map((resource) => [resource.id, toPayment(resource)]));
    for (const id of intent.paymentIds) {
      if (found.has(id)) continue;
      // `include=payments` not honoured: read the payment itself.
      const read = await this.getPayment(id);
      if (!read.ok) return err({ ...read.error, operation });
      found.set(id, read.value.payment);
    }
    return ok(newestFirst(intent.paymentIds.map((id) => found.get(id)).filter((p): p is AccruePayment => p !== undefined)));
  }

  async getPaymentIntent(intentId: string): Promise<AccrueResult<IntentWithPayments>> {
    const operation = "payment_intents.get";
    const id = this.check(operation, idSchema, intentId, "intentId");
    if (!id.ok) return id;
    const sent = await this.send({ operation, method: "GET", path: `/payment-intents/${id.value}`, query: { include: "payments" } });
    if (!sent.ok) return sent;
    const intent = this.intentFrom(operation, false)(sent.value);
    if (!intent.ok) return intent;
    const payments = await this.paymentsOf(operation, intent.value, sent.value);
    return payments.ok ? ok({ intent: intent.value, payments: payments.value }) : payments;
  }

  async listPaymentIntents(page: PageInput = {}): Promise<AccrueResult<IntentWithPayments[]>> {
    const operation = "payment_intents.list";
    const input = this.check(operation, pageSchema, page, "page");
    if (!input.ok) return input;
    const { limit, offset, sort, status } = input.value;
    const query: Record<string, string> = { "page[limit]": String(limit), "page[offset]": String(offset), sort, include: "payments" };
    if (status) query["filter[status]"] = status;
    const sent = await this.send({ operation, method: "GET", path: "/payment-intents", query });
    if (!sent.ok) return sent;
    const list = readMany(sent.value.document, intentResourceSchema);
    if (!list.ok) return err(this.unexpected(operation, sent.value, list.problem, false));
    const payments = new Map(included(sent.value.document, "Payment", paymentResourceSchema).map((resource) => [resource.id, toPayment(resource)]));
    return ok(
      list.value.map((resource) => {
        const intent = toIntent(resource);
        return { intent, payments: newestFirst(intent.paymentIds.flatMap((pid) => payments.get(pid) ?? [])) };
      }),
    );
  }

  async findPaymentIntentsByReference(reference: string, options: { maxPages?: number; createdAfter?: Date } = {}): Promise<AccrueResult<IntentSearch>> {
    const maxPages = options.maxPages ?? 5;
    const matches: IntentWithPayments[] = [];
    let offset = 0;
    for (let page = 1; page <= maxPages; page += 1) {
      const listed = await this.listPaymentIntents({ limit: 100, offset, sort: "-createdAt" });
      if (!listed.ok) return err({ ...listed.error, operation: "payment_intents.find_by_reference" });
      // Stop only on an empty page: Accrue may cap the page size below what we asked for.
      if (listed.value.length === 0) return ok({ matches, pagesRead: page });
      matches.push(...listed.value.filter((entry) => entry.intent.reference === reference));
      offset += listed.value.length;
      const oldest = listed.value.at(-1)?.intent.createdAt;
      if (options.createdAfter && oldest && Date.parse(oldest) < options.createdAfter.getTime()) return ok({ matches, pagesRead: page });
    }
    return ok({ matches, pagesRead: maxPages });
  }

  async cancelPaymentIntent(intentId: string): Promise<AccrueResult<AccruePaymentIntent>> {
    const operation = "payment_intents.cancel";
    const id = this.check(operation, idSchema, intentId, "intentId");
    if (!id.ok) return id;
    return this.write({
      call: { operation, method: "POST", path: `/payment-intents/${id.value}/cancel`, idempotencyKey: `cancel-intent:${id.value}` },
      parse: this.intentFrom(operation, true),
      read: async () => {
        const read = await this.getPaymentIntent(id.value);
        return read.ok ? ok(read.value.intent) : read;
      },
      applied: (intent) => intent.status === "Canceled",
      repeatable: (intent) => intent.status === "Promotable" || intent.status === "RequiresAction",
      statusOf: (intent) => intent.status,
    });
  }

  /** Ours among the intent's payments: the newest live one not known before, else the newest live one. */
  private adopt(operation: string, state: IntentWithPayments, knownBefore: ReadonlySet<string>, adopted: boolean): AccrueResult<Authorization> {
    const live = state.payments.filter((payment) => !DEAD_PAYMENT_STATUSES.includes(payment.status));
    const chosen = live.find((payment) => !knownBefore.has(payment.id)) ?? live[0];
    if (state.intent.status !== "PromotedToPayment" || !chosen) {
      const status = state.payments[0]?.status ?? state.intent.status;
      return err(this.mismatch(operation, status, `The intent is ${state.intent.status} without a live payment (${status})`));
    }
    const otherPayments = live.filter((payment) => payment.id !== chosen.id);
    if (otherPayments.length > 0) {
      this.logger?.warn(
        { accrue: { operation, intentId: state.intent.id, otherPayments: otherPayments.map((p) => p.id) } },
        "accrue intent has more than one live payment",
      );
    }
    return ok({ intent: state.intent, payment: chosen, adopted, otherPayments });
  }

  async authorizePaymentIntent(intentId: string, amount: number, options: { idempotencyKey?: string } = {}): Promise<AccrueResult<Authorization>> {
    const operation = "payment_intents.authorize";
    const id = this.check(operation, idSchema, intentId, "intentId");
    if (!id.ok) return id;
    const cents = this.check(operation, amountSchema, amount, "amount");
    if (!cents.ok) return cents;
    const key = this.check(operation, idempotencyKeySchema, options.idempotencyKey ?? `authorize:${id.value}`, "idempotencyKey");
    if (!key.ok) return key;

    const before = await this.getPaymentIntent(id.value);
    if (!before.ok) return err({ ...before.error, operation });
    const known = new Set(before.value.payments.map((payment) => payment.id));
    const { intent } = before.value;
    // Promoted already (an earlier attempt of ours landed): adopt it, never authorize again.
    if (intent.status === "PromotedToPayment") return this.adopt(operation, before.value, new Set(), true);
    if (intent.status !== "Promotable" || intent.error !== null) {
      return err(this.mismatch(operation, intent.status, `The intent is ${intent.status}${intent.error ? ` (${intent.error})` : ""} and cannot be authorized`));
    }

    const sent = await this.send({
      operation,
      method: "POST",
      path: `/payment-intents/${id.value}/authorize`,
      query: { include: "payments" },
      body: { data: { type: "AuthorizePaymentIntent", attributes: { amount: cents.value } } },
      idempotencyKey: key.value,
    });
    if (sent.ok) {
      const answered = this.intentFrom(operation, true)(sent.value);
      if (answered.ok) {
        const payments = await this.paymentsOf(operation, answered.value, sent.value);
        if (payments.ok) {
          const adopted = this.adopt(operation, { intent: answered.value, payments: payments.value }, known, false);
          if (adopted.ok) return adopted;
        }
      }
      return this.settleAuthorize(operation, id.value, known, this.unexpected(operation, sent.value, "no promoted intent with a live payment", true));
    }
    if (sent.error.code === "REJECTED") {
      // A refusal is a decline (accrue-a18) unless the intent was promoted meanwhile (another
      // process's authorize): then money is held and the payment is adopted, not declined.
      const after = await this.getPaymentIntent(id.value);
      if (after.ok && after.value.intent.status === "PromotedToPayment") return this.adopt(operation, after.value, known, true);
      return sent;
    }
    if (sent.error.category !== "outcome_unknown") return sent;
    return this.settleAuthorize(operation, id.value, known, sent.error);
  }

  async resolveAuthorization(intentId: string): Promise<AccrueResult<Authorization>> {
    const operation = "payment_intents.resolve_authorization";
    const id = this.check(operation, idSchema, intentId, "intentId");
    if (!id.ok) return id;
    const unknown = accrueError({
      code: "NETWORK_ERROR",
      category: "outcome_unknown",
      origin: "network",
      operation,
      httpStatus: null,
      message: "An earlier authorize's outcome is unknown",
    });
    return this.settleAuthorize(operation, id.value, new Set(), unknown);
  }

  /**
   * After an authorize of unknown outcome: read the intent. Promoted → adopt. Still Promotable →
   * fence it with a cancel so a late authorize cannot land, and report AUTHORIZE_NOT_APPLIED
   * (the shopper starts again with a new intent); if the cancel is refused because the
   * authorize landed meanwhile, adopt. Anything unreadable stays outcome_unknown.
   */
  private async settleAuthorize(operation: string, intentId: string, known: ReadonlySet<string>, unknown: AccrueError): Promise<AccrueResult<Authorization>> {
    const stillUnknown = (why: string) => err({ ...unknown, message: `${unknown.message}; ${why}`.slice(0, 300) });
    const read = await this.getPaymentIntent(intentId);
    if (!read.ok) return stillUnknown(`reading the intent back failed: ${read.error.message}`);
    if (read.value.intent.status === "PromotedToPayment") return this.adopt(operation, read.value, known, true);
    if (read.value.intent.status !== "Promotable") {
      return err(this.mismatch(operation, read.value.intent.status, `After an unknown authorize outcome the intent is ${read.value.intent.status}`));
    }
    const fenced = await this.cancelPaymentIntent(intentId);
    if (fenced.ok) {
      return err(
        accrueError({
          code: "AUTHORIZE_NOT_APPLIED",
          origin: "gateway",
          operation,
          httpStatus: null,
          message: "The authorize did not take effect; the intent was canceled so it cannot land late. The shopper may pay again with a new intent.",
          observedStatus: fenced.value.status,
          attempts: unknown.attempts,
        }),
      );
    }
    const again = await this.getPaymentIntent(intentId);
    if (again.ok && again.value.intent.status === "PromotedToPayment") return this.adopt(operation, again.value, known, true);
    return stillUnknown(`fencing the intent failed: ${fenced.error.message}`);
  }

  // ---- payments ------------------------------------------------------------------------

  async getPayment(paymentId: string): Promise<AccrueResult<PaymentWithRefunds>> {
    const operation = "payments.get";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    const sent = await this.send({ operation, method: "GET", path: `/payments/${id.value}`, query: { include: "refunds" } });
    if (!sent.ok) return sent;
    const payment = this.paymentFrom(operation, false)(sent.value);
    if (!payment.ok) return payment;
    const refunds = included(sent.value.document, "Refund", refundResourceSchema).map(toRefund);
    return ok({ payment: payment.value, refunds: newestFirst(refunds) });
  }

  async listPayments(page: PageInput = {}): Promise<AccrueResult<AccruePayment[]>> {
    const operation = "payments.list";
    const input = this.check(operation, pageSchema, page, "page");
    if (!input.ok) return input;
    const { limit, offset, sort, status } = input.value;
    const query: Record<string, string> = { "page[limit]": String(limit), "page[offset]": String(offset), sort, include: "refunds" };
    if (status) query["filter[status]"] = status;
    const sent = await this.send({ operation, method: "GET", path: "/payments", query });
    if (!sent.ok) return sent;
    const list = readMany(sent.value.document, paymentResourceSchema);
    return list.ok ? ok(list.value.map(toPayment)) : err(this.unexpected(operation, sent.value, list.problem, false));
  }

  private readPayment(paymentId: string) {
    return async (): Promise<AccrueResult<AccruePayment>> => {
      const read = await this.getPayment(paymentId);
      return read.ok ? ok(read.value.payment) : read;
    };
  }

  async capturePayment(paymentId: string, amount: number, options: { idempotencyKey?: string } = {}): Promise<AccrueResult<AccruePayment>> {
    const operation = "payments.capture";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    const cents = this.check(operation, amountSchema, amount, "amount");
    if (!cents.ok) return cents;
    return this.write({
      call: {
        operation,
        method: "POST",
        path: `/payments/${id.value}/capture`,
        body: { data: { type: "CapturePayment", attributes: { amount: cents.value } } },
        idempotencyKey: options.idempotencyKey ?? `capture:${id.value}`,
      },
      parse: this.paymentFrom(operation, true),
      read: this.readPayment(id.value),
      applied: (payment) => CAPTURED_PAYMENT_STATUSES.includes(payment.status),
      repeatable: (payment) => UNCAPTURED_PAYMENT_STATUSES.includes(payment.status),
      statusOf: (payment) => payment.status,
    });
  }

  async increaseAuthorization(paymentId: string, increase: number, options: { idempotencyKey?: string } = {}): Promise<AccrueResult<AccruePayment>> {
    const operation = "payments.increase_authorization";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    const cents = this.check(operation, amountSchema, increase, "increase");
    if (!cents.ok) return cents;
    const before = await this.getPayment(id.value);
    if (!before.ok) return err({ ...before.error, operation });
    const target = before.value.payment.amount + cents.value;
    return this.write({
      call: {
        operation,
        method: "POST",
        path: `/payments/${id.value}/increase-authorization`,
        body: { data: { type: "IncreaseAuthorization", attributes: { increase: cents.value } } },
        idempotencyKey: options.idempotencyKey ?? `increase:${id.value}:${target}`,
      },
      parse: this.paymentFrom(operation, true),
      read: this.readPayment(id.value),
      applied: (payment) => payment.amount >= target,
      repeatable: (payment) => payment.amount === before.value.payment.amount && UNCAPTURED_PAYMENT_STATUSES.includes(payment.status),
      statusOf: (payment) => payment.status,
    });
  }

  async cancelPayment(paymentId: string, options: { idempotencyKey?: string } = {}): Promise<AccrueResult<AccruePayment>> {
    const operation = "payments.cancel";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    return this.write({
      call: { operation, method: "POST", path: `/payments/${id.value}/cancel`, idempotencyKey: options.idempotencyKey ?? `cancel:${id.value}` },
      parse: this.paymentFrom(operation, true),
      read: this.readPayment(id.value),
      applied: (payment) => payment.status === "Canceled",
      repeatable: (payment) => [...UNCAPTURED_PAYMENT_STATUSES, "Waiting"].includes(payment.status),
      statusOf: (payment) => payment.status,
    });
  }

  async completePayment(paymentId: string, options: { idempotencyKey?: string } = {}): Promise<AccrueResult<AccruePayment>> {
    const operation = "payments.complete";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    return this.write({
      call: { operation, method: "POST", path: `/payments/${id.value}/complete`, idempotencyKey: options.idempotencyKey ?? `complete:${id.value}` },
      parse: this.paymentFrom(operation, true),
      read: this.readPayment(id.value),
      applied: (payment) => payment.status === "Complete",
      repeatable: (payment) => [...UNCAPTURED_PAYMENT_STATUSES, "Waiting", "Processing", "Sent"].includes(payment.status),
      statusOf: (payment) => payment.status,
    });
  }

  // ---- refunds -------------------------------------------------------------------------

  /** The refunds of `payment` not in `known` with this amount, newest first. */
  private newRefunds(refunds: readonly AccrueRefund[], amount: number, known: ReadonlySet<string>): AccrueRefund[] {
    return newestFirst(refunds.filter((refund) => !known.has(refund.id) && refund.amount === amount));
  }

  async refundPayment(
    paymentId: string,
    amount: number,
    options: { knownRefundIds: readonly string[]; idempotencyKey: string },
  ): Promise<AccrueResult<RefundOutcome>> {
    const operation = "payments.refund";
    const id = this.check(operation, idSchema, paymentId, "paymentId");
    if (!id.ok) return id;
    const cents = this.check(operation, amountSchema, amount, "amount");
    if (!cents.ok) return cents;
    const key = this.check(operation, idempotencyKeySchema, options.idempotencyKey, "idempotencyKey");
    if (!key.ok) return key;
    const known = new Set(options.knownRefundIds);

    const sent = await this.send({
      operation,
      method: "POST",
      path: `/payments/${id.value}/refund`,
      query: { include: "refunds" },
      body: { data: { type: "RefundPayment", attributes: { amount: cents.value } } },
      idempotencyKey: key.value,
    });
    if (!sent.ok && sent.error.category !== "outcome_unknown") return sent;
    if (sent.ok) {
      const fromAnswer = this.refundFromAnswer(sent.value, cents.value, known);
      if (fromAnswer) return ok(fromAnswer);
    }
    const unknown = sent.ok ? this.unexpected(operation, sent.value, "no new Refund in the answer", true) : sent.error;
    // Read back; never send the refund again (accrue-a10-refunds.md).
    const found = await this.getPayment(id.value);
    if (!found.ok) return err({ ...unknown, message: `${unknown.message}; reading the payment back failed: ${found.error.message}`.slice(0, 300) });
    const [ours] = this.newRefunds(found.value.refunds, cents.value, known);
    if (ours) return ok({ refund: ours, payment: found.value.payment, adopted: true, message: null });
    return err({
      ...unknown,
      message: `${unknown.message}; no new refund of ${cents.value} yet. Do not refund again: re-read with findNewRefund later.`.slice(0, 300),
    });
  }

  /** Ours in a refund answer: a bare Refund in `data`, or the Payment's refund new to the ledger. */
  private refundFromAnswer(answer: ApiAnswer, amount: number, known: ReadonlySet<string>): RefundOutcome | null {
    const message = metaMessage(answer.document);
    const bare = readOne(answer.document, refundResourceSchema);
    if (bare.ok && !known.has(bare.value.id)) return { refund: toRefund(bare.value), payment: null, adopted: false, message };
    const payment = readOne(answer.document, paymentResourceSchema);
    if (!payment.ok) return null;
    const paymentValue = toPayment(payment.value);
    const refunds = included(answer.document, "Refund", refundResourceSchema).map(toRefund);
    const fresh = paymentValue.refundIds.filter((refundId) => !known.has(refundId));
    const ours = this.newRefunds(
      refunds.filter((refund) => fresh.includes(refund.id)),
      amount,
      known,
    )[0];
    return ours ? { refund: ours, payment: paymentValue, adopted: false, message } : null;
  }

  async findNewRefund(paymentId: string, amount: number, knownRefundIds: readonly string[]): Promise<AccrueResult<AccrueRefund | null>> {
    const read = await this.getPayment(paymentId);
    if (!read.ok) return read;
    return ok(this.newRefunds(read.value.refunds, amount, new Set(knownRefundIds))[0] ?? null);
  }

  // ---- webhooks ------------------------------------------------------------------------

  async createWebhook(input: WebhookInput): Promise<AccrueResult<CreatedWebhook>> {
    const operation = "webhooks.create";
    const checked = this.check(operation, webhookInputSchema, input, "webhook");
    if (!checked.ok) return checked;
    const resource = { type: "Webhook", attributes: checked.value };
    // docs/decisions/accrue-a12-webhook-registration.md: JSON:API's wrapped form first; the
    // document's bare sample form only when the wrapped one is refused as invalid (nothing created).
    let sent = await this.send({ operation, method: "POST", path: "/webhooks", body: { data: resource } });
    if (!sent.ok && sent.error.code === "REJECTED" && (sent.error.httpStatus === 400 || sent.error.httpStatus === 422)) {
      sent = await this.send({ operation, method: "POST", path: "/webhooks", body: resource });
    }
    if (!sent.ok) return sent;
    const read = readOne(sent.value.document, webhookResourceSchema);
    if (!read.ok) return err(this.unexpected(operation, sent.value, read.problem, true));
    const { webhook, secret } = toWebhook(read.value);
    if (secret === null || secret === "") return err(this.unexpected(operation, sent.value, "the created webhook carries no secret", true));
    return ok({ webhook, secret });
  }

  async getWebhook(webhookId: string): Promise<AccrueResult<{ webhook: AccrueWebhook; secret: string | null }>> {
    const operation = "webhooks.get";
    const id = this.check(operation, idSchema, webhookId, "webhookId");
    if (!id.ok) return id;
    const sent = await this.send({ operation, method: "GET", path: `/webhooks/${id.value}` });
    if (!sent.ok) return sent;
    const read = readOne(sent.value.document, webhookResourceSchema);
    return read.ok ? ok(toWebhook(read.value)) : err(this.unexpected(operation, sent.value, read.problem, false));
  }

  async updateWebhook(webhookId: string, patch: WebhookPatch): Promise<AccrueResult<AccrueWebhook>> {
    const operation = "webhooks.update";
    const id = this.check(operation, idSchema, webhookId, "webhookId");
    if (!id.ok) return id;
    const checked = this.check(operation, webhookPatchSchema, patch, "patch");
    if (!checked.ok) return checked;
    const attributes = Object.fromEntries(Object.entries(checked.value).filter(([name]) => name in patch));
    const resource = { type: "Webhook", id: id.value, attributes };
    const parse = (answer: ApiAnswer): Result<AccrueWebhook, AccrueError> => {
      const read = readOne(answer.document, webhookResourceSchema);
      return read.ok ? ok(toWebhook(read.value).webhook) : err(this.unexpected(operation, answer, read.problem, true));
    };
    const matches = (webhook: AccrueWebhook) =>
      Object.entries(attributes).every(([name, value]) => JSON.stringify(webhook[name as keyof AccrueWebhook]) === JSON.stringify(value));
    const spec = (body: unknown, method: "PATCH" | "PUT"): WriteSpec<AccrueWebhook> => ({
      call: { operation, method, path: `/webhooks/${id.value}`, body },
      parse,
      read: async () => {
        const read = await this.getWebhook(id.value);
        return read.ok ? ok(read.value.webhook) : read;
      },
      applied: matches,
      repeatable: () => true,
      statusOf: (webhook) => (webhook.enabled ? "enabled" : "disabled"),
    });
    // The method and the body's form are undocumented: PATCH, then PUT when PATCH is not routed;
    // the wrapped form, then the bare sample form when refused as invalid (nothing changed).
    const refusedAsInvalid = (result: AccrueResult<AccrueWebhook>) =>
      !result.ok && result.error.code === "REJECTED" && (result.error.httpStatus === 400 || result.error.httpStatus === 422);
    const notRouted = (result: AccrueResult<AccrueWebhook>) => !result.ok && (result.error.httpStatus === 404 || result.error.httpStatus === 405);
    let method: "PATCH" | "PUT" = "PATCH";
    let result = await this.write(spec({ data: resource }, method));
    if (notRouted(result)) {
      method = "PUT";
      result = await this.write(spec({ data: resource }, method));
    }
    if (refusedAsInvalid(result)) result = await this.write(spec(resource, method));
    return result;
  }

  async deleteWebhook(webhookId: string): Promise<AccrueResult<void>> {
    const operation = "webhooks.delete";
    const id = this.check(operation, idSchema, webhookId, "webhookId");
    if (!id.ok) return id;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const sent = await this.send({ operation, method: "DELETE", path: `/webhooks/${id.value}` });
      if (sent.ok) return ok(undefined);
      if (sent.error.category !== "outcome_unknown") return sent;
      // Deleting twice is harmless, but read first: a 404 means it is gone.
      const read = await this.getWebhook(id.value);
      if (!read.ok && read.error.code === "NOT_FOUND") return ok(undefined);
      if (!read.ok || attempt === 2) return sent;
    }
    return ok(undefined);
  }

  async listWebhookEvents(query: EventQuery): Promise<AccrueResult<AccrueWebhookEvent[]>> {
    const operation = "webhook_events.list";
    const input = this.check(operation, eventQuerySchema, query, "query");
    if (!input.ok) return input;
    const params: Record<string, string> = {
      "filter[since]": input.value.since.toISOString(),
      "page[limit]": String(input.value.limit),
      "page[offset]": String(input.value.offset),
    };
    if (input.value.until) params["filter[until]"] = input.value.until.toISOString();
    // The document prints GET /webhooks for this operation; /webhook-events is the other reading
    // (docs/decisions/accrue-a12-webhook-registration.md).
    for (const path of ["/webhooks", "/webhook-events"]) {
      const sent = await this.send({ operation, method: "GET", path, query: params });
      if (!sent.ok) {
        if (path === "/webhooks" && (sent.error.code === "NOT_FOUND" || sent.error.httpStatus === 405)) continue;
        return sent;
      }
      const list = readMany(sent.value.document, eventResourceSchema);
      if (list.ok) return ok(list.value.map((resource) => toEvent(resource)));
      if (path === "/webhook-events") return err(this.unexpected(operation, sent.value, list.problem, false));
    }
    return ok([]);
  }

  async getWebhookEvent(eventId: string): Promise<AccrueResult<AccrueWebhookEvent>> {
    const operation = "webhook_events.get";
    const id = this.check(operation, idSchema, eventId, "eventId");
    if (!id.ok) return id;
    const sent = await this.send({ operation, method: "GET", path: `/webhook-events/${id.value}` });
    if (!sent.ok) return sent;
    const parsed = eventDocumentSchema.safeParse(sent.value.document);
    return parsed.success ? ok(toEvent(parsed.data)) : err(this.unexpected(operation, sent.value, parsed.error.message, false));
  }

  // ---- credentials ---------------------------------------------------------------------

  async checkCredentials(): Promise<CredentialCheck> {
    const sent = await this.send({
      operation: "credentials.check",
      method: "GET",
      path: "/payment-intents",
      query: { "page[limit]": "1", "page[offset]": "0", sort: "-createdAt", include: "payments" },
    });
    if (sent.ok) {
      const list = readMany(sent.value.document, intentResourceSchema);
      return list.ok ? { ok: true } : { ok: false, reason: "unexpected", message: `Accrue answered with an unexpected document: ${list.problem}` };
    }
    const error = sent.error;
    if (error.code === "UNAUTHORIZED") return { ok: false, reason: "unauthorized", message: "Accrue refused this Client ID and Client Secret" };
    if (error.category === "retryable" || error.origin === "network") return { ok: false, reason: "unreachable", message: error.message };
    return { ok: false, reason: "unexpected", message: error.message };
  }
}
