import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "~/lib/config.server";
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
});
