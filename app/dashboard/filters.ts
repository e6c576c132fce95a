import { z } from "zod";
import { GATEWAY_IDS, type GatewayId } from "~/payments/gateway/port";
import { PAYMENT_SESSION_STATUSES, type PaymentSessionStatus } from "~/payments/session-status";
import { containsNul } from "~/lib/text";

/**
 * The transactions list's URL: filters (?status=…&mode=…&gateway=…&from=…&to=…&q=…) and a page cursor
 * (?after=… older, ?before=… newer). The page, its pagination links and the CSV export all
 * read the same parameters, so an exported file is exactly the filtered list.
 */
export interface TransactionFilters {
  statuses: PaymentSessionStatus[];
  mode: "test" | "live" | null;
  /** The gateway the sessions are paid through (its id, e.g. "accrue"); null for all. */
  gateway: GatewayId | null;
  /** UTC days, inclusive: the merchant's timezone is not known to a non-embedded app. */
  from: string | null;
  to: string | null;
  /**
   * Matched exactly: a Shopify payment id (or its gid), a checkout group, or any gateway's id of
   * the payment (of any attempt), of a refund, a capture or a void.
   */
  query: string | null;
}

/** A position in (createdAt desc, id desc) order: the last row of a page. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export type PageRequest = { after: Cursor } | { before: Cursor } | { first: true };

export const FILTER_PARAMS = ["status", "mode", "gateway", "from", "to", "q"] as const;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`).toString("base64url");
}

const cursorSchema = z.string().transform((value, ctx): Cursor => {
  const match = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(value, "base64url").toString());
  if (!match) {
    ctx.addIssue({ code: "custom", message: "The page link is not valid; go back to the first page." });
    return z.NEVER;
  }
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
});

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Dates are YYYY-MM-DD.")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), "Not a date.");

const SHOPIFY_GID_PREFIX = "gid://shopify/PaymentSession/";

const searchSchema = z
  .object({
    status: z.array(z.enum(PAYMENT_SESSION_STATUSES, { error: "Unknown status." })).max(PAYMENT_SESSION_STATUSES.length),
    mode: z.enum(["test", "live"], { error: "Mode is test or live." }).optional(),
    gateway: z.enum(GATEWAY_IDS, { error: `Gateway is one of ${GATEWAY_IDS.join(", ")}.` }).optional(),
    from: day.optional(),
    to: day.optional(),
    q: z.string().trim().max(255, "The search is too long.").optional(),
    after: cursorSchema.optional(),
    before: cursorSchema.optional(),
  })
  .refine((s) => !(s.after && s.before), "Use either after or before, not both.")
  .refine((s) => !(s.from && s.to && s.from > s.to), "The start date is after the end date.");

export type ParsedSearch = { ok: true; filters: TransactionFilters; page: PageRequest } | { ok: false; message: string };

export function parseTransactionSearch(params: URLSearchParams): ParsedSearch {
  // The database refuses NUL characters in text (app/lib/text.ts): such a search matches nothing anyway.
  if (containsNul([...params.entries()])) return { ok: false, message: "The search holds a NUL character" };
  const optional = (name: string) => params.get(name)?.trim() || undefined;
  const parsed = searchSchema.safeParse({
    // Repeated (?status=a&status=b) or comma-separated (?status=a,b) both work.
    status: [
      ...new Set(
        params
          .getAll("status")
          .flatMap((v) => v.split(","))
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ],
    mode: optional("mode"),
    gateway: optional("gateway"),
    from: optional("from"),
    to: optional("to"),
    q: optional("q"),
    after: optional("after"),
    before: optional("before"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0];
    return { ok: false, message: field === undefined ? issue.message : `${String(field)}: ${issue.message}` };
  }
  const s = parsed.data;
  const query = s.q ? (s.q.startsWith(SHOPIFY_GID_PREFIX) ? s.q.slice(SHOPIFY_GID_PREFIX.length) : s.q) : null;
  return {
    ok: true,
    filters: {
      statuses: s.status,
      mode: s.mode ?? null,
      gateway: s.gateway ?? null,
      from: s.from ?? null,
      to: s.to ?? null,
      query: query || null,
    },
    page: s.after ? { after: s.after } : s.before ? { before: s.before } : { first: true },
  };
}

/** The filters as URL parameters (for pagination and export links). */
export function filterParams(filters: TransactionFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const status of filters.statuses) params.append("status", status);
  if (filters.mode) params.set("mode", filters.mode);
  if (filters.gateway) params.set("gateway", filters.gateway);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (filters.query) params.set("q", filters.query);
  return params;
}
