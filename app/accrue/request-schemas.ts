/** Inputs of the adapter's operations, checked before anything is sent. */
import { z } from "zod";
import { WEBHOOK_TOPICS } from "./schemas";

/** Accrue ids are UUIDs; anything else would end up in a URL path, so it is refused. */
export const idSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z-]{0,63}$/, "must be an Accrue id (letters, digits and dashes)");
/** Integer cents, at least 1 (docs/decisions/accrue-a03-amount.md). */
export const amountSchema = z.number().int("must be whole cents").positive().max(Number.MAX_SAFE_INTEGER);
export const idempotencyKeySchema = z.string().min(1).max(255);

export const webhookInputSchema = z.object({
  name: z.string().min(1).max(255),
  url: z.url({ protocol: /^https?$/ }),
  topics: z.array(z.union([z.enum(WEBHOOK_TOPICS), z.literal("*")])).min(1),
  enabled: z.boolean().default(true),
});
export type WebhookInput = z.input<typeof webhookInputSchema>;

export const webhookPatchSchema = webhookInputSchema.partial().refine((patch) => Object.keys(patch).length > 0, "nothing to update");
export type WebhookPatch = z.input<typeof webhookPatchSchema>;

export const pageSchema = z.object({
  limit: z.number().int().min(1).max(100).default(100),
  offset: z.number().int().min(0).default(0),
  /** Newest first by default, as the document's default sort. */
  sort: z.enum(["-createdAt", "createdAt"]).default("-createdAt"),
  status: z.string().min(1).optional(),
});
export type PageInput = z.input<typeof pageSchema>;

export const eventQuerySchema = z.object({
  since: z.date(),
  until: z.date().optional(),
  limit: z.number().int().min(1).max(100).default(100),
  offset: z.number().int().min(0).default(0),
});
export type EventQuery = z.input<typeof eventQuerySchema>;
