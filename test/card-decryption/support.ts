import { readFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { type EncryptedCardData, type TestCard } from "./encrypt-for-test";

/** The §5.5 vector: encrypted to Shopify's TEST public key, no fingerprint of its own. */
export const REFERENCE_VECTOR = JSON.parse(readFileSync(new URL("./fixtures/reference-self-generated-vector.json", import.meta.url), "utf8")) as {
  payment_method: { type: "credit_card"; data: Omit<EncryptedCardData, "fingerprint"> };
  decrypts_to: { type: "card"; data: Required<TestCard> };
};

/** A fingerprint shaped like the ones Shopify sends (64 hex chars, §2.4). */
export function hexFingerprint(seed: string): string {
  return Buffer.from(seed.padEnd(32, "-").slice(0, 32)).toString("hex");
}

/** A card whose PAN and CVV appear nowhere else, so a search of output for them is meaningful. */
export const SECRET_CARD: Required<TestCard> = {
  pan: "5454545454545454",
  month: 7,
  year: 2031,
  full_name: "Secret Holder",
  verification_value: "9731",
};

/** Flips one bit of a base64 value's decoded bytes. */
export function flipBit(base64: string, byteIndex: number, bit = 0): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ (1 << bit);
  return bytes.toString("base64");
}

/** A valid P-384 public key PEM: a well-formed key on the wrong curve. */
export function p384PublicKeyPem(): string {
  return generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ type: "spki", format: "pem" }).toString();
}
