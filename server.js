// Production entry point: `npm start` serves the built Remix app (npm run build).
// Configuration is validated before a port opens: a missing or malformed variable stops the
// process with a message naming it. The listeners (the main port, and the mutual-TLS port
// for Shopify's session requests when configured) are set up by the build's entry module
// (app/lib/http-servers.server.ts).
import express from "express";
import { createRequestHandler } from "@remix-run/express";

const build = await import("./build/index.js");
const entry = build.entry.module;
const fail = (error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
};

try {
  await entry.onStartup();
} catch (error) {
  fail(error);
}

const assets = express.Router();
assets.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
assets.use(express.static("public", { maxAge: "1h" }));

const handler = createRequestHandler({
  build,
  mode: process.env.NODE_ENV ?? "production",
  getLoadContext: (req) => ({ clientIp: req.ip ?? null }),
});
const servers = await entry.serve({ handler, routes: build.routes, staticFiles: [assets] }).catch(fail);

// Stop taking requests, let running jobs finish (their leases would otherwise hold them
// until they expire), then exit.
function shutdown() {
  void servers.close();
  setTimeout(() => process.exit(0), 10_000).unref();
  entry.onShutdown().finally(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
