import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Authenticated encryption (AES-256-GCM) for secrets at rest: Accelebit API keys, webhook
 * signing secrets, Shopify access tokens.
 *
 * Ciphertext format: `v1.<keyId>.<iv>.<tag>.<data>` (base64url parts). The key id is a
 * fingerprint of the key, so several keys can be configured at once and a rotation only
 * needs the new key first and the old ones as "previous" until every row is re-encrypted.
 * `context` (e.g. "shop:<id>:test-key") is bound as additional data: a ciphertext copied
 * into another row or another shop does not decrypt.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== 32) throw new Error("SecretBox keys must be 32 bytes");
      this.keys.set(keyId(key), key);
    }
    this.currentKeyId = keyId(currentKey);
  }

  encrypt(plaintext: string, context: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ["v1", this.currentKeyId, b64(iv), b64(tag), b64(data)].join(".");
  }

  decrypt(ciphertext: string, context: string): string {
    const parts = ciphertext.split(".");
    if (parts.length !== 5 || parts[0] !== "v1") throw new SecretBoxError("unrecognised ciphertext format");
    const [, id, iv, tag, data] = parts as [string, string, string, string, string];
    const key = this.keys.get(id);
    if (!key) throw new SecretBoxError(`no configured encryption key has id ${id}`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("ciphertext failed authentication");
    }
  }

  /** True when the ciphertext was not made with the current key (rotation pending). */
  needsRotation(ciphertext: string): boolean {
    return ciphertext.split(".")[1] !== this.currentKeyId;
  }
}

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

function b64(bytes: Buffer): string {
  return bytes.toString("base64url");
}

/** The last four characters of a secret, the only part ever shown back to anyone. */
export function lastFour(secret: string): string {
  return secret.slice(-4);
}
