import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger, setUpJobsDatabase, tearDownJobsDatabase, testClock, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

describe("dead jobs and queue stats", () => {
  it("lists dead jobs, newest failure first, per shop, without payloads", async () => {
    const a = await db().job.create({
      data: { type: "finalize", payload: '{"email":"buyer@example.com"}', status: "dead", attempts: 34, lastError: "x", shopId: "shop_a" },
    });
    const b = await db().job.create({ data: { type: "finalize", payload: "{}", status: "dead", attempts: 1, lastError: "y", shopId: "shop_b" } });
    await db().job.create({ data: { type: "finalize", payload: "{}", status: "pending", shopId: "shop_a" } });
    await db().job.update({ where: { id: a.id }, data: { updatedAt: new Date(b.updatedAt.getTime() + 1_000) } });

    const all = await t.jobs.listDeadJobs();
    expect(all.map((j) => j.id)).toEqual([a.id, b.id]);
    expect(Object.keys(all[0]!).sort()).toEqual(["attempts", "createdAt", "dedupeKey", "id", "lastError", "maxAttempts", "shopId", "type", "updatedAt"]);
    expect((await t.jobs.listDeadJobs("shop_b")).map((j) => j.id)).toEqual([b.id]);
    expect(await t.jobs.listDeadJobs("shop_c")).toEqual([]);
  });

  it("retries a dead job from scratch, and only a dead one", async () => {
    const clock = testClock();
    const dead = await db().job.create({
      data: { type: "deliver", payload: "{}", status: "dead", attempts: 3, maxAttempts: 3, lastError: "Shopify unreachable" },
    });
    const done = await db().job.create({ data: { type: "deliver", payload: "{}", status: "done", attempts: 1 } });

    expect(await t.jobs.retryDeadJob(dead.id, { now: clock.now() })).toBe(true);
    expect(await t.jobs.retryDeadJob(done.id)).toBe(false);
    expect(await t.jobs.retryDeadJob("no-such-job")).toBe(false);
    const revived = await db().job.findUniqueOrThrow({ where: { id: dead.id } });
    expect(revived).toMatchObject({ status: "pending", attempts: 0, lastError: "Shopify unreachable" });
    expect(revived.runAt.getTime()).toBe(clock.now().getTime());

    const { logger } = await capturingLogger();
    const worker = t.jobs.createWorker({ handlers: { deliver: async () => {} }, logger, now: clock.now });
    expect(await worker.runDueJobs()).toBe(1);
    expect(await db().job.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: "done", attempts: 1, lastError: null });
  });

  it("counts jobs by status and measures how long the oldest due job has waited", async () => {
    const now = new Date("2030-01-01T12:00:00.000Z");
    const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
    await db().job.createMany({
      data: [
        { type: "a", payload: "{}", status: "pending", runAt: at(-90_000) },
        { type: "a", payload: "{}", status: "pending", runAt: at(-5_000) },
        { type: "a", payload: "{}", status: "pending", runAt: at(60_000) },
        { type: "a", payload: "{}", status: "running", runAt: at(-200_000) },
        { type: "a", payload: "{}", status: "done" },
        { type: "a", payload: "{}", status: "done" },
        { type: "a", payload: "{}", status: "dead" },
      ],
    });
    expect(await t.jobs.jobQueueStats({ now })).toEqual({ counts: { pending: 3, running: 1, done: 2, dead: 1 }, oldestDuePendingAgeMs: 90_000 });

    await db().job.deleteMany();
    expect(await t.jobs.jobQueueStats({ now })).toEqual({ counts: { pending: 0, running: 0, done: 0, dead: 0 }, oldestDuePendingAgeMs: null });
  });
});
