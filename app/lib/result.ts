/**
 * Outcomes a caller must handle are values, not exceptions: a declined card or a lost
 * connection is part of normal payment traffic, and a value forces the caller to look at it.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
