// Production entry point: `npm start` serves the built Remix app (npm run build).
// Configuration is validated before the port opens: a missing or malformed variable
// stops the process with a message naming it.
import express from "express";
import { createRequestHandler } from "@remix-run/express";

const build = await import("./build/index.js");
const startup = build.entry.module.onStartup;
try {
  await startup();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const app = express();
app.disable("x-powered-by");
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
// Request context (request ids on every log line), a structured access line and latency metrics.
app.use(await build.entry.module.requestObserver(build.routes));
// TRUST_PROXY: how many proxies stand in front of the app, so req.ip is the shopper's address.
app.set("trust proxy", Number(process.env.TRUST_PROXY ?? 0));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production", getLoadContext: (req) => ({ clientIp: req.ip ?? null }) }));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const server = app.listen(port, host, () => {
  console.log(JSON.stringify({ level: "info", msg: "listening", url: `http://${host}:${server.address().port}` }));
});

// Stop taking requests, let running jobs finish (their leases would otherwise hold them
// until they expire), then exit.
function shutdown() {
  server.close();
  setTimeout(() => process.exit(0), 10_000).unref();
  build.entry.module.onShutdown().finally(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
