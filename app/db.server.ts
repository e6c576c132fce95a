import { createRequire } from "node:module";
import type { PrismaClient } from "../node_modules/.prisma-accelebit/sqlite/index.js";
import { config } from "~/lib/config.server";
import { SqliteConnection } from "~/lib/sqlite-connection.server";

export type { PrismaClient };
export type { Prisma } from "../node_modules/.prisma-accelebit/sqlite/index.js";

export type DatabaseProvider = "sqlite" | "postgresql";

export function providerOf(databaseUrl: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? "postgresql" : "sqlite";
}

// Both providers' clients are generated (npm run setup) and the URL picks one at run
// time, so a single build serves SQLite and PostgreSQL. They are loaded with require
// rather than imported so the Remix compiler leaves the generated code (and its
// WebAssembly query compiler) where Prisma wrote it.
const require = createRequire(import.meta.url);

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (providerOf(databaseUrl) === "postgresql") {
    const { PrismaClient: Client } = require(".prisma-accelebit/postgresql");
    const { PrismaPg } = require("@prisma/adapter-pg");
    // The model API is identical for both providers (one source schema), hence the one type.
    return new Client({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as PrismaClient;
  }
  const { PrismaClient: Client } = require(".prisma-accelebit/sqlite");
  const { PrismaLibSQL } = require("@prisma/adapter-libsql") as typeof import("@prisma/adapter-libsql");
  // Prisma's libsql adapter over one node:sqlite connection instead of @libsql/client's, which
  // leaked a connection per interactive transaction (docs/decisions/one-sqlite-connection.md).
  let connection: SqliteConnection | null = null;
  class OneConnection extends PrismaLibSQL {
    override createClient() {
      if (!connection || connection.closed) connection = new SqliteConnection(databaseUrl);
      return connection as unknown as ReturnType<InstanceType<typeof PrismaLibSQL>["createClient"]>;
    }
  }
  const client = new Client({ adapter: new OneConnection({ url: databaseUrl }) }) as PrismaClient;
  sqliteConnections.set(client, () => {
    if (!connection || connection.closed) connection = new SqliteConnection(databaseUrl);
    return connection;
  });
  return client;
}

const sqliteConnections = new WeakMap<PrismaClient, () => SqliteConnection>();

/** The SQLite connection under a client of createPrismaClient, for raw writes that must share it; null on PostgreSQL. */
export function sqliteConnectionOf(client: PrismaClient): SqliteConnection | null {
  return sqliteConnections.get(client)?.() ?? null;
}

declare global {
  // Survives Remix dev-server reloads so they do not leak connections.
  var __accelebitPrisma: PrismaClient | undefined;
}

/** The process-wide database client. */
export function db(): PrismaClient {
  globalThis.__accelebitPrisma ??= createPrismaClient(config().DATABASE_URL);
  return globalThis.__accelebitPrisma;
}

/** Prisma's "unique constraint failed" (P2002): the row a concurrent request just created. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
