/**
 * One HTTP conversation with Accrue: authentication headers, the JSON:API media type, the
 * timeout for the method, the shared rate budget, error classification and the in-line
 * retries that are always safe. Knows no operation: it never repeats a request whose outcome is
 * unknown (docs/decisions/accrue-a09-unknown-outcomes.md); the caller reads the state back.
 *
 * Repeated in-line: any request answered 429 (refused before processing) or that provably never
 * left (connection refused); a GET after 5xx, 408, timeout or a lost connection.
 * Logs carry operation, method, path, attempt, status, duration and error code; never headers
 * or bodies, so the client secret cannot reach a log line.
 */
import type { Logger } from "~/lib/logger";
import { networkErrorCode, NOT_SENT_ERROR_CODES } from "~/lib/network-errors";
import { accrueError, codeForStatus, type AccrueError, type GatewayErrorObject } from "./errors";
import type { RateBudget } from "./rate-budget";
import { err, ok, type Result } from "~/lib/result";
import { backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from "./retry-policy";
import { errorDocumentSchema } from "./schemas";

export const MEDIA_TYPE = "application/vnd.api+json";
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface AccrueCredentials {
  /** The public Client ID (a UUID). */
  readonly clientId: string;
  /** The server-only Client Secret, sent as the Bearer token. */
  readonly clientSecret: string;
}

export interface Timeouts {
  /** GETs: the document's short timeout, 10 s. */
  readonly getMs: number;
  /** POST, PATCH, PUT, DELETE: the document's long timeout, 90 s. */
  readonly writeMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { getMs: 10_000, writeMs: 90_000 };

export interface TransportConfig {
  readonly baseUrl: string;
  /** "/api/v1" (docs/decisions/accrue-a16-hosts-and-paths.md). */
  readonly pathPrefix: string;
  readonly authScheme: "bearer" | "basic";
  readonly fetch: typeof fetch;
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy;
  readonly budget: RateBudget;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  readonly logger?: Logger;
}

export interface ApiCall {
  readonly operation: string;
  readonly method: HttpMethod;
  /** Below the prefix, e.g. "/payments/{id}/capture" with the id filled in. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

export interface ApiAnswer {
  readonly httpStatus: number;
  /** The parsed JSON body, or null for an empty one (204). */
  readonly document: unknown;
}

const MAX_MESSAGE_LENGTH = 300;
const HEX_SECRET_LIKE = /\b[0-9a-fA-F]{40,}\b/g;

/** Removes the secrets of the request and anything shaped like one from text we surface. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  return out.replace(HEX_SECRET_LIKE, "[redacted]").slice(0, MAX_MESSAGE_LENGTH);
}

function authorization(scheme: "bearer" | "basic", credentials: AccrueCredentials): string {
  return scheme === "basic"
    ? `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, "utf8").toString("base64")}`
    : `Bearer ${credentials.clientSecret}`;
}

export class Transport {
  constructor(readonly config: TransportConfig) {}

  url(path: string, query?: Readonly<Record<string, string>>): string {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, "")}${this.config.pathPrefix}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url.toString();
  }

  async send(credentials: AccrueCredentials, call: ApiCall, logger: Logger | undefined = this.config.logger): Promise<Result<ApiAnswer, AccrueError>> {
    const { retry } = this.config;
    let last: AccrueError | null = null;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
      await this.config.budget.acquire();
      const outcome = await this.sendOnce(credentials, call, attempt, logger);
      if (outcome.ok) return outcome;
      const error = outcome.error;
      last = error;
      if (error.code === "RATE_LIMITED") {
        // Everyone in this process shares the IP's limit: everyone waits, whether or not this call retries.
        const delay = Math.min(retry.maxRetryAfterMs, Math.max(error.retryAfterMs ?? 0, backoffDelayMs(retry, attempt, this.config.random)));
        this.config.budget.pause(delay);
        logger?.warn({ accrue: { operation: call.operation, attempt, delayMs: delay } }, "accrue rate limited, backing off");
        if (error.retryAfterMs !== undefined && error.retryAfterMs > retry.maxRetryAfterMs) return err(error);
        if (attempt === retry.maxAttempts) break;
        continue;
      }
      if (attempt === retry.maxAttempts) break;
      const repeatable = error.category === "retryable" && (call.method === "GET" || error.origin === "network");
      if (!repeatable) return err(error);
      await this.config.sleep(backoffDelayMs(retry, attempt, this.config.random));
    }
    if (last === null) throw new Error("retry.maxAttempts must be at least 1");
    return err(last);
  }

  private async sendOnce(credentials: AccrueCredentials, call: ApiCall, attempt: number, logger: Logger | undefined): Promise<Result<ApiAnswer, AccrueError>> {
    const { method } = call;
    const headers: Record<string, string> = {
      "Client-ID": credentials.clientId,
      Authorization: authorization(this.config.authScheme, credentials),
      Accept: MEDIA_TYPE,
    };
    if (call.body !== undefined) headers["Content-Type"] = MEDIA_TYPE;
    if (call.idempotencyKey !== undefined) headers[IDEMPOTENCY_HEADER] = call.idempotencyKey;
    const timeoutMs = method === "GET" ? this.config.timeouts.getMs : this.config.timeouts.writeMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const started = this.config.now();
    let httpStatus: number | null = null;
    let result: Result<ApiAnswer, AccrueError>;
    try {
      const response = await this.config.fetch(this.url(call.path, call.query), {
        method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        redirect: "manual",
      });
      httpStatus = response.status;
      const text = await response.text();
      result = this.read(call, response.status, response.headers.get("retry-after"), text, credentials, attempt);
    } catch (cause) {
      result = err(this.wireFailure(call, timedOut, timeoutMs, cause, attempt));
    } finally {
      clearTimeout(timer);
    }
    logger?.info(
      {
        accrue: {
          operation: call.operation,
          method,
          path: call.path,
          attempt,
          httpStatus,
          durationMs: this.config.now() - started,
          ...(result.ok ? {} : { code: result.error.code, category: result.error.category }),
        },
      },
      "accrue request",
    );
    return result;
  }

  private wireFailure(call: ApiCall, timedOut: boolean, timeoutMs: number, cause: unknown, attempt: number): AccrueError {
    const write = call.method !== "GET";
    if (timedOut) {
      return accrueError({
        code: "TIMEOUT",
        category: write ? "outcome_unknown" : "retryable",
        origin: "network",
        operation: call.operation,
        httpStatus: null,
        message: `Accrue did not answer within ${timeoutMs} ms`,
        attempts: attempt,
      });
    }
    const code = networkErrorCode(cause);
    const notSent = code !== null && NOT_SENT_ERROR_CODES.has(code);
    return accrueError({
      code: "NETWORK_ERROR",
      category: write && !notSent ? "outcome_unknown" : "retryable",
      origin: "network",
      operation: call.operation,
      httpStatus: null,
      message: notSent ? `Could not connect to Accrue (${code})` : `Connection to Accrue lost (${code ?? "no answer"})`,
      attempts: attempt,
    });
  }

  private read(
    call: ApiCall,
    status: number,
    retryAfter: string | null,
    text: string,
    credentials: AccrueCredentials,
    attempt: number,
  ): Result<ApiAnswer, AccrueError> {
    let document: unknown = null;
    let parseFailed = false;
    if (text.trim() !== "") {
      try {
        document = JSON.parse(text);
      } catch {
        parseFailed = true;
      }
    }
    const write = call.method !== "GET";
    const secrets = [credentials.clientSecret];
    if (status >= 200 && status < 300) {
      if (!parseFailed) return ok({ httpStatus: status, document });
      return err(
        accrueError({
          code: "UNEXPECTED_RESPONSE",
          // The write was accepted; we just cannot read what happened.
          category: write ? "outcome_unknown" : "terminal",
          origin: "gateway",
          operation: call.operation,
          httpStatus: status,
          message: `Accrue answered HTTP ${status} with a body that is not JSON`,
          attempts: attempt,
        }),
      );
    }
    const parsed = errorDocumentSchema.safeParse(document);
    const gatewayErrors: GatewayErrorObject[] = parsed.success
      ? parsed.data.errors.map((e) => ({
          status: e.status === undefined ? null : String(e.status),
          code: e.code === undefined ? null : String(e.code),
          detail: e.detail === undefined ? (e.title ?? null) : scrub(e.detail, secrets),
        }))
      : [];
    const code = codeForStatus(status);
    const unknownIfWrite = (code === "SERVER_ERROR" || code === "REQUEST_TIMEOUT") && write;
    const retryAfterMs = code === "RATE_LIMITED" ? parseRetryAfterMs(retryAfter, this.config.now()) : null;
    const first = gatewayErrors[0];
    return err(
      accrueError({
        code,
        ...(unknownIfWrite ? { category: "outcome_unknown" as const } : {}),
        origin: "gateway",
        operation: call.operation,
        httpStatus: status,
        gatewayCode: first?.code ?? null,
        gatewayErrors,
        message: scrub(first?.detail ?? `Accrue answered HTTP ${status}`, secrets),
        attempts: attempt,
        ...(retryAfterMs === null ? {} : { retryAfterMs }),
      }),
    );
  }
}
