import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox, SecretBoxError } from "~/lib/secret-box";

const KEY = "smtgw_sk_test_51Hcs0fSecretValue9876";

describe("SecretBox", () => {
  const current = randomBytes(32);
  const box = new SecretBox(current);

  it("round-trips, and the ciphertext does not contain the secret", () => {
    const sealed = box.encrypt(KEY, "shop:1:test-key");
    expect(sealed).not.toContain(KEY);
    expect(sealed).not.toContain(Buffer.from(KEY).toString("base64"));
    expect(box.decrypt(sealed, "shop:1:test-key")).toBe(KEY);
    expect(box.encrypt(KEY, "shop:1:test-key")).not.toBe(sealed); // fresh IV every time
  });

  it("refuses a ciphertext moved to another row or shop, or tampered with", () => {
    const sealed = box.encrypt(KEY, "shop:1:test-key");
    expect(() => box.decrypt(sealed, "shop:2:test-key")).toThrow(SecretBoxError);
    const parts = sealed.split(".");
    const data = Buffer.from(parts[4]!, "base64url");
    data[0]! ^= 1;
    parts[4] = data.toString("base64url");
    expect(() => box.decrypt(parts.join("."), "shop:1:test-key")).toThrow("ciphertext failed authentication");
  });

  it("rotation: a new key decrypts old ciphertexts while the old key is listed as previous", () => {
    const sealedWithOld = box.encrypt(KEY, "ctx");
    const rotated = new SecretBox(randomBytes(32), [current]);
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    const resealed = rotated.encrypt(rotated.decrypt(sealedWithOld, "ctx"), "ctx");
    expect(rotated.needsRotation(resealed)).toBe(false);
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealedWithOld, "ctx")).toThrow(/no configured encryption key/);
  });
});
