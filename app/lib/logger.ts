import pino, { type DestinationStream, type Logger } from "pino";
import { currentRequestContext } from "~/observability/request-context.server";

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth of whatever object is logged (card
 * data, secrets, tokens and personal data). Keys are compared without case, `-` or `_`, so
 * `verification_value`, `verificationValue` and `Verification-Value` are one key. The list
 * errs on the side of more: a hidden value costs a debugging minute, a logged one a breach.
 */
const SENSITIVE_KEYS = new Set(
  [
    // Card data (Shopify's decrypted payload names the security code verification_value).
    "card",
    "number",
    "pan",
    "cvv",
    "cvc",
    "verification_value",
    "security_code",
    "full_name",
    "holder_name",
    "encrypted_message",
    "expiry",
    "month",
    "year",
    // Credentials and capabilities.
    "authorization",
    "hmac",
    "signature",
    "x-shopify-hmac-sha256",
    "x-accelebit-signature",
    "private_key_pem",
    // Personal data: kept in the database for the payment, never copied into logs.
    "email",
    "customer_email",
    "phone",
    "phone_number",
    "customer_phone",
    "billing_address",
    "shipping_address",
    "ip",
    "ip_address",
    "client_ip",
    "x-forwarded-for",
  ].map(normalizeKey),
);

/** Any key naming one of these is a credential: api keys, access and refresh tokens, secrets, cookies, passwords. */
const SENSITIVE_KEY_PARTS = ["secret", "token", "password", "apikey", "privatekey", "cookie", "credential"];

const MAX_DEPTH = 12;
export const REDACTED = "[redacted]";

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

export function isSensitiveKey(key: string): boolean {
  const normalized = normalizeKey(key);
  return SENSITIVE_KEYS.has(normalized) || SENSITIVE_KEY_PARTS.some((part) => normalized.includes(part));
}

/** A flag (`tokenRefreshed: false`) or an absent value tells nothing; everything else under a sensitive key goes. */
function carriesData(value: unknown): boolean {
  return value !== null && value !== undefined && typeof value !== "boolean";
}

/** A copy of `value` with every sensitive key's value replaced, however deeply it is nested. */
export function redactDeep(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1, seen));
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return redactDeep(toJSON.call(value), depth + 1, seen);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = isSensitiveKey(key) && carriesData(item) ? REDACTED : redactDeep(item, depth + 1, seen);
    return copy;
  } finally {
    seen.delete(value);
  }
}

export function createLogger(destination?: DestinationStream, level = process.env.LOG_LEVEL ?? "info"): Logger {
  const logger = pino(
    {
      level,
      base: { service: "accelebit-for-shopify" },
      // Every logged object passes through redactDeep (child bindings too, below).
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      // Every line of a request carries its request id, Shopify's request id, the shop and session.
      mixin: () => ({ ...currentRequestContext() }),
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  // pino does not run child bindings through formatters.log; children inherit this own
  // property (pino children are Object.create(parent)), so grandchildren are covered too.
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, options) {
    return pinoChild.call(this, redactDeep(bindings) as typeof bindings, options);
  } as Logger["child"];
  return logger;
}

/** The process-wide logger. Modules take a Logger parameter where tests need to capture output. */
export const logger: Logger = createLogger();
