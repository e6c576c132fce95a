/**
 * Runs the Accrue sandbox on its own: `tsx test/simulators/accrue/main.ts`
 * (wired as `npm run sandbox:accrue`). Environment:
 *   PORT (default 4030; 0 = any free port), HOST (default 127.0.0.1),
 *   ACCRUE_SANDBOX_ENVIRONMENT  "sandbox" (default) or "live",
 *   ACCRUE_SANDBOX_CLIENT_ID / ACCRUE_SANDBOX_CLIENT_SECRET  a merchant created at start
 *     (default: a fixed demo merchant, printed below).
 * Merchants, faults, knobs and the clock can be changed at run time through /__sandbox/ (README.md).
 */
import { DEMO_MERCHANT } from "./demo-merchant";
import { startAccrueSandbox } from "./server";

const port = Number(process.env.PORT ?? 4030);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}
const environment = process.env.ACCRUE_SANDBOX_ENVIRONMENT === "live" ? "live" : "sandbox";
const clientId = process.env.ACCRUE_SANDBOX_CLIENT_ID || DEMO_MERCHANT.clientId;
const clientSecret = process.env.ACCRUE_SANDBOX_CLIENT_SECRET || DEMO_MERCHANT.clientSecret;

const sandbox = await startAccrueSandbox({
  port,
  host: process.env.HOST ?? "127.0.0.1",
  environment,
  merchants: [{ clientId, clientSecret, name: "Demo merchant" }],
  log: (line) => console.log(line),
});
console.log(`Accrue sandbox (${environment}) listening on ${sandbox.url} (API ${sandbox.url}/api/v1, widget ${sandbox.url}/main.js)`);
console.log(`Merchant Client ID ${clientId}`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
