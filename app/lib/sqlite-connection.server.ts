import { createRequire } from "node:module";
import path from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * One SQLite connection per database client, on Node's built-in `node:sqlite`, shaped like
 * the part of `@libsql/client` that Prisma's libsql adapter uses (execute, transaction,
 * executeMultiple, close). The adapter keeps doing Prisma's type mapping; this replaces only
 * the connection handling (docs/decisions/one-sqlite-connection.md):
 *
 * - @libsql/client hands its connection to every interactive transaction and opens a new one
 *   for the next query, and never closes the one it handed over: each `$transaction(async …)`
 *   leaked two file descriptors and ~230 KB until the process ran out (SQLITE_CANTOPEN).
 *   Here a transaction runs on the same connection and ends with COMMIT or ROLLBACK.
 * - Prepared statements are cached by their SQL, so Prisma's repeated queries are not
 *   prepared again on every call.
 *
 * The adapter serialises queries and transactions behind its own lock, so nothing of Prisma's
 * runs on the connection while one of its transactions is open. Code that writes on the
 * connection directly (the intake's raw writes) goes through `exclusive`, which waits for an
 * open transaction to end and then runs synchronously: nothing can interleave with it.
 */
const require = createRequire(import.meta.url);

type SqlValue = null | number | bigint | string | Uint8Array;
type Arg = SqlValue | boolean | ArrayBuffer | Date | undefined;

export interface ResultSet {
  columns: string[];
  columnTypes: string[];
  rows: unknown[][];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
}

interface Statement {
  sql: string;
  args?: Arg[] | Record<string, Arg>;
}

/** node:sqlite prints an ExperimentalWarning on first load; the app's logs are JSON, keep stderr clean of it. */
function loadDatabaseSync(): typeof DatabaseSync {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("SQLite")) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (require("node:sqlite") as typeof import("node:sqlite")).DatabaseSync;
  } finally {
    process.emitWarning = emit;
  }
}

/** `file:/abs.db`, `file:///abs.db`, `file:./rel.db` (from the working directory), `:memory:`. */
export function sqlitePathOf(url: string): string {
  const bare = url.replace(/^file:/, "").replace(/\?.*$/, "");
  if (bare === ":memory:" || bare === "") return ":memory:";
  const withoutAuthority = bare.startsWith("//") ? bare.replace(/^\/\/(localhost)?/, "") : bare;
  return path.resolve(decodeURIComponent(withoutAuthority));
}

const STATEMENT_CACHE_SIZE = 500;

/** The SQLite error as @libsql/client reports it: the adapter maps `rawCode` to Prisma's error kinds (P2002, …). */
class SqliteDriverError extends Error {
  readonly code: string;
  readonly rawCode: number;
  constructor(error: { message: string; errcode?: number }) {
    super(error.message);
    this.name = "LibsqlError";
    this.rawCode = typeof error.errcode === "number" ? error.errcode : 1;
    this.code = `SQLITE_ERROR_${this.rawCode}`;
  }
}

function toSql(value: Arg): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

export class SqliteConnection {
  readonly protocol = "file";
  closed = false;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Resolves when the open transaction (if any) has ended; transactions and `exclusive` queue on it. */
  #gate: Promise<void> = Promise.resolve();
  #inTransaction = false;

  constructor(url: string) {
    const DatabaseSync = loadDatabaseSync();
    // Foreign keys on, busy timeout 0: what @libsql/client's connection had.
    this.#db = new DatabaseSync(sqlitePathOf(url), { enableForeignKeyConstraints: true });
    this.#db.exec("SELECT 1");
  }

  /** The cached prepared statement for this SQL. */
  prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs one statement; a driver error becomes the error @libsql/client would throw. */
  run(stmt: Statement | string): ResultSet {
    const { sql, args = [] } = typeof stmt === "string" ? { sql: stmt } : stmt;
    try {
      const statement = this.prepare(sql);
      const columns = statement.columns();
      if (columns.length === 0) {
        const result = Array.isArray(args) ? statement.run(...args.map(toSql)) : statement.run(mapNamed(args));
        return { columns: [], columnTypes: [], rows: [], rowsAffected: Number(result.changes), lastInsertRowid: BigInt(result.lastInsertRowid) };
      }
      statement.setReturnArrays(true);
      const raw = (Array.isArray(args) ? statement.all(...args.map(toSql)) : statement.all(mapNamed(args))) as unknown as SqlValue[][];
      const rows = raw.map((row) => row.map((v) => (v instanceof Uint8Array ? v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) : v)));
      return { columns: columns.map((c) => c.name), columnTypes: columns.map((c) => c.type ?? ""), rows, rowsAffected: 0, lastInsertRowid: undefined };
    } catch (error) {
      throw error instanceof Error && "errcode" in error ? new SqliteDriverError(error as Error & { errcode: number }) : error;
    }
  }

  async execute(stmt: Statement | string, args?: Arg[]): Promise<ResultSet> {
    this.#checkOpen();
    try {
      return this.run(typeof stmt === "string" ? { sql: stmt, args: args ?? [] } : stmt);
    } finally {
      // As @libsql/client: a BEGIN sent as a plain statement must not leave the shared connection inside a transaction.
      if (!this.#inTransaction && this.#db.isTransaction) this.#db.exec("ROLLBACK");
    }
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#checkOpen();
    try {
      this.#db.exec(sql);
    } catch (error) {
      throw error instanceof Error && "errcode" in error ? new SqliteDriverError(error as Error & { errcode: number }) : error;
    } finally {
      if (!this.#inTransaction && this.#db.isTransaction) this.#db.exec("ROLLBACK");
    }
  }

  /** Waits for the open transaction to end, then holds the connection until `release`. */
  async #acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.#gate;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  async transaction(mode: "write" | "read" | "deferred" = "deferred"): Promise<SqliteTransaction> {
    this.#checkOpen();
    const release = await this.#acquire();
    try {
      this.run(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    } catch (error) {
      release();
      throw error;
    }
    this.#inTransaction = true;
    return new SqliteTransaction(this, () => {
      this.#inTransaction = false;
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      release();
    });
  }

  /**
   * Runs `fn` on the connection outside any transaction of Prisma's; `fn` is synchronous, so
   * its statements (a whole BEGIN … COMMIT) cannot interleave with anything else.
   */
  async exclusive<T>(fn: (connection: SqliteConnection) => T): Promise<T> {
    this.#checkOpen();
    if (!this.#inTransaction) return fn(this);
    const release = await this.#acquire();
    try {
      return fn(this);
    } finally {
      release();
    }
  }

  get isTransaction(): boolean {
    return this.#db.isTransaction;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  #checkOpen() {
    if (this.closed) throw Object.assign(new Error("The client is closed"), { code: "CLIENT_CLOSED" });
  }
}

function mapNamed(args: Record<string, Arg>): Record<string, SqlValue> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k.replace(/^[@$:]/, ""), toSql(v)]));
}

/** An interactive transaction on the shared connection; COMMIT or ROLLBACK ends it and frees the connection. */
export class SqliteTransaction {
  #open = true;
  constructor(
    private readonly connection: SqliteConnection,
    private readonly end: () => void,
  ) {}

  get closed(): boolean {
    return !this.#open;
  }

  async execute(stmt: Statement | string, args?: Arg[]): Promise<ResultSet> {
    this.#checkOpen();
    return this.connection.run(typeof stmt === "string" ? { sql: stmt, args: args ?? [] } : stmt);
  }

  async batch(stmts: Statement[]): Promise<ResultSet[]> {
    this.#checkOpen();
    return stmts.map((s) => this.connection.run(s));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#checkOpen();
    await this.connection.executeMultiple(sql);
  }

  async commit(): Promise<void> {
    this.#checkOpen();
    try {
      this.connection.run("COMMIT");
    } finally {
      this.#finish();
    }
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    try {
      if (this.connection.isTransaction) this.connection.run("ROLLBACK");
    } finally {
      this.#finish();
    }
  }

  close(): void {
    this.#finish();
  }

  #finish() {
    if (!this.#open) return;
    this.#open = false;
    this.end();
  }

  #checkOpen() {
    if (!this.#open) throw Object.assign(new Error("The transaction is closed"), { code: "TRANSACTION_CLOSED" });
  }
}
