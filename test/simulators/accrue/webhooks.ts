/**
 * Webhook events and their signed deliveries. An event is created for every state change of an
 * intent, payment or refund; each enabled webhook of the account subscribed to its topic (or to
 * "*") gets a POST signed with that webhook's secret: `x-accrue-signature: <hex HMAC-SHA256>`.
 * A non-2xx answer or a network error is retried with exponential backoff; every attempt and
 * every duplicate of one event carries the same event id and the same bytes.
 *
 * The HMAC is computed here with node:crypto, independently of the app's verifier.
 */
import { createHmac } from "node:crypto";
import { postWithRetries, type DeliveryAttempt, type DeliveryRetry } from "../shared/deliver";
import type { Faults } from "./faults";
import type { Behaviour } from "./knobs";
import type { EventRecord, ResourceObject, WebhookRecord } from "./store";
import { eventResource } from "./views";

export const SIGNATURE_HEADER = "x-accrue-signature";

export interface DeliveryRecord {
  eventId: string;
  topic: string;
  webhookId: string;
  url: string;
  /** 0 for the original delivery, 1… for injected duplicates. */
  copy: number;
  badSignature: boolean;
  /** The exact bytes sent (as UTF-8 text) and the signature header sent with them. */
  body: string;
  signature: string;
  attempts: DeliveryAttempt[];
  state: "held" | "pending" | "delivered" | "failed";
  /** Clock time (ms) before which a late delivery is not sent. */
  dueAtMs: number;
}

export type WebhookRetry = DeliveryRetry;

export function hmacHex(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text, "utf8").digest("hex");
}

export class WebhookDispatcher {
  private records: DeliveryRecord[] = [];
  private outOfOrder: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly options: {
      nowMs: () => number;
      retry: WebhookRetry;
      sleep: (ms: number) => Promise<void>;
      faults: Faults;
      log: (line: string) => void;
    },
  ) {}

  deliveries(): DeliveryRecord[] {
    return structuredClone(this.records);
  }

  /** Builds the deliveries of one event for the given webhooks and sends those that are due. */
  dispatch(event: EventRecord, included: readonly ResourceObject[], webhooks: readonly WebhookRecord[], behaviour: Behaviour): void {
    if (this.closed) return;
    const plan = this.options.faults.delivery(event.topic);
    const targets = webhooks.filter((webhook) => webhook.enabled && (webhook.topics.includes(event.topic) || webhook.topics.includes("*")));
    for (const webhook of targets) {
      const resource = eventResource(event);
      const document = behaviour.deliveryShape === "wrapped" ? { data: resource, included } : { ...resource, included };
      const compact = JSON.stringify(document);
      const body = behaviour.signatureOver === "reserialized" ? JSON.stringify(document, null, 2) : compact;
      const signature = hmacHex(plan.badSignature ? `${webhook.secret}-forged` : webhook.secret, compact);
      for (let copy = 0; copy <= plan.copies; copy += 1) {
        const record: DeliveryRecord = {
          eventId: event.id,
          topic: event.topic,
          webhookId: webhook.id,
          url: webhook.url,
          copy,
          badSignature: plan.badSignature,
          body,
          signature,
          attempts: [],
          state: "held",
          dueAtMs: this.options.nowMs() + plan.lateMs,
        };
        this.records.push(record);
        const batch = this.options.faults.outOfOrderBatch();
        if (batch !== null) {
          this.outOfOrder.push(record);
          if (this.outOfOrder.length >= batch) this.flushOutOfOrder();
        }
      }
    }
    this.sendDue();
  }

  /** Sends every held delivery whose time has come (late deliveries wait for the clock). */
  sendDue(): void {
    const now = this.options.nowMs();
    for (const record of this.records) {
      if (record.state !== "held" || record.dueAtMs > now || this.outOfOrder.includes(record)) continue;
      record.state = "pending";
      const job = this.deliver(record).finally(() => this.inFlight.delete(job));
      this.inFlight.add(job);
    }
  }

  /** Releases an out-of-order batch, newest first. */
  flushOutOfOrder(): void {
    const batch = this.outOfOrder.reverse();
    this.outOfOrder = [];
    // Re-queue in reverse order so sendDue() starts the newest first.
    this.records = [...this.records.filter((record) => !batch.includes(record)), ...batch];
    this.sendDue();
  }

  /** Resolves when every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  forget(): void {
    this.records = [];
    this.outOfOrder = [];
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(record: DeliveryRecord): Promise<void> {
    // Let the API answer go out first, as a real asynchronous delivery would.
    await new Promise((resolve) => setImmediate(resolve));
    const headers = { "Content-Type": "application/vnd.api+json", [SIGNATURE_HEADER]: record.signature };
    const delivered = await postWithRetries({ url: record.url, headers, body: record.body }, this.options.retry, {
      sleep: this.options.sleep,
      stopped: () => this.closed,
      attempts: record.attempts,
    });
    record.state = delivered ? "delivered" : "failed";
    if (!delivered) this.options.log(`webhook ${record.topic} ${record.eventId} to ${record.url} failed after ${record.attempts.length} attempts`);
  }
}
