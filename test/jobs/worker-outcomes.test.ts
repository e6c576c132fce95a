import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { JobContext, JobHandlers } from "~/jobs";
import { capturingLogger, setUpJobsDatabase, tearDownJobsDatabase, testClock, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();
const HOUR = 60 * 60_000;

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

/** A worker on a frozen clock with jitter fixed at the middle of each step. */
async function setUp(handlers: JobHandlers) {
  const clock = testClock();
  const log = await capturingLogger();
  const worker = t.jobs.createWorker({ handlers, logger: log.logger, now: clock.now, random: () => 0.5, workerId: "worker-a", concurrency: 1 });
  return { clock, log, worker };
}

const job = (id: string) => db().job.findUniqueOrThrow({ where: { id } });

describe("running jobs", () => {
  it("marks a successful job done and hands the handler its payload and context", async () => {
    const seen: { payload: unknown; context: Omit<JobContext, "logger"> }[] = [];
    const { worker, log, clock } = await setUp({
      greet: async (payload, { logger: _logger, ...context }) => {
        seen.push({ payload, context });
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "greet", payload: { name: "Ada" }, shopId: "shop_1" });

    expect(await worker.runDueJobs()).toBe(1);
    expect(seen).toEqual([{ payload: { name: "Ada" }, context: { jobId: queued.id, attempt: 1, shopId: "shop_1", now: clock.now(), finalAttempt: false } }]);
    expect(await job(queued.id)).toMatchObject({ status: "done", attempts: 1, lockedBy: null, lockedUntil: null, lastError: null });
    expect(await worker.runDueJobs()).toBe(0);
    expect(log.records().find((r) => r.msg === "job done")).toMatchObject({
      jobId: queued.id,
      jobType: "greet",
      attempt: 1,
      outcome: "done",
      workerId: "worker-a",
    });
  });

  it("puts a retryable failure back to pending, runAt moved by the backoff, and runs it again once due", async () => {
    let calls = 0;
    const { worker, clock, log } = await setUp({
      flaky: async () => {
        calls++;
        if (calls === 1) throw new t.jobs.RetryableJobError("Shopify answered 503");
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "flaky", payload: {} });
    const failedAt = clock.now().getTime();

    expect(await worker.runDueJobs()).toBe(1);
    const after = await job(queued.id);
    // Attempt 1: step 10 s, equal jitter with random 0.5 → 5 000 + 2 500 ms.
    expect(after).toMatchObject({ status: "pending", attempts: 1, lastError: "Shopify answered 503", lockedBy: null, lockedUntil: null });
    expect(after.runAt.getTime()).toBe(failedAt + 7_500);
    expect(log.records().find((r) => r.msg === "job failed, will retry")).toMatchObject({ jobId: queued.id, attempt: 1, outcome: "pending", delayMs: 7_500 });

    clock.advance(7_499);
    expect(await worker.runDueJobs()).toBe(0);
    clock.advance(1);
    expect(await worker.runDueJobs()).toBe(1);
    expect(await job(queued.id)).toMatchObject({ status: "done", attempts: 2, lastError: null });
    expect(calls).toBe(2);
  });

  it("treats an unexpected error as retryable and records its class only, never its message", async () => {
    const { worker, log } = await setUp({
      leaky: async () => {
        throw new TypeError("failed to fetch https://x.test/?token=shpat_supersecret");
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "leaky", payload: { apiKey: "smtgw_sk_live_payloadsecret" } });
    await worker.runDueJobs();
    expect(await job(queued.id)).toMatchObject({ status: "pending", attempts: 1, lastError: "Unexpected TypeError (message withheld)" });
    expect(log.lines.join("\n")).not.toMatch(/supersecret|payloadsecret/);
  });

  it("kills a job after its last attempt and keeps it", async () => {
    let calls = 0;
    const { worker, clock } = await setUp({
      down: async () => {
        calls++;
        throw new t.jobs.RetryableJobError("Shopify unreachable");
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "down", payload: {}, maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await worker.runDueJobs();
      clock.advance(24 * HOUR);
    }
    expect(calls).toBe(3);
    expect(await job(queued.id)).toMatchObject({ status: "dead", attempts: 3, lastError: "Attempts exhausted (3): Shopify unreachable" });
  });

  it("kills a job at once on a terminal error", async () => {
    const { worker } = await setUp({
      refused: async () => {
        throw new t.jobs.TerminalJobError("Shopify: session already rejected");
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "refused", payload: {} });
    expect(await worker.runDueJobs()).toBe(1);
    expect(await job(queued.id)).toMatchObject({ status: "dead", attempts: 1, lastError: "Shopify: session already rejected" });
  });

  it("kills a job of a type no handler is registered for", async () => {
    const { worker } = await setUp({ known: async () => {} });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "mystery", payload: {} });
    expect(await worker.runDueJobs()).toBe(1);
    expect(await job(queued.id)).toMatchObject({ status: "dead", attempts: 1, lastError: 'No handler registered for job type "mystery"' });
  });

  it("honours a handler's retryAfterMs", async () => {
    const { worker, clock } = await setUp({
      throttled: async () => {
        throw new t.jobs.RetryableJobError("Shopify THROTTLED", { retryAfterMs: 120_000 });
      },
    });
    const { job: queued } = await t.jobs.enqueueJob(db(), { type: "throttled", payload: {} });
    const failedAt = clock.now().getTime();
    await worker.runDueJobs();
    const after = await job(queued.id);
    expect(after).toMatchObject({ status: "pending", attempts: 1, lastError: "Shopify THROTTLED" });
    expect(after.runAt.getTime()).toBe(failedAt + 120_000);
  });

  it("validates payloads with jobHandler: a mismatch is terminal and names the path, not the value", async () => {
    const received: string[] = [];
    const { worker } = await setUp({
      finalize: t.jobs.jobHandler(z.object({ paymentSessionId: z.string() }), async ({ paymentSessionId }) => {
        received.push(paymentSessionId);
      }),
    });
    const good = await t.jobs.enqueueJob(db(), { type: "finalize", payload: { paymentSessionId: "ps_1" } });
    const bad = await t.jobs.enqueueJob(db(), { type: "finalize", payload: { paymentSessionId: 4242424242424242 } });
    expect(await worker.runDueJobs()).toBe(2);
    expect(received).toEqual(["ps_1"]);
    expect(await job(good.job.id)).toMatchObject({ status: "done" });
    expect(await job(bad.job.id)).toMatchObject({ status: "dead", attempts: 1, lastError: "Invalid payload (paymentSessionId: invalid_type)" });
  });

  it("runs due jobs oldest runAt first and leaves future ones alone", async () => {
    const order: string[] = [];
    const { worker, clock } = await setUp({
      note: async (payload) => {
        order.push((payload as { name: string }).name);
      },
    });
    const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs);
    await t.jobs.enqueueJob(db(), { type: "note", payload: { name: "second" }, runAt: at(-2_000) });
    await t.jobs.enqueueJob(db(), { type: "note", payload: { name: "later" }, runAt: at(60_000) });
    await t.jobs.enqueueJob(db(), { type: "note", payload: { name: "first" }, runAt: at(-3_000) });
    await t.jobs.enqueueJob(db(), { type: "note", payload: { name: "third" }, runAt: at(0) });
    expect(await worker.runDueJobs()).toBe(3);
    expect(order).toEqual(["first", "second", "third"]);
    clock.advance(60_000);
    expect(await worker.runDueJobs()).toBe(1);
    expect(order).toEqual(["first", "second", "third", "later"]);
  });
});
