import type { Logger } from "~/lib/logger";
import type { ClaimedJob } from "./claim.server";
import { describeJobFailure, RetryableJobError, TerminalJobError } from "./errors";
import { nextRetryDelayMs, type RetrySchedule } from "./schedule";
import type { JobClient, JobHandlers } from "./types";

export type JobOutcome =
  | { readonly status: "done" }
  | { readonly status: "pending"; readonly delayMs: number; readonly lastError: string }
  | { readonly status: "dead"; readonly lastError: string };

export interface RunJobDeps {
  client: JobClient;
  handlers: JobHandlers;
  workerId: string;
  schedule: RetrySchedule;
  now: () => Date;
  random: () => number;
  logger: Logger;
}

/** Runs a claimed job's handler and records the outcome. Never throws. */
export async function runClaimedJob(job: ClaimedJob, deps: RunJobDeps): Promise<JobOutcome> {
  const outcome = await execute(job, deps);
  await recordOutcome(job, outcome, deps);
  return outcome;
}

async function execute(job: ClaimedJob, deps: RunJobDeps): Promise<JobOutcome> {
  const handler = Object.hasOwn(deps.handlers, job.type) ? deps.handlers[job.type] : undefined;
  if (!handler) return { status: "dead", lastError: `No handler registered for job type "${job.type}"` };
  let payload: unknown;
  try {
    payload = JSON.parse(job.payload);
  } catch {
    return { status: "dead", lastError: "Payload is not valid JSON" };
  }
  const logger = deps.logger.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
  try {
    await handler(payload, {
      jobId: job.id,
      attempt: job.attempts,
      shopId: job.shopId,
      now: deps.now(),
      finalAttempt: job.attempts >= job.maxAttempts,
      logger,
    });
    return { status: "done" };
  } catch (error) {
    return outcomeOfFailure(job, error, deps);
  }
}

/** Pure: what a failure means for the job, given how many attempts it has used. */
export function outcomeOfFailure(job: Pick<ClaimedJob, "attempts" | "maxAttempts">, error: unknown, deps: Pick<RunJobDeps, "schedule" | "random">): JobOutcome {
  const lastError = describeJobFailure(error);
  if (error instanceof TerminalJobError) return { status: "dead", lastError };
  if (job.attempts >= job.maxAttempts) return { status: "dead", lastError: `Attempts exhausted (${job.attempts}): ${lastError}` };
  const retryAfterMs = error instanceof RetryableJobError ? error.retryAfterMs : undefined;
  return { status: "pending", delayMs: nextRetryDelayMs(deps.schedule, job.attempts, deps.random, retryAfterMs), lastError };
}

/**
 * Writes the outcome only while the claim is still ours (same worker, same attempt). If our
 * lease expired and another worker took the job over, its run is the one that counts.
 */
async function recordOutcome(job: ClaimedJob, outcome: JobOutcome, deps: RunJobDeps): Promise<void> {
  const now = deps.now();
  const released = { lockedBy: null, lockedUntil: null };
  const data =
    outcome.status === "done"
      ? { ...released, status: "done", lastError: null }
      : outcome.status === "pending"
        ? { ...released, status: "pending", runAt: new Date(now.getTime() + outcome.delayMs), lastError: outcome.lastError }
        : { ...released, status: "dead", lastError: outcome.lastError };
  const fields = {
    jobId: job.id,
    jobType: job.type,
    attempt: job.attempts,
    outcome: outcome.status,
    ...(outcome.status === "pending" ? { delayMs: outcome.delayMs } : {}),
    ...(outcome.status === "done" ? {} : { reason: outcome.lastError }),
  };
  try {
    const { count } = await deps.client.job.updateMany({
      where: { id: job.id, status: "running", lockedBy: deps.workerId, attempts: job.attempts },
      data,
    });
    if (count !== 1) {
      deps.logger.warn(fields, "job outcome discarded: the lease passed to another worker");
      return;
    }
  } catch (error) {
    // The job stays running until its lease expires, then runs again: at least once.
    deps.logger.error({ ...fields, errorName: error instanceof Error ? error.name : typeof error }, "job outcome not recorded");
    return;
  }
  if (outcome.status === "done") deps.logger.info(fields, "job done");
  else if (outcome.status === "pending") deps.logger.warn(fields, "job failed, will retry");
  else deps.logger.error(fields, "job dead");
}
