import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { Pool } from "pg";
import { logger } from "~/lib/logger";
import { db, providerOf, sqliteConnectionOf } from "~/db.server";
import { config } from "~/lib/config.server";
import type { SqliteConnection } from "~/lib/sqlite-connection.server";

/**
 * The hot path of both payment intakes without the ORM (docs/decisions/intake-without-the-orm.md):
 * one read (the shop, its readiness and a stored answer, together) and one group-committed
 * write of the new session with its timeline event (and, for a card, its sealed card and its
 * charge job). Prisma's query compiler cost more CPU per intake than everything else; these
 * statements are fixed, so they are written once here.
 *
 * Group commit: concurrent intakes are written in one transaction, the next batch starting as
 * soon as the previous one committed. Every caller's promise settles only after its batch
 * committed, so no answer is sent before it is durably stored.
 */
const require = createRequire(import.meta.url);

export interface ShopForIntake {
  id: string;
  active: boolean;
  ready: boolean;
  /** The session already stored under this Shopify id, if any: its answer is replayed. */
  stored: { responseBody: string | null } | null;
}

type Value = string | number | boolean | Date | null;
type Kind = "text" | "bool" | "decimal" | "timestamp" | "int";

/** The columns written, with how each is encoded per provider. */
const SESSION_COLUMNS: [string, Kind][] = [
  ["id", "text"],
  ["shopId", "text"],
  ["shopifyId", "text"],
  ["gid", "text"],
  ["group", "text"],
  ["shopifySessionId", "text"],
  ["gateway", "text"],
  ["kind", "text"],
  ["amount", "decimal"],
  ["currency", "text"],
  ["test", "bool"],
  ["paymentMethodType", "text"],
  ["status", "text"],
  ["shopperToken", "text"],
  ["cancelUrl", "text"],
  ["proposedAt", "timestamp"],
  ["merchantLocale", "text"],
  ["customerEmail", "text"],
  ["customerPhone", "text"],
  ["billingAddress", "text"],
  ["clientIp", "text"],
  ["shopifyRequestId", "text"],
  ["apiVersion", "text"],
  ["responseBody", "text"],
  ["rejectReason", "text"],
  ["merchantMessage", "text"],
  ["deadlineAt", "timestamp"],
  ["nextCheckAt", "timestamp"],
  ["checks", "int"],
  ["createdAt", "timestamp"],
  ["updatedAt", "timestamp"],
];
const EVENT_COLUMNS: [string, Kind][] = [
  ["id", "text"],
  ["shopId", "text"],
  ["paymentSessionId", "text"],
  ["kind", "text"],
  ["summary", "text"],
  ["detail", "text"],
  ["createdAt", "timestamp"],
];
const CARD_COLUMNS: [string, Kind][] = [
  ["paymentSessionId", "text"],
  ["ciphertext", "text"],
  ["expiresAt", "timestamp"],
  ["createdAt", "timestamp"],
];
const JOB_COLUMNS: [string, Kind][] = [
  ["id", "text"],
  ["type", "text"],
  ["payload", "text"],
  ["dedupeKey", "text"],
  ["status", "text"],
  ["attempts", "int"],
  ["maxAttempts", "int"],
  ["runAt", "timestamp"],
  ["shopId", "text"],
  ["createdAt", "timestamp"],
  ["updatedAt", "timestamp"],
];

export type Row = Record<string, Value>;

export interface NewSession {
  session: Row & { id: string; shopId: string; shopifyId: string };
  event: Row;
  /** A card session's sealed card and its charge job. */
  card?: { payload: Row; job: Row };
}

let counter = 0;
/** An id shaped like Prisma's cuid() (a letter, then time, a counter and randomness in base 36). */
export function newId(): string {
  counter = (counter + 1) % 1_679_616;
  const random = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, "0").slice(0, 10);
  return `c${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${random}`;
}

/** The shop, its readiness and any session stored under this Shopify id, in one query. */
export async function shopForIntake(domain: string, shopifyId: string): Promise<ShopForIntake | null> {
  const sql = `SELECT s."id", s."active", st."ready", p."id" AS "storedId", p."responseBody"
    FROM "Shop" s LEFT JOIN "ShopSettings" st ON st."shopId" = s."id"
    LEFT JOIN "PaymentSession" p ON p."shopId" = s."id" AND p."shopifyId" = $2
    WHERE s."domain" = $1`;
  const sqlite = sqliteConnectionOf(db());
  const row = sqlite
    ? ((await sqlite.exclusive((c) => c.run({ sql: sql.replace(/\$(\d)/g, "?$1"), args: [domain, shopifyId] }))).rows[0] as unknown[] | undefined)
    : ((await pgPool().query({ text: sql, values: [domain, shopifyId], rowMode: "array" })).rows[0] as unknown[] | undefined);
  if (!row) return null;
  const [id, active, ready, storedId, responseBody] = row as [string, unknown, unknown, string | null, string | null];
  return { id, active: truthy(active), ready: truthy(ready), stored: storedId ? { responseBody } : null };
}

const truthy = (v: unknown) => v === true || v === 1 || v === 1n;

/** Stores a new session (once per shop and Shopify id): "duplicate" when another request stored it first. */
export function storeNewSession(session: NewSession): Promise<"stored" | "duplicate"> {
  return writer().submit(session);
}

// ---- group commit -------------------------------------------------------------------------

interface Pending {
  session: NewSession;
  resolve: (outcome: "stored" | "duplicate") => void;
  reject: (error: unknown) => void;
}

/** Most intakes one transaction takes: a bound on statement size and on the batch's latency. */
const MAX_BATCH = 128;

class GroupCommit {
  #queue: Pending[] = [];
  #inFlight = 0;
  constructor(
    private readonly write: (batch: NewSession[]) => Promise<("stored" | "duplicate")[]>,
    private readonly maxInFlight: number,
  ) {}

  submit(session: NewSession): Promise<"stored" | "duplicate"> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ session, resolve, reject });
      // Let the requests already read in this turn of the event loop join the batch.
      if (this.#queue.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush() {
    while (this.#inFlight < this.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#flush();
      });
    }
  }

  async #run(batch: Pending[]) {
    try {
      const outcomes = await this.write(batch.map((p) => p.session));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // One bad row must not fail its neighbours: write them one by one.
      await Promise.all(batch.map((p) => this.#run([p])));
    }
  }
}

let groupCommit: { url: string; commit: GroupCommit } | null = null;

function writer(): GroupCommit {
  const url = config().DATABASE_URL;
  if (groupCommit?.url !== url) {
    groupCommit =
      providerOf(url) === "postgresql"
        ? { url, commit: new GroupCommit(writePostgres, PG_POOL_SIZE - 1) }
        : { url, commit: new GroupCommit((batch) => sqliteConnectionOf(db())!.exclusive((c) => writeSqlite(c, batch)), 1) };
  }
  return groupCommit.commit;
}

// ---- SQLite -------------------------------------------------------------------------------

/** As Prisma's libsql adapter writes them, so Prisma reads these rows like its own. */
function sqliteValue(value: Value, kind: Kind): string | number | null {
  if (value === null) return null;
  if (kind === "timestamp") return (value as Date).toISOString().replace("Z", "+00:00");
  if (kind === "bool") return value ? 1 : 0;
  // The adapter stores a Decimal in SQLite's DECIMAL (numeric) column as a number, and reads it back as a Decimal.
  if (kind === "decimal") return Number.parseFloat(value as string);
  return value as string | number;
}

const insertSql = (table: string, columns: [string, Kind][], suffix = "") =>
  `INSERT INTO "${table}" (${columns.map(([c]) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})${suffix}`;
const SQLITE_SESSION = insertSql("PaymentSession", SESSION_COLUMNS, ` ON CONFLICT ("shopId", "shopifyId") DO NOTHING RETURNING "id"`);
const SQLITE_EVENT = insertSql("SessionEvent", EVENT_COLUMNS);
const SQLITE_CARD = insertSql("CardPayload", CARD_COLUMNS);
const SQLITE_JOB = insertSql("Job", JOB_COLUMNS, ` ON CONFLICT ("dedupeKey") DO NOTHING`);
const args = (row: Row, columns: [string, Kind][]) => columns.map(([c, kind]) => sqliteValue(row[c] ?? null, kind));

/** Synchronous: the whole batch is one transaction that nothing else on the connection can interleave with. */
function writeSqlite(c: SqliteConnection, batch: NewSession[]): ("stored" | "duplicate")[] {
  c.run("BEGIN IMMEDIATE");
  try {
    const outcomes = batch.map((s) => {
      if (c.run({ sql: SQLITE_SESSION, args: args(s.session, SESSION_COLUMNS) }).rows.length === 0) return "duplicate" as const;
      c.run({ sql: SQLITE_EVENT, args: args(s.event, EVENT_COLUMNS) });
      if (s.card) {
        c.run({ sql: SQLITE_CARD, args: args(s.card.payload, CARD_COLUMNS) });
        c.run({ sql: SQLITE_JOB, args: args(s.card.job, JOB_COLUMNS) });
      }
      return "stored" as const;
    });
    c.run("COMMIT");
    return outcomes;
  } catch (error) {
    if (c.isTransaction) c.run("ROLLBACK");
    throw error;
  }
}

// ---- PostgreSQL ---------------------------------------------------------------------------

const PG_POOL_SIZE = 3;
let pool: { url: string; pool: Pool } | null = null;

/** Connections of the intake's own (Prisma has its pool; these statements bypass it). */
function pgPool(): Pool {
  const url = config().DATABASE_URL;
  if (pool?.url !== url) {
    const { Pool: PgPool } = require("pg") as typeof import("pg");
    const created = new PgPool({ connectionString: url, max: PG_POOL_SIZE });
    // An idle connection the server ends (a restart, a failover, an administrator) is reported
    // here; without a listener it would be an uncaught exception that stops the process. The
    // pool drops that connection and opens a new one on the next intake.
    created.on("error", (error: Error & { code?: string }) => logger.warn({ error: error.name, code: error.code }, "intake database connection lost"));
    pool = { url, pool: created };
  }
  return pool.pool;
}

const PG_TYPES: Record<Kind, string> = { text: "text", bool: "boolean", decimal: "numeric", timestamp: "timestamp(3)", int: "integer" };

/** timestamp(3) holds UTC without a zone: the value is written as UTC text, whatever the process's time zone. */
function pgValue(value: Value, kind: Kind): string | number | boolean | null {
  if (value === null) return null;
  if (kind === "timestamp") return (value as Date).toISOString().slice(0, 23).replace("T", " ");
  return value as string | number | boolean;
}

/**
 * One statement per batch (one transaction, one commit): the rows arrive as one array per
 * column, sessions a duplicate would collide with are skipped, and only the sessions inserted
 * get their event, card and job.
 */
function pgBatchSql(): string {
  let n = 0;
  const unnest = (columns: [string, Kind][], alias: string) =>
    `SELECT * FROM unnest(${columns.map(([, kind]) => `$${++n}::${PG_TYPES[kind]}[]`).join(", ")}) AS ${alias}(${columns.map(([c]) => `"${c}"`).join(", ")})`;
  const list = (columns: [string, Kind][], prefix = "") => columns.map(([c]) => `${prefix}"${c}"`).join(", ");
  return `WITH s AS (${unnest(SESSION_COLUMNS, "s")}),
    e AS (${unnest(EVENT_COLUMNS, "e")}),
    p AS (${unnest(CARD_COLUMNS, "p")}),
    j AS (${unnest([...JOB_COLUMNS, ["forSession", "text"]], "j")}),
    inserted AS (
      INSERT INTO "PaymentSession" (${list(SESSION_COLUMNS)}) SELECT ${list(SESSION_COLUMNS)} FROM s
      ON CONFLICT ("shopId", "shopifyId") DO NOTHING RETURNING "id"
    ),
    events AS (INSERT INTO "SessionEvent" (${list(EVENT_COLUMNS)}) SELECT ${list(EVENT_COLUMNS, "e.")} FROM e JOIN inserted i ON i."id" = e."paymentSessionId"),
    cards AS (INSERT INTO "CardPayload" (${list(CARD_COLUMNS)}) SELECT ${list(CARD_COLUMNS, "p.")} FROM p JOIN inserted i ON i."id" = p."paymentSessionId"),
    jobs AS (
      INSERT INTO "Job" (${list(JOB_COLUMNS)}) SELECT ${list(JOB_COLUMNS, "j.")} FROM j JOIN inserted i ON i."id" = j."forSession"
      ON CONFLICT ("dedupeKey") DO NOTHING
    )
    SELECT "id" FROM inserted`;
}
let pgSql: string | null = null;

async function writePostgres(batch: NewSession[]): Promise<("stored" | "duplicate")[]> {
  const columnsOf = (rows: Row[], columns: [string, Kind][]) => columns.map(([c, kind]) => rows.map((row) => pgValue(row[c] ?? null, kind)));
  const cards = batch.flatMap((s) => (s.card ? [s.card] : []));
  const values = [
    ...columnsOf(
      batch.map((s) => s.session),
      SESSION_COLUMNS,
    ),
    ...columnsOf(
      batch.map((s) => s.event),
      EVENT_COLUMNS,
    ),
    ...columnsOf(
      cards.map((c) => c.payload),
      CARD_COLUMNS,
    ),
    ...columnsOf(
      cards.map((c) => c.job),
      JOB_COLUMNS,
    ),
    batch.flatMap((s) => (s.card ? [s.session.id] : [])),
  ];
  pgSql ??= pgBatchSql();
  const { rows } = await pgPool().query<{ id: string }>({ name: "intake-batch", text: pgSql, values });
  const inserted = new Set(rows.map((r) => r.id));
  return batch.map((s) => (inserted.has(s.session.id) ? "stored" : "duplicate"));
}
