import { randomBytes } from "node:crypto";

/** Settings every app test uses; import before any app module reads its configuration. */
export const TEST_API_KEY = "test-client-id";
export const TEST_API_SECRET = "test-client-secret-0123456789";
export const TEST_APP_URL = "http://localhost:3999";

export function appEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: "test",
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: TEST_APP_URL,
    SCOPES: "write_payment_gateways,write_payment_sessions",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
    ...overrides,
  };
}

/** Sets the app's environment for this test file (before config() is first called). */
export function useAppEnv(overrides: Record<string, string>) {
  Object.assign(process.env, appEnv(overrides));
}
