/**
 * Webhook delivery: payment.captured, payment.failed and refund.created, POSTed to the
 * account's configured URL, signed, and retried with exponential backoff while the receiver
 * fails. Every attempt of one event carries the same event id, so receivers can deduplicate.
 *
 * The signature follows the app's documented decision (HMAC-SHA256 of the raw body, hex, in
 * the header named by the shared constant), but is computed here with node:crypto directly.
 */
import { createHmac, randomUUID } from "node:crypto";
import { ACCELEBIT_WEBHOOK_SIGNATURE_HEADER } from "~/accelebit/webhook-signature";
import type { WebhookTarget } from "./store";

export type WebhookEventType = "payment.captured" | "payment.failed" | "refund.created";

export interface DeliveryRecord {
  eventId: string;
  type: WebhookEventType;
  url: string;
  objectId: string;
  attempts: { status: number | null; error?: string }[];
  state: "held" | "pending" | "delivered" | "failed";
}

interface HeldEvent {
  target: WebhookTarget;
  rawBody: string;
  record: DeliveryRecord;
}

export interface WebhookRetry {
  maxAttempts: number;
  baseDelayMs: number;
}

export class WebhookDispatcher {
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private heldEvents: HeldEvent[] = [];
  private holding = false;
  private closed = false;

  constructor(
    private readonly options: {
      now: () => Date;
      retry: WebhookRetry;
      sleep: (ms: number) => Promise<void>;
      log: (line: string) => void;
    },
  ) {}

  deliveries(): DeliveryRecord[] {
    return structuredClone(this.records);
  }

  enqueue(target: WebhookTarget | null, type: WebhookEventType, data: { id: string } & Record<string, unknown>): void {
    if (!target || this.closed) return;
    const event = { id: `evt_${randomUUID()}`, type, createdAt: this.options.now().toISOString(), data };
    const record: DeliveryRecord = { eventId: event.id, type, url: target.url, objectId: data.id, attempts: [], state: this.holding ? "held" : "pending" };
    this.records.push(record);
    if (this.holding) {
      this.heldEvents.push({ target, rawBody: JSON.stringify(event), record });
      return;
    }
    this.track(this.deliver(target, JSON.stringify(event), record));
  }

  /** Held: events wait in a queue until released (a gateway whose deliveries run late). */
  setHeld(holding: boolean): void {
    this.holding = holding;
  }

  held(): { eventId: string; type: string; objectId: string }[] {
    return this.heldEvents.map(({ record }) => ({ eventId: record.eventId, type: record.type, objectId: record.objectId }));
  }

  /** Delivers held events one after the other, in the asked order, each once or twice; resolves when done. */
  async release(options: { order?: "fifo" | "lifo"; eventIds?: string[]; twice?: boolean } = {}): Promise<number> {
    let chosen = options.eventIds ? options.eventIds.flatMap((id) => this.heldEvents.filter((event) => event.record.eventId === id)) : [...this.heldEvents];
    if (options.order === "lifo") chosen = chosen.reverse();
    this.heldEvents = this.heldEvents.filter((event) => !chosen.includes(event));
    for (const event of chosen) {
      event.record.state = "pending";
      for (let copy = 0; copy < (options.twice ? 2 : 1); copy++) await this.track(this.deliver(event.target, event.rawBody, event.record, false));
    }
    return chosen.length;
  }

  private track(delivery: Promise<void>): Promise<void> {
    const job = delivery.finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
    return job;
  }

  /** Resolves when every delivery enqueued so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Forgets the delivery records (sandbox reset); deliveries still running finish unrecorded. */
  forget(): void {
    this.records.length = 0;
    this.heldEvents = [];
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(target: WebhookTarget, rawBody: string, record: DeliveryRecord, afterAnswer = true): Promise<void> {
    // Let the API answer go out first, as a real gateway's asynchronous delivery would.
    if (afterAnswer) await new Promise((resolve) => setImmediate(resolve));
    const signature = createHmac("sha256", target.secret).update(rawBody, "utf8").digest("hex");
    for (let attempt = 1; attempt <= this.options.retry.maxAttempts && !this.closed; attempt += 1) {
      try {
        const response = await fetch(target.url, {
          method: "POST",
          headers: { "Content-Type": "application/json", [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: signature },
          body: rawBody,
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        record.attempts.push({ status: response.status });
        if (response.ok) {
          record.state = "delivered";
          return;
        }
      } catch (error) {
        record.attempts.push({ status: null, error: error instanceof Error ? error.message : String(error) });
      }
      if (attempt < this.options.retry.maxAttempts) await this.options.sleep(this.options.retry.baseDelayMs * 2 ** (attempt - 1));
    }
    record.state = "failed";
    this.options.log(`webhook ${record.type} ${record.eventId} to ${record.url} failed after ${record.attempts.length} attempts`);
  }
}
