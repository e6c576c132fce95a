/**
 * Card data must never reach a console or log line (§10 pitfall 18). Every path of the module —
 * success, each rejection, keyring and configuration errors — runs with every console method and
 * both process streams captured; then the capture, the failure results and the error messages
 * are searched for the PAN and CVV.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  cardKeyringOptionsFromEnv,
  cardKeysFromPemFiles,
  decryptCardPayload,
  loadCardKeyring,
  parseCardKeysJson,
  SHOPIFY_TEST_PUBLIC_KEY_PEM,
} from "~/card-decryption";
import { encryptCardPayloadForTest, encryptPlaintextForTest, generateCardKeyPairForTest } from "./encrypt-for-test";
import { flipBit, hexFingerprint, SECRET_CARD } from "./support";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace", "dir", "table"] as const;
const SECRETS = [SECRET_CARD.pan, SECRET_CARD.verification_value];

let captured: string[] = [];

beforeEach(() => {
  captured = [];
  for (const method of CONSOLE_METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(`console.${method}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

describe("no PAN or CVV in any output", () => {
  it("the capture works (so an empty capture below means silence, not a broken spy)", () => {
    console.info("canary");
    process.stderr.write("canary-stream");
    expect(captured).toEqual(["console.info: canary", "canary-stream"]);
  });

  it("through every decryption path", () => {
    const fingerprint = hexFingerprint("no-output");
    const pair = generateCardKeyPairForTest();
    const keyring = loadCardKeyring({ keys: [{ fingerprint, privateKeyPem: pair.privateKeyPem }], allowShopifyTestKey: true });
    const valid = encryptCardPayloadForTest(SECRET_CARD, pair.publicKeyPem, fingerprint);
    const failures: unknown[] = [];

    const success = decryptCardPayload(valid, keyring);
    expect(success).toMatchObject({ ok: true, card: { pan: SECRET_CARD.pan, verification_value: SECRET_CARD.verification_value } });
    expect(decryptCardPayload(encryptCardPayloadForTest(SECRET_CARD, SHOPIFY_TEST_PUBLIC_KEY_PEM, "Test Certificate"), keyring).ok).toBe(true);

    const bad = [
      { ...valid, tag: flipBit(valid.tag, 3) },
      { ...valid, encrypted_message: flipBit(valid.encrypted_message, 5) },
      { ...valid, fingerprint: hexFingerprint("unknown") },
      encryptCardPayloadForTest(SECRET_CARD, generateCardKeyPairForTest().publicKeyPem, fingerprint),
      { ...valid, encrypted_message: valid.encrypted_message.slice(0, 30) },
      { ...valid, ephemeral_public_key: "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----" },
      { ...valid, tag: "%%%" },
      // Authentic ciphertexts whose plaintext carries the PAN and CVV but is rejected after decryption.
      encryptPlaintextForTest(`not json ${SECRET_CARD.pan} ${SECRET_CARD.verification_value}`, pair.publicKeyPem, fingerprint),
      encryptPlaintextForTest(JSON.stringify({ type: "card", data: { ...SECRET_CARD, month: 13 } }), pair.publicKeyPem, fingerprint),
      encryptPlaintextForTest(JSON.stringify({ type: "token", data: SECRET_CARD }), pair.publicKeyPem, fingerprint),
      null,
      { fingerprint },
    ];
    for (const input of bad) failures.push(decryptCardPayload(input, keyring));

    expect(failures.every((f) => typeof f === "object" && f !== null && Object.keys(f).sort().join() === "ok,reason")).toBe(true);
    const everything = [...captured, JSON.stringify(failures)].join("\n");
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    expect(captured).toEqual([]);
  });

  it("through keyring and configuration errors (no key material either)", () => {
    const pair = generateCardKeyPairForTest();
    const keyBody = pair.privateKeyPem.split("\n")[1] ?? "";
    const messages: string[] = [];
    try {
      loadCardKeyring({ keys: [{ fingerprint: "x", privateKeyPem: pair.privateKeyPem.replace(keyBody, keyBody.slice(0, 20)) }], allowShopifyTestKey: false });
    } catch (error) {
      messages.push(String(error), (error as Error).stack ?? "");
    }
    const results = [
      parseCardKeysJson(`[{"fingerprint":"x","privateKeyPem":"${keyBody}`),
      parseCardKeysJson(JSON.stringify([{ fingerprint: 1, privateKeyPem: keyBody }])),
      cardKeysFromPemFiles([{ name: "a.pem", contents: keyBody }]),
      cardKeyringOptionsFromEnv({ CARD_DECRYPTION_KEYS: `${keyBody}}` }),
    ];
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(messages.length).toBeGreaterThan(0);
    const everything = [...captured, ...messages, JSON.stringify(results)].join("\n");
    expect(everything).not.toContain(keyBody.slice(0, 20));
    expect(captured).toEqual([]);
  });

  it("the module has no logger import or console call to begin with", () => {
    const dir = new URL("../../app/card-decryption/", import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), "utf8");
      expect(source, file).not.toMatch(/\bconsole\.|from "~\/lib\/logger"|from "pino"|process\.(stdout|stderr)/);
    }
  });
});
