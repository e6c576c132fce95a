/**
 * Shopify's side of the card encryption (reference §5.1), for tests and for the Shopify simulator
 * to send encrypted credit-card sessions.
 *
 * Written independently of app/card-decryption on purpose: sharing the KDF code would let a
 * symmetric mistake round-trip happily. The reference vector test (§5.5) pins both sides to the
 * scheme.
 */
import { createCipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from "node:crypto";

/** The card as Shopify puts it in the §5.3 payload's `data`. */
export interface TestCard {
  pan: string;
  month: number;
  year: number;
  full_name?: string;
  verification_value?: string;
}

/** `payment_method.data` as Shopify sends it (§2.4). */
export interface EncryptedCardData {
  fingerprint: string;
  encrypted_message: string;
  ephemeral_public_key: string;
  tag: string;
}

/** Encrypts `{"type":"card","data":card}` (§5.3) to `publicKeyPem`, like Shopify does. */
export function encryptCardPayloadForTest(card: TestCard, publicKeyPem: string, fingerprint: string): EncryptedCardData {
  return encryptPlaintextForTest(JSON.stringify({ type: "card", data: card }), publicKeyPem, fingerprint);
}

/** Any plaintext through the same scheme, with a valid tag (for "authentic but not a card" tests). */
export function encryptPlaintextForTest(plaintext: string | Buffer, publicKeyPem: string, fingerprint: string): EncryptedCardData {
  const recipient = createPublicKey(publicKeyPem);
  // §5.1 step 1–2: a fresh ephemeral P-256 key per message; ECDH gives the 32-byte X coordinate.
  const ephemeral = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  // Step 3–4: HKDF-SHA256, empty salt and info, 48 bytes = AES-256 key ‖ 16-byte HMAC key.
  const okm = Buffer.from(hkdfSync("sha256", shared, new Uint8Array(0), new Uint8Array(0), 48));
  const aesKey = okm.subarray(0, 32);
  const hmacKey = okm.subarray(32, 48);
  // Step 6 (encrypt direction): AES-256-CTR with an all-zero 16-byte IV.
  const cipher = createCipheriv("aes-256-ctr", aesKey, Buffer.alloc(16));
  const ciphertext = Buffer.concat([cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext), cipher.final()]);
  // Step 5: HMAC-SHA256 over the raw ciphertext, first 16 bytes.
  const tag = createHmac("sha256", hmacKey).update(ciphertext).digest().subarray(0, 16);
  return {
    fingerprint,
    encrypted_message: ciphertext.toString("base64"),
    // SPKI PEM with a trailing newline, as Shopify sends it (§2.4).
    ephemeral_public_key: ephemeral.publicKey.export({ type: "spki", format: "pem" }).toString(),
    tag: tag.toString("base64"),
  };
}

/** A fresh P-256 key pair in the formats the app is configured with: SEC1 private key, SPKI public key. */
export function generateCardKeyPairForTest(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
