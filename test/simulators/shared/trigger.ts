/**
 * When a simulator knob fires: for its next `count` matching requests, with probability
 * `rate` (from the simulator's injectable random source), or — with neither — on every
 * matching request. `match` is "METHOD /path-prefix" (e.g. "POST /payments/"); without it,
 * every request of the API the knob belongs to.
 */
import { z } from "zod";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const matchSchema = z
  .string()
  .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'must look like "POST /payments/"')
  .optional();

export const triggerShape = {
  count: z.number().int().min(0).optional(),
  rate: z.number().min(0).max(1).optional(),
  match: matchSchema,
};

export interface Trigger {
  count?: number | undefined;
  rate?: number | undefined;
  match?: string | undefined;
}

export function matchesRequest(trigger: Trigger, method: string, path: string): boolean {
  if (trigger.match === undefined) return true;
  const [wantedMethod, prefix = ""] = trigger.match.split(" ");
  return method === wantedMethod && path.startsWith(prefix);
}

/** Whether the trigger fires for this request; consumes one use of `count` when it does. */
export function fires(trigger: Trigger | undefined, method: string, path: string, random: () => number): boolean {
  if (!trigger || !matchesRequest(trigger, method, path)) return false;
  if (trigger.count !== undefined) {
    if (trigger.count <= 0) return false;
    trigger.count -= 1;
    return true;
  }
  return random() < (trigger.rate ?? 1);
}
