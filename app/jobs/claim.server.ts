import { providerOf } from "~/db.server";
import { config } from "~/lib/config.server";
import type { Logger } from "~/lib/logger";
import type { JobClient, JobRow } from "./types";

/** What a worker needs of a job it has claimed. */
export type ClaimedJob = Pick<JobRow, "id" | "type" | "payload" | "shopId" | "attempts" | "maxAttempts">;

export interface ClaimOptions {
  workerId: string;
  /** How long the claim holds before another worker may take the job over. */
  leaseMs: number;
  now: Date;
  logger: Logger;
}

export const LOST_ON_FINAL_ATTEMPT = "Worker lost during the final attempt (lease expired)";

/**
 * Claims the next due job (oldest runAt first) or returns null when none is due. Counts the
 * run as an attempt at claim time, so a job that crashes its worker every time still
 * exhausts its attempts instead of looping forever.
 */
export async function claimNextJob(client: JobClient, options: ClaimOptions): Promise<ClaimedJob | null> {
  const claimed = await claimInOneStatement(client, options);
  if (claimed === null) return null;
  const { status, ...job } = claimed;
  if (status === "dead") {
    options.logger.error({ jobId: job.id, jobType: job.type, attempt: job.attempts, outcome: "dead" }, "job lost on its final attempt");
    // Its last attempt was lost with its worker: look for the next due job instead.
    return claimNextJob(client, options);
  }
  return job;
}

/**
 * The oldest due job, claimed in one statement (docs/decisions/one-statement-job-claims.md):
 * on PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so concurrent
 * workers each take a different job instead of racing for the same ones; SQLite has one
 * writer and runs the statement atomically. A running job whose lease expired on its final
 * attempt is marked dead instead (running it again would exceed maxAttempts). Counts the
 * run as an attempt at claim time, so a job that crashes its worker every time still
 * exhausts its attempts instead of looping forever.
 */
async function claimInOneStatement(client: JobClient, options: ClaimOptions): Promise<(ClaimedJob & { status: string }) | null> {
  const postgres = providerOf(config().DATABASE_URL) === "postgresql";
  // PostgreSQL is told the types (Prisma sends raw parameters untyped); SQLite compares the text Prisma stores.
  const p = (n: number) => (postgres ? `$${n}${n === 1 || n === 3 ? "::timestamp(3)" : n === 2 || n === 4 ? "::text" : ""}` : `?${n}`);
  const lost = `"status" = 'running' AND "attempts" >= "maxAttempts"`;
  const sql = `UPDATE "Job" SET
      "status" = CASE WHEN ${lost} THEN 'dead' ELSE 'running' END,
      "lastError" = CASE WHEN ${lost} THEN ${p(4)} ELSE "lastError" END,
      "lockedBy" = CASE WHEN ${lost} THEN NULL ELSE ${p(2)} END,
      "lockedUntil" = CASE WHEN ${lost} THEN NULL ELSE ${p(3)} END,
      "attempts" = CASE WHEN ${lost} THEN "attempts" ELSE "attempts" + 1 END,
      "updatedAt" = ${p(1)}
    WHERE "id" = (
      SELECT "id" FROM "Job"
      WHERE ("status" = 'pending' AND "runAt" <= ${p(1)}) OR ("status" = 'running' AND "lockedUntil" < ${p(1)})
      ORDER BY "runAt" ASC, "id" ASC LIMIT 1${postgres ? " FOR UPDATE SKIP LOCKED" : ""}
    )
    RETURNING "id", "type", "payload", "shopId", "attempts", "maxAttempts", "status"`;
  const rows = await client.$queryRawUnsafe<(ClaimedJob & { status: string })[]>(
    sql,
    options.now,
    options.workerId,
    new Date(options.now.getTime() + options.leaseMs),
    LOST_ON_FINAL_ATTEMPT,
  );
  const row = rows[0];
  return row ? { ...row, attempts: Number(row.attempts), maxAttempts: Number(row.maxAttempts) } : null;
}
