import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { SHOPIFY_TEST_KEY_FINGERPRINTS, SHOPIFY_TEST_PRIVATE_KEY_PEM } from "./shopify-test-key.server";

/** One private key of the app's encryption certificate, as configured (see key-config.server.ts). */
export interface CardKeyConfig {
  /** The certificate fingerprint Shopify sends in `payment_method.data.fingerprint`. */
  fingerprint: string;
  /** P-256 private key, PEM: SEC1 "EC PRIVATE KEY" (what the CSR tooling produces) or PKCS#8 "PRIVATE KEY". */
  privateKeyPem: string;
}

export interface LoadCardKeyringOptions {
  keys: readonly CardKeyConfig[];
  /**
   * Adds Shopify's published TEST key. The app passes `developmentFeaturesEnabled` (NODE_ENV
   * explicitly development or test; docs/decisions/production-by-default.md).
   * When false, the TEST key is refused even if it is configured explicitly under another
   * fingerprint: it is public, so card data encrypted to it is not protected.
   */
  allowShopifyTestKey: boolean;
  /** Fingerprints the TEST key answers to; defaults to SHOPIFY_TEST_KEY_FINGERPRINTS (see the gap noted there). */
  shopifyTestKeyFingerprints?: readonly string[];
}

/** A configuration problem. Messages name fingerprints and list positions, never key material. */
export class CardKeyringError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid card decryption keys:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "CardKeyringError";
  }
}

/**
 * The private keys the app can decrypt card data with, selected by the request's `fingerprint`.
 * Several keys live side by side so a certificate can be rotated without downtime: Shopify names
 * the certificate it encrypted to, old sessions keep decrypting with the old key
 * (docs/decisions/card-decryption-scheme.md).
 *
 * Deliberately opaque: the keys sit in a module-private WeakMap, so logging or serialising a
 * keyring shows fingerprints only, and only this module's `privateKeyFor` (not re-exported from
 * the package index) hands a key to the decryptor.
 */
export class CardKeyring {
  /** Normalised fingerprints, for readiness checks and diagnostics. */
  readonly fingerprints: readonly string[];
  readonly includesShopifyTestKey: boolean;

  /** Use loadCardKeyring. */
  constructor(keys: ReadonlyMap<string, KeyObject>, includesShopifyTestKey: boolean) {
    KEYS.set(this, new Map(keys));
    this.fingerprints = [...keys.keys()];
    this.includesShopifyTestKey = includesShopifyTestKey;
  }

  has(fingerprint: string): boolean {
    return KEYS.get(this)?.has(normalizeFingerprint(fingerprint)) ?? false;
  }
}

const KEYS = new WeakMap<CardKeyring, ReadonlyMap<string, KeyObject>>();

/** The private key registered for `fingerprint`, or undefined. Internal to the card-decryption module. */
export function privateKeyFor(keyring: CardKeyring, fingerprint: string): KeyObject | undefined {
  return KEYS.get(keyring)?.get(normalizeFingerprint(fingerprint));
}

/**
 * Fingerprints are compared case-insensitively and without ':' separators or surrounding
 * whitespace: the Partner Dashboard and OpenSSL print SHA-256 fingerprints in different styles,
 * and an operator copying one must not produce a silent `unknown_fingerprint`.
 */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.trim().replace(/:/g, "").toLowerCase();
}

/**
 * Builds the keyring; throws CardKeyringError listing every problem (unreadable PEM, not a P-256
 * key, duplicate fingerprint, TEST key where it is not allowed). Meant to run once at start-up so
 * a bad key stops the process instead of failing payments one by one.
 */
export function loadCardKeyring(options: LoadCardKeyringOptions): CardKeyring {
  const problems: string[] = [];
  const keys = new Map<string, KeyObject>();
  const testKey = readP256PrivateKey(SHOPIFY_TEST_PRIVATE_KEY_PEM);
  if (!testKey.ok) throw new CardKeyringError([`the built-in Shopify TEST key ${testKey.problem}`]);
  const testPublicDer = publicDer(testKey.key);

  for (const [index, entry] of options.keys.entries()) {
    const fingerprint = typeof entry.fingerprint === "string" ? normalizeFingerprint(entry.fingerprint) : "";
    const where = `keys[${index}]${fingerprint ? ` (fingerprint ${fingerprint})` : ""}`;
    if (!fingerprint) {
      problems.push(`${where}: fingerprint is required`);
      continue;
    }
    const read = typeof entry.privateKeyPem === "string" ? readP256PrivateKey(entry.privateKeyPem) : ({ ok: false, problem: "is required" } as const);
    if (!read.ok) {
      problems.push(`${where}: privateKeyPem ${read.problem}`);
      continue;
    }
    if (!options.allowShopifyTestKey && publicDer(read.key).equals(testPublicDer)) {
      problems.push(`${where}: is Shopify's published TEST key, which is refused when allowShopifyTestKey is false`);
      continue;
    }
    if (keys.has(fingerprint)) {
      problems.push(`${where}: duplicate fingerprint`);
      continue;
    }
    keys.set(fingerprint, read.key);
  }

  if (options.allowShopifyTestKey) {
    for (const raw of options.shopifyTestKeyFingerprints ?? SHOPIFY_TEST_KEY_FINGERPRINTS) {
      const fingerprint = normalizeFingerprint(raw);
      if (!fingerprint) continue;
      const existing = keys.get(fingerprint);
      // Configuring the TEST key explicitly under a test fingerprint is harmless; another key is a conflict.
      if (existing && !publicDer(existing).equals(testPublicDer)) {
        problems.push(`fingerprint ${fingerprint} is reserved for Shopify's TEST key but a different key is configured for it`);
        continue;
      }
      keys.set(fingerprint, testKey.key);
    }
  }

  if (problems.length > 0) throw new CardKeyringError(problems);
  return new CardKeyring(keys, options.allowShopifyTestKey);
}

type ReadKey = { ok: true; key: KeyObject } | { ok: false; problem: string };

function readP256PrivateKey(pem: string): ReadKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    // The OpenSSL error is dropped: it says nothing useful and must not carry key bytes into logs.
    return { ok: false, problem: "is not a readable PEM private key (unencrypted SEC1 or PKCS#8)" };
  }
  // Shopify encrypts with NIST P-256 (prime256v1); any other key can never produce a valid tag.
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    return { ok: false, problem: "is not a P-256 (prime256v1) EC private key" };
  }
  return { ok: true, key };
}

function publicDer(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: "spki", format: "der" });
}
