import type { Prisma } from "~/db.server";
import type { Logger } from "~/lib/logger";

/** The lifecycle of a job row. `dead` rows are kept on purpose: they are the visible problems. */
export const JOB_STATUSES = ["pending", "running", "done", "dead"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * The Prisma client or an interactive-transaction client. Taking the narrower transaction
 * type lets callers enqueue inside `db().$transaction(async (tx) => …)`, next to the state
 * change the job announces, so both commit or neither does.
 */
export type JobClient = Prisma.TransactionClient;

/** A job row as stored. */
export type JobRow = Prisma.JobGetPayload<true>;

/** What a payload may hold: it is stored as JSON text. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface JobContext {
  readonly jobId: string;
  /** 1 for the first run, 2 for the first retry, … */
  readonly attempt: number;
  readonly shopId: string | null;
  /** The worker's clock when the job was claimed (tests move it instead of waiting). */
  readonly now: Date;
  /** No run comes after this one if it fails: a handler holding something sensitive erases it. */
  readonly finalAttempt: boolean;
  /** Already carries jobId, jobType and attempt. */
  readonly logger: Logger;
}

/**
 * Does the work of one job type. The payload is untrusted JSON (it may have been written by
 * an older version of the app): validate it, e.g. with `jobHandler(schema, run)`. Resolving
 * means done; throwing RetryableJobError / TerminalJobError decides what happens next, and
 * any other error counts as retryable.
 */
export type JobHandler = (payload: unknown, context: JobContext) => Promise<void>;

export type JobHandlers = Readonly<Record<string, JobHandler>>;
