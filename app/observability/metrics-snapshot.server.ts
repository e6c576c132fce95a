import { db } from "~/db.server";
import { jobQueueStats } from "~/jobs";
import { jobs, oldestDueJobAge, paymentSessions, registry, retriedJobs } from "~/observability/metrics.server";

/** The Prometheus text of this process, with the database gauges read now. */
export async function metricsText(): Promise<string> {
  const [byStatus, queue, retried] = await Promise.all([
    db().paymentSession.groupBy({ by: ["status"], _count: { _all: true } }),
    jobQueueStats(),
    db().job.groupBy({ by: ["status"], where: { attempts: { gt: 1 } }, _count: { _all: true } }),
  ]);
  paymentSessions.reset();
  for (const row of byStatus) paymentSessions.set({ status: row.status }, row._count._all);
  for (const [status, count] of Object.entries(queue.counts)) jobs.set({ status }, count);
  oldestDueJobAge.set((queue.oldestDuePendingAgeMs ?? 0) / 1000);
  retriedJobs.reset();
  for (const row of retried) retriedJobs.set({ status: row.status }, row._count._all);
  return registry.metrics();
}
