import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deferred, onPostgres, setUpJobsDatabase, tearDownJobsDatabase, type JobsTestContext } from "./support";

let t: JobsTestContext;
const db = () => t.dbModule.db();

beforeAll(async () => {
  t = await setUpJobsDatabase();
});
afterAll(() => tearDownJobsDatabase(t));
beforeEach(async () => {
  await db().job.deleteMany();
});

class Rollback extends Error {}

describe("enqueueJob", () => {
  it("writes a pending job with the default attempts, due now, payload as JSON text", async () => {
    const before = Date.now();
    const { job, created } = await t.jobs.enqueueJob(db(), { type: "demo", payload: { id: "ps_1", n: 2, tags: ["a"] }, shopId: "shop_1" });
    expect(created).toBe(true);
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({ type: "demo", status: "pending", attempts: 0, maxAttempts: 34, shopId: "shop_1", dedupeKey: null, lockedBy: null });
    expect(JSON.parse(row.payload)).toEqual({ id: "ps_1", n: 2, tags: ["a"] });
    expect(row.runAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it("leaves no job when the enqueueing transaction rolls back", async () => {
    await expect(
      db().$transaction(async (tx) => {
        await t.jobs.enqueueJob(tx, { type: "demo", payload: { id: "ps_1" }, dedupeKey: "rolled-back" });
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await db().job.count()).toBe(0);
  });

  it("leaves exactly one job when the transaction commits", async () => {
    await db().$transaction(async (tx) => {
      await t.jobs.enqueueJob(tx, { type: "demo", payload: { id: "ps_1" } });
    });
    expect(await db().job.count()).toBe(1);
  });

  it("returns the existing job for a repeated dedupeKey, outside and inside transactions", async () => {
    const first = await t.jobs.enqueueJob(db(), { type: "demo", payload: { v: 1 }, dedupeKey: "finalize:ps_1" });
    const again = await t.jobs.enqueueJob(db(), { type: "demo", payload: { v: 2 }, dedupeKey: "finalize:ps_1" });
    expect(again).toEqual({ job: first.job, created: false });

    // Inside a transaction the duplicate must not poison it: the later write still commits.
    const inTx = await db().$transaction(async (tx) => {
      const dup = await t.jobs.enqueueJob(tx, { type: "demo", payload: { v: 3 }, dedupeKey: "finalize:ps_1" });
      const twice = [
        await t.jobs.enqueueJob(tx, { type: "demo", payload: {}, dedupeKey: "new-key" }),
        await t.jobs.enqueueJob(tx, { type: "demo", payload: {}, dedupeKey: "new-key" }),
      ];
      await tx.job.create({ data: { type: "marker", payload: "{}" } });
      return { dup, twice };
    });
    expect(inTx.dup).toEqual({ job: first.job, created: false });
    expect(inTx.twice.map((r) => r.created)).toEqual([true, false]);
    expect(inTx.twice[1]?.job.id).toBe(inTx.twice[0]?.job.id);
    expect(await db().job.count()).toBe(3);
    expect(JSON.parse((await db().job.findUniqueOrThrow({ where: { dedupeKey: "finalize:ps_1" } })).payload)).toEqual({ v: 1 });
  });

  it("returns the other transaction's job when two transactions race on the same new dedupeKey", async () => {
    // A inserts and holds its transaction open while B tries the same key. On PostgreSQL, B's
    // insert waits for A's commit and then hits the unique index: the savepoint keeps B's
    // transaction usable. On SQLite, B's transaction simply waits for A's to finish.
    const aInserted = deferred();
    const releaseA = deferred();
    const a = db().$transaction(
      async (tx) => {
        const result = await t.jobs.enqueueJob(tx, { type: "demo", payload: { from: "a" }, dedupeKey: "race" });
        aInserted.resolve();
        await releaseA.promise;
        return result;
      },
      { timeout: 10_000 },
    );
    await aInserted.promise;
    const b = db().$transaction(
      async (tx) => {
        const result = await t.jobs.enqueueJob(tx, { type: "demo", payload: { from: "b" }, dedupeKey: "race" });
        await tx.job.create({ data: { type: "marker", payload: "{}" } });
        return result;
      },
      { timeout: 10_000, maxWait: 10_000 },
    );
    // Give B time to reach the blocked insert on PostgreSQL before A commits.
    if (onPostgres) await new Promise((resolve) => setTimeout(resolve, 200));
    releaseA.resolve();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.created).toBe(true);
    expect(rb).toEqual({ job: ra.job, created: false });
    expect(await db().job.count({ where: { dedupeKey: "race" } })).toBe(1);
    expect(await db().job.count({ where: { type: "marker" } })).toBe(1);
  });

  it("keeps the transaction usable when the duplicate is only found by the insert (the check lost a race)", async () => {
    await t.jobs.enqueueJob(db(), { type: "demo", payload: { v: 1 }, dedupeKey: "raced" });
    const result = await db().$transaction(async (tx) => {
      // The row was committed by someone else after our check: hide it from the check.
      const job = new Proxy(tx.job, { get: (target, prop) => (prop === "findUnique" ? async () => null : Reflect.get(target, prop)) });
      const racedTx = new Proxy(tx, { get: (target, prop) => (prop === "job" ? job : Reflect.get(target, prop)) });
      const outcome = await t.jobs.enqueueJob(racedTx, { type: "demo", payload: { v: 2 }, dedupeKey: "raced" });
      await tx.job.create({ data: { type: "marker", payload: "{}" } });
      return outcome;
    });
    expect(result.created).toBe(false);
    expect(JSON.parse(result.job.payload)).toEqual({ v: 1 });
    expect(await db().job.count()).toBe(2);
  });

  it("refuses input it cannot store faithfully", async () => {
    await expect(t.jobs.enqueueJob(db(), { type: "", payload: {} })).rejects.toThrow("type is required");
    await expect(t.jobs.enqueueJob(db(), { type: "demo", payload: {}, maxAttempts: 0 })).rejects.toThrow("maxAttempts");
    await expect(t.jobs.enqueueJob(db(), { type: "demo", payload: {}, dedupeKey: "" })).rejects.toThrow("dedupeKey");
    const notJson = { toJSON: () => undefined } as unknown as { [key: string]: string };
    await expect(t.jobs.enqueueJob(db(), { type: "demo", payload: notJson })).rejects.toThrow("not JSON-serialisable");
    expect(await db().job.count()).toBe(0);
  });
});
