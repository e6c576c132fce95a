import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { isUniqueViolation, type PrismaClient } from "~/db.server";

type SessionRow = Awaited<ReturnType<PrismaClient["session"]["findUniqueOrThrow"]>>;

/**
 * Shopify's sessions in the `Session` table, through the app's own generated Prisma client.
 *
 * Replaces @shopify/shopify-app-session-storage-prisma, whose storeSession recognises a unique
 * violation with `instanceof require("@prisma/client").Prisma.PrismaClientKnownRequestError`:
 * our clients are generated to node_modules/.prisma-accelebit/*, so that class is undefined there
 * and every failed upsert (a unique violation when two OAuth callbacks of one shop race, or any
 * database error) became "TypeError: Right-hand side of 'instanceof' is not callable" instead
 * of a retry or the real error. Errors are recognised by Prisma's error code here (db.server.ts).
 * The row mapping is the library's, so stored sessions read back the same.
 */
export class PrismaSessionStorage implements SessionStorage {
  constructor(private readonly prisma: Pick<PrismaClient, "session">) {}

  async storeSession(session: Session): Promise<boolean> {
    const data = toRow(session);
    const upsert = () => this.prisma.session.upsert({ where: { id: session.id }, update: data, create: data });
    try {
      await upsert();
    } catch (error) {
      // A concurrent store created the row between the upsert's read and its insert: update it now.
      if (!isUniqueViolation(error)) throw error;
      await upsert();
    }
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.prisma.session.findUnique({ where: { id } });
    return row ? toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.prisma.session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await this.prisma.session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.prisma.session.findMany({ where: { shop }, take: 25, orderBy: [{ expires: "desc" }] });
    return rows.map(toSession);
  }
}

function toRow(session: Session) {
  const user = session.onlineAccessInfo?.associated_user;
  return {
    id: session.id,
    shop: session.shop,
    state: session.state,
    isOnline: session.isOnline,
    scope: session.scope || null,
    expires: session.expires || null,
    accessToken: session.accessToken || "",
    userId: user?.id !== undefined ? BigInt(user.id) : null,
    firstName: user?.first_name || null,
    lastName: user?.last_name || null,
    email: user?.email || null,
    accountOwner: user?.account_owner || false,
    locale: user?.locale || null,
    collaborator: user?.collaborator || false,
    emailVerified: user?.email_verified || false,
    refreshToken: session.refreshToken || null,
    refreshTokenExpires: session.refreshTokenExpires || null,
  };
}

function toSession(row: SessionRow): Session {
  const params: Record<string, string | number | boolean> = {
    id: row.id,
    shop: row.shop,
    state: row.state,
    isOnline: row.isOnline,
    userId: String(row.userId),
    firstName: String(row.firstName),
    lastName: String(row.lastName),
    email: String(row.email),
    locale: String(row.locale),
  };
  if (row.accountOwner !== null) params.accountOwner = row.accountOwner;
  if (row.collaborator !== null) params.collaborator = row.collaborator;
  if (row.emailVerified !== null) params.emailVerified = row.emailVerified;
  if (row.expires) params.expires = row.expires.getTime();
  if (row.scope) params.scope = row.scope;
  if (row.accessToken) params.accessToken = row.accessToken;
  if (row.refreshToken) params.refreshToken = row.refreshToken;
  if (row.refreshTokenExpires) params.refreshTokenExpires = row.refreshTokenExpires.getTime();
  return Session.fromPropertyArray(Object.entries(params), true);
}
