/**
 * Card data decryption for the credit-card payments extension (issue 7) — the public surface.
 * Import from `~/card-decryption` only. Every implementation file is `.server.ts`, so Remix never
 * bundles card handling or key material for the browser.
 *
 * Scheme (docs/decisions/card-decryption-scheme.md): P-256 ECDH → HKDF-SHA256 → HMAC-SHA256/16 tag →
 * AES-256-CTR. Decrypt only in the PCI-scoped process, keep PAN/CVV no longer than the gateway
 * call, and never log the request body or the result: the body holds encrypted card data and
 * personal data (docs/decisions/card-data-never-stored.md).
 */
export { decryptCardPayload, encryptedCardPayloadSchema } from "./decrypt.server";
export type { CardDecryptionFailureReason, CardDecryptionResult, DecryptedCard, EncryptedCardPayload } from "./decrypt.server";
export { CardKeyring, CardKeyringError, loadCardKeyring, normalizeFingerprint } from "./keyring.server";
export type { CardKeyConfig, LoadCardKeyringOptions } from "./keyring.server";
export {
  CARD_DECRYPTION_KEYS_DIR_ENV,
  CARD_DECRYPTION_KEYS_ENV,
  CARD_DECRYPTION_TEST_FINGERPRINTS_ENV,
  cardKeyringOptionsFromEnv,
  cardKeysFromPemFiles,
  parseCardKeysJson,
  readCardKeysDir,
} from "./key-config.server";
export type { CardKeyringEnvResult, CardKeysResult } from "./key-config.server";
export { SHOPIFY_TEST_KEY_FINGERPRINTS, SHOPIFY_TEST_PUBLIC_KEY_PEM } from "./shopify-test-key.server";
