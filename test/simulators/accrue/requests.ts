/** The request documents the Accrue Merchant API documents, as zod schemas, and query parsing. */
import { z } from "zod";
import type { Behaviour } from "./knobs";
import { WEBHOOK_TOPICS } from "./store";

const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const typed = <T extends string, A extends z.ZodType>(type: T, attributes: A) => z.object({ type: z.literal(type), attributes });

export const authorizeSchema = typed("AuthorizePaymentIntent", z.object({ amount }));
export const captureSchema = typed("CapturePayment", z.object({ amount }));
export const increaseSchema = typed("IncreaseAuthorization", z.object({ increase: amount }));
export const refundSchema = typed("RefundPayment", z.object({ amount }));

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, "must be an http(s) URL");
const topics = z.array(z.union([z.enum(WEBHOOK_TOPICS), z.literal("*")])).min(1);

export const webhookCreateSchema = typed("Webhook", z.object({ enabled: z.boolean().optional(), name: z.string().min(1).max(255), url: httpUrl, topics }));
export const webhookUpdateSchema = z.object({
  type: z.literal("Webhook"),
  id: z.string().optional(),
  attributes: z.object({ enabled: z.boolean().optional(), name: z.string().min(1).max(255).optional(), url: httpUrl.optional(), topics: topics.optional() }),
});
export const attachedProfileSchema = typed(
  "AttachedProfile",
  z.object({ referenceId: z.string().max(255).optional(), email: z.string().max(255).optional(), phoneNumber: z.string().max(32).optional() }),
);

export function problemsOf(error: z.ZodError, root: string): { pointer: string; detail: string }[] {
  return error.issues.map((issue) => ({
    pointer: [root, ...issue.path.map(String)].join("/"),
    detail: `${issue.path.join(".") || "(document)"}: ${issue.message}`,
  }));
}

export type PageProblem = { problem: string };
export interface Page {
  limit: number;
  offset: number;
}

/** page[limit] / page[offset] per the `pageLimit` knob. */
export function readPage(query: URLSearchParams, behaviour: Behaviour): Page | PageProblem {
  const intro = behaviour.pageLimit === "introduction";
  const max = intro ? 200 : 100;
  const rawLimit = query.get("page[limit]");
  const rawOffset = query.get("page[offset]");
  let limit = intro ? 50 : 100;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit)) return { problem: "page[limit] must be a whole number" };
    limit = Number(rawLimit);
    if (behaviour.pageLimit === "capped") limit = Math.max(1, Math.min(limit, behaviour.pageLimitCap));
    else if (limit < 1 || limit > max) return { problem: `page[limit] must be between 1 and ${max}` };
  } else if (behaviour.pageLimit === "capped") limit = Math.min(limit, behaviour.pageLimitCap);
  let offset = 0;
  if (rawOffset !== null) {
    if (!/^\d+$/.test(rawOffset)) return { problem: "page[offset] must be a whole number, not negative" };
    offset = Number(rawOffset);
  }
  return { limit, offset };
}

/** `sort`: createdAt ascending or -createdAt descending (the default). */
export function readSort(query: URLSearchParams): "asc" | "desc" | PageProblem {
  const sort = query.get("sort") ?? "-createdAt";
  if (sort === "-createdAt" || sort === "sort=-createdAt") return "desc";
  if (sort === "createdAt") return "asc";
  return { problem: `sort: unsupported criteria "${sort}" (createdAt or -createdAt)` };
}

export function readInclude(query: URLSearchParams, allowed: readonly string[]): Set<string> | PageProblem {
  const raw = query.get("include");
  if (raw === null || raw === "") return new Set();
  const names = raw.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) return { problem: `include: unsupported ${unknown.join(", ")} (supported: ${allowed.join(",")})` };
  return new Set(names);
}

export function isProblem(value: unknown): value is PageProblem {
  return typeof value === "object" && value !== null && "problem" in value;
}
