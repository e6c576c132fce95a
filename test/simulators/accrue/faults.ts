/**
 * Fault injection on the Accrue sandbox's API (never the widget pages or /__sandbox/), and on
 * its webhook deliveries. Each knob fires per shared/trigger.ts (count, rate, match); `match`
 * paths are written without the /api/v1 prefix, e.g. "POST /payment-intents/".
 */
import { z } from "zod";
import { fires, triggerShape } from "../shared/trigger";
import { WEBHOOK_TOPICS } from "./store";

const placement = { afterEffect: z.boolean().optional() };
const topicTrigger = { count: z.number().int().min(0).optional(), rate: z.number().min(0).max(1).optional(), topic: z.enum(WEBHOOK_TOPICS).optional() };

export const faultSettingsSchema = z.strictObject({
  /** Waits `ms` before processing (a slow Accrue; past 10 s / 90 s for client timeouts). */
  latency: z.strictObject({ ms: z.number().int().min(0).max(600_000), ...triggerShape }).optional(),
  /** Never answers; `afterEffect` processes and records the request first. The socket stays open until the client gives up. */
  hang: z.strictObject({ ...triggerShape, ...placement }).optional(),
  /** 5xx answer; `afterEffect` processes the request first. */
  serverError: z.strictObject({ status: z.number().int().min(500).max(599).optional(), ...triggerShape, ...placement }).optional(),
  /** Closes the connection without an answer; `afterEffect` processes the request first. */
  dropConnection: z.strictObject({ ...triggerShape, ...placement }).optional(),
  /** 429 before processing, with Retry-After `retryAfterSeconds` (null: without the header). */
  rateLimit: z.strictObject({ retryAfterSeconds: z.number().int().min(0).nullable().optional(), ...triggerShape }).optional(),
  /** 401 as for an expired secret, before processing. */
  unauthorized: z.strictObject(triggerShape).optional(),
  /** 408 before processing. */
  requestTimeout: z.strictObject(triggerShape).optional(),

  /** Webhook deliveries: held back `ms` on the sandbox clock (delivered by tick() once due). */
  webhookLate: z.strictObject({ ms: z.number().int().min(1), ...topicTrigger }).optional(),
  /** Each matching event is delivered `copies` extra times (same id, same bytes). */
  webhookDuplicate: z.strictObject({ copies: z.number().int().min(1).max(10).optional(), ...topicTrigger }).optional(),
  /** Events are held until `batch` have gathered (or flushWebhooks()), then delivered newest first. */
  webhookOutOfOrder: z.strictObject({ batch: z.number().int().min(2).max(100) }).optional(),
  /** The delivery carries a wrong signature. */
  webhookBadSignature: z.strictObject(topicTrigger).optional(),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export type BeforeFault =
  | { kind: "rate_limit"; retryAfterSeconds: number | null }
  | { kind: "server_error"; status: number }
  | { kind: "drop" }
  | { kind: "hang" }
  | { kind: "unauthorized" }
  | { kind: "request_timeout" }
  | null;
export type AfterFault = { kind: "drop" } | { kind: "hang" } | { kind: "server_error"; status: number } | null;

interface TopicTrigger {
  count?: number | undefined;
  rate?: number | undefined;
  topic?: string | undefined;
}

export class Faults {
  private settings: FaultSettings = {};

  constructor(private readonly random: () => number) {}

  set(settings: FaultSettings): void {
    // A deep copy: counters are consumed in place and must not write into the caller's object.
    this.settings = faultSettingsSchema.parse(structuredClone(settings));
  }

  current(): FaultSettings {
    return structuredClone(this.settings);
  }

  latencyMs(method: string, path: string): number {
    const { latency } = this.settings;
    return latency && fires(latency, method, path, this.random) ? latency.ms : 0;
  }

  before(method: string, path: string): BeforeFault {
    const { rateLimit, unauthorized, requestTimeout, serverError, dropConnection, hang } = this.settings;
    const r = this.random;
    if (fires(rateLimit, method, path, r))
      return { kind: "rate_limit", retryAfterSeconds: rateLimit?.retryAfterSeconds === undefined ? 1 : rateLimit.retryAfterSeconds };
    if (fires(unauthorized, method, path, r)) return { kind: "unauthorized" };
    if (fires(requestTimeout, method, path, r)) return { kind: "request_timeout" };
    if (serverError && !serverError.afterEffect && fires(serverError, method, path, r)) return { kind: "server_error", status: serverError.status ?? 500 };
    if (dropConnection && !dropConnection.afterEffect && fires(dropConnection, method, path, r)) return { kind: "drop" };
    if (hang && !hang.afterEffect && fires(hang, method, path, r)) return { kind: "hang" };
    return null;
  }

  after(method: string, path: string): AfterFault {
    const { serverError, dropConnection, hang } = this.settings;
    const r = this.random;
    if (dropConnection?.afterEffect && fires(dropConnection, method, path, r)) return { kind: "drop" };
    if (hang?.afterEffect && fires(hang, method, path, r)) return { kind: "hang" };
    if (serverError?.afterEffect && fires(serverError, method, path, r)) return { kind: "server_error", status: serverError.status ?? 500 };
    return null;
  }

  private firesForTopic(trigger: TopicTrigger | undefined, topic: string): boolean {
    if (!trigger || (trigger.topic !== undefined && trigger.topic !== topic)) return false;
    if (trigger.count !== undefined) {
      if (trigger.count <= 0) return false;
      trigger.count -= 1;
      return true;
    }
    return this.random() < (trigger.rate ?? 1);
  }

  /** Decisions for one webhook event, taken once when it is created. */
  delivery(topic: string): { lateMs: number; copies: number; badSignature: boolean } {
    const { webhookLate, webhookDuplicate, webhookBadSignature } = this.settings;
    return {
      lateMs: webhookLate && this.firesForTopic(webhookLate, topic) ? webhookLate.ms : 0,
      copies: webhookDuplicate && this.firesForTopic(webhookDuplicate, topic) ? (webhookDuplicate.copies ?? 1) : 0,
      badSignature: this.firesForTopic(webhookBadSignature, topic),
    };
  }

  outOfOrderBatch(): number | null {
    return this.settings.webhookOutOfOrder?.batch ?? null;
  }
}
