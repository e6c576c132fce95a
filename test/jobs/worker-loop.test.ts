import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { capturingLogger, deferred, setUpJobsDatabase, tearDownJobsDatabase, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

/** Resolves once the worker has finished a pass and gone to sleep for a poll interval. */
async function idleLines(records: () => Record<string, unknown>[], count: number) {
  await vi.waitFor(() => expect(records().filter((r) => r.msg === "job worker idle").length).toBeGreaterThanOrEqual(count), { timeout: 5_000, interval: 5 });
}

describe("the polling worker", () => {
  it("runs a job promptly on wake() instead of after the poll interval", async () => {
    const { logger, records } = await capturingLogger();
    const ran = deferred<string>();
    // An hour-long poll: only wake() can get this job run within the test's lifetime.
    const worker = t.jobs.createWorker({ handlers: { deliver: async (_p, { jobId }) => ran.resolve(jobId) }, logger, pollIntervalMs: 60 * 60_000 });
    worker.start();
    try {
      await idleLines(records, 1);
      const { job } = await t.jobs.enqueueJob(db(), { type: "deliver", payload: {} });
      worker.wake();
      expect(await ran.promise).toBe(job.id);
      await vi.waitFor(async () => expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("done"), { timeout: 5_000, interval: 5 });
    } finally {
      await worker.stop();
    }
  });

  it("stop() stops claiming and waits for the handler that is running", async () => {
    const { logger } = await capturingLogger();
    const entered = deferred();
    const gate = deferred();
    let calls = 0;
    const worker = t.jobs.createWorker({
      handlers: {
        slow: async () => {
          calls++;
          entered.resolve();
          await gate.promise;
        },
      },
      logger,
      pollIntervalMs: 60 * 60_000,
      concurrency: 1,
    });
    const { job } = await t.jobs.enqueueJob(db(), { type: "slow", payload: {} });
    worker.start();
    await entered.promise;

    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    const later = await t.jobs.enqueueJob(db(), { type: "slow", payload: {} });
    gate.resolve();
    await stopping;

    expect(await db().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "done", lockedBy: null });
    // Enqueued while stopping: left for the next worker.
    expect(await db().job.findUniqueOrThrow({ where: { id: later.job.id } })).toMatchObject({ status: "pending", attempts: 0 });
    expect(calls).toBe(1);
  });
});
