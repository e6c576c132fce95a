import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import express, { type RequestHandler } from "express";
import type { AppConfig } from "~/lib/config.server";
import type { Logger } from "~/lib/logger";
import { isSessionRoute, sessionRequestVerdict, type SessionAuth } from "~/shopify/session-auth.server";

/**
 * The app's HTTP listeners (server.js):
 *
 * - the main port (PORT): merchant pages, OAuth, shopper pages, webhooks, health, metrics.
 *   It never asks for a client certificate. Session routes are refused there unless the
 *   proxy contract proves them, or unless no session authentication is configured at all
 *   (development and tests).
 * - the mutual-TLS port (SHOPIFY_MTLS_PORT), when configured: HTTPS that requires a client
 *   certificate chained to Shopify's CA (the handshake fails without one), serving the
 *   session routes and nothing else (docs/decisions/mtls-listener.md).
 */
export interface ServeOptions {
  settings: Pick<AppConfig, "PORT" | "HOST" | "TRUST_PROXY">;
  auth: SessionAuth;
  /** The Remix request handler (or, in tests, any handler). */
  handler: RequestHandler;
  /** Runs first on every request of both ports (request context, access log, metrics). */
  observer?: RequestHandler;
  /** Public files, on the main port only. */
  staticFiles?: RequestHandler[];
  logger: Pick<Logger, "info" | "warn">;
}

export interface RunningServers {
  main: Server;
  mtls: HttpsServer | null;
  mainUrl: string;
  mtlsUrl: string | null;
  close(): Promise<void>;
}

/** The largest body any route accepts (webhooks, 256 KiB) with room to spare; each route has its own, smaller limit. */
const MAX_ANY_BODY_BYTES = 1024 * 1024;

const refuse = (status: number, message: string) => (res: express.Response) =>
  res.status(status).set({ "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).send(message);

/** A declared body larger than any route takes is refused before anything reads it. */
const declaredBodyLimit: RequestHandler = (req, res, next) => {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_ANY_BODY_BYTES) return refuse(413, `Request body larger than ${MAX_ANY_BODY_BYTES} bytes`)(res);
  next();
};

function sessionGuard(auth: SessionAuth, viaMutualTls: boolean): RequestHandler {
  return (req, res, next) => {
    if (!isSessionRoute(req.path)) {
      // The mutual-TLS port serves Shopify's session requests and nothing else.
      if (viaMutualTls) return refuse(404, "Not found")(res);
      return next();
    }
    const verdict = sessionRequestVerdict(auth, { headers: req.headers, viaMutualTls, authorized: (req.socket as TLSSocket).authorized === true });
    if (!verdict.ok) return refuse(verdict.status, verdict.message)(res);
    next();
  };
}

export async function startServers(options: ServeOptions): Promise<RunningServers> {
  const { auth, settings, logger } = options;
  const common = (app: express.Express) => {
    app.disable("x-powered-by");
    if (options.observer) app.use(options.observer);
    app.use(declaredBodyLimit);
  };

  const main = express();
  // TRUST_PROXY: how many proxies stand in front of the app, so req.ip is the shopper's address.
  main.set("trust proxy", settings.TRUST_PROXY);
  for (const files of options.staticFiles ?? []) main.use(files);
  common(main);
  main.use(sessionGuard(auth, false));
  main.all("*", options.handler);
  const mainServer = createHttpServer(main);
  await listen(mainServer, settings.PORT, settings.HOST);

  let mtlsServer: HttpsServer | null = null;
  if (auth.mtls) {
    const app = express();
    // Shopify connects directly: no forwarded-for header is trusted on this port.
    app.set("trust proxy", false);
    common(app);
    app.use(sessionGuard(auth, true));
    app.all("*", options.handler);
    // OpenSSL verifies the client's chain against Shopify's CA during the handshake; the
    // verdict is enforced below, before the connection's first byte of HTTP is read, so the
    // reason can be logged (rejectUnauthorized would close the socket without telling why).
    mtlsServer = createHttpsServer(
      { ca: auth.mtls.ca, cert: auth.mtls.cert, key: auth.mtls.key, requestCert: true, rejectUnauthorized: false, minVersion: "TLSv1.2" },
      app,
    );
    mtlsServer.prependListener("secureConnection", (socket: TLSSocket) => {
      if (socket.authorized) return;
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      logger.warn({ reason: presented ? String(socket.authorizationError) : "NO_CLIENT_CERTIFICATE" }, "mutual TLS connection refused");
      socket.destroy();
    });
    mtlsServer.on("tlsClientError", (error: NodeJS.ErrnoException) => logger.warn({ reason: error.code ?? "TLS_ERROR" }, "mutual TLS handshake failed"));
    await listen(mtlsServer, auth.mtls.port, settings.HOST);
  } else if (!auth.proxy) {
    logger.warn({}, "Shopify's session routes are not authenticated (no SHOPIFY_MTLS_PORT or SESSION_PROXY_SECRET): development only");
  }

  const urlOf = (server: Server | HttpsServer, scheme: string) => {
    const { port } = server.address() as AddressInfo;
    const host = settings.HOST === "0.0.0.0" || settings.HOST === "::" ? "127.0.0.1" : settings.HOST;
    return `${scheme}://${host}:${port}`;
  };
  const running: RunningServers = {
    main: mainServer,
    mtls: mtlsServer,
    mainUrl: urlOf(mainServer, "http"),
    mtlsUrl: mtlsServer ? urlOf(mtlsServer, "https") : null,
    close: async () => {
      await Promise.all([mainServer, mtlsServer].filter((s) => s !== null).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
  logger.info({ url: running.mainUrl, ...(running.mtlsUrl ? { mutualTlsUrl: running.mtlsUrl } : {}) }, "listening");
  return running;
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
