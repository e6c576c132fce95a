/**
 * Decryption of a credit-card payment session's `payment_method.data`; the scheme and its
 * parameters are in docs/decisions/card-decryption-scheme.md.
 *
 * PCI scope: this module sees the PAN and CVV. It imports no logger and writes nothing anywhere;
 * failures carry a reason code only, never input or decrypted bytes. Keep it that way — callers
 * log the reason, not the payload (docs/decisions/card-data-never-stored.md).
 */
import { createDecipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";
import { z } from "zod";
import { privateKeyFor, type CardKeyring } from "./keyring.server";

/** `payment_method.data` of a credit_card payment session. `moto` is read by the caller, not here. */
export interface EncryptedCardPayload {
  fingerprint: string;
  encrypted_message: string;
  ephemeral_public_key: string;
  tag: string;
  moto?: boolean;
}

/** The card, from the decrypted payload; `name` is the payload's `full_name`. */
export interface DecryptedCard {
  pan: string;
  month: number;
  year: number;
  name?: string;
  verification_value?: string;
}

export type CardDecryptionFailureReason =
  /** No key in the keyring for the request's fingerprint (or the TEST key while it is not allowed). */
  | "unknown_fingerprint"
  /** The HMAC tag does not match: tampered data, or a key that is not the one Shopify encrypted to. */
  | "bad_tag"
  /** Anything else: missing fields, non-base64, unreadable ephemeral key, wrong tag length, or a decrypted payload that is not a card. */
  | "malformed";

export type CardDecryptionResult = { ok: true; card: DecryptedCard } | { ok: false; reason: CardDecryptionFailureReason };

// The scheme's parameters, numbered by the steps of docs/decisions/card-decryption-scheme.md.
const HKDF_HASH = "sha256";
const HKDF_SALT = Buffer.alloc(0); // step 3: empty salt (RFC 5869 then uses 32 zero bytes)
const HKDF_INFO = Buffer.alloc(0); // step 3: empty info
const HKDF_OUTPUT_BYTES = 48; // step 3
const AES_KEY_BYTES = 32; // step 3: bytes 0–31
const HMAC_KEY_BYTES = 16; // step 3: bytes 32–47
const TAG_BYTES = 16; // step 4: HMAC-SHA256 truncated to 16 bytes
const AES_CTR_IV = Buffer.alloc(16); // step 5: all-zero 16-byte IV (safe only because every message has a fresh ephemeral key)

// Generous bounds: a card JSON is ~150 bytes. They keep a hostile body from making us decode megabytes.
const MAX_CIPHERTEXT_BASE64_CHARS = 8192;
const MAX_PEM_CHARS = 1024;
const MAX_FINGERPRINT_CHARS = 256;

/** Shape of `payment_method.data`; unknown keys (`moto`, future ones) are ignored. */
export const encryptedCardPayloadSchema = z.object({
  fingerprint: z.string().min(1).max(MAX_FINGERPRINT_CHARS),
  encrypted_message: z.string().min(1).max(MAX_CIPHERTEXT_BASE64_CHARS),
  ephemeral_public_key: z.string().min(1).max(MAX_PEM_CHARS),
  tag: z.string().min(1).max(64),
});

/**
 * The plaintext (API 2023-07 and later): `{"type":"card","data":{"full_name","pan","month","year","verification_value"}}`.
 * `month`/`year` are JSON numbers. Unknown keys are stripped so nothing unexpected travels on.
 * Shopify documents no other `type` (network tokens?); any other value is reported as malformed.
 */
const decryptedPayloadSchema = z.object({
  type: z.literal("card"),
  data: z.object({
    pan: z.string().regex(/^\d{12,19}$/),
    month: z.number().int().min(1).max(12),
    year: z.number().int().min(1000).max(9999),
    full_name: z.string().max(512).nullish(),
    // Empty or absent when the card was keyed without a CVV.
    verification_value: z
      .string()
      .regex(/^(\d{3,4})?$/)
      .nullish(),
  }),
});

/**
 * Decrypts `payment_method.data` with the key its fingerprint selects. Never throws: bad input of
 * any kind yields `{ ok: false, reason }` and nothing decrypted is returned or kept.
 *
 * `data` is typed `unknown` because it comes straight from a request body; EncryptedCardPayload
 * documents what is expected.
 */
export function decryptCardPayload(data: unknown, keyring: CardKeyring): CardDecryptionResult {
  try {
    return decrypt(data, keyring);
  } catch {
    // Unreachable by design (every step below checks its input); the contract is "never throws",
    // and an error object here could hold a buffer of card data in its message or stack.
    return failure("malformed");
  }
}

function decrypt(data: unknown, keyring: CardKeyring): CardDecryptionResult {
  const fields = encryptedCardPayloadSchema.safeParse(data);
  if (!fields.success) return failure("malformed");
  const { fingerprint, encrypted_message, ephemeral_public_key, tag } = fields.data;

  // Step 1, key rotation: the fingerprint names the certificate Shopify encrypted to.
  const privateKey = privateKeyFor(keyring, fingerprint);
  if (!privateKey) return failure("unknown_fingerprint");

  const ciphertext = decodeBase64Strict(encrypted_message);
  const receivedTag = decodeBase64Strict(tag);
  const ephemeralPublicKey = readEphemeralPublicKey(ephemeral_public_key);
  if (!ciphertext || ciphertext.length === 0 || !receivedTag || receivedTag.length !== TAG_BYTES || !ephemeralPublicKey) {
    return failure("malformed");
  }

  const sharedSecret = ecdhSharedSecret(privateKey, ephemeralPublicKey);
  const { aesKey, hmacKey, wipe } = hkdfDeriveKeys(sharedSecret);
  sharedSecret.fill(0);
  try {
    if (!hmacTagMatches(hmacKey, ciphertext, receivedTag)) return failure("bad_tag");
    const plaintext = aesCtrDecrypt(aesKey, ciphertext);
    try {
      return parseCard(plaintext);
    } finally {
      plaintext.fill(0);
    }
  } finally {
    wipe();
  }
}

/** Step 2: ECDH(our private key, ephemeral public key) → the raw 32-byte X coordinate. */
function ecdhSharedSecret(privateKey: KeyObject, ephemeralPublicKey: KeyObject): Buffer {
  return diffieHellman({ privateKey, publicKey: ephemeralPublicKey });
}

/** Step 3: HKDF-SHA256 (empty salt, empty info, 48 bytes) split into AES-256 key ‖ HMAC key. */
function hkdfDeriveKeys(sharedSecret: Buffer): { aesKey: Buffer; hmacKey: Buffer; wipe: () => void } {
  const okm = Buffer.from(hkdfSync(HKDF_HASH, sharedSecret, HKDF_SALT, HKDF_INFO, HKDF_OUTPUT_BYTES));
  return {
    aesKey: okm.subarray(0, AES_KEY_BYTES),
    hmacKey: okm.subarray(AES_KEY_BYTES, AES_KEY_BYTES + HMAC_KEY_BYTES),
    // The subarrays share okm's memory, so one fill wipes both keys.
    wipe: () => okm.fill(0),
  };
}

/** Step 4: HMAC-SHA256(hmacKey, raw ciphertext) truncated to 16 bytes, compared in constant time. */
function hmacTagMatches(hmacKey: Buffer, ciphertext: Buffer, receivedTag: Buffer): boolean {
  const digest = createHmac("sha256", hmacKey).update(ciphertext).digest();
  const expected = digest.subarray(0, TAG_BYTES);
  // Lengths are equal (checked by the caller), which timingSafeEqual requires.
  const matches = timingSafeEqual(expected, receivedTag);
  digest.fill(0);
  return matches;
}

/** Step 5: AES-256-CTR, all-zero IV, over the ciphertext. Only reached after the tag matched. */
function aesCtrDecrypt(aesKey: Buffer, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-ctr", aesKey, AES_CTR_IV);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** The plaintext is UTF-8 JSON, validated. JS strings cannot be wiped, so only the validated fields are kept. */
function parseCard(plaintext: Buffer): CardDecryptionResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    return failure("malformed");
  }
  const parsed = decryptedPayloadSchema.safeParse(json);
  if (!parsed.success) return failure("malformed");
  const { pan, month, year, full_name, verification_value } = parsed.data.data;
  const card: DecryptedCard = { pan, month, year };
  if (full_name) card.name = full_name;
  if (verification_value) card.verification_value = verification_value;
  return { ok: true, card };
}

/**
 * `ephemeral_public_key`: a PEM SubjectPublicKeyInfo P-256 key, possibly with a trailing
 * newline. The header is checked first because createPublicKey would also accept a *private*
 * key PEM and derive its public half.
 */
function readEphemeralPublicKey(pem: string): KeyObject | null {
  if (!pem.trimStart().startsWith("-----BEGIN PUBLIC KEY-----")) return null;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    return null;
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") return null;
  return key;
}

/**
 * Standard base64 with padding. Buffer.from(…, "base64") silently skips invalid characters and
 * accepts the URL-safe alphabet, which would turn garbage into a `bad_tag` instead of `malformed`.
 * Line breaks are tolerated because some encoders wrap base64 at 60/76 characters.
 */
function decodeBase64Strict(text: string): Buffer | null {
  const compact = text.replace(/[\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64");
}

function failure(reason: CardDecryptionFailureReason): CardDecryptionResult {
  return { ok: false, reason };
}
