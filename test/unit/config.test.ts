import { describe, expect, it } from "vitest";
import { ConfigError, developmentFeaturesEnabled, parseConfig } from "~/lib/config.server";
import { appEnv } from "../support/app-env";

describe("configuration", () => {
  const base = appEnv({ DATABASE_URL: "file:./prisma/test.db" });

  it("parses a complete environment with defaults", () => {
    const config = parseConfig(base);
    expect(config.ACCELEBIT_API_URL).toBe("https://api.gateway.accelebit.com");
    expect(config.SCOPES).toEqual(["write_payment_gateways", "write_payment_sessions"]);
    expect(config.PORT).toBe(3000);
    expect(config.SHOPIFY_PAYMENTS_API_ORIGIN).toBeUndefined();
  });

  it.each([
    ["ENCRYPTION_KEY", undefined, "ENCRYPTION_KEY is required"],
    ["ENCRYPTION_KEY", "too-short", "ENCRYPTION_KEY must be 32 bytes"],
    ["DATABASE_URL", "mysql://x", "DATABASE_URL must be a file: (SQLite) or postgres:// URL"],
    ["SHOPIFY_APP_URL", "not a url", "SHOPIFY_APP_URL must be an absolute URL"],
    ["SHOPIFY_API_SECRET", "", "SHOPIFY_API_SECRET is required"],
  ])("names %s when it is missing or malformed", (name, value, message) => {
    const env = { ...base, [name]: value };
    if (value === undefined) delete env[name];
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it("is production when NODE_ENV is not set, and development features are then off", () => {
    const env: Record<string, string | undefined> = { ...base };
    delete env.NODE_ENV;
    const config = parseConfig(env);
    expect(config.NODE_ENV).toBe("production");
    expect(developmentFeaturesEnabled(config)).toBe(false);
    expect(developmentFeaturesEnabled(parseConfig({ ...base, NODE_ENV: "development" }))).toBe(true);
    expect(developmentFeaturesEnabled(parseConfig({ ...base, NODE_ENV: "test" }))).toBe(true);
  });

  it.each(["DEV_SIGN_IN_SECRET", "CARD_DECRYPTION_TEST_FINGERPRINTS"])("refuses %s in production, naming it", (name) => {
    const env: Record<string, string | undefined> = { ...base, [name]: "a-development-only-value-0123" };
    delete env.NODE_ENV;
    expect(() => parseConfig(env)).toThrow(`${name} is for local development only: unset it, or set NODE_ENV=development`);
    expect(parseConfig({ ...env, NODE_ENV: "development" })[name as "DEV_SIGN_IN_SECRET"]).toBe("a-development-only-value-0123");
  });

  it("names NODE_ENV when it is not one of the three", () => {
    expect(() => parseConfig({ ...base, NODE_ENV: "staging" })).toThrow('NODE_ENV must be "production", "development" or "test"');
  });
});
