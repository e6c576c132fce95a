import { db } from "~/db.server";
import { JOB_STATUSES, type JobClient, type JobRow, type JobStatus } from "./types";

/** A dead job as the dashboard shows it. The payload is left out: it may hold customer data. */
export type DeadJob = Pick<JobRow, "id" | "type" | "shopId" | "attempts" | "maxAttempts" | "lastError" | "dedupeKey" | "createdAt" | "updatedAt">;

const DEAD_JOB_FIELDS = {
  id: true,
  type: true,
  shopId: true,
  attempts: true,
  maxAttempts: true,
  lastError: true,
  dedupeKey: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Dead jobs, most recently failed first; one shop's when shopId is given. */
export async function listDeadJobs(shopId?: string, options: { limit?: number; client?: JobClient } = {}): Promise<DeadJob[]> {
  const client = options.client ?? db();
  return client.job.findMany({
    where: { status: "dead", ...(shopId === undefined ? {} : { shopId }) },
    orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
    take: options.limit ?? 100,
    select: DEAD_JOB_FIELDS,
  });
}

/**
 * Gives a dead job a fresh set of attempts, due now (after the cause was fixed). lastError is
 * kept until the next run, as the reason it was dead. Returns false when the job is not dead.
 */
export async function retryDeadJob(id: string, options: { now?: Date; client?: JobClient } = {}): Promise<boolean> {
  const client = options.client ?? db();
  const { count } = await client.job.updateMany({
    where: { id, status: "dead" },
    data: { status: "pending", attempts: 0, runAt: options.now ?? new Date(), lockedBy: null, lockedUntil: null },
  });
  return count === 1;
}

export interface JobQueueStats {
  counts: Record<JobStatus, number>;
  /** How long the oldest due pending job has been waiting; null when none is due. A growing value means no worker keeps up. */
  oldestDuePendingAgeMs: number | null;
}

export async function jobQueueStats(options: { now?: Date; client?: JobClient } = {}): Promise<JobQueueStats> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const [groups, oldest] = await Promise.all([
    client.job.groupBy({ by: ["status"], _count: { _all: true } }),
    client.job.findFirst({ where: { status: "pending", runAt: { lte: now } }, orderBy: { runAt: "asc" }, select: { runAt: true } }),
  ]);
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  for (const group of groups) {
    if ((JOB_STATUSES as readonly string[]).includes(group.status)) counts[group.status as JobStatus] = group._count._all;
  }
  return { counts, oldestDuePendingAgeMs: oldest ? now.getTime() - oldest.runAt.getTime() : null };
}
