/**
 * What a failed fetch() tells about the wire, for gateway adapters: the system error code
 * buried in its cause chain, and whether that code proves the request never left this machine
 * (so even a POST may be repeated without reading anything back).
 */
export const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function networkErrorCode(cause: unknown): string | null {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth += 1) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === "string") return code;
    if (Array.isArray(errors) && errors.length > 0) return networkErrorCode(errors[0]);
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
