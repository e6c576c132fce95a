import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import type { RequestHandler } from "express";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { documentContentSecurityPolicy } from "~/lib/document-csp";
import { NonceProvider } from "~/lib/nonce";
import { createRouteTemplater, methodLabel, statusLabel, type BuildRoute } from "~/observability/route-templates.server";

const ABORT_DELAY = 5_000;

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  // A fresh nonce per page: only Remix's own inline scripts carry it (app/lib/document-csp.ts).
  const nonce = randomBytes(16).toString("base64");
  return new Promise<Response>((resolve, reject) => {
    const app = (
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>
    );
    const { pipe, abort } = renderToPipeableStream(app, {
      nonce,
      [callbackName]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        // Merchant pages are never framed: payments apps are not embedded.
        responseHeaders.set("X-Frame-Options", "DENY");
        responseHeaders.set("Referrer-Policy", "strict-origin-when-cross-origin");
        responseHeaders.set("X-Content-Type-Options", "nosniff");
        responseHeaders.set("Content-Security-Policy", documentContentSecurityPolicy(nonce));
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError: reject,
      onError: (error: unknown) => {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * Called by server.js before a port opens: validates the configuration (the process stops
 * with a message naming a missing or malformed variable), then starts the durable job worker
 * in this process unless WORKER=off.
 */
export async function onStartup() {
  const { assertServable, config } = await import("~/lib/config.server");
  const { loadSessionAuth } = await import("~/shopify/session-auth.server");
  // In production, Shopify's session requests must be authenticated; the certificate files must be readable.
  assertServable(config());
  loadSessionAuth(config());
  if (config().WORKER === "on") {
    const { startBackgroundWorker } = await import("~/background.server");
    startBackgroundWorker();
  }
}

export async function onShutdown() {
  const { stopBackgroundWorker } = await import("~/background.server");
  await stopBackgroundWorker();
}

/**
 * Wraps every HTTP request (server.js): a request context for the log lines it causes, and
 * one structured line plus a latency observation when it finishes. Paths are logged and
 * measured as the template of the route that serves them, from the build's route table
 * (app/observability/route-templates.server.ts): shopper and webhook tokens are secrets, and
 * an unknown path is one label, so no visitor can grow the metrics.
 */
export async function requestObserver(routes: Record<string, BuildRoute>) {
  const [{ logger }, { runWithRequestContext, currentRequestContext }, { httpRequestDuration }] = await Promise.all([
    import("~/lib/logger"),
    import("~/observability/request-context.server"),
    import("~/observability/metrics.server"),
  ]);
  const routeTemplate = createRouteTemplater(routes);
  return (
    request: { method: string; path: string; headers: Record<string, string | string[] | undefined> },
    response: { statusCode: number; once(event: "finish", listener: () => void): unknown },
    next: () => void,
  ) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    runWithRequestContext({ get: header }, () => {
      const context = currentRequestContext();
      const started = performance.now();
      response.once("finish", () => {
        const route = routeTemplate(request.path);
        const method = methodLabel(request.method);
        const seconds = (performance.now() - started) / 1000;
        httpRequestDuration.observe({ method, route, status: statusLabel(response.statusCode) }, seconds);
        logger.info({ ...context, method, route, status: response.statusCode, durationMs: Math.round(seconds * 1000) }, "request");
      });
      next();
    });
  };
}

/** Opens the app's ports (server.js): the main one, and the mutual-TLS one when configured. */
export async function serve(options: { handler: RequestHandler; routes: Record<string, BuildRoute>; staticFiles: RequestHandler[] }) {
  const [{ config }, { loadSessionAuth }, { startServers }, { logger }] = await Promise.all([
    import("~/lib/config.server"),
    import("~/shopify/session-auth.server"),
    import("~/lib/http-servers.server"),
    import("~/lib/logger"),
  ]);
  const settings = config();
  return startServers({
    settings,
    auth: loadSessionAuth(settings),
    handler: options.handler,
    observer: await requestObserver(options.routes),
    staticFiles: options.staticFiles,
    logger,
  });
}
