import type { JobClient, JsonValue } from "./types";

/**
 * When this job first sent its write to a gateway, kept in the job's own payload so that every
 * later run measures from the same moment. A gateway that forgets an idempotency key after a
 * while must not be sent the write again past that; a job that has not sent anything yet (a
 * worker that was down, a job that waited behind others) has no such limit
 * (docs/decisions/0014-idempotency-window-from-first-send.md).
 */
export async function firstSentAt(client: JobClient, jobId: string, payload: { [key: string]: JsonValue }, now: Date): Promise<Date> {
  const stored = payload.firstSentAt;
  if (typeof stored === "string" && !Number.isNaN(Date.parse(stored))) return new Date(stored);
  await client.job.update({ where: { id: jobId }, data: { payload: JSON.stringify({ ...payload, firstSentAt: now.toISOString() }) } });
  return now;
}
