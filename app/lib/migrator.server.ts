import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Applies the committed SQL migrations (prisma/<provider>/migrations) to a database.
 *
 * Our own migrator rather than `prisma migrate deploy`: Prisma's WebAssembly schema engine
 * cannot read a PostgreSQL database through the pg adapter, and these machines cannot
 * download the native engine. Applied migrations are recorded in Prisma's own
 * `_prisma_migrations` table format, so `prisma migrate deploy` on a machine with the
 * native engine sees the same history.
 */

export type Provider = "sqlite" | "postgresql";

export const providerOf = (url: string): Provider => (/^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite");

/** Relative paths (migrations, SQLite files) are resolved from the process's working directory: the repository root. */
export const migrationsDir = (provider: Provider) => path.resolve("prisma", provider, "migrations");

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(provider: Provider): Migration[] {
  const dir = migrationsDir(provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export interface Connection {
  provider: Provider;
  exec(sql: string): Promise<unknown>;
  query(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A plain driver connection (no Prisma), for migrations and maintenance scripts. */
export async function connect(url: string): Promise<Connection> {
  if (providerOf(url) === "postgresql") {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      provider: "postgresql",
      exec: (sql) => client.query(sql),
      query: async (sql, params = []) => (await client.query(sql, params)).rows,
      close: () => client.end(),
    };
  }
  // node:sqlite, as the app's client: two SQLite libraries in one process must never open the
  // same file, since closing one drops the other's POSIX locks (docs/decisions/one-sqlite-connection.md).
  const { SqliteConnection } = await import("~/lib/sqlite-connection.server");
  const client = new SqliteConnection(url);
  return {
    provider: "sqlite",
    exec: (sql) => client.executeMultiple(sql),
    query: async (sql, params = []) => {
      const { columns, rows } = await client.execute({ sql, args: params });
      return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
    },
    close: async () => client.close(),
  };
}

const MIGRATIONS_TABLE: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

const APPLIED = `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
const MIGRATION_LOCK = 72707369; // any constant: one migrator at a time per PostgreSQL database

/**
 * Applies every migration not yet recorded (or those up to `through`, for tests that bring a
 * database to an older version); returns the names applied. Safe to re-run.
 */
export async function migrate(url: string, options: { through?: string } = {}): Promise<string[]> {
  const provider = providerOf(url);
  if (provider === "sqlite") mkdirSync(path.dirname(path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""))), { recursive: true });
  const conn = await connect(url);
  const applied: string[] = [];
  try {
    if (provider === "postgresql") await conn.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    else await conn.query("PRAGMA journal_mode=WAL"); // readers do not block the writer
    await conn.exec(MIGRATIONS_TABLE[provider]);
    const done = new Map((await conn.query(APPLIED)).map((r) => [String(r.migration_name), String(r.checksum)]));
    for (const m of listMigrations(provider)) {
      if (options.through !== undefined && m.name > options.through) break;
      if (done.has(m.name)) {
        if (done.get(m.name) !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied`);
        continue;
      }
      const record = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('${randomUUID()}', '${m.checksum}', '${m.name}', CURRENT_TIMESTAMP, 1);`;
      // A migration and its record commit together: a failure leaves nothing half-applied.
      // SQLite ignores `PRAGMA foreign_keys` inside a transaction, so the migrations' own
      // "PRAGMA foreign_keys=OFF" around a table rebuild would do nothing there, and dropping the
      // old table would cascade-delete every row that references it. Enforcement is switched off
      // around the transaction instead, and the result is checked before it is switched back on.
      if (provider === "sqlite") await conn.exec("PRAGMA foreign_keys=OFF");
      try {
        await conn.exec(`BEGIN;\n${m.sql}\n${record}\nCOMMIT;`);
      } finally {
        if (provider === "sqlite") await conn.exec("PRAGMA foreign_keys=ON");
      }
      if (provider === "sqlite") {
        const broken = await conn.query("PRAGMA foreign_key_check");
        if (broken.length) throw new Error(`migration ${m.name} left ${broken.length} row(s) pointing at missing rows`);
      }
      applied.push(m.name);
    }
    if (provider === "postgresql") await conn.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
  } finally {
    await conn.close();
  }
  return applied;
}

/** Names of committed migrations the database has not applied ([] = up to date). */
export async function pendingMigrations(url: string): Promise<string[]> {
  const conn = await connect(url);
  try {
    const done = new Set((await conn.query(APPLIED)).map((r) => String(r.migration_name)));
    return listMigrations(conn.provider)
      .map((m) => m.name)
      .filter((n) => !done.has(n));
  } finally {
    await conn.close();
  }
}
