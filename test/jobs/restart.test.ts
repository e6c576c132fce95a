import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOST_ON_FINAL_ATTEMPT } from "~/jobs/claim.server";
import { capturingLogger, deferred, setUpJobsDatabase, tearDownJobsDatabase, testClock, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();
const LEASE_MS = 30_000;

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

const job = (id: string) => db().job.findUniqueOrThrow({ where: { id } });

describe("surviving a restart", () => {
  it("a job left behind by a stopped worker is run once by the next instance", async () => {
    const clock = testClock();
    const { logger } = await capturingLogger();
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "deliver", payload: {}, runAt: new Date(clock.now().getTime() + 60_000) });
    const runs: string[] = [];
    const handlers = {
      deliver: async () => {
        runs.push("ran");
      },
    };

    const first = t.jobs.createWorker({ handlers, logger, now: clock.now, workerId: "before-restart", pollIntervalMs: 60_000 });
    first.start();
    await first.stop();
    expect(await job(queued.id)).toMatchObject({ status: "pending", attempts: 0 });

    clock.advance(60_000);
    // The next process: its own client and worker id.
    const client = t.dbModule.createPrismaClient(t.database.url);
    try {
      const second = t.jobs.createWorker({ handlers, logger, now: clock.now, workerId: "after-restart", client });
      expect(await second.runDueJobs()).toBe(1);
      expect(await second.runDueJobs()).toBe(0);
    } finally {
      await client.$disconnect();
    }
    expect(runs).toEqual(["ran"]);
    expect(await job(queued.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("a job whose worker crashed mid-run is taken over once its lease expires, and the zombie's late result is discarded", async () => {
    const { logger, records } = await capturingLogger();
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "deliver", payload: {} });
    const clockA = testClock();
    const entered = deferred();
    const zombieGate = deferred();
    const runs: string[] = [];

    const crashed = t.jobs.createWorker({
      handlers: {
        deliver: async () => {
          runs.push("crashed");
          entered.resolve();
          await zombieGate.promise;
          throw new t.jobs.RetryableJobError("too late");
        },
      },
      logger,
      now: clockA.now,
      workerId: "crashed",
      leaseMs: LEASE_MS,
    });
    const zombiePass = crashed.runDueJobs();
    await entered.promise;
    expect(await job(queued.id)).toMatchObject({ status: "running", attempts: 1, lockedBy: "crashed" });
    expect((await job(queued.id)).lockedUntil?.getTime()).toBe(clockA.now().getTime() + LEASE_MS);

    const clockB = testClock(clockA.now().getTime() + LEASE_MS);
    const attempts: number[] = [];
    const successor = t.jobs.createWorker({
      handlers: {
        deliver: async (_payload, { attempt }) => {
          runs.push("successor");
          attempts.push(attempt);
        },
      },
      logger,
      now: clockB.now,
      workerId: "successor",
      leaseMs: LEASE_MS,
    });
    // The lease still holds at its last millisecond.
    expect(await successor.runDueJobs()).toBe(0);
    clockB.advance(1);
    expect(await successor.runDueJobs()).toBe(1);
    expect(await successor.runDueJobs()).toBe(0);
    expect(attempts).toEqual([2]);
    expect(await job(queued.id)).toMatchObject({ status: "done", attempts: 2, lockedBy: null, lastError: null });

    // The hung handler finally fails: its outcome must not undo the successor's.
    zombieGate.resolve();
    expect(await zombiePass).toBe(1);
    expect(await job(queued.id)).toMatchObject({ status: "done", attempts: 2, lastError: null });
    expect(runs).toEqual(["crashed", "successor"]);
    expect(records().find((r) => r.msg === "job outcome discarded: the lease passed to another worker")).toMatchObject({
      jobId: queued.id,
      workerId: "crashed",
      attempt: 1,
    });
  });

  it("a job lost during its final attempt is declared dead instead of run again", async () => {
    const clock = testClock();
    const { logger } = await capturingLogger();
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "deliver", payload: {}, maxAttempts: 1 });
    await db().job.update({
      where: { id: queued.id },
      data: { status: "running", attempts: 1, lockedBy: "crashed", lockedUntil: new Date(clock.now().getTime() - 1) },
    });
    let calls = 0;
    const worker = t.jobs.createWorker({
      handlers: {
        deliver: async () => {
          calls++;
        },
      },
      logger,
      now: clock.now,
    });
    expect(await worker.runDueJobs()).toBe(0);
    expect(calls).toBe(0);
    expect(await job(queued.id)).toMatchObject({ status: "dead", attempts: 1, lockedBy: null, lockedUntil: null, lastError: LOST_ON_FINAL_ATTEMPT });
  });
});
