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

/** Candidates read per query; a handful covers the other workers' share of a race. */
const SCAN_SIZE = 10;
/**
 * Scans per call. Each scan that claims nothing saw its candidates taken by others, so
 * under heavy contention giving up is fine: the caller's next pass looks again. The bound
 * only keeps a surprise (a row the query finds but the update never matches) from spinning.
 */
const MAX_SCANS = 20;

export const LOST_ON_FINAL_ATTEMPT = "Worker lost during the final attempt (lease expired)";

/**
 * Due: pending and runAt reached, or running with an expired lease, i.e. a worker that
 * crashed or hung mid-run (the job is at least once: handlers must be idempotent).
 */
function dueWhere(now: Date) {
  return {
    OR: [
      { status: "pending", runAt: { lte: now } },
      { status: "running", lockedUntil: { lt: now } },
    ],
  };
}

/**
 * Claims the next due job (oldest runAt first) or returns null when none is due. Counts the
 * run as an attempt at claim time, so a job that crashes its worker every time still
 * exhausts its attempts instead of looping forever.
 */
export async function claimNextJob(client: JobClient, options: ClaimOptions): Promise<ClaimedJob | null> {
  for (let scan = 0; scan < MAX_SCANS; scan++) {
    const candidates = await client.job.findMany({
      where: dueWhere(options.now),
      orderBy: [{ runAt: "asc" }, { id: "asc" }],
      take: SCAN_SIZE,
      select: { id: true, type: true, payload: true, shopId: true, attempts: true, maxAttempts: true, status: true },
    });
    if (candidates.length === 0) return null;
    for (const candidate of candidates) {
      const claimed = await tryClaim(client, candidate, options);
      if (claimed) return claimed;
    }
    // Every candidate went to another worker (or died): they are no longer due, look again.
  }
  return null;
}

/**
 * Compare-and-set: the update only matches while the row is still due and its attempts are
 * what we read. Every claim increments attempts, so it doubles as a version number. On
 * PostgreSQL a concurrent claimer blocks on the row lock, then re-evaluates this WHERE
 * against the committed row and matches nothing: exactly one worker gets count = 1.
 */
async function tryClaim(client: JobClient, candidate: ClaimedJob & { status: string }, options: ClaimOptions): Promise<ClaimedJob | null> {
  const unchanged = { id: candidate.id, attempts: candidate.attempts, ...dueWhere(options.now) };
  if (candidate.status === "running" && candidate.attempts >= candidate.maxAttempts) {
    // Its last attempt was lost with its worker: running it again would exceed maxAttempts.
    const { count } = await client.job.updateMany({
      where: unchanged,
      data: { status: "dead", lockedBy: null, lockedUntil: null, lastError: LOST_ON_FINAL_ATTEMPT },
    });
    if (count === 1) {
      options.logger.error({ jobId: candidate.id, jobType: candidate.type, attempt: candidate.attempts, outcome: "dead" }, "job lost on its final attempt");
    }
    return null;
  }
  const { count } = await client.job.updateMany({
    where: unchanged,
    data: {
      status: "running",
      attempts: { increment: 1 },
      lockedBy: options.workerId,
      lockedUntil: new Date(options.now.getTime() + options.leaseMs),
    },
  });
  if (count !== 1) return null;
  const { status: _status, ...job } = candidate;
  return { ...job, attempts: candidate.attempts + 1 };
}
