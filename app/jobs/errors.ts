/**
 * What a handler throws to steer its job. The message ends up in Job.lastError and in the
 * logs, so it must be short and must never quote secrets, card data or the payload; errors
 * of any other class are recorded by name only, because their messages are not ours to vet.
 */
export class RetryableJobError extends Error {
  override readonly name = "RetryableJobError";
  /** The earliest the job may run again (e.g. Shopify THROTTLED); the backoff still applies. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retrying cannot help (bad payload, object gone, permanent refusal): the job dies at once. */
export class TerminalJobError extends Error {
  override readonly name = "TerminalJobError";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

const MAX_LAST_ERROR_LENGTH = 300;

/** The text stored in Job.lastError for a failure. */
export function describeJobFailure(error: unknown): string {
  if (error instanceof RetryableJobError || error instanceof TerminalJobError) {
    return error.message.length > MAX_LAST_ERROR_LENGTH ? `${error.message.slice(0, MAX_LAST_ERROR_LENGTH - 1)}…` : error.message;
  }
  // A driver or fetch error can carry a request (URL, body) in its message: keep the class only.
  if (error instanceof Error) return `Unexpected ${error.name} (message withheld)`;
  return "Unexpected non-Error thrown";
}
