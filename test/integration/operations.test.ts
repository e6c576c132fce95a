import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { appEnv, useAppEnv } from "../support/app-env";
import { callRoute } from "../support/shopify-auth";

const exec = promisify(execFile);
let database: TestDatabase;
let db: typeof import("~/db.server").db;

beforeAll(async () => {
  database = await createTestDatabase();
  useAppEnv({ DATABASE_URL: database.url });
  ({ db } = await import("~/db.server"));
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

/** Runs a project script as an operator would, with the test database. */
function script(args: string[], env: Record<string, string> = {}) {
  // process.env holds this file's app settings (useAppEnv), encryption key included.
  return exec(process.execPath, ["--import", "tsx", ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("health", () => {
  it("/healthz answers 200 and /readyz 200 on a migrated database", async () => {
    const { loader: health } = await import("~/routes/healthz");
    const { loader: ready } = await import("~/routes/readyz");
    expect((await health()).status).toBe(200);
    const res = await ready();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ready");
  });

  it("reports pending migrations on an empty database", async () => {
    const { pendingMigrations, listMigrations, connect } = await import("~/lib/migrator.server");
    const empty = await createTestDatabase();
    const conn = await connect(empty.url);
    await conn.exec(`DELETE FROM "_prisma_migrations"`);
    await conn.close();
    expect(await pendingMigrations(empty.url)).toEqual(listMigrations(empty.url.startsWith("file:") ? "sqlite" : "postgresql").map((m) => m.name));
    await empty.drop();
  });
});

describe("dev:seed-shop", () => {
  const args = [
    "scripts/seed-shop.ts",
    "--shop",
    "seeded.myshopify.com",
    "--access-token",
    "shpat_seed",
    "--accelebit-test-key",
    "smtgw_sk_test_SeedKey12345678",
  ];

  it.each([
    ["NODE_ENV=production", "production"],
    ["no NODE_ENV (production by default)", ""],
  ])("refuses to run with %s and writes nothing", async (_label, nodeEnv) => {
    const result = await script(args, { NODE_ENV: nodeEnv });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("dev:seed-shop registers shops without OAuth: it runs only with NODE_ENV=development or test.");
    expect(await db().shop.count({ where: { domain: "seeded.myshopify.com" } })).toBe(0);
  });

  it("names a malformed argument", async () => {
    const result = await script(["scripts/seed-shop.ts", "--shop", "seeded.myshopify.com", "--access-token", "x", "--accelebit-test-key", "sk_wrong"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--accelebit-test-key: Enter an Accelebit test secret key");
  });

  it("registers an installed, configured shop (idempotently)", async () => {
    expect((await script(args)).code).toBe(0);
    expect((await script(args)).code).toBe(0);
    const shop = await db().shop.findUniqueOrThrow({ where: { domain: "seeded.myshopify.com" }, include: { settings: true, credentials: true } });
    expect(shop.settings).toMatchObject({ ready: true });
    expect(shop.credentials).toEqual([expect.objectContaining({ gateway: "accelebit", mode: "test", secretLast4: "5678" })]);
    expect(shop.credentials[0]!.secretCiphertext).not.toContain("SeedKey");
    expect(await db().session.count({ where: { shop: "seeded.myshopify.com", isOnline: false } })).toBe(1);
  });
});

describe("secrets:rotate", () => {
  it("re-encrypts every stored secret with the new key; the old key can then be dropped", async () => {
    const oldKey = process.env.ENCRYPTION_KEY!;
    const newKey = appEnv({}).ENCRYPTION_KEY!;
    const rotated = await script(["scripts/rotate-secrets.ts"], { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^re-encrypted 2 secret\(s\) with key [0-9a-f]{12}$/m); // the test key and the Shopify token
    const again = await script(["scripts/rotate-secrets.ts"], { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
    expect(again.stdout).toMatch(/^re-encrypted 0 secret/m);

    const { SecretBox } = await import("~/lib/secret-box");
    const { decodeKey } = await import("~/lib/config.server");
    const { loadCredentials } = await import("~/merchants/credentials.server");
    const shop = await db().shop.findUniqueOrThrow({ where: { domain: "seeded.myshopify.com" } });
    expect((await loadCredentials(shop.id, "accelebit", "test", new SecretBox(decodeKey(newKey)!)))?.secret).toBe("smtgw_sk_test_SeedKey12345678");
  });
});

describe("development sign-in", () => {
  it("is a 404 unless DEV_SIGN_IN_SECRET is configured", async () => {
    const { loader } = await import("~/routes/dev.sign-in");
    const res = await callRoute(loader as never, new Request("http://localhost:3999/dev/sign-in?shop=seeded.myshopify.com&secret=x"));
    expect(res.status).toBe(404);
  });
});

describe("start-up", () => {
  it("the built server refuses to start without ENCRYPTION_KEY and names it", async () => {
    const env = { ...process.env, ...appEnv({ DATABASE_URL: database.url, PORT: "0" }) };
    delete env.ENCRYPTION_KEY;
    const result = await exec(process.execPath, ["server.js"], { env, timeout: 20_000 }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ENCRYPTION_KEY is required");
  });
});
