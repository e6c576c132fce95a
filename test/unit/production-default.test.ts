import { afterEach, describe, expect, it, vi } from "vitest";
import { SHOPIFY_TEST_KEY_FINGERPRINTS } from "~/card-decryption/shopify-test-key.server";
import { appEnv } from "../support/app-env";

/**
 * An operator who forgets NODE_ENV runs production (docs/decisions/production-by-default.md):
 * Shopify's published TEST card key is not loaded and the demo sign-in does not exist.
 */
const saved = { ...process.env };

async function freshModules(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)));
  return {
    keyring: (await import("~/payments/card/keyring.server")).cardKeyring,
    signIn: (await import("~/routes/dev.sign-in")).loader,
  };
}

afterEach(() => {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, saved);
  vi.resetModules();
});

describe("production by default", () => {
  it("without NODE_ENV, Shopify's TEST card key is not accepted", async () => {
    const { NODE_ENV: _unset, ...env } = appEnv({ DATABASE_URL: "file:./prisma/never-opened.db" });
    const { keyring } = await freshModules(env);
    for (const fingerprint of SHOPIFY_TEST_KEY_FINGERPRINTS) expect(keyring().has(fingerprint)).toBe(false);
  });

  it("without NODE_ENV, a configured demo sign-in stops the app instead of answering", async () => {
    const { NODE_ENV: _unset, ...env } = appEnv({ DATABASE_URL: "file:./prisma/never-opened.db", DEV_SIGN_IN_SECRET: "demo-sign-in-secret-0123" });
    const { signIn } = await freshModules(env);
    const request = new Request("http://localhost:3999/dev/sign-in?shop=a.myshopify.com&secret=demo-sign-in-secret-0123");
    await expect(Promise.resolve().then(() => signIn({ request, params: {}, context: {} }))).rejects.toThrow(
      "DEV_SIGN_IN_SECRET is for local development only",
    );
  });

  it("with NODE_ENV=development, the TEST key is accepted and the sign-in exists (a wrong secret is a 403, not a 404)", async () => {
    const env = appEnv({ DATABASE_URL: "file:./prisma/never-opened.db", NODE_ENV: "development", DEV_SIGN_IN_SECRET: "demo-sign-in-secret-0123" });
    const { keyring, signIn } = await freshModules(env);
    expect(SHOPIFY_TEST_KEY_FINGERPRINTS.some((fingerprint) => keyring().has(fingerprint))).toBe(true);
    const request = new Request("http://localhost:3999/dev/sign-in?shop=a.myshopify.com&secret=wrong");
    const thrown = await Promise.resolve()
      .then(() => signIn({ request, params: {}, context: {} }))
      .catch((e: unknown) => e);
    expect((thrown as Response).status).toBe(403);
  });
});
