import { db } from "~/db.server";
import { config } from "~/lib/config.server";
import { pendingMigrations } from "~/lib/migrator.server";

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Ready when the database answers and every committed migration has been applied. */
export async function checkReadiness(): Promise<Readiness> {
  try {
    await db().$queryRawUnsafe("SELECT 1");
  } catch {
    return { ready: false, reason: "database unreachable" };
  }
  try {
    const pending = await pendingMigrations(config().DATABASE_URL);
    return pending.length ? { ready: false, reason: `migrations pending: ${pending.join(", ")}` } : { ready: true };
  } catch {
    return { ready: false, reason: "database not migrated" };
  }
}
