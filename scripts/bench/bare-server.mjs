// The floor for the bench: a bare node:http server in its own process, answering every POST
// with the JSON the app's intake answers (a fresh redirect_url). Prints its port on stdout.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(201, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ redirect_url: `http://127.0.0.1/pay/${randomBytes(24).toString("base64url")}` }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("SIGTERM", () => process.exit(0));
