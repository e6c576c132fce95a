import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, type Pem, type TestCertificates } from "../support/certificates";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { appEnv } from "../support/app-env";

/**
 * `npm start` (server.js and the build) as an operator runs it: production unless told
 * otherwise, refusing to start without session authentication, and with mutual TLS on its own
 * port in front of the real session routes. Needs the build (npm run build; npm test builds first).
 */
const METRICS_TOKEN = "metrics-token-0123456789";
let database: TestDatabase;
let certs: TestCertificates;

beforeAll(async () => {
  if (!existsSync("build/index.js")) throw new Error("Build the app first: npm run build");
  database = await createTestDatabase();
  certs = makeTestCertificates();
});
afterAll(async () => {
  certs.cleanup();
  await database.drop();
});

/** The environment an operator would set, without NODE_ENV: production by default. */
function productionEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_ENV: _unset, ...env } = appEnv({ DATABASE_URL: database.url, PORT: "0", HOST: "127.0.0.1", WORKER: "off", LOG_LEVEL: "info", ...extra });
  // The test runner's own variables (NODE_ENV=test among them) stay out.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "NODE_ENV" && !key.startsWith("VITEST") && key !== "TEST"));
  return { ...inherited, ...env } as NodeJS.ProcessEnv;
}

interface Started {
  app: ChildProcess;
  mainUrl: string;
  mtlsUrl: string | undefined;
  output: () => string;
}

/** Starts server.js and reads the URLs of its ports from its "listening" log line. */
function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const app = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        if (!line.includes('"msg":"listening"')) continue;
        const { url, mutualTlsUrl } = JSON.parse(line) as { url: string; mutualTlsUrl?: string };
        resolve({ app, mainUrl: url, mtlsUrl: mutualTlsUrl, output: () => output });
      }
    };
    app.stdout!.on("data", onData);
    app.stderr!.on("data", onData);
    app.once("exit", (code) => reject(new Error(`server.js exited with ${code}:\n${output}`)));
  });
}

function exitOf(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const app = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  app.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => app.once("exit", (code) => resolve({ code, stderr })));
}

function overTls(url: string, path: string, client: Pem | null, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      { method: "POST", ca: certs.serverCa, headers, ...(client ? { cert: client.cert, key: client.key } : {}), agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("npm start in production", () => {
  it("refuses to start when Shopify's session requests would be unauthenticated, naming the variables", async () => {
    const result = await exitOf(productionEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("SHOPIFY_MTLS_PORT (with SHOPIFY_MTLS_CA_FILE, SHOPIFY_MTLS_CERT_FILE, SHOPIFY_MTLS_KEY_FILE) or SESSION_PROXY_SECRET");
  });

  it("refuses to start with the demo sign-in configured", async () => {
    const result = await exitOf(
      productionEnv({ SESSION_PROXY_SECRET: "p".repeat(40), SHOPIFY_MTLS_CA_FILE: certs.caBundleFile, DEV_SIGN_IN_SECRET: "demo-secret-0123456789" }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DEV_SIGN_IN_SECRET is for local development only");
  });

  describe("with mutual TLS configured", () => {
    let server: Started;
    beforeAll(async () => {
      server = await start(
        productionEnv({
          SHOPIFY_MTLS_PORT: "0",
          SHOPIFY_MTLS_CA_FILE: certs.caBundleFile,
          SHOPIFY_MTLS_CERT_FILE: certs.server.certFile,
          SHOPIFY_MTLS_KEY_FILE: certs.server.keyFile,
          METRICS_TOKEN,
        }),
      );
    });
    afterAll(async () => {
      server.app.kill("SIGTERM");
      await new Promise((resolve) => server.app.once("exit", resolve));
    });

    const sessionHeaders = {
      "Content-Type": "application/json",
      "Shopify-Shop-Domain": "nobody.myshopify.com",
      "Shopify-Request-Id": "r-1",
      "Shopify-Api-Version": "2026-04",
    };

    it("Shopify's certificate reaches the real session route, which answers for itself", async () => {
      const res = await overTls(server.mtlsUrl!, "/shopify/refund", certs.client, sessionHeaders, "{}");
      expect(res.status).toBe(422);
      expect(res.body).toMatch(/^Invalid refund session: /);
    });

    it.each([
      ["no certificate", null],
      ["an expired certificate", "expiredClient"],
      ["another CA's certificate", "otherCaClient"],
    ] as const)("%s: the connection is closed and the log says why", async (_label, which) => {
      const error = await overTls(server.mtlsUrl!, "/shopify/refund", which ? certs[which] : null, sessionHeaders, "{}").then(
        (r) => r,
        (e: NodeJS.ErrnoException) => e.code,
      );
      expect(error).toBe("ECONNRESET");
      await expect.poll(() => server.output()).toContain("mutual TLS connection refused");
    });

    it("the main port refuses the session routes and serves merchant pages without a certificate, with a Content-Security-Policy", async () => {
      const refused = await fetch(`${server.mainUrl}/shopify/payment`, { method: "POST", headers: sessionHeaders, body: "{}" });
      expect(refused.status).toBe(403);
      const login = await fetch(`${server.mainUrl}/auth/login`, { headers: { "User-Agent": "Mozilla/5.0 Chrome/126.0" } });
      expect(login.status).toBe(200);
      const policy = login.headers.get("Content-Security-Policy")!;
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
      expect(nonce).toBeDefined();
      expect(policy).toContain("frame-ancestors 'none'");
      const html = await login.text();
      // Every inline script of the page carries this response's nonce; nothing else runs.
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
      expect(inline.length).toBeGreaterThan(0);
      for (const attributes of inline) expect(attributes).toContain(`nonce="${nonce}"`);
    });

    it("is production: the demo sign-in does not exist", async () => {
      expect((await fetch(`${server.mainUrl}/dev/sign-in?shop=a.myshopify.com&secret=x`)).status).toBe(404);
    });

    it("30 requests to unknown paths add one metric series, not 30", async () => {
      for (let i = 0; i < 30; i++) await fetch(`${server.mainUrl}/unknown-${i}/deeper-${i}?q=${i}`);
      await fetch(`${server.mainUrl}/app/transactions/export.csv`, { redirect: "manual" });
      const text = await (await fetch(`${server.mainUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const routes = new Set([...text.matchAll(/^http_request_seconds_count\{[^}]*route="([^"]+)"/gm)].map((m) => m[1]));
      expect(routes.has("unmatched")).toBe(true);
      expect([...routes].filter((r) => r!.includes("unknown"))).toEqual([]);
      expect(routes.has("/app/transactions/export.csv")).toBe(true);
      expect(text).toMatch(/^http_request_seconds_count\{method="GET",route="unmatched",status="404"\} 30$/m);
    });
  });
});
