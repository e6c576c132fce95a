/**
 * Outcomes a caller must handle are values, not exceptions: a decline or a lost connection is
 * part of normal payment traffic, and a value forces the caller to look at it.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
