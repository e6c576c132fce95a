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
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV ?? "production" }));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const server = app.listen(port, host, () => {
  console.log(JSON.stringify({ level: "info", msg: "listening", url: `http://${host}:${server.address().port}` }));
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
