import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { useAppEnv } from "../support/app-env";

/**
 * Shopify's session storage on the app's generated Prisma clients (app/shopify/prisma-session-storage.ts).
 * The library it replaces recognised a unique violation with an `instanceof` on a class the
 * generated clients do not export, so a race of two stores threw a TypeError.
 */
let database: TestDatabase;
let db: typeof import("~/db.server").db;
let PrismaSessionStorage: typeof import("~/shopify/prisma-session-storage").PrismaSessionStorage;

beforeAll(async () => {
  database = await createTestDatabase();
  useAppEnv({ DATABASE_URL: database.url });
  ({ db } = await import("~/db.server"));
  ({ PrismaSessionStorage } = await import("~/shopify/prisma-session-storage"));
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

const offline = (shop: string, accessToken: string) =>
  new Session({ id: `offline_${shop}`, shop, state: "s", isOnline: false, accessToken, scope: "write_payment_sessions" });

/** A genuine error of the generated client, as the database raised it. */
async function databaseError(run: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the database to refuse");
}

/** The app's client, with the session table's upsert failing once with `error` before working. */
function clientFailingOnce(error: Error) {
  let calls = 0;
  const session = db().session;
  return {
    calls: () => calls,
    client: {
      session: new Proxy(session, {
        get(target, property, receiver) {
          if (property !== "upsert") return Reflect.get(target, property, receiver);
          return (args: Parameters<typeof session.upsert>[0]) => (++calls === 1 ? Promise.reject(error) : session.upsert(args));
        },
      }),
    },
  };
}

describe("Prisma session storage", () => {
  it("ten stores of one new session at once all succeed and leave one row holding one of them", async () => {
    const storage = new PrismaSessionStorage(db());
    const shop = "concurrent-store.myshopify.com";
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => storage.storeSession(offline(shop, `shpat_${i}`))));
    expect(results).toEqual(Array(10).fill(true));
    expect(await db().session.count({ where: { shop } })).toBe(1);
    expect((await storage.loadSession(`offline_${shop}`))?.accessToken).toMatch(/^shpat_\d$/);
  });

  it("a unique violation (the other store's insert won the race) is retried as an update", async () => {
    const shop = "unique-race.myshopify.com";
    await db().session.create({ data: { id: `offline_${shop}`, shop, state: "first", accessToken: "shpat_first" } });
    const violation = await databaseError(() => db().session.create({ data: { id: `offline_${shop}`, shop, state: "dup", accessToken: "x" } }));
    expect(violation.code).toBe("P2002");
    const { client, calls } = clientFailingOnce(violation);
    expect(await new PrismaSessionStorage(client).storeSession(offline(shop, "shpat_second"))).toBe(true);
    expect(calls()).toBe(2);
    expect(await db().session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).toMatchObject({ accessToken: "shpat_second", state: "s" });
  });

  it("any other database error reaches the caller as itself, not as a TypeError, and is not retried", async () => {
    const notFound = await databaseError(() => db().session.update({ where: { id: "offline_missing.myshopify.com" }, data: { state: "x" } }));
    expect(notFound.code).toBe("P2025");
    const { client, calls } = clientFailingOnce(notFound);
    await expect(new PrismaSessionStorage(client).storeSession(offline("other-error.myshopify.com", "shpat_x"))).rejects.toBe(notFound);
    expect(calls()).toBe(1);
    expect(await db().session.count({ where: { shop: "other-error.myshopify.com" } })).toBe(0);
  });

  it("reads back what it stored, finds by shop and deletes", async () => {
    const storage = new PrismaSessionStorage(db());
    const expires = new Date(Date.now() + 3_600_000);
    const stored = new Session({
      id: "offline_roundtrip.myshopify.com",
      shop: "roundtrip.myshopify.com",
      state: "st",
      isOnline: false,
      accessToken: "shpat_rt",
      scope: "a,b",
      expires,
      refreshToken: "shprt_rt",
      refreshTokenExpires: expires,
    });
    await storage.storeSession(stored);
    const loaded = await storage.loadSession(stored.id);
    expect(loaded?.toObject()).toMatchObject({
      id: stored.id,
      shop: stored.shop,
      accessToken: "shpat_rt",
      refreshToken: "shprt_rt",
      scope: "a,b",
      isOnline: false,
    });
    expect(loaded?.expires?.getTime()).toBe(expires.getTime());
    expect((await storage.findSessionsByShop("roundtrip.myshopify.com")).map((s) => s.id)).toEqual([stored.id]);
    expect(await storage.deleteSessions([stored.id])).toBe(true);
    expect(await storage.loadSession(stored.id)).toBeUndefined();
    expect(await storage.deleteSession(stored.id)).toBe(true);
  });
});
