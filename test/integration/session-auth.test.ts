import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type express from "express";
import { makeTestCertificates, type Pem, type TestCertificates } from "../support/certificates";
import { appEnv } from "../support/app-env";

/**
 * Shopify's session requests proven by its client certificate (docs/decisions/mtls-listener.md,
 * docs/decisions/proxy-contract.md), with certificates made for this run and real TLS
 * handshakes. The app's listeners run with a stand-in for the Remix handler that records what
 * reached it, so every refusal is shown to happen before any route.
 */
type Running = Awaited<ReturnType<typeof import("~/lib/http-servers.server").startServers>>;

let certs: TestCertificates;
let parseConfig: typeof import("~/lib/config.server").parseConfig;
let loadSessionAuth: typeof import("~/shopify/session-auth.server").loadSessionAuth;
let startServers: typeof import("~/lib/http-servers.server").startServers;
const PROXY_SECRET = "proxy-secret-0123456789abcdefghijklmnop";
const reached: string[] = [];
const warnings: unknown[] = [];
const logger = { info: () => undefined, warn: (fields: unknown) => void warnings.push(fields) } as never;
const handler = (req: express.Request, res: express.Response) => {
  reached.push(`${req.method} ${req.path}`);
  res.status(201).send("reached the route");
};

beforeAll(async () => {
  certs = makeTestCertificates();
  ({ parseConfig } = await import("~/lib/config.server"));
  ({ loadSessionAuth } = await import("~/shopify/session-auth.server"));
  ({ startServers } = await import("~/lib/http-servers.server"));
});
afterAll(() => certs.cleanup());

function settingsWith(extra: Record<string, string>) {
  return parseConfig(appEnv({ DATABASE_URL: "file:./never-opened.db", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production", ...extra }));
}

async function serve(extra: Record<string, string>): Promise<Running> {
  const settings = settingsWith(extra);
  return startServers({ settings, auth: loadSessionAuth(settings), handler, logger });
}

const mtlsSettings = () => ({
  SHOPIFY_MTLS_PORT: "0",
  SHOPIFY_MTLS_CA_FILE: certs.caBundleFile,
  SHOPIFY_MTLS_CERT_FILE: certs.server.certFile,
  SHOPIFY_MTLS_KEY_FILE: certs.server.keyFile,
});

interface Answer {
  status: number;
  body: string;
}

/** One HTTPS request with a real handshake, presenting `client` (or no certificate). */
function overTls(url: string, path: string, client: Pem | null, init: { method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      { method: init.method ?? "POST", ca: certs.serverCa, ...(client ? { cert: client.cert, key: client.key } : {}), agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on("error", reject);
    req.end(init.body ?? "{}");
  });
}

async function plain(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers, body: "{}" });
  return { status: res.status, body: await res.text() };
}

const SESSION_ROUTES = [
  "/shopify/payment",
  "/shopify/refund",
  "/shopify/capture",
  "/shopify/void",
  "/shopify/card/payment",
  "/shopify/card/refund",
  "/shopify/card/capture",
  "/shopify/card/void",
  "/shopify/card/confirm",
];

describe("mutual TLS in the app", () => {
  let servers: Running;
  beforeAll(async () => {
    servers = await serve(mtlsSettings());
  });
  afterAll(() => servers.close());

  it("with Shopify's certificate, every session route and the confirmation callback are reached on the mutual-TLS port", async () => {
    reached.length = 0;
    for (const path of SESSION_ROUTES) expect(await overTls(servers.mtlsUrl!, path, certs.client)).toEqual({ status: 201, body: "reached the route" });
    expect(reached).toEqual(SESSION_ROUTES.map((path) => `POST ${path}`));
  });

  it.each([
    ["no client certificate", null],
    ["a certificate from another CA", "otherCaClient"],
    ["an expired certificate", "expiredClient"],
  ] as const)("with %s, the connection is closed before any request is read, and no route is reached", async (_label, which) => {
    reached.length = 0;
    warnings.length = 0;
    const error = await overTls(servers.mtlsUrl!, "/shopify/payment", which ? certs[which] : null).then(
      (answer) => answer,
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(error).toBe("ECONNRESET");
    expect(reached).toEqual([]);
    await expect.poll(() => warnings.length).toBe(1);
  });

  it("the handshake tells the reason of each refusal in the app's log", async () => {
    const reasons: string[] = [];
    for (const which of [null, "otherCaClient", "expiredClient"] as const) {
      warnings.length = 0;
      await overTls(servers.mtlsUrl!, "/shopify/payment", which ? certs[which] : null).catch(() => undefined);
      await expect.poll(() => warnings.length).toBe(1);
      reasons.push((warnings[0] as { reason: string }).reason);
    }
    expect(reasons).toEqual(["NO_CLIENT_CERTIFICATE", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_HAS_EXPIRED"]);
  });

  it("the main port refuses session routes (403) and serves everything else without asking for a certificate", async () => {
    reached.length = 0;
    for (const path of SESSION_ROUTES) {
      expect(await plain(servers.mainUrl, path)).toEqual({ status: 403, body: "Shopify's session requests are served on the mutual-TLS port only" });
    }
    expect(await plain(servers.mainUrl, "/auth/login")).toEqual({ status: 201, body: "reached the route" });
    expect(reached).toEqual(["POST /auth/login"]);
  });

  it("the mutual-TLS port serves nothing but the session routes, even to Shopify", async () => {
    reached.length = 0;
    for (const path of ["/auth/login", "/app", "/webhooks", "/metrics", "/pay/token"]) {
      expect(await overTls(servers.mtlsUrl!, path, certs.client)).toEqual({ status: 404, body: "Not found" });
    }
    expect(reached).toEqual([]);
  });

  it("a proxy header is worth nothing without the proxy contract configured", async () => {
    const res = await plain(servers.mainUrl, "/shopify/payment", {
      "X-Accelebit-Proxy-Secret": PROXY_SECRET,
      "X-Accelebit-Client-Verify": "SUCCESS",
      "X-Accelebit-Client-Cert": encodeURIComponent(certs.client.cert),
    });
    expect(res.status).toBe(403);
  });
});

describe("the proxy contract", () => {
  let servers: Running;
  beforeAll(async () => {
    servers = await serve({ SESSION_PROXY_SECRET: PROXY_SECRET, SHOPIFY_MTLS_CA_FILE: certs.caBundleFile });
  });
  afterAll(() => servers.close());

  const proxied = (overrides: Record<string, string | null> = {}) => {
    const headers: Record<string, string | null> = {
      "X-Accelebit-Proxy-Secret": PROXY_SECRET,
      "X-Accelebit-Client-Verify": "SUCCESS",
      "X-Accelebit-Client-Cert": encodeURIComponent(certs.client.cert),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== null));
  };

  it("a request the proxy authenticated, with Shopify's certificate, reaches every session route", async () => {
    reached.length = 0;
    for (const path of SESSION_ROUTES) expect(await plain(servers.mainUrl, path, proxied())).toEqual({ status: 201, body: "reached the route" });
    expect(reached).toHaveLength(SESSION_ROUTES.length);
  });

  it.each([
    ["no proxy secret", { "X-Accelebit-Proxy-Secret": null }, "not sent through the authenticating proxy"],
    ["a wrong proxy secret of the same length", { "X-Accelebit-Proxy-Secret": PROXY_SECRET.replace(/.$/, "X") }, "not sent through the authenticating proxy"],
    ["a wrong proxy secret of another length", { "X-Accelebit-Proxy-Secret": "short" }, "not sent through the authenticating proxy"],
    ["the proxy's verdict missing", { "X-Accelebit-Client-Verify": null }, "the proxy did not verify a client certificate"],
    ["the proxy's verdict a failure", { "X-Accelebit-Client-Verify": "FAILED:certificate has expired" }, "the proxy did not verify a client certificate"],
    ["no certificate passed on", { "X-Accelebit-Client-Cert": null }, "no client certificate was passed on"],
    ["a certificate that is not one", { "X-Accelebit-Client-Cert": "garbage%ZZ" }, "the client certificate passed on cannot be read"],
    [
      "no certificate at all, only the secret",
      { "X-Accelebit-Client-Verify": null, "X-Accelebit-Client-Cert": null },
      "the proxy did not verify a client certificate",
    ],
  ])("%s: 401 and no route reached", async (_label, overrides, reason) => {
    reached.length = 0;
    expect(await plain(servers.mainUrl, "/shopify/refund", proxied(overrides))).toEqual({ status: 401, body: `Session request refused: ${reason}` });
    expect(reached).toEqual([]);
  });

  it.each([
    ["an expired certificate", "expiredClient", "the client certificate is expired or not yet valid"],
    ["a certificate from another CA", "otherCaClient", "the client certificate does not chain to Shopify's CA"],
  ] as const)("%s passed on (a proxy misconfigured to let it through): 401, checked again by the app", async (_label, which, reason) => {
    reached.length = 0;
    const res = await plain(servers.mainUrl, "/shopify/card/confirm", proxied({ "X-Accelebit-Client-Cert": encodeURIComponent(certs[which].cert) }));
    expect(res).toEqual({ status: 401, body: `Session request refused: ${reason}` });
    expect(reached).toEqual([]);
  });

  it("merchant pages, OAuth and webhooks need no proxy header", async () => {
    reached.length = 0;
    for (const path of ["/auth/login", "/auth/callback", "/app", "/webhooks"]) expect((await plain(servers.mainUrl, path)).status).toBe(201);
    expect(reached).toHaveLength(4);
  });
});

describe("configuration", () => {
  it("production without either way refuses to start, naming the variables", async () => {
    const { assertServable } = await import("~/lib/config.server");
    expect(() => assertServable(settingsWith({}))).toThrow(
      "SHOPIFY_MTLS_PORT (with SHOPIFY_MTLS_CA_FILE, SHOPIFY_MTLS_CERT_FILE, SHOPIFY_MTLS_KEY_FILE) or SESSION_PROXY_SECRET (with SHOPIFY_MTLS_CA_FILE) is required in production",
    );
    expect(() => assertServable(settingsWith(mtlsSettings()))).not.toThrow();
    expect(() => assertServable(settingsWith({ SESSION_PROXY_SECRET: PROXY_SECRET, SHOPIFY_MTLS_CA_FILE: certs.caBundleFile }))).not.toThrow();
    expect(() => assertServable(settingsWith({ NODE_ENV: "development" }))).not.toThrow();
  });

  it.each([
    [{ SHOPIFY_MTLS_PORT: "8443" }, "SHOPIFY_MTLS_CERT_FILE is required with SHOPIFY_MTLS_PORT"],
    [{ SHOPIFY_MTLS_PORT: "8443", SHOPIFY_MTLS_CERT_FILE: "x", SHOPIFY_MTLS_KEY_FILE: "y" }, "SHOPIFY_MTLS_CA_FILE is required"],
    [{ SESSION_PROXY_SECRET: PROXY_SECRET }, "SHOPIFY_MTLS_CA_FILE is required"],
    [{ SESSION_PROXY_SECRET: "too-short" }, "SESSION_PROXY_SECRET must be at least 32 characters"],
    [
      { ...{ SHOPIFY_MTLS_CA_FILE: "a", SHOPIFY_MTLS_CERT_FILE: "b", SHOPIFY_MTLS_KEY_FILE: "c" }, SHOPIFY_MTLS_PORT: "3000", PORT: "3000" },
      "SHOPIFY_MTLS_PORT must differ from PORT",
    ],
  ])("an incomplete setting is named: %j", (extra, message) => {
    expect(() => settingsWith(extra)).toThrow(message);
  });

  it("an unreadable or wrong certificate file stops the app, naming its variable", () => {
    expect(() => loadSessionAuth(settingsWith({ ...mtlsSettings(), SHOPIFY_MTLS_CA_FILE: "/nonexistent/ca.pem" }))).toThrow(
      "SHOPIFY_MTLS_CA_FILE (/nonexistent/ca.pem) cannot be read: ENOENT",
    );
    expect(() => loadSessionAuth(settingsWith({ ...mtlsSettings(), SHOPIFY_MTLS_KEY_FILE: certs.server.certFile }))).toThrow("SHOPIFY_MTLS_KEY_FILE");
    expect(() => loadSessionAuth(settingsWith({ ...mtlsSettings(), SHOPIFY_MTLS_CA_FILE: certs.server.keyFile }))).toThrow("SHOPIFY_MTLS_CA_FILE");
  });
});
