/**
 * One request budget per Accrue environment for the whole process
 * (docs/decisions/accrue-a13-rate-budget.md): Accrue limits by egress IP, so every shop's
 * requests draw from the same bucket, and a 429 pauses all of them, not just the request that
 * got it.
 *
 * A token bucket holding one second's worth of requests, refilled continuously at
 * `perMinute / 60 000` per millisecond. Waiters are served in arrival order.
 */
export interface RateBudget {
  /** Resolves when one request may be sent. */
  acquire(): Promise<void>;
  /** After a 429: nobody sends before `ms` from now. */
  pause(ms: number): void;
}

export interface RateBudgetOptions {
  readonly perMinute: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The document's 10,000 per minute, less a margin for clocks and other tools on the same IP. */
export const DEFAULT_REQUESTS_PER_MINUTE = 8_000;

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  if (!Number.isFinite(options.perMinute) || options.perMinute <= 0) throw new RangeError("perMinute must be positive");
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const ratePerMs = options.perMinute / 60_000;
  const capacity = Math.max(1, Math.floor(options.perMinute / 60));
  let tokens = capacity;
  let refilledAt = now();
  let pausedUntil = 0;
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const at = now();
    tokens = Math.min(capacity, tokens + (at - refilledAt) * ratePerMs);
    refilledAt = at;
  };

  async function take(): Promise<void> {
    for (;;) {
      const pauseLeft = pausedUntil - now();
      if (pauseLeft > 0) {
        await sleep(pauseLeft);
        continue;
      }
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - tokens) / ratePerMs));
    }
  }

  return {
    acquire() {
      const turn = queue.then(take);
      queue = turn.catch(() => {});
      return turn;
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}

const shared = new Map<string, RateBudget>();

/**
 * The process-wide budget of one environment ("sandbox" or "live"). The first caller's
 * `perMinute` fixes it (configuration divides the account's limit across instances).
 */
export function sharedRateBudget(environment: string, perMinute = DEFAULT_REQUESTS_PER_MINUTE): RateBudget {
  let budget = shared.get(environment);
  if (!budget) {
    budget = createRateBudget({ perMinute });
    shared.set(environment, budget);
  }
  return budget;
}
