import { Writable } from "node:stream";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { appEnv } from "../support/app-env";

export type JobsModule = typeof import("~/jobs");
export type DbModule = typeof import("~/db.server");

export interface JobsTestContext {
  database: TestDatabase;
  jobs: JobsModule;
  dbModule: DbModule;
}

export const onPostgres = process.env.TEST_DATABASE_PROVIDER === "postgresql";

/** A migrated database of its own for the calling test file; app modules imported after the env is set. */
export async function setUpJobsDatabase(): Promise<JobsTestContext> {
  const database = await createTestDatabase();
  // useAppEnv, spelled out: its "use" prefix trips the React hooks lint rule outside a component.
  Object.assign(process.env, appEnv({ DATABASE_URL: database.url }));
  const dbModule = await import("~/db.server");
  const jobs = await import("~/jobs");
  return { database, jobs, dbModule };
}

export async function tearDownJobsDatabase(context: JobsTestContext | undefined): Promise<void> {
  if (!context) return;
  await context.dbModule.db().$disconnect();
  await context.database.drop();
}

/**
 * A clock that only moves when told. It starts a minute ahead of the real time so that jobs
 * enqueued with the default runAt (the real now) are already due by it.
 */
export function testClock(start = Date.now() + 60_000) {
  let current = start;
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}

/** A pino logger whose JSON lines are kept in memory, to check what reaches the logs. */
export async function capturingLogger() {
  const { createLogger } = await import("~/lib/logger");
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  const logger = createLogger(sink, "debug");
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** A promise with its resolve function, to hold a handler mid-run. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
