// Database tooling that works without Prisma's native engines (README, "Database").
//
//   tsx scripts/db.ts generate        generate the Prisma client of both providers
//   tsx scripts/db.ts migrate         apply pending migrations to DATABASE_URL (safe to re-run)
//   tsx scripts/db.ts new <name>      write a migration for each provider from the schema change
//   tsx scripts/db.ts check           fail when schemas or migrations drift from schema.base.prisma
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, listMigrations, migrate, migrationsDir, type Provider } from "../app/lib/migrator.server";

const PROVIDERS: Provider[] = ["sqlite", "postgresql"];
const DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const pgAdminUrl = () => process.env.POSTGRES_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL;
// The Prisma CLI opens its driver adapter even for commands that need no database
// (generate, migrate diff), so it gets a harmless, reachable one.
const cliDatabaseUrl = (provider: Provider) => (provider === "sqlite" ? "file:./prisma/cli-scratch.db" : pgAdminUrl());
const schemaPath = (provider: Provider) => path.resolve("prisma", provider, "schema.prisma");

function prisma(provider: Provider, args: string[], capture = false): string {
  const env = { ...process.env, PRISMA_PROVIDER: provider, DATABASE_URL: cliDatabaseUrl(provider), PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  const out = execFileSync(process.execPath, [path.resolve("node_modules/prisma/build/index.js"), ...args], {
    env,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
  });
  rmSync("prisma/cli-scratch.db", { force: true });
  return out ?? "";
}

function newMigration(name: string | undefined) {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: tsx scripts/db.ts new <snake_case_name>");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const provider of PROVIDERS) {
    const previous = listMigrations(provider).at(-1);
    const from = previous ? ["--from-schema-datamodel", path.join(migrationsDir(provider), previous.name, "schema.prisma")] : ["--from-empty"];
    const sql = prisma(provider, ["migrate", "diff", ...from, "--to-schema-datamodel", schemaPath(provider), "--script"], true);
    if (/^-- This is an empty migration\.\s*$/m.test(sql)) {
      console.log(`${provider}: no schema change`);
      continue;
    }
    const dir = path.join(migrationsDir(provider), `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql);
    // The schema this migration leads to: the next migration is diffed from it.
    copyFileSync(schemaPath(provider), path.join(dir, "schema.prisma"));
    writeFileSync(path.join(migrationsDir(provider), "migration_lock.toml"), `provider = "${provider}"\n`);
    console.log(`${provider}: wrote ${path.relative(".", dir)}/migration.sql`);
  }
}

/** A comparable description of a database's tables, columns, indexes and constraints. */
async function structureOf(url: string): Promise<string> {
  const conn = await connect(url);
  try {
    if (conn.provider === "sqlite") {
      // Column order is not compared: ALTER TABLE appends a column, a fresh CREATE lists it in schema order.
      const tables = await conn.query(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      );
      const lines: string[] = [];
      for (const { name } of tables) {
        const columns = await conn.query(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}') ORDER BY name`);
        const keys = await conn.query(`SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list('${name}') ORDER BY "from"`);
        lines.push(`table ${name}`, ...columns.map((c) => `  ${JSON.stringify(c)}`), ...keys.map((k) => `  fk ${JSON.stringify(k)}`));
      }
      const indexes = await conn.query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`);
      return [...lines, ...indexes.map((i) => `index ${i.name}: ${String(i.sql).replace(/\s+/g, " ")}`)].join("\n");
    }
    const columns = await conn.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`,
    );
    const indexes = await conn.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`);
    const constraints = await conn.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname <> '_prisma_migrations_pkey' ORDER BY conname`,
    );
    return [...columns.map((c) => JSON.stringify(c)), ...indexes.map((i) => String(i.indexdef)), ...constraints.map((c) => `${c.conname} ${c.def}`)].join("\n");
  } finally {
    await conn.close();
  }
}

async function withScratchDatabase<T>(provider: Provider, fn: (url: string) => Promise<T>): Promise<T> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "accelebit-db-check-"));
    try {
      return await fn(`file:${path.join(dir, "scratch.db")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const name = `accelebit_check_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = await connect(pgAdminUrl());
  await admin.exec(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(pgAdminUrl());
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

async function check() {
  const problems: string[] = [];
  try {
    execFileSync(process.execPath, [path.resolve("scripts/db-schemas.mjs"), "--check"], { stdio: "inherit" });
  } catch {
    problems.push("provider schemas differ from prisma/schema.base.prisma");
  }
  for (const provider of PROVIDERS) {
    const migrations = listMigrations(provider);
    const last = migrations.at(-1);
    if (!last) {
      problems.push(`${provider}: no migrations`);
      continue;
    }
    const snapshot = readFileSync(path.join(migrationsDir(provider), last.name, "schema.prisma"), "utf8");
    if (snapshot !== readFileSync(schemaPath(provider), "utf8"))
      problems.push(`${provider}: the schema changed after migration ${last.name}: run npm run db:new-migration -- <name>`);
    // Applying the migrations in order must build exactly what the schema describes.
    const fromEmpty = prisma(provider, ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaPath(provider), "--script"], true);
    const migrated = await withScratchDatabase(provider, async (url) => {
      await migrate(url);
      return structureOf(url);
    });
    const direct = await withScratchDatabase(provider, async (url) => {
      const conn = await connect(url);
      await conn.exec(fromEmpty);
      await conn.close();
      return structureOf(url);
    });
    if (migrated !== direct) problems.push(`${provider}: applying the migrations does not produce the schema`);
    else console.log(`${provider}: ${migrations.length} migration(s) match the schema`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`db check: ${p}`);
    process.exit(1);
  }
}

const [command, arg] = process.argv.slice(2);
const commands: Record<string, () => Promise<void> | void> = {
  generate: () => PROVIDERS.forEach((provider) => prisma(provider, ["generate", "--no-hints"])),
  migrate: async () => {
    const applied = await migrate(process.env.DATABASE_URL ?? "file:./prisma/dev.db");
    console.log(applied.length ? `applied ${applied.join(", ")}` : "database is up to date");
  },
  new: () => newMigration(arg),
  check,
};
const run = commands[command ?? ""];
if (!run) {
  console.error("usage: tsx scripts/db.ts generate | migrate | new <name> | check");
  process.exit(2);
}
Promise.resolve(run()).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
