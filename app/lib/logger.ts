import pino, { type DestinationStream, type Logger } from "pino";
import { currentRequestContext } from "~/observability/request-context.server";

export type { Logger };

/**
 * Paths pino removes from every log line. Card data, secrets and tokens must never be
 * written, whatever object a caller happens to log, so the list errs on the side of more.
 */
export const REDACTED_PATHS = [
  "card",
  "*.card",
  "number",
  "*.number",
  "cvv",
  "*.cvv",
  "cvc",
  "*.cvc",
  "pan",
  "*.pan",
  "apiKey",
  "*.apiKey",
  "headers['x-api-key']",
  "*.headers['x-api-key']",
  "accessToken",
  "*.accessToken",
  "headers['x-shopify-access-token']",
  "*.headers['x-shopify-access-token']",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "authorization",
  "*.authorization",
  // Personal data: kept in the database for the payment, never copied into logs.
  "email",
  "*.email",
  "customerEmail",
  "*.customerEmail",
  "phone",
  "*.phone",
  "customerPhone",
  "*.customerPhone",
  "billingAddress",
  "*.billingAddress",
  "ip",
  "*.ip",
  "clientIp",
  "*.clientIp",
  "refreshToken",
  "*.refreshToken",
];

export function createLogger(destination?: DestinationStream, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino(
    {
      level,
      base: { service: "accelebit-for-shopify" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      // Every line of a request carries its request id, Shopify's request id, the shop and session.
      mixin: () => ({ ...currentRequestContext() }),
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** The process-wide logger. Modules take a Logger parameter where tests need to capture output. */
export const logger: Logger = createLogger();
