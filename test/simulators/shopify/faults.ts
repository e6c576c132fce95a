import { z } from "zod";

/**
 * Failure injection for the GraphQL endpoint.
 *
 * - `http-5xx`          HTTP `status` (default 503) with Shopify's plain error body.
 * - `throttled`         HTTP 200, errors[0].extensions.code THROTTLED and an empty cost bucket.
 * - `internal-error`    HTTP 200, errors[0].extensions.code INTERNAL_SERVER_ERROR.
 * - `hang`              no answer at all until the client gives up or the simulator closes/resets.
 * - `connection-reset`  the TCP connection is destroyed without an answer.
 *
 * `phase: "before"` (default) fails the request before execution: nothing lands.
 * `phase: "after"` executes it first and then loses the answer: the mutation landed, the caller does
 * not know — the case idempotent retries exist for. Throttling only happens before execution.
 *
 * `count` hits the next N matching requests; `share` hits that fraction of matching requests until
 * cleared, spread evenly and deterministically (share 0.5 → the 2nd, 4th, 6th…) so tests do not flake.
 */
export const FAULT_KINDS = ["http-5xx", "throttled", "internal-error", "hang", "connection-reset"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSpecSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    count: z.number().int().positive().optional(),
    share: z.number().gt(0).lte(1).optional(),
    /** Root fields to target, e.g. ["paymentSessionResolve"]; all requests when absent. */
    fields: z.array(z.string()).optional(),
    phase: z.enum(["before", "after"]).optional(),
    status: z.number().int().min(500).max(599).optional(),
  })
  .refine((spec) => spec.count === undefined || spec.share === undefined, { message: "Use count or share, not both" })
  .refine((spec) => !(spec.kind === "throttled" && spec.phase === "after"), {
    message: "Throttling rejects a request before it runs; phase 'after' makes no sense for it",
  });

export type FaultSpec = z.input<typeof faultSpecSchema>;

export interface InjectedFault {
  kind: FaultKind;
  phase: "before" | "after";
  fields: string[];
  shop: string;
}

/** The fault to apply to one request, if any. */
export interface FaultDecision {
  kind: FaultKind;
  phase: "before" | "after";
  status: number;
}

interface ActiveFault {
  spec: z.output<typeof faultSpecSchema>;
  matched: number;
  hits: number;
}

export class FaultPlan {
  private active: ActiveFault[] = [];
  readonly injected: InjectedFault[] = [];

  add(specs: FaultSpec | readonly FaultSpec[]): void {
    const list = Array.isArray(specs) ? specs : [specs];
    for (const spec of list) this.active.push({ spec: faultSpecSchema.parse(spec), matched: 0, hits: 0 });
  }

  clear(): void {
    this.active = [];
    this.injected.length = 0;
  }

  /** Faults still able to fire (share-based ones stay until cleared). */
  get pending(): number {
    return this.active.filter((fault) => !isUsedUp(fault)).length;
  }

  /** Called once per authenticated GraphQL request; the first matching fault in injection order wins. */
  decide(fields: readonly string[], shop: string): FaultDecision | null {
    for (const fault of this.active) {
      if (isUsedUp(fault) || !matches(fault, fields)) continue;
      fault.matched += 1;
      if (!firesNow(fault)) continue;
      fault.hits += 1;
      const phase = fault.spec.phase ?? "before";
      this.injected.push({ kind: fault.spec.kind, phase, fields: [...fields], shop });
      return { kind: fault.spec.kind, phase, status: fault.spec.status ?? 503 };
    }
    return null;
  }
}

function isUsedUp(fault: ActiveFault): boolean {
  return fault.spec.share === undefined && fault.hits >= (fault.spec.count ?? 1);
}

function matches(fault: ActiveFault, fields: readonly string[]): boolean {
  const targets = fault.spec.fields;
  return targets === undefined || fields.some((field) => targets.includes(field));
}

function firesNow(fault: ActiveFault): boolean {
  const share = fault.spec.share;
  if (share === undefined) return true;
  return Math.floor(fault.matched * share) > Math.floor((fault.matched - 1) * share);
}
