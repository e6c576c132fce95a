/**
 * One HTTP conversation with Accelebit: headers, timeout, envelope parsing, error
 * classification, bounded retries and logging. Knows nothing about payments: the caller
 * passes how to read a success (`interpret`) and, for payments, how to settle an unknown
 * outcome (`reconcile`).
 *
 * Logs carry the operation, path, attempt, HTTP status, error name and Idempotency-Key;
 * never bodies or headers, so card data and the API key cannot reach a log line.
 */
import type { Logger } from "~/lib/logger";
import { NOT_SENT_ERROR_CODES, networkErrorCode } from "~/lib/network-errors";
import { accelebitError, categoryForWireFailure, nameForGatewayError, type AccelebitError } from "./errors";
import { scrubSecrets } from "./redact";
import { err, ok, type Result } from "~/lib/result";
import { describeIssues, errorEnvelopeSchema, successEnvelopeSchema, type GatewayErrorInfo } from "./response-schemas";
import { backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from "./retry-policy";

export interface TransportConfig {
  readonly baseUrl: string;
  readonly logger: Logger;
  readonly fetch: typeof fetch;
  /** Per HTTP request, response body included. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => Date;
}

export interface ApiRequest {
  /** A stable name for logs, e.g. "payments.create". */
  readonly operation: string;
  readonly method: "GET" | "POST";
  /** Below /v1, e.g. "/payments". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  /** Values of this request that must never appear in a message (PAN, CVV…); the API key is always added. */
  readonly secrets?: readonly (string | undefined)[];
}

export interface ApiSuccess {
  readonly httpStatus: number;
  readonly data: unknown;
  /** A top-level `error` sent beside `data` (one form of a declined payment). */
  readonly topLevelError: GatewayErrorInfo | null;
}

/** "retry": nothing was found, repeat the request (same Idempotency-Key). */
export type Reconciliation<T> = "retry" | Result<T, AccelebitError>;

export interface CallOptions<T> {
  readonly interpret: (success: ApiSuccess) => Result<T, AccelebitError>;
  /**
   * Called when a POST's outcome is unknown, and once more (`final`) before giving up on any
   * non-terminal error, so a payment that did happen is found before anyone decides it failed.
   */
  readonly reconcile?: (error: AccelebitError, when: { final: boolean }) => Promise<Reconciliation<T>>;
}

const MAX_MESSAGE_LENGTH = 500;

function buildUrl(baseUrl: string, path: string, query?: Readonly<Record<string, string>>): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}/v1${path}`);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}

function tryParseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class Transport {
  constructor(private readonly config: TransportConfig) {}

  async call<T>(apiKey: string, request: ApiRequest, options: CallOptions<T>, logger: Logger = this.config.logger): Promise<Result<T, AccelebitError>> {
    const { retry } = this.config;
    let reconciledLastError = false;
    let last: AccelebitError | null = null;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
      const sent = await this.sendOnce(apiKey, request, attempt, logger);
      const outcome = sent.ok ? options.interpret(sent.value) : sent;
      if (outcome.ok) return outcome;
      const error: AccelebitError = { ...outcome.error, attempts: attempt };
      last = error;
      reconciledLastError = false;
      if (error.category === "terminal") return err(error);

      if (error.category === "outcome_unknown" && options.reconcile) {
        const settled = await options.reconcile(error, { final: attempt === retry.maxAttempts });
        reconciledLastError = true;
        if (settled !== "retry") return settled.ok ? settled : err({ ...settled.error, attempts: attempt });
      }
      if (attempt === retry.maxAttempts) break;

      const delayMs = this.delayBefore(error, attempt);
      if (delayMs === null) break;
      logger.warn(
        { accelebit: { operation: request.operation, attempt, errorName: error.name, delayMs, idempotencyKey: request.idempotencyKey } },
        "accelebit retry scheduled",
      );
      await this.config.sleep(delayMs);
    }
    if (last === null) throw new Error("retry.maxAttempts must be at least 1");
    if (options.reconcile && !reconciledLastError) {
      const settled = await options.reconcile(last, { final: true });
      if (settled !== "retry") return settled.ok ? settled : err({ ...settled.error, attempts: last.attempts });
    }
    return err(last);
  }

  /** null: do not wait in-line (Retry-After beyond our bound); the error carries the wait. */
  private delayBefore(error: AccelebitError, attempt: number): number | null {
    const backoff = backoffDelayMs(this.config.retry, attempt, this.config.random);
    if (error.retryAfterMs === undefined) return backoff;
    if (error.retryAfterMs > this.config.retry.maxRetryAfterMs) return null;
    return error.retryAfterMs;
  }

  private async sendOnce(apiKey: string, request: ApiRequest, attempt: number, logger: Logger): Promise<Result<ApiSuccess, AccelebitError>> {
    const { method, path, query, body, idempotencyKey } = request;
    const secrets = [apiKey, ...(request.secrets ?? [])];
    const headers: Record<string, string> = { "X-API-Key": apiKey, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.config.timeoutMs);
    const started = Date.now();
    let result: Result<ApiSuccess, AccelebitError>;
    let httpStatus: number | null = null;
    try {
      const response = await this.config.fetch(buildUrl(this.config.baseUrl, path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        redirect: "manual",
      });
      httpStatus = response.status;
      const text = await response.text();
      result = this.readResponse(method, response.status, response.headers.get("retry-after"), text, secrets);
    } catch (cause) {
      result = err(this.wireFailure(method, timedOut, cause));
    } finally {
      clearTimeout(timer);
    }
    logger.info(
      {
        accelebit: {
          operation: request.operation,
          method,
          path,
          attempt,
          httpStatus,
          durationMs: Date.now() - started,
          idempotencyKey,
          ...(result.ok ? {} : { errorName: result.error.name, category: result.error.category }),
        },
      },
      "accelebit request",
    );
    return result;
  }

  private wireFailure(method: "GET" | "POST", timedOut: boolean, cause: unknown): AccelebitError {
    if (timedOut) {
      return accelebitError({
        name: "TIMEOUT",
        category: categoryForWireFailure(method, true),
        origin: "network",
        httpStatus: null,
        message: `Accelebit did not answer within ${this.config.timeoutMs} ms`,
      });
    }
    const code = networkErrorCode(cause);
    // A connection error that proves the request never left is safe to retry even for a POST.
    const notSent = code !== null && NOT_SENT_ERROR_CODES.has(code);
    return accelebitError({
      name: "NETWORK_ERROR",
      category: categoryForWireFailure(method, !notSent),
      origin: "network",
      httpStatus: null,
      message: notSent ? `Could not connect to Accelebit (${code})` : `Connection to Accelebit lost (${code ?? "no answer"})`,
    });
  }

  private readResponse(
    method: "GET" | "POST",
    status: number,
    retryAfter: string | null,
    text: string,
    secrets: readonly (string | undefined)[],
  ): Result<ApiSuccess, AccelebitError> {
    const json = tryParseJson(text);
    const clean = (message: string) => scrubSecrets(message, secrets).slice(0, MAX_MESSAGE_LENGTH);

    if (status >= 200 && status < 300) {
      const envelope = successEnvelopeSchema.safeParse(json);
      if (!envelope.success) {
        return err(
          accelebitError({
            name: "UNEXPECTED_RESPONSE",
            // The POST was accepted; we just cannot read what happened.
            category: method === "POST" ? "outcome_unknown" : "terminal",
            origin: "gateway",
            httpStatus: status,
            message: clean(`Accelebit answered HTTP ${status} without a {data} envelope: ${describeIssues(envelope.error)}`),
          }),
        );
      }
      const { data, error } = envelope.data;
      if (data === null && error) return err(this.gatewayError(error.status ?? status, error, null, clean));
      return ok({ httpStatus: status, data, topLevelError: error ?? null });
    }

    const envelope = errorEnvelopeSchema.safeParse(json);
    const info = envelope.success ? envelope.data.error : null;
    return err(this.gatewayError(status, info, retryAfter, clean));
  }

  private gatewayError(status: number, info: GatewayErrorInfo | null, retryAfter: string | null, clean: (message: string) => string): AccelebitError {
    const gatewayName = info?.name ?? null;
    const name = nameForGatewayError(gatewayName, status);
    const retryAfterMs = name === "RATE_LIMITED" || status === 429 ? parseRetryAfterMs(retryAfter, this.config.now()) : null;
    return accelebitError({
      name,
      gatewayName,
      origin: "gateway",
      httpStatus: status,
      message: clean(info?.message ?? `Accelebit answered HTTP ${status}`),
      ...(retryAfterMs === null ? {} : { retryAfterMs }),
    });
  }
}
