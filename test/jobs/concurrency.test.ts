import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobClient, Worker } from "~/jobs";
import { capturingLogger, onPostgres, setUpJobsDatabase, tearDownJobsDatabase, testClock, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();
const JOBS = 50;

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

/**
 * Two workers racing over the same jobs. On PostgreSQL the second worker has its own client
 * (its own connection pool), as a second app instance would; SQLite allows one writer at a
 * time, so there both share the client and the race is between the workers' claims alone.
 */
async function race(): Promise<{ handled: Map<string, number>; ran: number[]; workers: Worker[] }> {
  const clock = testClock();
  const { logger } = await capturingLogger();
  const handled = new Map<string, number>();
  const handlers = {
    count: async (_payload: unknown, { jobId }: { jobId: string }) => {
      handled.set(jobId, (handled.get(jobId) ?? 0) + 1);
      // Yield for a moment so runs overlap and claims interleave.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
    },
  };
  const second: JobClient = onPostgres ? t.dbModule.createPrismaClient(t.database.url) : db();
  try {
    const workers = [
      t.jobs.createWorker({ handlers, logger, now: clock.now, workerId: "instance-1", concurrency: 4 }),
      t.jobs.createWorker({ handlers, logger, now: clock.now, workerId: "instance-2", concurrency: 4, client: second }),
    ];
    const ran = await Promise.all(workers.map((w) => w.runDueJobs()));
    return { handled, ran, workers };
  } finally {
    if (second !== db()) await (second as ReturnType<typeof db>).$disconnect();
  }
}

async function expectEachHandledOnce(ids: string[], result: Awaited<ReturnType<typeof race>>) {
  expect(Object.fromEntries(result.handled)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  expect(result.ran[0]! + result.ran[1]!).toBe(JOBS);
  expect(await db().job.count({ where: { status: "done" } })).toBe(JOBS);
}

describe("claiming under contention", () => {
  it("two workers over 50 due jobs handle each exactly once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push((await t.jobs.enqueueJob(db(), { type: "count", payload: { i } })).job.id);
    await expectEachHandledOnce(ids, await race());
    expect(await db().job.count({ where: { attempts: 1 } })).toBe(JOBS);
  });

  it("two workers taking over 50 jobs with expired leases handle each exactly once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push((await t.jobs.enqueueJob(db(), { type: "count", payload: { i } })).job.id);
    await db().job.updateMany({ data: { status: "running", attempts: 1, lockedBy: "crashed", lockedUntil: new Date(Date.now() - 1_000) } });
    await expectEachHandledOnce(ids, await race());
    expect(await db().job.count({ where: { attempts: 2 } })).toBe(JOBS);
  });
});
