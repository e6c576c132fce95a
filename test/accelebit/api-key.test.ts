import { describe, expect, it } from "vitest";
import { createAccelebitGateway, isWellFormedSecretKey, keyMode, selectApiKey } from "~/accelebit";
import { captureLogger } from "./support";

describe("Accelebit secret keys", () => {
  it.each([
    ["smtgw_sk_test_abc123", "test"],
    ["smtgw_sk_test_your_secret_key", "test"],
    ["smtgw_sk_live_abc123", "live"],
    ["smtgw_sk_abc123", "live"],
    ["smtgw_sk_prod_x", "live"],
  ] as const)("%s is a %s key", (key, mode) => {
    expect(isWellFormedSecretKey(key)).toBe(true);
    expect(keyMode(key)).toBe(mode);
  });

  it.each([
    "",
    "smtgw_sk_",
    "smtgw_sk_test_",
    "smtgw_pk_test_abc",
    "sk_test_abc",
    "smtgw_sk_test_ab c",
    "smtgw_sk_test_é",
    ` smtgw_sk_test_abc`,
    `smtgw_sk_test_${"x".repeat(300)}`,
  ])("%j is not a secret key", (key) => {
    expect(isWellFormedSecretKey(key)).toBe(false);
    expect(keyMode(key)).toBeNull();
  });
});

describe("selectApiKey: the key for the session's mode", () => {
  const keys = { testKey: "smtgw_sk_test_t", liveKey: "smtgw_sk_live_l" };

  it("uses the test key for a test session and the live key for a live one", () => {
    expect(selectApiKey({ test: true }, keys)).toEqual({ ok: true, value: { apiKey: "smtgw_sk_test_t", mode: "test" } });
    expect(selectApiKey({ test: false }, keys)).toEqual({ ok: true, value: { apiKey: "smtgw_sk_live_l", mode: "live" } });
  });

  it("refuses a live key for a test session and a test key for a live one", () => {
    const swapped = { testKey: "smtgw_sk_live_l", liveKey: "smtgw_sk_test_t" };
    const test = selectApiKey({ test: true }, swapped);
    const live = selectApiKey({ test: false }, swapped);
    expect(test).toMatchObject({ ok: false, error: { reason: "wrong_mode", mode: "test" } });
    expect(live).toMatchObject({ ok: false, error: { reason: "wrong_mode", mode: "live" } });
    expect(JSON.stringify([test, live])).not.toContain("smtgw_sk_");
  });

  it("reports a missing or malformed key", () => {
    expect(selectApiKey({ test: true }, { liveKey: "smtgw_sk_live_l" })).toMatchObject({ ok: false, error: { reason: "missing_key" } });
    expect(selectApiKey({ test: false }, { liveKey: "pk_live_x" })).toMatchObject({ ok: false, error: { reason: "malformed_key" } });
  });

  it("gateway.forSession binds the selected key and refuses the wrong one", () => {
    const gateway = createAccelebitGateway({ baseUrl: "http://127.0.0.1:9", logger: captureLogger().logger });
    const bound = gateway.forSession({ test: true }, keys);
    expect(bound.ok && bound.value.mode).toBe("test");
    expect(gateway.forSession({ test: true }, { testKey: "smtgw_sk_live_l" })).toMatchObject({ ok: false, error: { reason: "wrong_mode" } });
  });
});
