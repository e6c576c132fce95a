import { z } from "zod";
import { parseCardKeysJson } from "~/card-decryption";

/**
 * Every setting of the app, read from the environment once and validated. A missing or
 * malformed variable stops the process with a message that names it (see formatConfigError).
 */
const databaseUrl = z
  .string({ error: "is required" })
  .min(1, "is required")
  .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), "must be a file: (SQLite) or postgres:// URL");

const httpUrl = z
  .string()
  .url("must be an absolute URL")
  .refine((v) => /^https?:\/\//.test(v), "must be an http(s) URL")
  .transform((v) => v.replace(/\/+$/, ""));

/** 32 random bytes, base64 or hex: the AEAD key for secrets at rest. */
const encryptionKey = z
  .string({ error: "is required" })
  .min(1, "is required")
  .refine((v) => decodeKey(v) !== null, "must be 32 bytes, base64- or hex-encoded (e.g. `openssl rand -base64 32`)");

export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const candidates = [/^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : null, Buffer.from(trimmed, "base64")];
  for (const bytes of candidates) if (bytes && bytes.length === 32) return bytes;
  return null;
}

const configSchema = z.object({
  // Production unless told otherwise (docs/decisions/production-by-default.md): the demo
  // sign-in and Shopify's public TEST card key exist only with an explicit development or test setting.
  NODE_ENV: z.enum(["development", "production", "test"], { error: 'must be "production", "development" or "test"' }).default("production"),
  DATABASE_URL: databaseUrl,
  SHOPIFY_API_KEY: z.string({ error: "is required" }).min(1, "is required"),
  SHOPIFY_API_SECRET: z.string({ error: "is required" }).min(1, "is required"),
  SHOPIFY_APP_URL: httpUrl,
  SCOPES: z
    .string({ error: "is required" })
    .min(1, "is required")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ENCRYPTION_KEY: encryptionKey,
  // Previous keys, comma separated, still accepted for decryption while `npm run secrets:rotate` runs.
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    )
    .refine((keys) => keys.every((k) => decodeKey(k) !== null), "every key must be 32 bytes, base64- or hex-encoded"),
  ACCELEBIT_API_URL: httpUrl.default("https://api.gateway.accelebit.com"),
  // Accrue's hosts (docs/decisions/accrue-a16-hosts-and-paths.md): live sessions use the live
  // API, test sessions the sandbox, never mixed; paths go under /api/v1.
  ACCRUE_API_URL: httpUrl.default("https://merchant-api.accruesavings.com"),
  ACCRUE_SANDBOX_API_URL: httpUrl.default("https://merchant-api-sandbox.accruesavings.com"),
  // Accrue's widget script on the shopper's page, live and sandbox (test sessions).
  ACCRUE_WIDGET_URL: httpUrl.default("https://pay.accruesavings.com/main.js"),
  ACCRUE_SANDBOX_WIDGET_URL: httpUrl.default("https://pay-sandbox.accruesavings.com/main.js"),
  // Accrue's 10,000 requests per minute are per egress IP: split them across app instances.
  ACCRUE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(8000),
  SHOPIFY_PAYMENTS_API_ORIGIN: httpUrl.optional(),
  // Card attempts a shopper gets per payment session before it is rejected.
  MAX_CARD_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // Minutes after which a payment session the shopper has not finished is settled without them.
  ABANDON_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  // Proxies in front of the app (server.js trusts X-Forwarded-For that many hops for the shopper's IP).
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  // Bearer token for GET /metrics (Prometheus); unset, /metrics is off.
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  // "off" runs the web server without the background worker (for a separate worker process).
  WORKER: z.enum(["on", "off"]).default("on"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  // Local demo only (refused in production): enables /dev/sign-in, which stands in for OAuth.
  DEV_SIGN_IN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  // Credit-card extension: private keys Shopify encrypts card data to (app/card-decryption/key-config.server.ts).
  // JSON [{"fingerprint","privateKeyPem"}]; the value is never quoted in an error.
  CARD_DECRYPTION_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const parsed = value ? parseCardKeysJson(value, "") : null;
      if (parsed && !parsed.ok) for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: problem.trim() || "is invalid" });
    }),
  // A directory of <fingerprint>.pem files (mounted secrets), read when the card keyring is loaded.
  CARD_DECRYPTION_KEYS_DIR: z.string().optional(),
  // Extra fingerprints for Shopify's TEST key (comma separated; refused in production).
  CARD_DECRYPTION_TEST_FINGERPRINTS: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Shopify's session requests authenticated by mutual TLS in the app (docs/decisions/mtls-listener.md):
  // an HTTPS port of its own that requires a client certificate chained to SHOPIFY_MTLS_CA_FILE.
  SHOPIFY_MTLS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // PEM bundle of Shopify's client CA chain (root and intermediate); also what the proxy contract checks against.
  SHOPIFY_MTLS_CA_FILE: z.string().optional(),
  // The mutual-TLS port's own certificate chain and key (PEM), issued by a publicly trusted CA.
  SHOPIFY_MTLS_CERT_FILE: z.string().optional(),
  SHOPIFY_MTLS_KEY_FILE: z.string().optional(),
  // Or TLS ends at a proxy that verified Shopify's certificate and passes it on
  // (docs/decisions/proxy-contract.md); this secret proves a request came through it.
  SESSION_PROXY_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
});

/** Settings that only make sense on a developer's machine: a production process refuses to start with them. */
const DEVELOPMENT_ONLY = ["DEV_SIGN_IN_SECRET", "CARD_DECRYPTION_TEST_FINGERPRINTS"] as const;

const MTLS_LISTENER = ["SHOPIFY_MTLS_PORT", "SHOPIFY_MTLS_CERT_FILE", "SHOPIFY_MTLS_KEY_FILE"] as const;

const checkedConfigSchema = configSchema.superRefine((settings, ctx) => {
  // The mutual-TLS listener needs all of its settings, and both ways need Shopify's CA bundle.
  const listenerNamed = MTLS_LISTENER.filter((name) => settings[name] !== undefined);
  if (listenerNamed.length > 0) {
    for (const name of MTLS_LISTENER) {
      if (settings[name] === undefined) ctx.addIssue({ code: "custom", path: [name], message: `is required with ${listenerNamed.join(", ")}` });
    }
  }
  if ((listenerNamed.length > 0 || settings.SESSION_PROXY_SECRET) && !settings.SHOPIFY_MTLS_CA_FILE) {
    ctx.addIssue({ code: "custom", path: ["SHOPIFY_MTLS_CA_FILE"], message: "is required: the CA bundle Shopify's client certificates must chain to" });
  }
  if (settings.SHOPIFY_MTLS_PORT !== undefined && settings.SHOPIFY_MTLS_PORT !== 0 && settings.SHOPIFY_MTLS_PORT === settings.PORT) {
    ctx.addIssue({ code: "custom", path: ["SHOPIFY_MTLS_PORT"], message: "must differ from PORT: merchant pages never ask for a certificate" });
  }
  if (settings.NODE_ENV !== "production") return;
  for (const name of DEVELOPMENT_ONLY) {
    if (settings[name] !== undefined)
      ctx.addIssue({ code: "custom", path: [name], message: "is for local development only: unset it, or set NODE_ENV=development" });
  }
});

/**
 * What serving the app needs beyond a valid configuration (server.js, before a port opens): in
 * production, Shopify's session requests must be authenticated, by the mutual-TLS listener or
 * by the proxy contract. Scripts (migrations, secret rotation) do not serve and skip this.
 */
export function assertServable(settings: AppConfig): void {
  if (settings.NODE_ENV !== "production") return;
  if (settings.SHOPIFY_MTLS_PORT !== undefined || settings.SESSION_PROXY_SECRET !== undefined) return;
  throw new ConfigError([
    "SHOPIFY_MTLS_PORT (with SHOPIFY_MTLS_CA_FILE, SHOPIFY_MTLS_CERT_FILE, SHOPIFY_MTLS_KEY_FILE) or SESSION_PROXY_SECRET (with SHOPIFY_MTLS_CA_FILE) is required in production: " +
      "Shopify's session requests (/shopify/*) must be authenticated by its client certificate (README, Deployment)",
  ]);
}

export type AppConfig = z.infer<typeof configSchema>;

/**
 * Whether development conveniences (the demo sign-in, Shopify's published TEST card key) are on:
 * only when NODE_ENV says development or test explicitly; unset means production.
 */
export function developmentFeaturesEnabled(settings: Pick<AppConfig, "NODE_ENV">): boolean {
  return settings.NODE_ENV === "development" || settings.NODE_ENV === "test";
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings count as missing: `.env` files often carry `NAME=` placeholders.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = checkedConfigSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  return result.data;
}

let cached: AppConfig | undefined;

/** The validated configuration of this process (parsed on first use, then cached). */
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
