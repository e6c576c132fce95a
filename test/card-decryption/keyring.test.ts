import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  cardKeyringOptionsFromEnv,
  cardKeysFromPemFiles,
  CardKeyringError,
  decryptCardPayload,
  loadCardKeyring,
  parseCardKeysJson,
  readCardKeysDir,
  type CardKeysResult,
} from "~/card-decryption";
import { SHOPIFY_TEST_PRIVATE_KEY_PEM } from "~/card-decryption/shopify-test-key.server";
import { encryptCardPayloadForTest, generateCardKeyPairForTest } from "./encrypt-for-test";
import { hexFingerprint, SECRET_CARD } from "./support";

function keyringProblems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof CardKeyringError) return error.problems;
    throw error;
  }
  throw new Error("expected a CardKeyringError");
}

const pair = generateCardKeyPairForTest();
const fp = hexFingerprint("keyring");

describe("loadCardKeyring", () => {
  it("accepts SEC1 and PKCS#8 P-256 keys", () => {
    const pkcs8 = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const keyring = loadCardKeyring({
      keys: [
        { fingerprint: fp, privateKeyPem: pair.privateKeyPem },
        { fingerprint: hexFingerprint("pkcs8"), privateKeyPem: pkcs8.privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
      ],
      allowShopifyTestKey: false,
    });
    expect(keyring.fingerprints).toEqual([fp, hexFingerprint("pkcs8")]);
    const data = encryptCardPayloadForTest(SECRET_CARD, pkcs8.publicKey.export({ type: "spki", format: "pem" }).toString(), hexFingerprint("pkcs8"));
    expect(decryptCardPayload(data, keyring).ok).toBe(true);
  });

  it("an empty keyring is valid (offsite-only deployments) and knows no fingerprint", () => {
    const keyring = loadCardKeyring({ keys: [], allowShopifyTestKey: false });
    expect(keyring.fingerprints).toEqual([]);
    expect(decryptCardPayload(encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fp), keyring)).toStrictEqual({
      ok: false,
      reason: "unknown_fingerprint",
    });
  });

  it("a malformed PEM is refused, naming the fingerprint but not the key", () => {
    const bad = "-----BEGIN EC PRIVATE KEY-----\nTUFMRk9STUVES0VZQllURVM=\n-----END EC PRIVATE KEY-----\n";
    const problems = keyringProblems(() => loadCardKeyring({ keys: [{ fingerprint: fp, privateKeyPem: bad }], allowShopifyTestKey: false }));
    expect(problems).toEqual([`keys[0] (fingerprint ${fp}): privateKeyPem is not a readable PEM private key (unencrypted SEC1 or PKCS#8)`]);
    expect(problems.join()).not.toContain("TUFMRk9STUVES0VZQllURVM");
  });

  it("refuses keys that are not P-256, duplicate fingerprints and missing fields, all at once", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const problems = keyringProblems(() =>
      loadCardKeyring({
        keys: [
          { fingerprint: "a1", privateKeyPem: p384 },
          { fingerprint: "b2", privateKeyPem: rsa },
          { fingerprint: fp, privateKeyPem: pair.privateKeyPem },
          { fingerprint: fp.toUpperCase(), privateKeyPem: pair.privateKeyPem },
          { fingerprint: "  ", privateKeyPem: pair.privateKeyPem },
        ],
        allowShopifyTestKey: false,
      }),
    );
    expect(problems).toEqual([
      "keys[0] (fingerprint a1): privateKeyPem is not a P-256 (prime256v1) EC private key",
      "keys[1] (fingerprint b2): privateKeyPem is not a P-256 (prime256v1) EC private key",
      `keys[3] (fingerprint ${fp}): duplicate fingerprint`,
      "keys[4]: fingerprint is required",
    ]);
  });

  it("the Shopify TEST key is refused under any fingerprint when allowShopifyTestKey is false", () => {
    const problems = keyringProblems(() =>
      loadCardKeyring({ keys: [{ fingerprint: hexFingerprint("disguised"), privateKeyPem: SHOPIFY_TEST_PRIVATE_KEY_PEM }], allowShopifyTestKey: false }),
    );
    expect(problems).toEqual([
      `keys[0] (fingerprint ${hexFingerprint("disguised")}): is Shopify's published TEST key, which is refused when allowShopifyTestKey is false`,
    ]);
  });

  it("when allowed, a different key may not take a TEST fingerprint", () => {
    const problems = keyringProblems(() =>
      loadCardKeyring({ keys: [{ fingerprint: "Test Certificate", privateKeyPem: pair.privateKeyPem }], allowShopifyTestKey: true }),
    );
    expect(problems).toEqual(["fingerprint test certificate is reserved for Shopify's TEST key but a different key is configured for it"]);
  });

  it("logging a keyring shows fingerprints, never key material", () => {
    const keyring = loadCardKeyring({ keys: [{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }], allowShopifyTestKey: true });
    const shown = JSON.stringify(keyring);
    expect(shown).toContain(fp);
    expect(shown).not.toMatch(/PRIVATE|MHcC/);
    expect(Object.values(keyring).some((v) => typeof v === "object" && v !== null && !Array.isArray(v))).toBe(false);
  });
});

describe("keys from configuration (proposed CARD_DECRYPTION_KEYS / CARD_DECRYPTION_KEYS_DIR)", () => {
  it("parses the JSON form", () => {
    const value = JSON.stringify([{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }]);
    expect(parseCardKeysJson(value)).toEqual({ ok: true, keys: [{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }] });
  });

  it("reports JSON problems by position without echoing values", () => {
    const secretish = "MHcCAQEEIPdk-not-json";
    expect(parseCardKeysJson(`[{"fingerprint":"x","privateKeyPem":"${secretish}`)).toEqual({ ok: false, problems: ["CARD_DECRYPTION_KEYS is not valid JSON"] });
    expect(parseCardKeysJson(JSON.stringify({ fingerprint: fp }))).toEqual({
      ok: false,
      problems: ["CARD_DECRYPTION_KEYS must be a JSON array of {fingerprint, privateKeyPem}"],
    });
    const result = parseCardKeysJson(JSON.stringify([{ fingerprint: "", privateKeyPem: secretish }, { privateKeyPem: 3 }]));
    expect(result).toEqual({
      ok: false,
      problems: [
        "CARD_DECRYPTION_KEYS[0].fingerprint must not be empty",
        "CARD_DECRYPTION_KEYS[0].privateKeyPem must be a PEM private key (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)",
        "CARD_DECRYPTION_KEYS[1].fingerprint must be a string",
        "CARD_DECRYPTION_KEYS[1].privateKeyPem must be a string",
      ],
    });
    expect(JSON.stringify(result)).not.toContain(secretish);
  });

  it("turns <fingerprint>.pem files into keys and ignores other files", () => {
    expect(
      cardKeysFromPemFiles([
        { name: `${fp}.pem`, contents: pair.privateKeyPem },
        { name: "README.txt", contents: "not a key" },
        { name: ".hidden.pem", contents: "ignored" },
      ]),
    ).toEqual({ ok: true, keys: [{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }] });
    expect(cardKeysFromPemFiles([{ name: "cert.pem", contents: "-----BEGIN CERTIFICATE-----\n…" }])).toEqual({
      ok: false,
      problems: ["CARD_DECRYPTION_KEYS_DIR/cert.pem is not a PEM private key"],
    });
    expect(cardKeysFromPemFiles([])).toEqual({ ok: false, problems: ["CARD_DECRYPTION_KEYS_DIR contains no <fingerprint>.pem files"] });
  });

  const dir = mkdtempSync(join(tmpdir(), "card-keys-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a key directory from disk, and reports an unreadable one by error code", () => {
    writeFileSync(join(dir, `${fp}.pem`), pair.privateKeyPem);
    expect(readCardKeysDir(dir)).toEqual({ ok: true, keys: [{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }] });
    expect(readCardKeysDir(join(dir, "missing"))).toEqual({
      ok: false,
      problems: [`CARD_DECRYPTION_KEYS_DIR (${join(dir, "missing")}) cannot be read: ENOENT`],
    });
  });

  it("combines both sources and the extra TEST fingerprints; the result feeds loadCardKeyring", () => {
    const other = generateCardKeyPairForTest();
    const otherFp = hexFingerprint("other");
    const readDir = (d: string): CardKeysResult =>
      d === "/keys" ? { ok: true, keys: [{ fingerprint: otherFp, privateKeyPem: other.privateKeyPem }] } : { ok: false, problems: ["?"] };
    const result = cardKeyringOptionsFromEnv(
      {
        CARD_DECRYPTION_KEYS: JSON.stringify([{ fingerprint: fp, privateKeyPem: pair.privateKeyPem }]),
        CARD_DECRYPTION_KEYS_DIR: "/keys",
        CARD_DECRYPTION_TEST_FINGERPRINTS: " abc123 , ",
      },
      readDir,
    );
    expect(result).toEqual({
      ok: true,
      options: {
        keys: [
          { fingerprint: fp, privateKeyPem: pair.privateKeyPem },
          { fingerprint: otherFp, privateKeyPem: other.privateKeyPem },
        ],
        shopifyTestKeyFingerprints: ["Test Certificate", "abc123"],
      },
    });
    if (!result.ok) return;
    const keyring = loadCardKeyring({ ...result.options, allowShopifyTestKey: true });
    expect(keyring.fingerprints).toEqual([fp, otherFp, "test certificate", "abc123"]);
  });

  it("unset or empty variables give an empty key list; problems from both sources are collected", () => {
    expect(cardKeyringOptionsFromEnv({ CARD_DECRYPTION_KEYS: "", CARD_DECRYPTION_KEYS_DIR: undefined })).toEqual({ ok: true, options: { keys: [] } });
    expect(
      cardKeyringOptionsFromEnv({ CARD_DECRYPTION_KEYS: "{", CARD_DECRYPTION_KEYS_DIR: "/nope" }, () => ({ ok: false, problems: ["dir problem"] })),
    ).toEqual({
      ok: false,
      problems: ["CARD_DECRYPTION_KEYS is not valid JSON", "dir problem"],
    });
  });
});
