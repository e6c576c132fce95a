import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, migrate } from "~/lib/migrator.server";

export interface TestDatabase {
  url: string;
  /** The SQLite file, for tests that grep the stored bytes (null on PostgreSQL). */
  file: string | null;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file. SQLite by default; PostgreSQL when
 * TEST_DATABASE_PROVIDER=postgresql (a uniquely named database on POSTGRES_ADMIN_URL,
 * dropped afterwards, so parallel runs never collide).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrate ?? true;
  if (process.env.TEST_DATABASE_PROVIDER === "postgresql") {
    const adminUrl = process.env.POSTGRES_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const name = `accelebit_test_${randomBytes(6).toString("hex")}`;
    const admin = await connect(adminUrl);
    await admin.exec(`CREATE DATABASE ${name}`);
    await admin.close();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    if (migrated) await migrate(url.toString());
    return {
      url: url.toString(),
      file: null,
      async drop() {
        const conn = await connect(adminUrl);
        await conn.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await conn.close();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "accelebit-test-"));
  const file = path.join(dir, "test.db");
  if (migrated) await migrate(`file:${file}`);
  return { url: `file:${file}`, file, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
