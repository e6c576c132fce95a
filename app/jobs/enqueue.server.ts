import { DEFAULT_MAX_ATTEMPTS } from "./schedule";
import type { JobClient, JobRow, JsonValue } from "./types";
import { isUniqueViolation } from "~/lib/db-errors";

export interface EnqueueJobInput {
  type: string;
  payload: JsonValue;
  /** Makes enqueueing idempotent: a second enqueue with the same key returns the first job. */
  dedupeKey?: string;
  shopId?: string;
  /** Defaults to now. */
  runAt?: Date;
  /** Defaults to DEFAULT_MAX_ATTEMPTS (at least 24 h of retries). */
  maxAttempts?: number;
}

export interface EnqueueResult {
  job: JobRow;
  /** False when dedupeKey matched a job that already existed. */
  created: boolean;
}

/**
 * Writes a job. Pass the transaction client of the state change the job announces
 * (`db().$transaction(async (tx) => { …; await enqueueJob(tx, …) })`): then the job exists
 * if and only if the change committed. Wake a worker only after the commit; before it, the
 * job is invisible to other connections.
 */
export async function enqueueJob(client: JobClient, input: EnqueueJobInput): Promise<EnqueueResult> {
  const data = toRow(input);
  if (data.dedupeKey === null) return { job: await client.job.create({ data }), created: true };

  // Check first: the common duplicate (a retried request, a redelivered webhook) is answered
  // without a failed statement, which on PostgreSQL would abort the caller's transaction.
  const existing = await client.job.findUnique({ where: { dedupeKey: data.dedupeKey } });
  if (existing) return { job: existing, created: false };

  const job = await insertUnlessDuplicate(client, data);
  if (job) return { job, created: true };
  // Another transaction inserted the same key between our check and our insert.
  return { job: await client.job.findUniqueOrThrow({ where: { dedupeKey: data.dedupeKey } }), created: false };
}

export type JobData = Pick<JobRow, "type" | "payload" | "dedupeKey" | "shopId" | "runAt" | "maxAttempts">;

/** The Job columns enqueueJob writes for this input (the intakes write them without Prisma). */
export function toRow(input: EnqueueJobInput): JobData {
  if (!input.type) throw new TypeError("enqueueJob: type is required");
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError("enqueueJob: maxAttempts must be a positive integer");
  if (input.dedupeKey === "") throw new TypeError("enqueueJob: dedupeKey must not be empty");
  // The static type already excludes undefined, functions and symbols; this catches what
  // slips past it at run time (a class instance with toJSON returning undefined, a BigInt).
  const payload = JSON.stringify(input.payload) as string | undefined;
  if (payload === undefined) throw new TypeError("enqueueJob: payload is not JSON-serialisable");
  return {
    type: input.type,
    payload,
    dedupeKey: input.dedupeKey ?? null,
    shopId: input.shopId ?? null,
    runAt: input.runAt ?? new Date(),
    maxAttempts,
  };
}

/**
 * Inserts the row, or returns null when its dedupeKey is taken. Two concurrent transactions
 * with the same new key both pass the check; the second insert waits for the first to commit
 * and then fails. Outside a transaction that failure is harmless. Inside one, PostgreSQL
 * would refuse every later statement of the caller's transaction, so the insert runs under a
 * savepoint and only the savepoint is rolled back (SQLite understands the same statements).
 */
async function insertUnlessDuplicate(client: JobClient, data: JobData): Promise<JobRow | null> {
  if (!isTransactionClient(client)) {
    try {
      return await client.job.create({ data });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
  await client.$executeRawUnsafe("SAVEPOINT enqueue_job");
  try {
    const job = await client.job.create({ data });
    await client.$executeRawUnsafe("RELEASE SAVEPOINT enqueue_job");
    return job;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await client.$executeRawUnsafe("ROLLBACK TO SAVEPOINT enqueue_job");
    await client.$executeRawUnsafe("RELEASE SAVEPOINT enqueue_job");
    return null;
  }
}

/** Interactive-transaction clients are the full client minus $transaction (and $connect, …). */
function isTransactionClient(client: JobClient): boolean {
  return !("$transaction" in client);
}
