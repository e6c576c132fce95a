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
  state: "pending" | "delivered" | "failed";
}

export interface WebhookRetry {
  maxAttempts: number;
  baseDelayMs: number;
}

export class WebhookDispatcher {
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
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
    const record: DeliveryRecord = { eventId: event.id, type, url: target.url, objectId: data.id, attempts: [], state: "pending" };
    this.records.push(record);
    const job = this.deliver(target, JSON.stringify(event), record).finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  /** Resolves when every delivery enqueued so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Forgets the delivery records (sandbox reset); deliveries still running finish unrecorded. */
  forget(): void {
    this.records.length = 0;
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(target: WebhookTarget, rawBody: string, record: DeliveryRecord): Promise<void> {
    // Let the API answer go out first, as a real gateway's asynchronous delivery would.
    await new Promise((resolve) => setImmediate(resolve));
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
