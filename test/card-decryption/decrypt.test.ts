import { describe, expect, it } from "vitest";
import { decryptCardPayload, loadCardKeyring, SHOPIFY_TEST_PUBLIC_KEY_PEM, type CardKeyring } from "~/card-decryption";
import { encryptCardPayloadForTest, encryptPlaintextForTest, generateCardKeyPairForTest, type EncryptedCardData } from "./encrypt-for-test";
import { flipBit, hexFingerprint, p384PublicKeyPem, REFERENCE_VECTOR, SECRET_CARD } from "./support";

const TEST_KEYRING = loadCardKeyring({ keys: [], allowShopifyTestKey: true });
const NO_TEST_KEYRING = loadCardKeyring({ keys: [], allowShopifyTestKey: false });

const referenceData = { ...REFERENCE_VECTOR.payment_method.data, fingerprint: "Test Certificate" };

describe("§5.5 reference vector (self-generated; Shopify's published test payload was not captured)", () => {
  it("decrypts with Shopify's TEST key under the fingerprint 'Test Certificate'", () => {
    const { full_name, ...rest } = REFERENCE_VECTOR.decrypts_to.data;
    expect(decryptCardPayload(referenceData, TEST_KEYRING)).toStrictEqual({ ok: true, card: { ...rest, name: full_name } });
  });

  it("is not decryptable when allowShopifyTestKey is false", () => {
    expect(decryptCardPayload(referenceData, NO_TEST_KEYRING)).toStrictEqual({ ok: false, reason: "unknown_fingerprint" });
    expect(NO_TEST_KEYRING.includesShopifyTestKey).toBe(false);
    expect(NO_TEST_KEYRING.has("Test Certificate")).toBe(false);
  });

  it("an observed test fingerprint can be added for the TEST key", () => {
    const observed = hexFingerprint("observed-test-fingerprint");
    const keyring = loadCardKeyring({ keys: [], allowShopifyTestKey: true, shopifyTestKeyFingerprints: ["Test Certificate", observed] });
    expect(decryptCardPayload({ ...referenceData, fingerprint: observed }, keyring).ok).toBe(true);
    expect(decryptCardPayload(referenceData, keyring).ok).toBe(true);
  });

  it("our test encryptor produces payloads the TEST key decrypts (the simulator's path)", () => {
    const data = encryptCardPayloadForTest(SECRET_CARD, SHOPIFY_TEST_PUBLIC_KEY_PEM, "Test Certificate");
    expect(decryptCardPayload(data, TEST_KEYRING)).toMatchObject({ ok: true, card: { pan: SECRET_CARD.pan } });
  });
});

describe("round trip with a freshly generated key pair", () => {
  const fingerprint = hexFingerprint("fresh");
  const pair = generateCardKeyPairForTest();
  const keyring = loadCardKeyring({ keys: [{ fingerprint, privateKeyPem: pair.privateKeyPem }], allowShopifyTestKey: false });

  it("returns the card with every §5.3 field mapped", () => {
    const data = encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fingerprint);
    expect(decryptCardPayload(data, keyring)).toStrictEqual({
      ok: true,
      card: { pan: SECRET_CARD.pan, month: 7, year: 2031, name: "Secret Holder", verification_value: "9731" },
    });
  });

  it("optional fields may be absent, empty or null; unknown keys are dropped; `moto` is ignored", () => {
    const minimal = encryptCardPayloadForTest({ pan: "4242424242424242", month: 1, year: 2030 }, pair.publicKeyPem, fingerprint);
    expect(decryptCardPayload({ ...minimal, moto: true }, keyring)).toStrictEqual({ ok: true, card: { pan: "4242424242424242", month: 1, year: 2030 } });
    const plaintext = JSON.stringify({
      type: "card",
      data: { pan: "4242424242424242", month: 2, year: 2030, full_name: "", verification_value: null, extra: "x" },
    });
    expect(decryptCardPayload(encryptPlaintextForTest(plaintext, pair.publicKeyPem, fingerprint), keyring)).toStrictEqual({
      ok: true,
      card: { pan: "4242424242424242", month: 2, year: 2030 },
    });
  });

  it("fingerprints match regardless of case and ':' separators", () => {
    const data = encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fingerprint.toUpperCase().replace(/(..)(?!$)/g, "$1:"));
    expect(decryptCardPayload(data, keyring).ok).toBe(true);
  });

  it("a base64 message wrapped over lines is accepted", () => {
    const data = encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fingerprint);
    const wrapped = data.encrypted_message.replace(/(.{60})/g, "$1\n");
    expect(decryptCardPayload({ ...data, encrypted_message: wrapped }, keyring).ok).toBe(true);
  });
});

describe("rotation: several keys selected by fingerprint", () => {
  const oldFp = hexFingerprint("old");
  const newFp = hexFingerprint("new");
  const oldPair = generateCardKeyPairForTest();
  const newPair = generateCardKeyPairForTest();
  const keyring = loadCardKeyring({
    keys: [
      { fingerprint: oldFp, privateKeyPem: oldPair.privateKeyPem },
      { fingerprint: newFp, privateKeyPem: newPair.privateKeyPem },
    ],
    allowShopifyTestKey: true,
  });

  it("each payload decrypts with the key its fingerprint names", () => {
    expect(decryptCardPayload(encryptCardPayloadForTest(SECRET_CARD, oldPair.publicKeyPem, oldFp), keyring).ok).toBe(true);
    expect(decryptCardPayload(encryptCardPayloadForTest(SECRET_CARD, newPair.publicKeyPem, newFp), keyring).ok).toBe(true);
    expect(decryptCardPayload(referenceData, keyring).ok).toBe(true);
    expect(keyring.fingerprints).toEqual([oldFp, newFp, "test certificate"]);
  });

  it("wrong key: fingerprint known but the payload was encrypted to another key → bad_tag", () => {
    const data = encryptCardPayloadForTest(SECRET_CARD, oldPair.publicKeyPem, newFp);
    expect(decryptCardPayload(data, keyring)).toStrictEqual({ ok: false, reason: "bad_tag" });
  });
});

describe("rejections, each with its exact reason and nothing else", () => {
  const fingerprint = hexFingerprint("reject");
  const pair = generateCardKeyPairForTest();
  const keyring: CardKeyring = loadCardKeyring({ keys: [{ fingerprint, privateKeyPem: pair.privateKeyPem }], allowShopifyTestKey: true });
  const valid: EncryptedCardData = encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fingerprint);
  const ciphertextLength = Buffer.from(valid.encrypted_message, "base64").length;

  it("the untouched payload decrypts (control)", () => {
    expect(decryptCardPayload(valid, keyring).ok).toBe(true);
  });

  const cases: Array<[string, () => unknown, "unknown_fingerprint" | "bad_tag" | "malformed"]> = [
    ["flipped tag bit (first byte)", () => ({ ...valid, tag: flipBit(valid.tag, 0) }), "bad_tag"],
    ["flipped tag bit (last byte)", () => ({ ...valid, tag: flipBit(valid.tag, 15, 7) }), "bad_tag"],
    ["flipped ciphertext bit (first byte)", () => ({ ...valid, encrypted_message: flipBit(valid.encrypted_message, 0) }), "bad_tag"],
    ["flipped ciphertext bit (last byte)", () => ({ ...valid, encrypted_message: flipBit(valid.encrypted_message, ciphertextLength - 1, 3) }), "bad_tag"],
    ["another ephemeral key (valid P-256)", () => ({ ...valid, ephemeral_public_key: generateCardKeyPairForTest().publicKeyPem }), "bad_tag"],
    [
      "truncated ciphertext (valid base64, bytes missing)",
      () => ({ ...valid, encrypted_message: Buffer.from(valid.encrypted_message, "base64").subarray(0, 40).toString("base64") }),
      "bad_tag",
    ],
    ["unknown fingerprint", () => ({ ...valid, fingerprint: hexFingerprint("nobody") }), "unknown_fingerprint"],
    ["truncated base64 text (cut mid-quantum)", () => ({ ...valid, encrypted_message: valid.encrypted_message.slice(0, 41) }), "malformed"],
    ["truncated tag (8 bytes)", () => ({ ...valid, tag: Buffer.from(valid.tag, "base64").subarray(0, 8).toString("base64") }), "malformed"],
    [
      "truncated payload: tag field missing",
      () => ({ fingerprint, encrypted_message: valid.encrypted_message, ephemeral_public_key: valid.ephemeral_public_key }),
      "malformed",
    ],
    ["truncated payload: ephemeral key cut in half", () => ({ ...valid, ephemeral_public_key: valid.ephemeral_public_key.slice(0, 60) }), "malformed"],
    ["empty ciphertext", () => ({ ...valid, encrypted_message: "" }), "malformed"],
    [
      "non-base64 encrypted_message",
      () => ({ ...valid, encrypted_message: `${valid.encrypted_message.slice(0, 8)}*!?${valid.encrypted_message.slice(11)}` }),
      "malformed",
    ],
    ["URL-safe base64 tag", () => ({ ...valid, tag: "-_-_-_-_-_-_-_-_-_-_-w==" }), "malformed"],
    ["non-base64 tag", () => ({ ...valid, tag: "not base64 at all" }), "malformed"],
    [
      "malformed PEM (garbage body)",
      () => ({ ...valid, ephemeral_public_key: "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n" }),
      "malformed",
    ],
    ["malformed PEM (no armour)", () => ({ ...valid, ephemeral_public_key: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" }), "malformed"],
    ["private key PEM as ephemeral key", () => ({ ...valid, ephemeral_public_key: generateCardKeyPairForTest().privateKeyPem }), "malformed"],
    ["ephemeral key on the wrong curve (P-384)", () => ({ ...valid, ephemeral_public_key: p384PublicKeyPem() }), "malformed"],
    ["fields of the wrong type", () => ({ ...valid, tag: 12 }), "malformed"],
    ["empty fingerprint", () => ({ ...valid, fingerprint: "" }), "malformed"],
    ["null", () => null, "malformed"],
    ["a string", () => "payment_method", "malformed"],
    ["an array", () => [valid], "malformed"],
    ["oversized ciphertext", () => ({ ...valid, encrypted_message: "A".repeat(1 << 20) }), "malformed"],
  ];

  it.each(cases)("%s → %s", (_label, input, reason) => {
    expect(decryptCardPayload(input(), keyring)).toStrictEqual({ ok: false, reason });
  });

  // Authentic (tag matches) but the plaintext is not a §5.3 card: nothing of it may come back.
  it.each([
    ["not JSON", "pan=5454545454545454;cvv=9731"],
    ["invalid UTF-8", Buffer.from([0xff, 0xfe, 0x7b, 0x7d])],
    ["another payload type", JSON.stringify({ type: "network_token", data: { pan: SECRET_CARD.pan, month: 7, year: 2031 } })],
    ["PAN with letters", JSON.stringify({ type: "card", data: { ...SECRET_CARD, pan: "5454x54545454545" } })],
    ["month as a string", JSON.stringify({ type: "card", data: { ...SECRET_CARD, month: "07" } })],
    ["month 13", JSON.stringify({ type: "card", data: { ...SECRET_CARD, month: 13 } })],
    ["two-digit year", JSON.stringify({ type: "card", data: { ...SECRET_CARD, year: 31 } })],
    ["five-digit CVV", JSON.stringify({ type: "card", data: { ...SECRET_CARD, verification_value: "97311" } })],
    ["data missing", JSON.stringify({ type: "card" })],
  ] as const)("authentic plaintext that is not a card (%s) → malformed, no card data returned", (_label, plaintext) => {
    const data = encryptPlaintextForTest(plaintext, pair.publicKeyPem, fingerprint);
    const result = decryptCardPayload(data, keyring);
    expect(result).toStrictEqual({ ok: false, reason: "malformed" });
  });
});
