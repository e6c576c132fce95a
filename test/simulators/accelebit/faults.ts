/**
 * Fault injection for the sandbox's API endpoints (/v1/customers, /v1/payments, /v1/refunds;
 * never the 3-D Secure pages or /__sandbox/). Set as start options, with setFaults(), or via
 * POST /__sandbox/faults from another process.
 *
 * Each fault fires for its next `count` matching requests, or with probability `rate`
 * (drawn from the injectable random source), or — with neither — on every matching request.
 * `match` is "METHOD /path-prefix", e.g. "POST /v1/payments"; without it, every API request.
 */
import { z } from "zod";
import { fires } from "../shared/trigger";

const match = z
  .string()
  .regex(/^(GET|POST) \/\S*$/, 'must look like "POST /v1/payments"')
  .optional();
const trigger = {
  count: z.number().int().min(0).optional(),
  rate: z.number().min(0).max(1).optional(),
  match,
};

export const faultSettingsSchema = z.strictObject({
  /** Added delay before a request is processed (after its Idempotency-Key is registered). */
  latency: z.strictObject({ ms: z.number().int().min(0).max(120_000), ...trigger }).optional(),
  /** 5xx answers; `afterRecording` processes (and records) the request first, then answers 5xx. */
  serverErrors: z.strictObject({ status: z.number().int().min(500).max(599).optional(), afterRecording: z.boolean().optional(), ...trigger }).optional(),
  /** 429 with Retry-After (seconds), before anything is processed. */
  rateLimit: z.strictObject({ retryAfterSeconds: z.number().int().min(0).optional(), ...trigger }).optional(),
  /** The request is processed and recorded, then the connection is closed without an answer. */
  dropConnection: z.strictObject(trigger).optional(),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export const API_PATH = /^\/v1\/(customers|payments|refunds)(\/|$)/;

export type BeforeFault = { kind: "rate_limit"; retryAfterSeconds: number } | { kind: "server_error"; status: number } | null;
export type AfterFault = { kind: "drop" } | { kind: "server_error"; status: number } | null;

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
    const latency = this.settings.latency;
    return latency && fires(latency, method, path, this.random) ? latency.ms : 0;
  }

  before(method: string, path: string): BeforeFault {
    const { rateLimit, serverErrors } = this.settings;
    if (fires(rateLimit, method, path, this.random)) return { kind: "rate_limit", retryAfterSeconds: rateLimit?.retryAfterSeconds ?? 1 };
    if (serverErrors && !serverErrors.afterRecording && fires(serverErrors, method, path, this.random)) {
      return { kind: "server_error", status: serverErrors.status ?? 500 };
    }
    return null;
  }

  after(method: string, path: string): AfterFault {
    const { dropConnection, serverErrors } = this.settings;
    if (fires(dropConnection, method, path, this.random)) return { kind: "drop" };
    if (serverErrors?.afterRecording && fires(serverErrors, method, path, this.random)) return { kind: "server_error", status: serverErrors.status ?? 500 };
    return null;
  }
}
