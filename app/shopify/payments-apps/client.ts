import { GraphQLClient } from "graphql-request";
import type { Logger } from "~/lib/logger";
import { paymentsAppsEndpoint } from "./endpoint";
import { failure, failureFromGraphQLErrors } from "./failures";
import {
  MUTATIONS,
  type CaptureSessionRejectVariables,
  type MutationSpec,
  type PaymentSessionPendingVariables,
  type PaymentSessionRedirectVariables,
  type PaymentSessionRejectVariables,
  type PaymentSessionResolveVariables,
  type PaymentsAppConfigureVariables,
  type RefundSessionRejectVariables,
  type SessionIdVariables,
  type VoidSessionRejectVariables,
} from "./mutation-specs";
import type { FinalizedSessionResult, PaymentSessionResult, PaymentsAppConfigurationResult, PaymentsAppsOutcome } from "./outcome";
import { outcomeFromPayload } from "./payload-outcome";
import { exchange, type ExchangeResult } from "./transport";

export type GetAccessToken = (options?: { forceRefresh?: boolean }) => Promise<string>;

export interface PaymentsAppsClientOptions {
  /** Permanent `*.myshopify.com` domain (Shopify's `Shopify-Shop-Domain` header). */
  shop: string;
  /**
   * Supplied by the app, which stores and refreshes the shop's offline token. Called once per call;
   * after an HTTP 401 it is called once more with `forceRefresh: true` and the call repeated once.
   */
  getAccessToken: GetAccessToken;
  /** SHOPIFY_PAYMENTS_API_ORIGIN (tests and the local demo only); unset in production. */
  apiOrigin?: string;
  fetch?: typeof fetch;
  logger: Logger;
  /** Per HTTP attempt. */
  timeoutMs?: number;
}

export interface PaymentsAppsClient {
  readonly shop: string;
  readonly endpoint: string;
  paymentSessionResolve(variables: PaymentSessionResolveVariables): Promise<PaymentsAppsOutcome<PaymentSessionResult>>;
  paymentSessionReject(variables: PaymentSessionRejectVariables): Promise<PaymentsAppsOutcome<PaymentSessionResult>>;
  paymentSessionPending(variables: PaymentSessionPendingVariables): Promise<PaymentsAppsOutcome<PaymentSessionResult>>;
  paymentSessionRedirect(variables: PaymentSessionRedirectVariables): Promise<PaymentsAppsOutcome<PaymentSessionResult>>;
  paymentSessionConfirm(variables: SessionIdVariables): Promise<PaymentsAppsOutcome<PaymentSessionResult>>;
  refundSessionResolve(variables: SessionIdVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  refundSessionReject(variables: RefundSessionRejectVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  captureSessionResolve(variables: SessionIdVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  captureSessionReject(variables: CaptureSessionRejectVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  voidSessionResolve(variables: SessionIdVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  voidSessionReject(variables: VoidSessionRejectVariables): Promise<PaymentsAppsOutcome<FinalizedSessionResult>>;
  paymentsAppConfigure(variables: PaymentsAppConfigureVariables): Promise<PaymentsAppsOutcome<PaymentsAppConfigurationResult>>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Client for one shop. Each call makes one HTTP attempt (two when the token had to be refreshed)
 * and returns a categorised outcome; it never throws for Shopify, network or auth problems.
 */
export function createPaymentsAppsClient(options: PaymentsAppsClientOptions): PaymentsAppsClient {
  const { shop, getAccessToken, logger } = options;
  const endpoint = paymentsAppsEndpoint(shop, options.apiOrigin);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const graphQLClient = new GraphQLClient(endpoint, {
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    errorPolicy: "all",
  });

  async function send(document: string, variables: object, forceRefresh: boolean): Promise<ExchangeResult> {
    let accessToken: string;
    try {
      accessToken = await getAccessToken(forceRefresh ? { forceRefresh: true } : undefined);
    } catch {
      // Whatever went wrong (database, Shopify's token endpoint) is the caller's to log; a later
      // attempt may find a working token, so the job system should keep the mutation queued.
      return {
        type: "failed",
        failure: failure("retryable", "ACCESS_TOKEN_UNAVAILABLE", "Could not obtain an access token for the shop"),
      };
    }
    return exchange(graphQLClient, { document, variables: { ...variables }, accessToken, timeoutMs });
  }

  async function attempt<TVariables extends object, TResult>(
    spec: MutationSpec<TVariables, TResult>,
    variables: TVariables,
  ): Promise<{ outcome: PaymentsAppsOutcome<TResult>; tokenRefreshed: boolean }> {
    let answer = await send(spec.document, variables, false);
    let tokenRefreshed = false;
    if (answer.type === "unauthorized") {
      tokenRefreshed = true;
      answer = await send(spec.document, variables, true);
    }
    if (answer.type === "unauthorized") {
      const outcome = failure("terminal", "UNAUTHORIZED", "Access token rejected even after a refresh", 401);
      return { outcome, tokenRefreshed };
    }
    if (answer.type === "failed") return { outcome: answer.failure, tokenRefreshed };
    if (answer.errors.length > 0) return { outcome: failureFromGraphQLErrors(answer.errors, answer.extensions), tokenRefreshed };

    const payload = spec.parsePayload(answer.data);
    if (payload === null) {
      const outcome = failure("terminal", "UNEXPECTED_PAYLOAD", `${spec.operationName} payload does not match the document`, 200);
      return { outcome, tokenRefreshed };
    }
    return { outcome: outcomeFromPayload(spec, payload), tokenRefreshed };
  }

  async function run<TVariables extends object, TResult>(
    spec: MutationSpec<TVariables, TResult>,
    variables: TVariables,
  ): Promise<PaymentsAppsOutcome<TResult>> {
    const startedAt = performance.now();
    const { outcome, tokenRefreshed } = await attempt(spec, variables);
    logOutcome(logger, {
      shop,
      operation: spec.operationName,
      sessionGid: spec.sessionGidOf(variables),
      outcome,
      tokenRefreshed,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return outcome;
  }

  return {
    shop,
    endpoint,
    paymentSessionResolve: (v) => run(MUTATIONS.paymentSessionResolve, v),
    paymentSessionReject: (v) => run(MUTATIONS.paymentSessionReject, v),
    paymentSessionPending: (v) => run(MUTATIONS.paymentSessionPending, v),
    paymentSessionRedirect: (v) => run(MUTATIONS.paymentSessionRedirect, v),
    paymentSessionConfirm: (v) => run(MUTATIONS.paymentSessionConfirm, v),
    refundSessionResolve: (v) => run(MUTATIONS.refundSessionResolve, v),
    refundSessionReject: (v) => run(MUTATIONS.refundSessionReject, v),
    captureSessionResolve: (v) => run(MUTATIONS.captureSessionResolve, v),
    captureSessionReject: (v) => run(MUTATIONS.captureSessionReject, v),
    voidSessionResolve: (v) => run(MUTATIONS.voidSessionResolve, v),
    voidSessionReject: (v) => run(MUTATIONS.voidSessionReject, v),
    paymentsAppConfigure: (v) => run(MUTATIONS.paymentsAppConfigure, v),
  };
}

interface OutcomeLogFields {
  shop: string;
  operation: string;
  sessionGid: string | null;
  outcome: PaymentsAppsOutcome<unknown>;
  tokenRefreshed: boolean;
  durationMs: number;
}

/** Names, ids, codes and timing only: variables and tokens never reach the log. */
function logOutcome(logger: Logger, fields: OutcomeLogFields): void {
  const { outcome, ...context } = fields;
  const line: Record<string, unknown> = { ...context, outcome: outcome.kind };
  switch (outcome.kind) {
    case "done":
      logger.info(line, "Payments Apps mutation done");
      return;
    case "user-errors":
    case "conflict":
      line.userErrorCodes = outcome.userErrors.map((e) => e.code);
      if (outcome.kind === "conflict") line.currentState = outcome.currentState;
      logger.warn(line, `Payments Apps mutation answered with ${outcome.kind}`);
      return;
    case "failed":
      Object.assign(line, { category: outcome.category, code: outcome.code, httpStatus: outcome.httpStatus });
      if (outcome.category === "retryable") logger.warn(line, "Payments Apps mutation failed (retryable)");
      else logger.error(line, "Payments Apps mutation failed (terminal)");
      return;
  }
}
