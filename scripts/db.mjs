// Database tooling that works without Prisma's native engines (see README, "Database").
//
//   node scripts/db.mjs generate        generate the Prisma client of both providers
//   node scripts/db.mjs migrate         apply pending migrations to DATABASE_URL (safe to re-run)
//   node scripts/db.mjs new <name>      write a migration for each provider from the schema change
//   node scripts/db.mjs check           fail when schemas or migrations drift from schema.base.prisma
//
// Migrations are applied by this script for both providers: Prisma's WebAssembly schema
// engine cannot read a PostgreSQL database through the pg adapter. Applied migrations are
// recorded in Prisma's own `_prisma_migrations` table format, so `prisma migrate deploy`
// on a machine with Prisma's native engines sees the same history.
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PROVIDERS = ["sqlite", "postgresql"];
const DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
// The Prisma CLI opens its driver adapter even for commands that need no database
// (generate, migrate diff): give it a harmless, reachable one.
const CLI_DATABASE_URL = { sqlite: "file:./prisma/cli-scratch.db", postgresql: process.env.POSTGRES_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL };

export const providerOf = (url) => (/^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite");
const migrationsDir = (provider) => path.join(root, "prisma", provider, "migrations");

function prisma(provider, args, { capture = false } = {}) {
  const env = { ...process.env, PRISMA_PROVIDER: provider, DATABASE_URL: CLI_DATABASE_URL[provider], PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  const bin = path.join(root, "node_modules", "prisma", "build", "index.js");
  return execFileSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: "utf8", stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit" });
}

export function listMigrations(provider) {
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

// ---- connections -------------------------------------------------------------------

async function connect(url) {
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
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url });
  return {
    provider: "sqlite",
    exec: (sql) => client.executeMultiple(sql),
    query: async (sql, params = []) => (await client.execute({ sql, args: params })).rows,
    close: () => client.close(),
  };
}

const MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

/** Applies every migration not yet recorded; returns the names applied. */
export async function migrate(url, { quiet = false } = {}) {
  const provider = providerOf(url);
  if (provider === "sqlite") mkdirSync(path.dirname(sqlitePath(url)), { recursive: true });
  const conn = await connect(url);
  const applied = [];
  try {
    if (provider === "postgresql") await conn.exec("SELECT pg_advisory_lock(72707369)"); // one migrator at a time
    else await conn.query("PRAGMA journal_mode=WAL"); // readers do not block the writer
    await conn.exec(MIGRATIONS_TABLE[provider]);
    const done = new Map(
      (await conn.query(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)).map((r) => [r.migration_name, r.checksum]),
    );
    for (const m of listMigrations(provider)) {
      if (done.has(m.name)) {
        if (done.get(m.name) !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied`);
        continue;
      }
      const record = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('${randomUUID()}', '${m.checksum}', '${m.name}', CURRENT_TIMESTAMP, 1);`;
      // Each migration and its record commit together: a failure leaves nothing half-applied.
      await conn.exec(`BEGIN;\n${m.sql}\n${record}\nCOMMIT;`);
      applied.push(m.name);
      if (!quiet) console.log(`applied ${m.name}`);
    }
    if (provider === "postgresql") await conn.exec("SELECT pg_advisory_unlock(72707369)");
  } finally {
    await conn.close();
  }
  return applied;
}

/** Names of committed migrations that the database has not applied ([] = up to date). */
export async function pendingMigrations(url) {
  const conn = await connect(url);
  try {
    const rows = await conn.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
    const done = new Set(rows.map((r) => r.migration_name));
    return listMigrations(conn.provider).map((m) => m.name).filter((n) => !done.has(n));
  } finally {
    await conn.close();
  }
}

function sqlitePath(url) {
  return path.resolve(root, url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

// ---- new migration ---------------------------------------------------------------------

function newMigration(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? "")) throw new Error("usage: node scripts/db.mjs new <snake_case_name>");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const provider of PROVIDERS) {
    const previous = listMigrations(provider).at(-1);
    const from = previous ? ["--from-schema-datamodel", path.join(migrationsDir(provider), previous.name, "schema.prisma")] : ["--from-empty"];
    const schema = path.join(root, "prisma", provider, "schema.prisma");
    const sql = prisma(provider, ["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], { capture: true });
    if (/^-- This is an empty migration\.\s*$/m.test(sql)) {
      console.log(`${provider}: no schema change`);
      continue;
    }
    const dir = path.join(migrationsDir(provider), `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql);
    // The schema this migration leads to: the next migration is diffed from it.
    copyFileSync(schema, path.join(dir, "schema.prisma"));
    writeFileSync(path.join(migrationsDir(provider), "migration_lock.toml"), `provider = "${provider}"\n`);
    console.log(`${provider}: wrote ${path.relative(root, dir)}/migration.sql`);
  }
}

// ---- drift check -------------------------------------------------------------------------

async function structureOf(url) {
  const conn = await connect(url);
  try {
    if (conn.provider === "sqlite") {
      const rows = await conn.query(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_prisma%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY type, name`);
      return rows.map((r) => `${r.type} ${r.name}: ${String(r.sql).replace(/\s+/g, " ")}`).join("\n");
    }
    const columns = await conn.query(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`);
    const indexes = await conn.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`);
    const constraints = await conn.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname <> '_prisma_migrations_pkey' ORDER BY conname`);
    return [...columns.map((c) => JSON.stringify(c)), ...indexes.map((i) => i.indexdef), ...constraints.map((c) => `${c.conname} ${c.def}`)].join("\n");
  } finally {
    await conn.close();
  }
}

async function withScratchDatabase(provider, fn) {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "accelebit-db-check-"));
    try {
      return await fn(`file:${path.join(dir, "scratch.db")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const adminUrl = process.env.POSTGRES_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL;
  const name = `accelebit_check_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = await connect(adminUrl);
  await admin.exec(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

async function check() {
  const problems = [];
  try {
    execFileSync(process.execPath, [path.join(root, "scripts", "db-schemas.mjs"), "--check"], { stdio: "inherit" });
  } catch {
    problems.push("provider schemas differ from prisma/schema.base.prisma");
  }
  for (const provider of PROVIDERS) {
    const migrations = listMigrations(provider);
    const last = migrations.at(-1);
    const schema = readFileSync(path.join(root, "prisma", provider, "schema.prisma"), "utf8");
    if (!last) {
      problems.push(`${provider}: no migrations`);
      continue;
    }
    const snapshot = readFileSync(path.join(migrationsDir(provider), last.name, "schema.prisma"), "utf8");
    if (snapshot !== schema) problems.push(`${provider}: the schema changed since migration ${last.name}: run node scripts/db.mjs new <name>`);
    // Applying the migrations in order must give exactly what the schema describes.
    const fromEmpty = prisma(provider, ["migrate", "diff", "--from-empty", "--to-schema-datamodel", path.join(root, "prisma", provider, "schema.prisma"), "--script"], { capture: true });
    const [migrated, direct] = await Promise.all([
      withScratchDatabase(provider, async (url) => {
        await migrate(url, { quiet: true });
        return structureOf(url);
      }),
      withScratchDatabase(provider, async (url) => {
        const conn = await connect(url);
        await conn.exec(fromEmpty);
        await conn.close();
        return structureOf(url);
      }),
    ]);
    if (migrated !== direct) problems.push(`${provider}: applying the migrations does not produce the schema`);
    else console.log(`${provider}: ${migrations.length} migration(s) match the schema`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`db check: ${p}`);
    process.exit(1);
  }
}

// ---- entry point ---------------------------------------------------------------------------

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [command, arg] = process.argv.slice(2);
  const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
  const run = {
    generate: async () => {
      for (const provider of PROVIDERS) prisma(provider, ["generate", "--no-hints"]);
    },
    migrate: async () => {
      const applied = await migrate(url);
      console.log(applied.length ? `${applied.length} migration(s) applied` : "database is up to date");
    },
    new: async () => newMigration(arg),
    check,
  }[command];
  if (!run) {
    console.error("usage: node scripts/db.mjs generate | migrate | new <name> | check");
    process.exit(2);
  }
  run().catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
