/**
 * Durable background work (the outbox): a job is written in the same transaction as the
 * state change that needs it, and a worker delivers it with backoff and jitter for at least
 * 24 hours; a job that exhausts its attempts stays in the table as `dead`, visible and
 * retryable. Delivery is at least once, so handlers must be idempotent.
 *
 * | piece                         | module                |
 * |-------------------------------|-----------------------|
 * | enqueue (dedupe, transaction) | enqueue.server.ts     |
 * | retry schedule (24 h window)  | schedule.ts           |
 * | claiming with leases (CAS)    | claim.server.ts       |
 * | running and outcomes          | run-job.server.ts     |
 * | the polling worker            | worker.server.ts      |
 * | dead jobs and queue stats     | visibility.server.ts  |
 */
export { enqueueJob, toRow as jobRowOf, type EnqueueJobInput, type EnqueueResult } from "./enqueue.server";
export { RetryableJobError, TerminalJobError } from "./errors";
export { jobHandler } from "./handler";
export { firstSentAt } from "./first-sent.server";
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_SCHEDULE,
  maximumRetryWindowMs,
  minimumRetryWindowMs,
  nextRetryDelayMs,
  retryDelayMs,
  type RetrySchedule,
} from "./schedule";
export { createWorker, type Worker, type WorkerOptions } from "./worker.server";
export { jobQueueStats, listDeadJobs, retryDeadJob, type DeadJob, type JobQueueStats } from "./visibility.server";
export type { JobClient, JobContext, JobHandler, JobHandlers, JobRow, JobStatus, JsonValue } from "./types";
