import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { db } from "~/db.server";
import type { Logger } from "~/lib/logger";
import { claimNextJob } from "./claim.server";
import { runClaimedJob, type RunJobDeps } from "./run-job.server";
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from "./schedule";
import type { JobClient, JobHandlers } from "./types";

export interface WorkerOptions {
  handlers: JobHandlers;
  logger: Logger;
  /** How often an idle worker looks for due jobs (wake() cuts the wait short). Default 5 s. */
  pollIntervalMs?: number;
  /**
   * How long a claim holds. A handler still running after it may be run a second time by
   * another worker, so keep it well above the slowest handler. Default 5 min.
   */
  leaseMs?: number;
  /** Jobs run at once by this worker. Default 4. */
  concurrency?: number;
  /** The clock for runAt and leases; tests move it forward instead of sleeping. */
  now?: () => Date;
  /** [0, 1), for the backoff jitter. */
  random?: () => number;
  /** Written to Job.lockedBy; unique per process by default. */
  workerId?: string;
  /** Defaults to the process-wide client. */
  client?: JobClient;
  schedule?: RetrySchedule;
}

export interface Worker {
  readonly id: string;
  /** Polls in the background until stop(). */
  start(): void;
  /** Stops claiming, then waits for the handlers already running. */
  stop(): Promise<void>;
  /** Runs every job due now (until none is left) and resolves with how many ran. */
  runDueJobs(): Promise<number>;
  /** Looks for due jobs now instead of at the next poll, e.g. right after an enqueue commits. */
  wake(): void;
}

export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollIntervalMs = options.pollIntervalMs ?? 5_000;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("createWorker: concurrency must be a positive integer");
  const logger = options.logger.child({ workerId: id });
  const now = options.now ?? (() => new Date());
  const client = options.client ?? db();
  const deps: RunJobDeps = {
    client,
    handlers: options.handlers,
    workerId: id,
    schedule: options.schedule ?? DEFAULT_RETRY_SCHEDULE,
    now,
    random: options.random ?? Math.random,
    logger,
  };

  let stopping = false;
  let loop: Promise<void> | null = null;
  let woken = false;
  let interruptSleep: (() => void) | null = null;
  const passes = new Set<Promise<number>>();

  /** One slot claims and runs jobs one after another until nothing is due. */
  async function slot(): Promise<number> {
    let ran = 0;
    while (!stopping) {
      const job = await claimNextJob(client, { workerId: id, leaseMs, now: now(), logger });
      if (!job) break;
      await runClaimedJob(job, deps);
      ran++;
    }
    return ran;
  }

  async function pass(): Promise<number> {
    const results = await Promise.allSettled(Array.from({ length: concurrency }, slot));
    // Settle every slot before reporting a failure, so no handler is left running unobserved.
    const failure = results.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
    return results.reduce((sum, r) => sum + (r.status === "fulfilled" ? r.value : 0), 0);
  }

  function runDueJobs(): Promise<number> {
    const running = pass();
    passes.add(running);
    const forget = () => passes.delete(running);
    running.then(forget, forget);
    return running;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      interruptSleep = done;
      function done() {
        clearTimeout(timer);
        interruptSleep = null;
        resolve();
      }
    });
  }

  async function poll(): Promise<void> {
    while (!stopping) {
      woken = false;
      try {
        await runDueJobs();
      } catch (error) {
        // Typically the database is unreachable: say so and try again at the next poll.
        logger.error({ errorName: error instanceof Error ? error.name : typeof error }, "job poll failed");
      }
      // A wake() during the pass may announce a job committed after our last look.
      if (!stopping && !woken) {
        logger.debug({ pollIntervalMs }, "job worker idle");
        await sleep(pollIntervalMs);
      }
    }
  }

  return {
    id,
    start() {
      if (loop) return;
      stopping = false;
      loop = poll();
      logger.info({ pollIntervalMs, leaseMs, concurrency }, "job worker started");
    },
    async stop() {
      stopping = true;
      interruptSleep?.();
      await loop;
      loop = null;
      await Promise.allSettled([...passes]);
      logger.info("job worker stopped");
    },
    runDueJobs,
    wake() {
      woken = true;
      interruptSleep?.();
    },
  };
}
