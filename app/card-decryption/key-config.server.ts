/**
 * Reading card decryption keys from configuration. Not wired into app/lib/config.server.ts yet;
 * the proposed variables are:
 *
 * - CARD_DECRYPTION_KEYS: JSON `[{"fingerprint":"<sha-256 hex>","privateKeyPem":"-----BEGIN EC PRIVATE KEY-----\n…"}]`
 *   (for secret stores that inject one value).
 * - CARD_DECRYPTION_KEYS_DIR: a directory of `<fingerprint>.pem` files (for mounted secrets volumes).
 * - CARD_DECRYPTION_TEST_FINGERPRINTS: optional, comma separated; extra fingerprints for Shopify's
 *   TEST key once the real value is observed (see the GAP in shopify-test-key.server.ts).
 *
 * Both key sources may be set; their keys are combined and loadCardKeyring rejects duplicates.
 * Problems name the variable, list position or file, never a value: these strings hold private keys.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { CardKeyConfig, LoadCardKeyringOptions } from "./keyring.server";
import { SHOPIFY_TEST_KEY_FINGERPRINTS } from "./shopify-test-key.server";

export const CARD_DECRYPTION_KEYS_ENV = "CARD_DECRYPTION_KEYS";
export const CARD_DECRYPTION_KEYS_DIR_ENV = "CARD_DECRYPTION_KEYS_DIR";
export const CARD_DECRYPTION_TEST_FINGERPRINTS_ENV = "CARD_DECRYPTION_TEST_FINGERPRINTS";

export type CardKeysResult = { ok: true; keys: CardKeyConfig[] } | { ok: false; problems: string[] };

const PEM_PRIVATE_KEY = /-----BEGIN (EC )?PRIVATE KEY-----/;

// Custom messages throughout: zod's defaults are value-free today, but these inputs are private keys.
const keysJsonSchema = z.array(
  z.object({
    fingerprint: z.string({ error: "must be a string" }).trim().min(1, "must not be empty"),
    privateKeyPem: z
      .string({ error: "must be a string" })
      .regex(PEM_PRIVATE_KEY, "must be a PEM private key (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)"),
  }),
  { error: "must be a JSON array of {fingerprint, privateKeyPem}" },
);

/** Parses the CARD_DECRYPTION_KEYS JSON value. Pure. */
export function parseCardKeysJson(value: string, source: string = CARD_DECRYPTION_KEYS_ENV): CardKeysResult {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    // The SyntaxError message quotes part of the input, i.e. possibly key bytes: drop it.
    return { ok: false, problems: [`${source} is not valid JSON`] };
  }
  const parsed = keysJsonSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${[source, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))].join("")} ${issue.message}`,
      ),
    };
  }
  return { ok: true, keys: parsed.data };
}

/**
 * Turns the files of a key directory into keys: every `<fingerprint>.pem` is one key, other
 * files are ignored (secrets volumes carry `..data` links and the like). Pure.
 */
export function cardKeysFromPemFiles(files: ReadonlyArray<{ name: string; contents: string }>, source: string = CARD_DECRYPTION_KEYS_DIR_ENV): CardKeysResult {
  const problems: string[] = [];
  const keys: CardKeyConfig[] = [];
  for (const file of files) {
    const match = /^(.+)\.pem$/i.exec(file.name);
    if (!match?.[1] || file.name.startsWith(".")) continue;
    if (!PEM_PRIVATE_KEY.test(file.contents)) {
      problems.push(`${source}/${file.name} is not a PEM private key`);
      continue;
    }
    keys.push({ fingerprint: match[1], privateKeyPem: file.contents });
  }
  if (problems.length === 0 && keys.length === 0) problems.push(`${source} contains no <fingerprint>.pem files`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keys };
}

/** Reads a key directory from disk (the only I/O here). */
export function readCardKeysDir(dir: string, source: string = CARD_DECRYPTION_KEYS_DIR_ENV): CardKeysResult {
  let files: { name: string; contents: string }[];
  try {
    files = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".pem"))
      .map((entry) => ({ name: entry.name, contents: readFileSync(join(dir, entry.name), "utf8") }));
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    return { ok: false, problems: [`${source} (${dir}) cannot be read: ${code}`] };
  }
  return cardKeysFromPemFiles(files, source);
}

export type CardKeyringEnvResult = { ok: true; options: Omit<LoadCardKeyringOptions, "allowShopifyTestKey"> } | { ok: false; problems: string[] };

/**
 * Everything loadCardKeyring needs except allowShopifyTestKey (which the app derives from
 * NODE_ENV). Empty values count as unset, like parseConfig. `readDir` is injectable for tests.
 */
export function cardKeyringOptionsFromEnv(
  env: Record<string, string | undefined>,
  readDir: (dir: string) => CardKeysResult = readCardKeysDir,
): CardKeyringEnvResult {
  const problems: string[] = [];
  const keys: CardKeyConfig[] = [];
  const json = env[CARD_DECRYPTION_KEYS_ENV]?.trim();
  const dir = env[CARD_DECRYPTION_KEYS_DIR_ENV]?.trim();
  for (const result of [json ? parseCardKeysJson(json) : null, dir ? readDir(dir) : null]) {
    if (!result) continue;
    if (result.ok) keys.push(...result.keys);
    else problems.push(...result.problems);
  }
  if (problems.length > 0) return { ok: false, problems };
  const testFingerprints = (env[CARD_DECRYPTION_TEST_FINGERPRINTS_ENV] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ok: true,
    options: testFingerprints.length > 0 ? { keys, shopifyTestKeyFingerprints: [...SHOPIFY_TEST_KEY_FINGERPRINTS, ...testFingerprints] } : { keys },
  };
}
