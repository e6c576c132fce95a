/**
 * Reading JSON:API documents: the primary resource (wrapped in `data`, or bare, as some of the
 * document's samples are), lists, and `included` resources by type.
 */
import type { z } from "zod";
import { describeIssues, resourceSchema, type JsonApiResource } from "./schemas";

type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The primary data: `document.data`, or the document itself when it is a bare resource. */
export function primary(document: unknown): unknown {
  const object = asObject(document);
  if (object === null) return undefined;
  if ("data" in object) return object.data;
  return "type" in object && "id" in object ? object : undefined;
}

export function readOne<S extends z.ZodType>(document: unknown, schema: S): Read<z.output<S>> {
  const parsed = schema.safeParse(primary(document));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: describeIssues(parsed.error) };
}

export function readMany<S extends z.ZodType>(document: unknown, schema: S): Read<z.output<S>[]> {
  const data = primary(document);
  // The document's "List Payments" sample is `{}`: no data at all reads as an empty list.
  if (data === undefined && asObject(document) !== null) return { ok: true, value: [] };
  if (!Array.isArray(data)) return { ok: false, problem: "data: expected an array of resources" };
  const out: z.output<S>[] = [];
  for (const [index, item] of data.entries()) {
    const parsed = schema.safeParse(item);
    if (!parsed.success) return { ok: false, problem: `data.${index}: ${describeIssues(parsed.error)}` };
    out.push(parsed.data);
  }
  return { ok: true, value: out };
}

/** `included` resources of one type that parse with `schema` (others are ignored). */
export function included<S extends z.ZodType>(document: unknown, type: string, schema: S): z.output<S>[] {
  const object = asObject(document);
  const data = asObject(object?.data);
  const all = [...(Array.isArray(object?.included) ? object.included : []), ...(Array.isArray(data?.included) ? data.included : [])];
  return all.flatMap((item) => {
    const resource = resourceSchema.safeParse(item);
    if (!resource.success || resource.data.type !== type) return [];
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

export type { JsonApiResource };

export function metaMessage(document: unknown): string | null {
  const meta = asObject(asObject(document)?.meta);
  return typeof meta?.message === "string" ? meta.message : null;
}
