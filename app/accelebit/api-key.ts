/**
 * Accelebit secret keys and the "key for the session's mode" rule.
 *
 * Decision "Live key prefix": test keys start `smtgw_sk_test_`; any other `smtgw_sk_` key
 * is treated as live. A Shopify test session is processed with the shop's test key and a
 * live session with its live key — never mixed (a test checkout must not charge a real
 * card, a live one must not silently go to the sandbox account).
 */
import { err, ok, type Result } from "~/lib/result";

export const SECRET_KEY_PREFIX = "smtgw_sk_";
export const TEST_KEY_PREFIX = "smtgw_sk_test_";

export type KeyMode = "test" | "live";

/** Printable ASCII without spaces: anything else cannot travel in an HTTP header anyway. */
const KEY_BODY = /^[\x21-\x7e]+$/;
const MAX_KEY_LENGTH = 256;

export function isWellFormedSecretKey(key: string): boolean {
  if (key.length > MAX_KEY_LENGTH || !KEY_BODY.test(key) || !key.startsWith(SECRET_KEY_PREFIX)) return false;
  // "smtgw_sk_test_" alone has a prefix but no secret.
  const rest = key.startsWith(TEST_KEY_PREFIX) ? key.slice(TEST_KEY_PREFIX.length) : key.slice(SECRET_KEY_PREFIX.length);
  return rest.length > 0;
}

export function keyMode(key: string): KeyMode | null {
  if (!isWellFormedSecretKey(key)) return null;
  return key.startsWith(TEST_KEY_PREFIX) ? "test" : "live";
}

export interface ShopKeys {
  readonly testKey?: string | null;
  readonly liveKey?: string | null;
}

export type KeySelectionError = {
  readonly reason: "missing_key" | "malformed_key" | "wrong_mode";
  readonly mode: KeyMode;
  readonly message: string;
};

/**
 * The only way the app picks a key for a payment session. Refuses a live key stored in the
 * test slot and vice versa, so a misconfigured shop fails loudly instead of charging in the
 * wrong mode. Messages never contain the key itself.
 */
export function selectApiKey(session: { readonly test: boolean }, keys: ShopKeys): Result<{ apiKey: string; mode: KeyMode }, KeySelectionError> {
  const mode: KeyMode = session.test ? "test" : "live";
  const key = session.test ? keys.testKey : keys.liveKey;
  if (!key) return err({ reason: "missing_key", mode, message: `No Accelebit ${mode} key is configured for this shop` });
  const actual = keyMode(key);
  if (actual === null) return err({ reason: "malformed_key", mode, message: `The configured ${mode} key is not an Accelebit secret key (smtgw_sk_…)` });
  if (actual !== mode) {
    return err({ reason: "wrong_mode", mode, message: `A ${mode} session needs a ${mode} key, but the configured key is a ${actual} key` });
  }
  return ok({ apiKey: key, mode });
}
