import { createContext, useContext } from "react";

/**
 * The per-response nonce of the merchant pages' Content-Security-Policy (app/entry.server.tsx):
 * Remix's inline scripts (hydration data, scroll restoration) carry it, nothing else inline runs.
 * In the browser it is empty: browsers hide nonces from the DOM once the page is parsed.
 */
const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
